"""Text as people type it and as POA compares and orders it: claves of the plan, words without
accents, numbers from form fields. Pure Python, no Django import."""

import unicodedata


def clave_key(clave) -> tuple[int, ...]:
    """A dotted clave ordered by its numbers: 4.10.1 after 4.6.1, 102 after 59."""
    return tuple(int(part) if part.isdigit() else 0 for part in str(clave).split("."))


def folded(text) -> str:
    """Lower case without accents: "Promoción" and "PROMOCION" read the same."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Line and paragraph separators break a line as a line feed does.
LINE_BREAKS = frozenset("\u2028\u2029\x85")


def is_control(character) -> bool:
    return unicodedata.category(character) == "Cc" or character in LINE_BREAKS


def has_control_characters(text) -> bool:
    """Whether a name holds a line break, a tab or another control character."""
    return any(is_control(character) for character in str(text or ""))


NAME_CONTROL_MESSAGE = (
    "El nombre no puede llevar saltos de línea, tabuladores ni otros caracteres de control."
)


def one_line(text) -> str:
    """The text on one line, each run of control characters and spaces made one space: what
    an email prints of a name, so that a line break in it never starts a line of its own."""
    return " ".join("".join(" " if is_control(c) else c for c in str(text or "")).split())


def as_int(value) -> int:
    """A whole number from a form field; -1 for anything else (no id or version has it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
