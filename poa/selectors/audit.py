"""The Auditoría page's reads: every event of a year, and the years that have any."""

from django.utils import timezone

from poa.models import AuditEvent, Ejercicio


def audit_years() -> list[int]:
    """The years of the catalog, the current one and any other year with events, newest
    first."""
    years = set(Ejercicio.objects.values_list("year", flat=True)) | {timezone.localtime().year}
    years |= set(AuditEvent.objects.values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


def audit_default_year() -> int:
    """The year the page opens on: the newest of the catalog, or the current one."""
    newest = Ejercicio.objects.order_by("-year").values_list("year", flat=True).first()
    return newest or timezone.localtime().year


def year_events(year):
    """Every event of the year, newest first, with its unit and ramo in the same query."""
    return (
        AuditEvent.objects.filter(year=year)
        .select_related("unidad_ejecutora__ramo")
        .order_by("-at", "-id")
    )
