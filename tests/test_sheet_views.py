"""The sheet's addresses: login, who may open which unit, Spanish 404s for bad addresses, and
the screen view with its state, buttons, warnings and escaping."""

import pytest
from django.urls import reverse

from poa.models import QuarterlyProgress

NOT_FOUND = "No encontramos lo que busca"


def sheet_url(*args, pdf=False):
    return f"/tmm-f004/{'/'.join(str(a) for a in args)}/{'pdf/' if pdf else ''}"


def test_the_url_names_give_the_stable_addresses():
    assert reverse("poa:sheet", args=[2023, "59", "102", 2]) == "/tmm-f004/2023/59/102/2/"
    assert reverse("poa:sheet-pdf", args=[2023, "59", "102", 2]) == "/tmm-f004/2023/59/102/2/pdf/"
    assert reverse("poa:ramo-pdf", args=[2023, "59", 2]) == "/tmm-f004/2023/59/2/pdf/"


@pytest.mark.parametrize(
    "url",
    [
        sheet_url(2023, 59, 102, 2),
        sheet_url(2023, 59, 102, 2, pdf=True),
        sheet_url(2023, 59, 2, pdf=True),
    ],
)
def test_it_requires_login(client, reference, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "url",
    [
        sheet_url(2019, 59, 102, 2),  # no such year
        sheet_url(2023, 58, 102, 2),  # no such ramo
        sheet_url(2023, 59, 999, 2),  # no such unit
        sheet_url(2023, 59, 102, 0),
        sheet_url(2023, 59, 102, 5),
        sheet_url(2023, 59, 102, 0, pdf=True),
        sheet_url(2023, 59, 102, 5, pdf=True),
        sheet_url(2019, 59, 102, 2, pdf=True),
        sheet_url(2023, 59, 999, 2, pdf=True),
        sheet_url(2023, 58, 2, pdf=True),
        sheet_url(2019, 59, 2, pdf=True),
        sheet_url(2023, 59, 0, pdf=True),
        sheet_url(2023, 59, 5, pdf=True),
    ],
)
def test_a_bad_address_answers_404_in_spanish(client, planeacion, url):
    client.force_login(planeacion)
    response = client.get(url)
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()


def test_capturista_of_102_gets_404_on_the_sheet_of_201(client, capturista_102):
    client.force_login(capturista_102)
    assert client.get(sheet_url(2023, 59, 201, 2)).status_code == 404
    assert client.get(sheet_url(2023, 59, 201, 2, pdf=True)).status_code == 404
    assert client.get(sheet_url(2023, 59, 102, 2)).status_code == 200


def test_an_outsider_gets_404_on_the_ramo_pdf(client, outsider):
    client.force_login(outsider)
    response = client.get(sheet_url(2023, 59, 2, pdf=True))
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()


def test_the_screen_view_shows_state_buttons_and_the_sheet(client, head_102):
    client.force_login(head_102)
    page = client.get(sheet_url(2023, 59, 102, 2)).content.decode()
    assert "Estado: Sin informe" in page
    assert f'href="{sheet_url(2023, 59, 102, 2, pdf=True)}"' in page
    assert "Descargar PDF" in page and "Imprimir" in page
    assert "AVANCE FÍSICO PROGRAMÁTICO" in page
    assert "poa/css/tmm_f004.css" in page


def test_typed_markup_in_observaciones_is_escaped_on_screen(client, planeacion):
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=2).update(
        observaciones='<script>alert("x")</script> <img src=http://evil.example/spy.png>'
    )
    client.force_login(planeacion)
    page = client.get(sheet_url(2023, 59, 201, 2)).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=http://evil.example/spy.png&gt;" in page
    assert "<script>alert" not in page
    assert "<img src=http://evil.example" not in page


def test_the_screen_view_leads_back_to_the_unit_s_report(client, head_102):
    client.force_login(head_102)
    html = client.get(sheet_url(2023, 59, 102, 2)).content.decode()
    crumbs = html.split('aria-label="Ruta"')[1].split("</nav>")[0]
    assert 'href="/informes/2023/59/102/2/"' in crumbs and "Informe UE 102 · Abr-Jun 2023" in crumbs
