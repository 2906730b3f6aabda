"""The meta page leads back through its year, ramo and unit to the programming, or to the
capture of the quarter it was opened from."""

import re

from django.urls import reverse

from poa.models import Meta


def trail(html):
    """The breadcrumb's links, as (text, href), in order."""
    nav = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', html, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    return [(" ".join(text.split()), href) for href, text in links]


def meta_page(client, numero, **params):
    meta = Meta.objects.get(numero=numero)
    return client.get(reverse("poa:meta-detail", args=[meta.pk]), params).content.decode()


def test_it_leads_back_to_the_year_and_the_units_programming(client, capturista_102):
    client.force_login(capturista_102)
    links = trail(meta_page(client, 205))
    assert ("Programación 2023", reverse("poa:programming-overview", args=[2023])) in links
    programming = reverse("poa:programming", args=[2023, "59", "102"])
    assert ("Ramo 59 · UE 102", programming) in links


def test_opened_from_a_capture_it_leads_back_to_that_capture(client, capturista_201, q3_open):
    client.force_login(capturista_201)
    grid = reverse("poa:capture-grid", args=[2023, "59", "201", 3])
    meta = Meta.objects.get(numero=305)
    link = reverse("poa:meta-detail", args=[meta.pk]) + "?desde=3"
    assert f'href="{link}"' in client.get(grid).content.decode()
    links = trail(meta_page(client, 305, desde="3"))
    assert links[-1] == ("Captura Jul-Sep 2023", grid)


def test_a_bad_origin_is_ignored(client, capturista_201):
    client.force_login(capturista_201)
    links = trail(meta_page(client, 305, desde="9"))
    assert not any(text.startswith("Captura") for text, _ in links)
