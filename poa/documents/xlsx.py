"""The TMM-F004 as an Excel workbook laid out like the official sheet: the header block, the
three rows of column headings with the merged period headings, one row per meta and the three
signature blocks, ready to print (letter landscape, one page wide, the header block and the
headings repeated on every page).

Drawn from the Sheet only: the figures are the ones the HTML and PDF print (row.figures),
stored as numbers with the sheet's formats; every text a person typed goes through
safe_cells so no spreadsheet runs it as a formula."""

import io
import math
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from poa.documents import safe_cells
from poa.rules.dates import sheet_date

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0%"
NO_METAS = "La unidad ejecutora no tiene metas registradas."

# A líneas, B descripción, C unidad, D meta anual, E-L P and A of each quarter, M absoluto,
# N relativo, O observaciones. Widths in Excel's character units.
COLUMN_WIDTHS = (15, 34, 11, 10, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 9, 10, 32)
COLUMNS = len(COLUMN_WIDTHS)
FIRST_QUARTER_COLUMN = 5
ABSOLUTE_COLUMN, RELATIVE_COLUMN, OBSERVATIONS_COLUMN = 13, 14, 15
HEADINGS = (
    (1, "LÍNEA DE ACCIÓN P.M.D."),
    (2, "DESCRIPCIÓN DE METAS Y ACCIONES\n(Subprograma Gob. Y Proyecto-Proceso)"),
    (3, "UNIDAD DE MEDIDA"),
    (4, "META ANUAL AUTORIZADA"),
    (ABSOLUTE_COLUMN, "AVANCE ABSOLUTO"),
    (RELATIVE_COLUMN, "ACUMULADO RELATIVO"),
    (OBSERVATIONS_COLUMN, "OBSERVACIONES"),
)
# The three signature blocks side by side under the table: (first column, last column).
SIGNATURE_SPANS = ((1, 3), (4, 12), (13, 15))

FONT = "Arial"
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADING_FILL = PatternFill("solid", fgColor="D9D9D9")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center")
JUSTIFY = Alignment(horizontal="justify", vertical="center", wrap_text=True)
SIZE, SMALL = 9, 8  # points: the rows' text, and units, observations and headings
# Characters of Arial that fit one unit of column width at 1 pt (≈ 1.4 at 9 pt), and the
# height of a line of text per point of font size.
CHARACTERS_PER_WIDTH_POINT = 12.8
LINE_HEIGHT_PER_POINT = 1.3


def font(size=SIZE, bold=False, italic=False):
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def render_sheet(sheet):
    """The sheet of one unit as a workbook of one worksheet:
    (TMM-F004_2023_59-102_T2.xlsx, MIMETYPE, bytes)."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = _worksheet_title(sheet)
    workbook.properties.title = sheet.filename_stem
    workbook.properties.creator = "POA"
    _set_widths(worksheet)
    row = _write_title(worksheet, sheet)
    row = _write_catalog(worksheet, sheet, row + 1)
    headings_end = _write_headings(worksheet, sheet, row + 1)
    last = _write_rows(worksheet, sheet, headings_end + 1)
    end = _write_signatures(worksheet, sheet, last + 2)
    _page_setup(worksheet, headings_end, end)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return f"{sheet.filename_stem}.xlsx", MIMETYPE, buffer.getvalue()


def _worksheet_title(sheet):
    # Excel refuses []:*?/\ in a worksheet's name and more than 31 characters.
    title = f"UE {sheet.unidad_ejecutora.clave} T{sheet.quarter}"
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31]


def _set_widths(worksheet):
    worksheet.sheet_view.showGridLines = False
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width


def _merge(worksheet, row, first, last, value, *, style=None, height_rows=1):
    """Write `value` into the merged range row..row+height_rows-1 × first..last."""
    cell = worksheet.cell(row, first)
    safe_cells.write_xlsx_value(cell, value)
    _style(worksheet, row, first, last, height_rows, **(style or {}))
    if last > first or height_rows > 1:
        worksheet.merge_cells(
            start_row=row, start_column=first, end_row=row + height_rows - 1, end_column=last
        )
    return cell


def _style(worksheet, row, first, last, height_rows=1, *, font=None, alignment=None, **rest):
    # A merged range shows its borders and fill only when every cell in it carries them.
    for r in range(row, row + height_rows):
        for column in range(first, last + 1):
            cell = worksheet.cell(r, column)
            if font:
                cell.font = font
            if alignment:
                cell.alignment = alignment
            for name, value in rest.items():
                setattr(cell, name, value)


def _write_title(worksheet, sheet):
    lines = (
        (sheet.municipio.upper(), 12),
        (f"PROGRAMA OPERATIVO ANUAL {sheet.year}", 11),
        ("AVANCE FÍSICO PROGRAMÁTICO", 11),
    )
    for row, (text, size) in enumerate(lines, start=1):
        alignment = Alignment(horizontal="center", vertical="center")
        _merge(
            worksheet,
            row,
            1,
            COLUMNS,
            text,
            style={"font": font(size, True), "alignment": alignment},
        )
    return len(lines) + 1


def _catalog_entries(sheet):
    entries = [
        ("RAMO:", sheet.ramo),
        ("PROGRAMA:", sheet.programa),
        ("UNIDAD EJECUTORA:", sheet.unidad_ejecutora),
        ("FINALIDAD:", sheet.finalidad),
        ("FUNCIÓN:", sheet.funcion),
        ("SUBFUNCIÓN:", sheet.subfuncion),
    ]
    lineas = sheet.lineas or (None,)
    entries += [("LÍNEAS DE ACCIÓN:" if i == 0 else "", code) for i, code in enumerate(lineas)]
    return entries


def _write_catalog(worksheet, sheet, first):
    """RAMO: 59   COMISIÓN ... one entry a row, and the form box on the right."""
    entries = _catalog_entries(sheet)
    for row, (label, code) in enumerate(entries, start=first):
        label_cell = worksheet.cell(row, 1, label)
        label_cell.font, label_cell.alignment = font(bold=True), LEFT
        if code is not None:
            _write_code(worksheet.cell(row, 2), code)
    _write_form_box(worksheet, sheet, first + 1)
    return first + len(entries) - 1


def _write_code(cell, code):
    """The code in bold and its name, in one cell that overflows to the right as printed."""
    clave, nombre = safe_cells.xlsx_text(code.clave), safe_cells.xlsx_text(code.nombre.upper())
    safe_cells.write_xlsx_value(cell, f"{clave}   {nombre}")  # marks formula-like text
    cell.value = CellRichText(
        TextBlock(InlineFont(rFont=FONT, sz=SIZE, b=True), clave),
        TextBlock(InlineFont(rFont=FONT, sz=SIZE), f"   {nombre}"),
    )
    cell.font = font()
    cell.alignment = LEFT


def _write_form_box(worksheet, sheet, row):
    first, last = ABSOLUTE_COLUMN, COLUMNS
    code_style = {"font": font(15, True), "alignment": CENTER, "border": GRID}
    _merge(worksheet, row, first, last, sheet.form_code, style=code_style, height_rows=2)
    date_style = {"font": font(bold=True), "alignment": CENTER}
    _merge(worksheet, row + 2, first, last, f"FECHA: {sheet_date(sheet.fecha)}", style=date_style)


def _write_headings(worksheet, sheet, first):
    """Three rows: the column titles with P E R I O D O over the quarters, the quarter
    labels (Ene-Mar ...) each over its P and A, then P and A."""
    style = {"font": font(SMALL, True), "alignment": CENTER, "border": GRID, "fill": HEADING_FILL}
    for column, title in HEADINGS:
        _merge(worksheet, first, column, column, title, style=style, height_rows=3)
    last_quarter_column = FIRST_QUARTER_COLUMN + 2 * len(sheet.quarter_labels) - 1
    _merge(
        worksheet, first, FIRST_QUARTER_COLUMN, last_quarter_column, "P E R I O D O", style=style
    )
    for index, label in enumerate(sheet.quarter_labels):
        column = FIRST_QUARTER_COLUMN + 2 * index
        _merge(worksheet, first + 1, column, column + 1, label, style=style)
        _merge(worksheet, first + 2, column, column, "P", style=style)
        _merge(worksheet, first + 2, column + 1, column + 1, "A", style=style)
    for row in range(first, first + 3):
        worksheet.row_dimensions[row].height = 14
    return first + 2


def _write_rows(worksheet, sheet, first):
    """One row per meta; returns the last row written."""
    if not sheet.rows:
        style = {"font": font(italic=True), "alignment": CENTER, "border": GRID}
        _merge(worksheet, first, 1, COLUMNS, NO_METAS, style=style)
        return first
    for row_number, row in enumerate(sheet.rows, start=first):
        _write_row(worksheet, row_number, row)
    return first + len(sheet.rows) - 1


def _row_values(row):
    """(value, number format) of each column of a meta's row, in order."""
    number = DECIMAL_FORMAT if row.admits_decimals else INTEGER_FORMAT
    quarters = [
        (_number(figure), number)
        for _, programmed, achieved in row.quarters
        for figure in (programmed, achieved)
    ]
    relative = row.figures.relative
    return [
        (" ".join(row.codes), None),
        (f"{row.numero}.- {row.descripcion}", None),
        (row.unidad_medida, None),
        (_number(row.annual), number),
        *quarters,
        (_number(row.figures.absolute), number),
        (None if relative is None else relative / 100, PERCENT_FORMAT),
        ("\n".join(note for note in (row.observaciones, row.evidence_note) if note), None),
    ]


def _number(value):
    """A Decimal as the number a spreadsheet stores: an int when whole."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _write_row(worksheet, row_number, row):
    for column, (value, number_format) in enumerate(_row_values(row), start=1):
        cell = worksheet.cell(row_number, column)
        safe_cells.write_xlsx_value(cell, value, number_format)
        cell.border = GRID
        cell.alignment = JUSTIFY if column in (2, OBSERVATIONS_COLUMN) else CENTER
        bold = column in (ABSOLUTE_COLUMN, RELATIVE_COLUMN)
        cell.font = font(SMALL if column in (3, OBSERVATIONS_COLUMN) else SIZE, bold)
    worksheet.row_dimensions[row_number].height = _row_height(worksheet, row_number)


def _row_height(worksheet, row_number):
    """Points that show every wrapped line: spreadsheets do not grow a row written with text
    on open, so the height is estimated from the text's length and the column's width."""
    height = SIZE * LINE_HEIGHT_PER_POINT
    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        cell = worksheet.cell(row_number, column)
        if isinstance(cell.value, str):
            size = cell.font.sz
            per_line = max(1, int(width * CHARACTERS_PER_WIDTH_POINT / size))
            lines = sum(math.ceil(len(part) / per_line) or 1 for part in cell.value.splitlines())
            height = max(height, lines * size * LINE_HEIGHT_PER_POINT)
    return round(height + 4)


def _write_signatures(worksheet, sheet, first):
    """ELABORÓ / REVISÓ / AUTORIZÓ side by side: label, role, the line to sign on, name,
    position and, once signed, the date. Returns the last row written."""
    for signature, (start, end) in zip(sheet.signatures, SIGNATURE_SPANS, strict=False):
        lines = (
            (signature.label, True, None),
            (signature.role, True, None),
            ("", False, Border(bottom=THIN)),
            (signature.name, True, None),
            (signature.position, False, None),
            (
                f"FECHA: {sheet_date(signature.signed_on)}" if signature.signed_on else "",
                False,
                None,
            ),
        )
        for offset, (text, bold, border) in enumerate(lines):
            style = {"font": font(SIZE, bold), "alignment": CENTER}
            if border:
                style["border"] = border
            _merge(worksheet, first + offset, start, end, text or None, style=style)
    worksheet.row_dimensions[first + 2].height = 34
    return first + 5


def _page_setup(worksheet, headings_end, end):
    setup = worksheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = worksheet.PAPERSIZE_LETTER
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as the rows need
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_options.horizontalCentered = True
    worksheet.page_margins = PageMargins(
        left=0.3, right=0.3, top=0.35, bottom=0.5, header=0.2, footer=0.2
    )
    # The whole header block and the column headings on every printed page, as in the PDF.
    worksheet.print_title_rows = f"1:{headings_end}"
    worksheet.print_area = f"A1:{get_column_letter(COLUMNS)}{end}"
    worksheet.oddFooter.right.text = "Página &P de &N"
    worksheet.oddFooter.right.size = 7
    worksheet.oddFooter.right.font = FONT
