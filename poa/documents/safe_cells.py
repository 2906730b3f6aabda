"""Cells a person typed, written so that no spreadsheet ever runs them as a formula (OWASP "CSV
injection"). Text that begins with =, +, -, @, a tab or a carriage return is what Excel and
LibreOffice read as the start of a formula, also in CSV files. Numbers are never touched.

Pure helpers, no Django import: every CSV or XLSX the project writes goes through them."""

import re
from datetime import date, datetime
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_PREFIX = "'"
# Control characters that XLSX cannot hold (openpyxl refuses them); tab, LF and CR are allowed.
ILLEGAL_XLSX_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NUMBER_TYPES = (int, float, Decimal)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as the start of a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def is_number(value) -> bool:
    """int, float or Decimal, but not bool (a yes/no is text in our exports)."""
    return isinstance(value, NUMBER_TYPES) and not isinstance(value, bool)


def csv_value(value):
    """The value to put in a CSV field: formula-like text gets a leading single quote
    ('=HYPERLINK(...) stays visible text in Excel and LibreOffice); numbers, dates and None
    pass unchanged; anything else becomes its text."""
    if value is None or is_number(value) or isinstance(value, date | datetime):
        return value
    text = str(value)
    return CSV_PREFIX + text if is_formula_like(text) else text


def xlsx_text(value) -> str:
    """The text of a value as an XLSX cell holds it: illegal control characters dropped, and
    line breaks as a spreadsheet writes them (XML would turn a lone CR into LF anyway)."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_XLSX_CHARACTERS.sub("", text)


def write_xlsx_value(cell, value, number_format: str | None = None):
    """Put `value` into an openpyxl `cell`. Numbers stay numbers and dates stay dates (with
    `number_format` when given; a datetime must be naive); None and "" leave the cell empty;
    anything else is stored as a string cell (data type 's', never 'f' or 'e') with Excel's
    quotePrefix set when it looks like a formula, so neither opening nor editing the cell
    evaluates it. The text is kept as typed, but for its line breaks (see xlsx_text)."""
    if value is None or value == "":
        cell.value = None
    elif is_number(value) or isinstance(value, date | datetime):
        cell.value = value
        if number_format:
            cell.number_format = number_format
    else:
        cell.value = xlsx_text(value)
        # openpyxl infers 'f' from a leading "=" and 'e' from "#N/A": both must stay text.
        cell.data_type = "s"
        if is_formula_like(str(value)):
            cell.quotePrefix = True
    return cell
