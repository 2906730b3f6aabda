"""How many columns and cells a worksheet's XML holds, counted before openpyxl reads it.

openpyxl builds a whole row in memory before handing it over, and pads a row with empty cells
up to its last column: one row of 4 million cells, a 220 KB workbook, holds a worker at
gigabytes for a minute. Here the sheet's XML is streamed by chunks and its tags counted as
bytes, so memory stays flat and a hostile sheet is refused in well under a second."""

import re

CHUNK_BYTES = 1024 * 1024
# A worksheet may name its elements with a prefix (<x:row>, <x:c>), fixed by its root element.
ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
# The reference of a cell (r="AB12"), among its other attributes.
LAST_COLUMN = re.compile(rb'[^>]*?\sr="([A-Z]{1,4})[0-9]+"')


class SheetTooBig(Exception):
    """str(error) is the Spanish reason."""


def check_sheet_shape(source, *, max_columns, max_cells):
    """Raises SheetTooBig when a row of the worksheet XML read from the binary stream `source`
    reaches past `max_columns` columns (by its number of cells or by its last cell's
    reference) or when the sheet holds more than `max_cells` cells, empty ones that openpyxl
    would pad included."""
    counter = _Counter(max_columns, max_cells)
    pending = b""
    while chunk := source.read(CHUNK_BYTES):
        data = pending + chunk
        cut = data.rfind(b"<")  # no tag is split between two pieces
        counter.feed(data[:cut] if cut > 0 else data)
        pending = data[cut:] if cut > 0 else b""
    counter.feed(pending)
    counter.finish()


class _Counter:
    def __init__(self, max_columns, max_cells):
        self.max_columns, self.max_cells = max_columns, max_cells
        self.row_tag = self.cell_tags = None
        self.row_columns = self.cells = 0

    def feed(self, data):
        if self.row_tag is None:
            self._find_prefix(data)
        if self.row_tag is None:
            return
        pieces = data.split(self.row_tag)
        self._row_part(pieces[0])
        for piece in pieces[1:]:
            self._row_done()
            self._row_part(piece)

    def finish(self):
        self._row_done()

    def _find_prefix(self, data):
        root = ROOT.search(data)
        if root:
            prefix = root.group(1) + b":" if root.group(1) else b""
            self.row_tag = b"<" + prefix + b"row"
            self.cell_tags = [b"<" + prefix + b"c" + end for end in (b" ", b">", b"/", b"\n")]

    def _row_part(self, piece):
        count = sum(piece.count(tag) for tag in self.cell_tags)
        self.row_columns += count
        last = max(piece.rfind(tag) for tag in self.cell_tags)
        if last >= 0:
            reference = LAST_COLUMN.match(piece, last + len(self.cell_tags[0]) - 1)
            if reference:
                self.row_columns = max(self.row_columns, _column_number(reference.group(1)))
        if self.row_columns > self.max_columns:
            raise SheetTooBig(
                f"Una fila tiene más de {self.max_columns:,} columnas; deje solo las columnas "
                "de la plantilla."
            )

    def _row_done(self):
        self.cells += self.row_columns
        self.row_columns = 0
        if self.cells > self.max_cells:
            raise SheetTooBig(
                f"La hoja tiene más de {self.max_cells:,} celdas; divida el libro en varios."
            )


def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number
