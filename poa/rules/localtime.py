"""Moments as every screen, email and message prints them: 15/10/2023 18:00, in the
municipality's time zone (settings.TIME_ZONE, SHORT_DATETIME_FORMAT of poa.formats)."""

from django.utils import formats, timezone


def short_datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def short_date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")
