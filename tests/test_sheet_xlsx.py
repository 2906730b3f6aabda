"""The TMM-F004 as Excel: the figures of the PDF stored as numbers with the sheet's formats,
the header block and merged period headings, the signatures, the print setup, typed text that
never runs as a formula, and the same access rules as the PDF."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from poa.documents import pdf, xlsx
from poa.models import QuarterlyProgress, Report, ReportEvent, UnidadMedida
from poa.selectors.sheet import build_sheet
from tests.conftest import unit
from tests.sheet_data import make_unit
from tests.test_reference_sheet import PRINTED
from tests.test_sheet_pdf import pages_of

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Columns of a meta's row: D meta anual, E-L P and A per quarter, M absoluto, N relativo.
FIGURE_COLUMNS = "DEFGHIJKLMN"


def xlsx_url(clave, quarter=2):
    return reverse("poa:sheet-xlsx", args=[2023, "59", clave, quarter])


def download(client, user, clave, quarter=2):
    client.force_login(user)
    response = client.get(xlsx_url(clave, quarter))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_MIMETYPE
    return response


def worksheet_of(content):
    return load_workbook(io.BytesIO(content)).active


def rendered(sheet):
    _, _, content = xlsx.render_sheet(sheet)
    return worksheet_of(content)


def shown(cell):
    """The text a spreadsheet shows for a cell with one of the sheet's number formats."""
    value, number_format = cell.value, cell.number_format
    if value is None:
        return ""
    if number_format == "0%":
        return f"{round(value * 100)}%"
    if number_format == "#,##0.00":
        return f"{value:,.2f}"
    if number_format == "#,##0":
        return f"{value:,.0f}"
    return str(value)


def row_of(worksheet, numero):
    """The worksheet row of a meta, found by its "NNN.- " description."""
    for cell in worksheet["B"]:
        if isinstance(cell.value, str) and cell.value.startswith(f"{numero}.- "):
            return cell.row
    raise AssertionError(f"no row for meta {numero}")


def figures_shown(worksheet, numero):
    row = row_of(worksheet, numero)
    return [shown(worksheet[f"{column}{row}"]) for column in FIGURE_COLUMNS]


def lines_of(worksheet):
    """Each row's non-empty cells joined by spaces, with runs of spaces collapsed."""
    return [
        " ".join(" ".join(str(v) for v in values if v not in (None, "")).split())
        for values in worksheet.iter_rows(values_only=True)
    ]


@pytest.mark.parametrize("numero", sorted(PRINTED))
def test_each_reference_meta_reads_its_printed_absolute_and_relative(reference, numero):
    clave, absolute, relative = PRINTED[numero]
    worksheet = rendered(build_sheet(unit(clave), 2))
    assert figures_shown(worksheet, numero)[-2:] == [absolute, relative]


@pytest.mark.parametrize("clave", ["101", "102", "201"])
def test_every_row_shows_the_figures_the_pdf_prints(client, planeacion, clave):
    worksheet = worksheet_of(download(client, planeacion, clave).content)
    _, _, content = pdf.render_sheet(build_sheet(unit(clave), 2))
    pdf_text = " ".join(pages_of(content))
    numeros = [n for n, (ue, _, _) in PRINTED.items() if ue == clave]
    for numero in numeros:
        printed = " ".join(figure for figure in figures_shown(worksheet, numero) if figure)
        assert printed in pdf_text, numero


def test_meta_305_reads_as_in_the_pdf(reference):
    worksheet = rendered(build_sheet(unit("201"), 2))
    row = row_of(worksheet, 305)
    assert worksheet[f"A{row}"].value == "3.1.1 3.1.2 3.2.1"
    assert worksheet[f"C{row}"].value == "PROSPECTO"
    assert figures_shown(worksheet, 305) == [
        "340", "70", "70", "100", "102", "100", "", "70", "", "172", "51%",
    ]  # fmt: skip
    assert worksheet[f"O{row}"].value.startswith("Debido al momento de oportunidad económica")


def test_figures_are_numbers_with_the_sheets_formats(reference):
    worksheet = rendered(build_sheet(unit("201"), 2))
    row = row_of(worksheet, 305)
    for column in "DEFGHIM":
        cell = worksheet[f"{column}{row}"]
        assert (cell.data_type, cell.number_format) == ("n", "#,##0"), column
    relative = worksheet[f"N{row}"]
    assert (relative.value, relative.data_type, relative.number_format) == (0.51, "n", "0%")
    assert worksheet[f"D{row}"].value == 340


def test_thousands_print_with_a_comma(db):
    worksheet = rendered(build_sheet(make_unit(metas=2), 2))
    assert figures_shown(worksheet, 1) == [
        "1,200", "300", "300", "300", "290", "300", "", "300", "", "590", "49%",
    ]  # fmt: skip


def test_a_unit_that_admits_decimals_shows_two_decimals(db):
    ue = make_unit(metas=1)
    UnidadMedida.objects.filter(nombre="INFORME").update(admite_decimales=True)
    QuarterlyProgress.objects.filter(meta__unidad_ejecutora=ue, quarter=2).update(
        alcanzado=Decimal("290.5")
    )
    worksheet = rendered(build_sheet(ue, 2))
    row = row_of(worksheet, 1)
    assert worksheet[f"H{row}"].value == 290.5
    assert {worksheet[f"{c}{row}"].number_format for c in "DEFGHM"} == {"#,##0.00"}
    assert figures_shown(worksheet, 1)[-2:] == ["590.50", "49%"]


def test_the_header_reads_as_the_reference(reference):
    lines = lines_of(rendered(build_sheet(unit("201"), 2)))
    assert lines[:3] == [
        "XXIV AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA",
        "PROGRAMA OPERATIVO ANUAL 2023",
        "AVANCE FÍSICO PROGRAMÁTICO",
    ]
    header = "\n".join(lines)
    for printed in [
        "RAMO: 59 COMISIÓN DE DESARROLLO INDUSTRIAL DE MEXICALI",
        "PROGRAMA: 592 PROMOCIÓN Y ATRACCIÓN DE INVERSIONES SOSTENIBLES",
        "UNIDAD EJECUTORA: 201 DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL",
        "FINALIDAD: 3 DESARROLLO ECONÓMICO",
        "FUNCIÓN: 4 MINERÍA, MANUFACTURAS Y CONSTRUCCIÓN",
        "SUBFUNCIÓN: 2 MANUFACTURAS",
        "LÍNEAS DE ACCIÓN: 2.3.1 SENSIBILIZACIÓN EN MATERIA DE GÉNERO Y DIVERSIDAD",
        "\n3.3.2 FORMACIÓN, CAPACITACIÓN E INCUBACIÓN\n",
        "TMM-F004",
        "FECHA: 30-jun.-23",
    ]:
        assert printed in header, printed


def headings_row(worksheet):
    return next(c.row for c in worksheet["A"] if c.value == "LÍNEA DE ACCIÓN P.M.D.")


def test_the_column_headings_merge_the_period_over_each_quarters_p_and_a(reference):
    worksheet = rendered(build_sheet(unit("102"), 2))
    top = headings_row(worksheet)
    merged = {str(r) for r in worksheet.merged_cells.ranges}
    assert worksheet[f"E{top}"].value == "P E R I O D O"
    assert f"E{top}:L{top}" in merged
    for first, last, label in [("E", "F", "Ene-Mar"), ("G", "H", "Abr-Jun"),
                               ("I", "J", "Jul-Sep"), ("K", "L", "Oct-Dic")]:  # fmt: skip
        assert worksheet[f"{first}{top + 1}"].value == label
        assert f"{first}{top + 1}:{last}{top + 1}" in merged
        assert (worksheet[f"{first}{top + 2}"].value, worksheet[f"{last}{top + 2}"].value) == (
            "P",
            "A",
        )
    for column, title in [("B", "DESCRIPCIÓN DE METAS Y ACCIONES"), ("C", "UNIDAD DE MEDIDA"),
                          ("D", "META ANUAL AUTORIZADA"), ("M", "AVANCE ABSOLUTO"),
                          ("N", "ACUMULADO RELATIVO"), ("O", "OBSERVACIONES")]:  # fmt: skip
        assert worksheet[f"{column}{top}"].value.startswith(title)
        assert f"{column}{top}:{column}{top + 2}" in merged


def test_it_prints_landscape_one_page_wide_with_the_headings_on_every_page(reference):
    worksheet = rendered(build_sheet(unit("201"), 2))
    setup = worksheet.page_setup
    assert setup.orientation == "landscape"
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert worksheet.sheet_properties.pageSetUpPr.fitToPage
    assert worksheet.print_title_rows == f"$1:${headings_row(worksheet) + 2}"
    assert worksheet.oddFooter.right.text == "Página &P de &N"


def signature_lines(worksheet):
    first = next(c.row for c in worksheet["A"] if c.value == "ELABORÓ")
    return [
        [worksheet.cell(first + offset, column).value for column in (1, 4, 13)]
        for offset in range(6)
    ]


def test_the_three_signature_blocks_follow_the_table(reference):
    worksheet = rendered(build_sheet(unit("201"), 2))
    director = "ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA"
    assert signature_lines(worksheet) == [
        ["ELABORÓ", "REVISÓ", "AUTORIZÓ"],
        ["RESPONSABLE DE LA UNIDAD EJECUTORA", "RESPONSABLE DEL PROGRAMA", "RESPONSABLE DEL RAMO"],
        [None, None, None],
        ["LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"] * 3,
        ["COORDINADOR DE PROMOCIÓN", director, director],
        [None, None, None],
    ]
    assert row_of(worksheet, 307) < next(c.row for c in worksheet["A"] if c.value == "ELABORÓ")


def test_a_signed_block_prints_its_date(reference, head_102):
    report = Report.objects.create(
        unidad_ejecutora=unit("102"), quarter=2, state=Report.State.ENVIADO
    )
    ReportEvent.objects.create(
        report=report,
        action=ReportEvent.Action.SEND,
        from_state=Report.State.BORRADOR,
        to_state=Report.State.ENVIADO,
        user=head_102,
        signer_name="LIC. FABIOLA LEÓN HUERTA CABRERA",
        signer_position="COORDINADORA ADMINISTRATIVA",
        created_at=datetime(2023, 7, 4, 18, 0, tzinfo=UTC),
    )
    lines = signature_lines(rendered(build_sheet(unit("102"), 2)))
    assert lines[3][0] == "LIC. FABIOLA LEÓN HUERTA CABRERA"
    assert lines[4][0] == "COORDINADORA ADMINISTRATIVA"
    assert lines[5] == ["FECHA: 04-jul.-23", None, None]


def test_a_unit_without_metas_says_so(db):
    worksheet = rendered(build_sheet(make_unit(metas=0), 2))
    assert "La unidad ejecutora no tiene metas registradas." in lines_of(worksheet)


HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tX", "\rX"]


@pytest.mark.parametrize("typed", HOSTILE)
def test_a_formula_typed_in_observaciones_stays_text(reference, typed):
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=2).update(observaciones=typed)
    worksheet = rendered(build_sheet(unit("201"), 2))
    cell = worksheet[f"O{row_of(worksheet, 305)}"]
    # a cell keeps line breaks as LF: the typed CR comes back as one
    assert (cell.value, cell.data_type) == (typed.replace("\r", "\n"), "s")
    assert cell.quotePrefix


def test_a_formula_typed_as_a_description_stays_text(reference):
    meta = QuarterlyProgress.objects.get(meta__numero=305, quarter=2).meta
    meta.descripcion = "=1+1"
    meta.save()
    unidad = meta.unidad_medida
    unidad.nombre = "=CMD|' /C calc'!A0"
    unidad.save()
    worksheet = rendered(build_sheet(unit("201"), 2))
    row = row_of(worksheet, 305)
    assert worksheet[f"B{row}"].value == "305.- =1+1"
    cell = worksheet[f"C{row}"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=CMD|' /C calc'!A0", "s", True)
    assert not any(c.data_type == "f" for r in worksheet.iter_rows() for c in r)


def test_the_file_is_named_after_form_year_ramo_unit_and_quarter(client, planeacion):
    response = download(client, planeacion, "102")
    assert response["Content-Disposition"] == 'attachment; filename="TMM-F004_2023_59-102_T2.xlsx"'


def test_the_sheet_page_links_the_excel_next_to_the_pdf(client, head_102):
    client.force_login(head_102)
    page = client.get(reverse("poa:sheet", args=[2023, "59", "102", 2])).content.decode()
    pdf_link = page.index(reverse("poa:sheet-pdf", args=[2023, "59", "102", 2]))
    excel_link = page.index(f'href="{xlsx_url("102")}">Excel</a>')
    assert 0 < excel_link - pdf_link < 300


def test_the_url_is_stable():
    assert xlsx_url("102") == "/tmm-f004/2023/59/102/2/xlsx/"


def test_capturista_of_102_gets_404_on_the_xlsx_of_201(client, capturista_102):
    client.force_login(capturista_102)
    assert client.get(xlsx_url("201")).status_code == 404
    assert client.get(xlsx_url("102")).status_code == 200


def test_an_outsider_gets_404(client, outsider):
    client.force_login(outsider)
    assert client.get(xlsx_url("102")).status_code == 404


@pytest.mark.parametrize("quarter", [0, 5])
def test_a_bad_quarter_gets_404(client, planeacion, quarter):
    client.force_login(planeacion)
    assert client.get(f"/tmm-f004/2023/59/102/{quarter}/xlsx/").status_code == 404


def test_anonymous_is_sent_to_login(client, reference):
    response = client.get(xlsx_url("102"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
