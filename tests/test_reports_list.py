"""The report list: every report a user may see, past quarters included, with its sheets."""

import pytest

from poa.models import Report, UnidadEjecutora
from poa.services.review import report_get_or_create
from tests.conftest import report_in_state

State = Report.State


@pytest.fixture
def reports(reference):
    for ue in UnidadEjecutora.objects.all():
        for quarter in (1, 2):
            report_get_or_create(unidad_ejecutora=ue, quarter=quarter)


def listed_units(response):
    html = response.content.decode()
    return {clave for clave in ("101", "102", "201") if f"59-{clave} " in html}


def test_capturista_of_102_lists_only_the_reports_of_102(reports, client, capturista_102):
    client.force_login(capturista_102)
    response = client.get("/informes/")
    assert response.status_code == 200
    assert listed_units(response) == {"102"}


def test_program_head_lists_every_unit_of_the_programs(reports, client, aaron):
    client.force_login(aaron)
    assert listed_units(client.get("/informes/")) == {"101", "102", "201"}


def test_outsider_gets_an_empty_list_with_a_message(reports, client, outsider):
    client.force_login(outsider)
    response = client.get("/informes/")
    assert listed_units(response) == set()
    assert "No hay informes que coincidan con la búsqueda." in response.content.decode()


def test_the_list_links_each_sheet_its_pdf_and_the_ramo_pdf(reports, client, planeacion):
    client.force_login(planeacion)
    html = client.get("/informes/", {"quarter": 2}).content.decode()
    assert 'href="/tmm-f004/2023/59/201/2/"' in html
    assert 'href="/tmm-f004/2023/59/201/2/pdf/"' in html
    assert 'href="/tmm-f004/2023/59/2/pdf/"' in html
    assert 'href="/tmm-f004/2023/59/201/1/"' not in html


def test_filter_by_state_and_unit(reports, client, planeacion):
    report_in_state("102", 2, State.ENVIADO)
    client.force_login(planeacion)
    response = client.get("/informes/", {"state": "enviado"})
    assert listed_units(response) == {"102"}
    assert listed_units(client.get("/informes/", {"unidad": "promoción"})) == {"201"}


def test_a_bad_filter_value_is_reported_not_a_crash(reports, client, planeacion):
    client.force_login(planeacion)
    response = client.get("/informes/", {"quarter": "9", "year": "abc"})
    assert response.status_code == 200
    assert "Seleccione una opción válida" in response.content.decode()


def test_the_list_requires_login(client):
    response = client.get("/informes/")
    assert response.status_code == 302 and "/cuenta/login/" in response["Location"]


@pytest.mark.parametrize("query", ["per_page=-1", "per_page=0", "per_page=abc", "page=999"])
def test_a_bad_page_size_or_page_is_not_a_crash(reports, client, planeacion, q3_open, query):
    client.force_login(planeacion)
    assert client.get(f"/informes/?{query}").status_code == 200
    assert client.get(f"/?{query}").status_code == 200
