"""Seguimiento's year selector: every year with metas is one click away, and an older year
whose quarter is still open leads to that quarter."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from poa.models import Ejercicio
from poa.services import years
from poa.services.periods import period_open


def year_links(html):
    nav = html.split('aria-label="Ejercicio"')[1].split("</nav>")[0]
    return nav


def test_an_older_year_with_an_open_quarter_stays_reachable(client, planeacion, q3_open):
    years.year_create_from(source=2023, year=2024, user=planeacion)
    period_open(
        ejercicio=Ejercicio.objects.get(year=2024),
        quarter=1,
        deadline=timezone.now() + timedelta(days=5),
        user=planeacion,
    )
    client.force_login(planeacion)
    latest = client.get(reverse("poa:tracking-latest"))["Location"]
    assert latest == reverse("poa:tracking", args=[2024, 1])
    nav = year_links(client.get(latest).content.decode())
    assert f'href="{reverse("poa:tracking", args=[2023, 3])}"' in nav
    assert f'href="{reverse("poa:tracking", args=[2024, 1])}"' in nav
    assert "T3 abierto" in nav


def test_a_year_without_periods_opens_at_its_first_quarter(client, planeacion):
    client.force_login(planeacion)
    nav = year_links(client.get(reverse("poa:tracking", args=[2023, 2])).content.decode())
    assert f'href="{reverse("poa:tracking", args=[2023, 1])}"' in nav
