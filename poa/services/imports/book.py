"""Reading a year's workbook back into plain rows, refusing what is not one: checked for its
size before anything is parsed, for being an XLSX (and not a renamed file or a zip bomb), for
the layout's sheets and columns (poa.documents.yearbook), and for cells holding formulas or Excel
errors instead of values. openpyxl reads it in read-only mode, so a big workbook streams."""

import math
import os
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook

from poa.documents.yearbook import CUENTAS, EJERCICIO, LAYOUTS, normalized
from poa.services.imports.shape import SheetTooBig, check_sheet_shape

# A workbook that unzips to more than this is refused before it is parsed.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_ROWS = 100_000  # per sheet
# Counted in the sheet's XML before it is read (shape.py): the layouts need a dozen columns.
MAX_COLUMNS = 100
MAX_CELLS = 2_000_000  # per sheet, the empty cells of a row up to its last one included


@dataclass(frozen=True)
class Problem:
    """Something wrong in the workbook, where a person finds it: the sheet, the row (1 is
    the headings) and the column heading, each None when it concerns more."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self):
        where = []
        if self.sheet:
            where.append(f"Hoja «{self.sheet}»")
        if self.row:
            where.append(f"fila {self.row:,}")
        if self.column:
            where.append(f"columna «{self.column}»")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class SheetRow:
    number: int  # the row in the worksheet
    values: dict  # column key → the cell's value (str, int, float, datetime …) or None
    broken: bool = False  # a cell held a formula or an error: the row is not loaded


@dataclass
class Book:
    """The rows of each sheet, by layout name, and what made cells or sheets unreadable.
    `fatal` when the file itself cannot be read (nothing else was)."""

    sheets: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    fatal: bool = False

    @property
    def accounts_only(self) -> bool:
        """A book of the year's accounts alone: «Ejercicio» and «Cuentas», nothing else."""
        return set(self.sheets) == {EJERCICIO.name, CUENTAS.name}


NOT_XLSX = (
    "El archivo no es un libro de Excel (.xlsx) o está dañado. Si está en otro formato (.xls, "
    ".ods, .csv), ábralo en Excel o LibreOffice y guárdelo como «Libro de Excel (.xlsx)»."
)


def read_book(path, *, max_bytes) -> Book:
    """The rows of the workbook at `path`, checked for what the layout needs: its size
    before anything is parsed, that it is an XLSX, its sheets and columns, and cells that
    hold formulas or errors instead of values. Never raises for a bad file: the Spanish
    problems are in the Book."""
    problem = _file_problem(path, max_bytes)
    if problem:
        return Book(problems=[Problem(problem)], fatal=True)
    # Opened here, not by name: openpyxl refuses a name without an Excel extension.
    with open(path, "rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=False)
        except Exception:  # openpyxl and zipfile raise many types for a damaged file
            return Book(problems=[Problem(NOT_XLSX)], fatal=True)
        try:
            return _read_sheets(workbook)
        except SheetTooBig as error:
            return Book(problems=[Problem(str(error), error.sheet)], fatal=True)
        except Exception:  # a sheet's XML is parsed lazily, while its rows are read
            return Book(problems=[Problem(NOT_XLSX)], fatal=True)
        finally:
            workbook.close()


def size_problem(size, max_bytes) -> str | None:
    """Why a file of `size` bytes is refused before being read; None when it is not."""
    if size == 0:
        return "El archivo está vacío."
    if size > max_bytes:
        return f"El archivo pesa {_size(size, up=True)}; el máximo es {_size(max_bytes)}."
    return None


def _size(count, up=False):
    """10 MB, 10.5 MB or 900 KB; rounded up with `up`, so a file a byte too big never reads
    as big as the limit."""
    kilobytes = count / 1024
    if kilobytes < 1024:
        return f"{math.ceil(kilobytes) if up else round(kilobytes):,} KB"
    tenths = kilobytes / 1024 * 10
    megabytes = (math.ceil(tenths) if up else round(tenths)) / 10
    return f"{megabytes:,.1f}".removesuffix(".0") + " MB"


def _file_problem(path, max_bytes):
    problem = size_problem(os.path.getsize(path), max_bytes)
    if problem:
        return problem
    if not zipfile.is_zipfile(path):
        return NOT_XLSX
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return NOT_XLSX
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        return NOT_XLSX
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        return "El libro es demasiado grande una vez descomprimido; divídalo en varios libros."
    return None


def _read_sheets(workbook):
    book = Book()
    names = {normalized(name): name for name in workbook.sheetnames}
    present = {layout.name for layout in LAYOUTS if normalized(layout.name) in names}
    accounts_only = present == {EJERCICIO.name, CUENTAS.name}
    for layout in LAYOUTS:
        name = names.get(normalized(layout.name))
        if name is None:
            if layout.required and not accounts_only:
                book.problems.append(Problem("Falta la hoja.", layout.name))
            continue
        worksheet = workbook[name]
        _check_shape(worksheet, layout)
        book.sheets[layout.name] = _read_sheet(worksheet, layout, book.problems)
    return book


def _check_shape(worksheet, layout):
    """Refuses a sheet too wide or too big before openpyxl builds any of its rows."""
    with worksheet._get_source() as source:  # the read-only worksheet's own XML stream
        try:
            check_sheet_shape(source, max_columns=MAX_COLUMNS, max_cells=MAX_CELLS)
        except SheetTooBig as error:
            error.sheet = layout.name
            raise


def _read_sheet(worksheet, layout, problems):
    worksheet.reset_dimensions()  # some writers record a wrong used range
    rows = worksheet.iter_rows()
    headings = next(rows, ())
    positions = _positions(headings, layout, problems)
    if positions is None:
        return []
    read = []
    # Read-only rows come one per worksheet row, empty ones included, from row 2.
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            problems.append(
                Problem(f"La hoja tiene más de {MAX_ROWS:,} filas; divida el libro.", layout.name)
            )
            break
        row = _read_row(cells, number, positions, layout, problems)
        if row:
            read.append(row)
    return read


def _positions(headings, layout, problems):
    """Column key → index of its heading; None (with a problem per missing column) when a
    column is missing."""
    found = {normalized(cell.value): index for index, cell in enumerate(headings) if cell.value}
    positions, missing = {}, []
    for column in layout.columns:
        index = found.get(normalized(column.heading))
        if index is None:
            missing.append(column)
        positions[column.key] = index
    for column in missing:
        problems.append(Problem("Falta la columna.", layout.name, 1, column.heading))
    return None if missing else positions


def _read_row(cells, number, positions, layout, problems):
    values, broken = {}, False
    for key, index in positions.items():
        cell = cells[index] if index < len(cells) else None
        value = None if cell is None else cell.value
        problem = _cell_problem(cell, value)
        if problem:
            problems.append(Problem(problem, layout.name, number, layout.column(key).heading))
            broken, value = True, None
        values[key] = value.strip() if isinstance(value, str) else value
    if not broken and all(value in (None, "") for value in values.values()):
        return None
    return SheetRow(number, values, broken)


def _cell_problem(cell, value):
    if cell is None or value is None:
        return None
    if cell.data_type == "f" or (
        isinstance(value, str) and value.startswith("=") and not _quoted(cell)
    ):
        return "La celda tiene una fórmula; escriba el valor."
    if cell.data_type == "e":
        return f"La celda tiene un error de Excel ({value}); escriba el valor."
    return None


def _quoted(cell):
    """Text a person marked as text (Excel's leading apostrophe), as our exports write it."""
    style = getattr(cell, "style_array", None)
    return bool(style is not None and style.quotePrefix)
