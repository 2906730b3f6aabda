"""Any django-tables2 table as a CSV or XLSX download (?_export=csv, ?_export=xlsx), with every
text cell written so that no spreadsheet runs it as a formula (poa.documents.safe_cells) and
numbers kept as numbers.

A list view calls export_response() after configuring its table and before rendering:

    table = SeguimientoTable(rows)
    RequestConfig(request).configure(table)
    if response := exports.export_response(request, table, "seguimiento_2023_T2"):
        return response
    return render(request, "...", {"table": table})
"""

import io
import re
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django_tables2.export import TableExport
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from tablib import Dataset

from poa.documents import safe_cells

EXPORT_TRIGGER = "_export"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel reads a CSV as UTF-8 (accents included) only when it starts with a byte order mark.
UTF8_BOM = "\ufeff"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
MAX_COLUMN_WIDTH = 60


class SafeTableExport(TableExport):
    """TableExport limited to CSV and XLSX, both safe against formula injection: CSV text
    cells that start like a formula get a leading quote, XLSX text cells are string cells
    with quotePrefix, numbers stay numbers in both."""

    FORMATS = {
        TableExport.CSV: "text/csv; charset=utf-8",
        TableExport.XLSX: XLSX_MIMETYPE,
    }

    @classmethod
    def is_valid_format(cls, export_format):
        # The parent checks its own FORMATS, which offers formats we do not make safe.
        return export_format in cls.FORMATS

    def export(self):
        """The file's content: str for CSV, bytes for XLSX."""
        if self.format == self.CSV:
            return self.export_csv()
        return self.export_xlsx()

    def export_csv(self):
        safe = Dataset(headers=[safe_cells.csv_value(h) for h in self.dataset.headers])
        for row in self.dataset:
            safe.append([safe_cells.csv_value(_plain(value)) for value in row])
        return UTF8_BOM + safe.export("csv")

    def export_xlsx(self):
        workbook = Workbook()
        worksheet = workbook.active
        worksheet.title = _worksheet_title(self.dataset.title)
        rows = [self.dataset.headers, *self.dataset]
        for row_number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                cell = worksheet.cell(row_number, column)
                safe_cells.write_xlsx_value(cell, _plain(value))
        _style_header(worksheet, len(self.dataset.headers))
        _fit_widths(worksheet, rows)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def response(self, filename=None):
        response = HttpResponse(self.export(), content_type=self.content_type())
        if filename is not None:
            # Non-ASCII names (informe_ramo_59_Comisión.csv) are encoded as RFC 6266 asks.
            response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


def attachment(document):
    """The download of a document (filename, mimetype, bytes), its name encoded as RFC 6266
    asks."""
    filename, mimetype, content = document
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _plain(value):
    """A timezone-aware datetime as the naive local time spreadsheets understand."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _worksheet_title(title):
    # Excel refuses []:*?/\ in a worksheet's name and more than 31 characters.
    return re.sub(r"[\[\]:*?/\\]", "", str(title or "Datos"))[:31] or "Datos"


def _style_header(worksheet, columns):
    for column in range(1, columns + 1):
        cell = worksheet.cell(1, column)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    worksheet.freeze_panes = "A2"


def _fit_widths(worksheet, rows):
    for index in range(len(rows[0]) if rows else 0):
        longest = max(len(str(row[index])) if row[index] is not None else 0 for row in rows)
        width = min(MAX_COLUMN_WIDTH, max(8, longest + 2))
        worksheet.column_dimensions[get_column_letter(index + 1)].width = width


def export_response(request, table, filename, *, exclude_columns=()):
    """The download of `table` when the request asks for one (?_export=csv or ?_export=xlsx),
    else None so the view renders its page.

    `filename` is the name without extension (it also titles the XLSX worksheet); columns
    marked exclude_from_export=True or named in `exclude_columns` are left out. Every row of
    the table is exported, not only the current page, in the order the table was configured
    with (call RequestConfig first)."""
    export_format = request.GET.get(EXPORT_TRIGGER)
    if not SafeTableExport.is_valid_format(export_format):
        return None
    exporter = SafeTableExport(
        export_format,
        table,
        exclude_columns=exclude_columns,
        dataset_kwargs={"title": filename},
    )
    return exporter.response(filename=f"{filename}.{export_format}")
