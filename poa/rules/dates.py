"""Dates as the TMM-F004 prints them (30-jun.-23). Pure Python, no Django import."""

import calendar
from datetime import date

MONTH_ABBREVIATIONS = (
    "ene.", "feb.", "mar.", "abr.", "may.", "jun.",
    "jul.", "ago.", "sep.", "oct.", "nov.", "dic.",
)  # fmt: skip


def quarter_of_month(month: int) -> int:
    """The quarter a month (1–12) falls in: March → 1, July → 3."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, not {month!r}")
    return (month - 1) // 3 + 1


def quarter_end(year: int, quarter: int) -> date:
    """The last day of `quarter` (1–4) of `year`: the sheet's cut-off date."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, not {quarter!r}")
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def sheet_date(value: date | None) -> str:
    """30-jun.-23: day, Spanish lowercase month abbreviation with its dot, two-digit year."""
    if value is None:
        return ""
    return f"{value.day:02d}-{MONTH_ABBREVIATIONS[value.month - 1]}-{value.year % 100:02d}"
