"""Planeación's XLSX for the transparency platform («metas y objetivos de las áreas»): one row
per meta of the quarter's authorized sheets, under the columns of
fixtures/transparencia_metas.json in their order, so that a state's variant is a change of
that file; nothing private in it; nobody but planeación downloads it."""

import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from poa.documents import transparency
from poa.selectors.public import open_data_rows
from tests.conftest import State, report_in_state
from tests.test_transparency import PRIVATE, plant_private_values

URL = "/planeacion/transparencia/2023/2/xlsx/"


def configured():
    config = json.loads(transparency.PLATFORM_FORMAT.read_text(encoding="utf-8"))
    return config["hoja"], [column["titulo"] for column in config["columnas"]]


def workbook_rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def two_authorized(reference):
    for clave in ("102", "201"):
        report_in_state(clave, 2, State.AUTORIZADO)


def test_planeacion_downloads_the_configured_columns_one_row_per_meta(
    client, planeacion, two_authorized
):
    client.force_login(planeacion)
    response = client.get(URL)
    assert response.status_code == 200
    assert "transparencia_metas_2023_T2.xlsx" in response["Content-Disposition"]
    title, rows = workbook_rows(response.content)
    sheet_name, headers = configured()
    assert title == sheet_name and rows[0] == headers
    assert len(rows) - 1 == 8 + 8  # UE 102 and UE 201 have eight metas each
    by_header = [dict(zip(headers, row, strict=True)) for row in rows[1:]]
    first = by_header[0]
    assert first["Ejercicio"] == 2023
    assert first["Fecha de inicio del periodo que se informa"] == datetime(2023, 4, 1)
    assert first["Fecha de término del periodo que se informa"] == datetime(2023, 6, 30)
    link = "Hipervínculo al documento del o los programas operativos, presupuestarios, sectoriales, entre otros"  # noqa: E501
    assert first[link].endswith("/transparencia/2023/2/59/102/")
    assert first["Meta(s) asociada(s) a cada objetivo"] == "4 INFORME en el año"


def test_a_variant_of_the_format_is_a_change_of_its_file(tmp_path, two_authorized):
    variant = tmp_path / "variante.json"
    variant.write_text(
        json.dumps(
            {
                "hoja": "Formato IV",
                "columnas": [
                    {"titulo": "Unidad", "campo": "ue_clave"},
                    {"titulo": "Meta", "campo": "meta_numero"},
                    {"titulo": "Año", "campo": "ejercicio"},
                ],
            }
        )
    )
    rows = open_data_rows(2023, 2)
    _, _, content = transparency.platform_xlsx(rows, year=2023, quarter=2, path=variant)
    title, read = workbook_rows(content)
    assert title == "Formato IV"
    assert read[0] == ["Unidad", "Meta", "Año"]
    assert read[1] == ["102", 200, 2023]


def test_a_format_naming_an_unknown_field_is_refused_in_spanish(tmp_path):
    variant = tmp_path / "variante.json"
    variant.write_text(json.dumps({"columnas": [{"titulo": "X", "campo": "presupuesto"}]}))
    with pytest.raises(transparency.PlatformFormatError, match="campos que POA no tiene"):
        transparency.platform_format(variant)


def test_nothing_private_reaches_the_xlsx(client, planeacion, reference):
    plant_private_values()
    client.force_login(planeacion)
    _, rows = workbook_rows(client.get(URL).content)
    text = "\n".join(str(cell) for row in rows for cell in row)
    assert "102" in text
    for value in PRIVATE:
        assert value not in text
    assert "@mexicali.example" not in text


def test_only_planeacion_downloads_it(client, capturista_102, two_authorized):
    assert client.get(URL).status_code == 302  # to the login
    client.force_login(capturista_102)
    assert client.get(URL).status_code == 403
    assert client.get("/planeacion/transparencia/").status_code == 403


def test_planeacion_page_lists_each_published_quarter(client, planeacion, two_authorized):
    client.force_login(planeacion)
    text = client.get("/planeacion/transparencia/").content.decode()
    assert URL in text and "Fecha de validación" in text
