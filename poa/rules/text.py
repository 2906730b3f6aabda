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


def as_int(value) -> int:
    """A whole number from a form field; -1 for anything else (no id or version has it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
