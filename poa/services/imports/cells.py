"""A cell of the workbook as the services read it: a cell may hold a number or text (a person
may type 1,234 as text), codes may come as numbers (59 for "59"), and yes/no and quarters
have a few spellings. Pure functions, no database."""

from decimal import Decimal

from poa.documents.yearbook import NO, YES, normalized
from poa.rules import figures

CENT = Decimal("0.01")
# Excel stores 3.25 typed by a person as the nearest binary float, which may print as
# 3.2500000000000004: that close to a cent, the cent is what was typed.
FLOAT_NOISE = Decimal("1e-9")


def text(value) -> str:
    """A cell as text: numbers without a useless .0, stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def name(value) -> str:
    """A name or a code: its runs of spaces and line breaks made one space."""
    return " ".join(text(value).split())


def figure_text(value) -> str:
    """A figure as typed text for poa.rules.figures.parse_figure: a number cell in plain digits
    (1234.5, never 1.2345e3), text as it is."""
    if isinstance(value, float):
        return format(_without_float_noise(Decimal(repr(value))), "f")
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return format(Decimal(value), "f")
    return text(value)


def _without_float_noise(number):
    if not number.is_finite() or abs(number) >= figures.MAX_FIGURE:
        return number  # refused as it is; too big to round to the cent
    cents = number.quantize(CENT)
    return cents if abs(number - cents) <= FLOAT_NOISE else number


def yes_no(value) -> bool | None:
    """Sí/No (also si, s, n, 1, 0 and yes/no cells); empty is No; None when unreadable."""
    if value is None or value == "" or isinstance(value, bool):
        return bool(value)
    answers = {"si": True, "s": True, "1": True, "no": False, "n": False, "0": False}
    return answers.get(normalized(text(value)))


def quarter_of(value) -> int | None:
    """1–4, also written T2 or Abr-Jun; None when unreadable."""
    plain = normalized(text(value)).removeprefix("t")
    by_label = {normalized(label): q for q, label in figures.QUARTER_LABELS.items()}
    if plain in by_label:
        return by_label[plain]
    return int(plain) if plain in {"1", "2", "3", "4"} else None


def captured(row) -> bool:
    """Whether an «Avance» row holds something captured."""
    return row.values["alcanzado"] not in (None, "") or bool(text(row.values["observaciones"]))


# The natural key of a row of each sheet -----------------------------------------------------


def nombre_key(row):
    return name(row.values["nombre"])


def measure_key(row):
    return name(row.values["nombre"]).casefold()


def clave_key(row):
    return name(row.values["clave"])


def ramo_clave_key(row):
    return (name(row.values["ramo"]), name(row.values["clave"]))


def meta_key(row, column="numero"):
    return (name(row.values["ramo"]), name(row.values["ue"]), text(row.values[column]))


def avance_key(row):
    return (*meta_key(row, "meta"), quarter_of(row.values["trimestre"]))
