"""Tables downloaded as CSV or XLSX: what a person typed never runs as a formula in a
spreadsheet, numbers stay numbers, accents survive, and a page without ?_export renders."""

import csv
import io
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from poa.documents import exports, safe_cells

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tX", "\rX"]


class ObservationTable(tables.Table):
    meta = tables.Column(verbose_name="Meta")
    unidad = tables.Column(verbose_name="Unidad de medida")
    alcanzado = tables.Column(verbose_name="Alcanzado")
    observaciones = tables.Column(verbose_name="Observaciones")


def table_of(observations, alcanzado=Decimal("102")):
    rows = [
        {"meta": 300 + i, "unidad": "NÓMINA", "alcanzado": alcanzado, "observaciones": text}
        for i, text in enumerate(observations)
    ]
    return ObservationTable(rows)


def export(table, export_format, filename="seguimiento_2023_T2"):
    request = RequestFactory().get("/", {"_export": export_format})
    return exports.export_response(request, table, filename)


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_sheet(response):
    assert response["Content-Type"] == exports.XLSX_MIMETYPE
    return load_workbook(io.BytesIO(response.content)).active


def test_the_csv_quotes_every_typed_formula_and_keeps_numbers_plain():
    rows = csv_rows(export(table_of(HOSTILE), "csv"))
    assert rows[0] == ["Meta", "Unidad de medida", "Alcanzado", "Observaciones"]
    assert [row[3] for row in rows[1:]] == ["'" + typed for typed in HOSTILE]
    assert [row[:3] for row in rows[1:3]] == [["300", "NÓMINA", "102"], ["301", "NÓMINA", "102"]]


def test_the_csv_starts_with_a_byte_order_mark_so_excel_reads_accents():
    response = export(table_of(["Sin cambios"]), "csv")
    assert response.content.startswith("\ufeff".encode())
    assert "NÓMINA" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("typed", HOSTILE)
def test_the_xlsx_stores_every_typed_formula_as_text(typed):
    sheet = xlsx_sheet(export(table_of([typed]), "xlsx"))
    cell = sheet["D2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        typed.replace("\r", "\n"),
        "s",
        True,
    )
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_the_xlsx_keeps_numbers_numeric_and_plain_text_unmarked():
    sheet = xlsx_sheet(export(table_of(["Se cumplió lo programado."], Decimal("12.5")), "xlsx"))
    assert [c.value for c in sheet[1]] == ["Meta", "Unidad de medida", "Alcanzado", "Observaciones"]
    meta, unidad, alcanzado, observation = sheet[2]
    assert (meta.value, meta.data_type) == (300, "n")
    assert (alcanzado.value, alcanzado.data_type) == (12.5, "n")
    assert (unidad.value, observation.value) == ("NÓMINA", "Se cumplió lo programado.")
    assert not unidad.quotePrefix and not observation.quotePrefix


def test_a_negative_number_stays_a_number_in_both_formats():
    table = table_of(["Nota"], Decimal("-2"))
    assert csv_rows(export(table, "csv"))[1][2] == "-2"
    cell = xlsx_sheet(export(table, "xlsx"))["C2"]
    assert (cell.value, cell.data_type) == (-2, "n")


@pytest.mark.parametrize(("export_format", "extension"), [("csv", "csv"), ("xlsx", "xlsx")])
def test_the_download_is_named_after_the_filename_given(export_format, extension):
    response = export(table_of(["x"]), export_format, filename="seguimiento_ramo_59")
    assert response["Content-Disposition"] == (
        f'attachment; filename="seguimiento_ramo_59.{extension}"'
    )


def test_a_name_with_accents_is_encoded_for_the_browser():
    response = export(table_of(["x"]), "csv", filename="Comisión")
    assert "filename*=utf-8''Comisi%C3%B3n.csv" in response["Content-Disposition"]


@pytest.mark.parametrize("query", [{}, {"_export": "json"}, {"_export": "pdf"}, {"_export": ""}])
def test_without_a_supported_export_the_view_renders_its_page(query):
    request = RequestFactory().get("/", query)
    assert exports.export_response(request, table_of(["x"]), "seguimiento") is None


def test_every_row_is_exported_not_only_the_current_page():
    table = table_of([f"Nota {i}" for i in range(30)])
    table.paginate(page=1, per_page=10)
    assert len(csv_rows(export(table, "csv"))) == 1 + 30


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("Texto normal", "Texto normal"),
        ("Nota - con guion", "Nota - con guion"),
        (Decimal("-2"), Decimal("-2")),
        (172, 172),
        (None, None),
    ],
)
def test_csv_value_prefixes_only_text_that_starts_like_a_formula(value, written):
    assert safe_cells.csv_value(value) == written


def test_control_characters_an_xlsx_cannot_hold_are_dropped():
    sheet = xlsx_sheet(export(table_of(["Nota\x00 con\x0b control"]), "xlsx"))
    assert sheet["D2"].value == "Nota con control"
