"""The capture periods of a year: planeación opens a quarter for capture until a deadline,
closes it, and grants one unit a later deadline with the reason recorded."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from poa.models import CaptureException, CapturePeriod, UnidadEjecutora
from poa.rules import figures
from poa.rules.localtime import short_datetime
from poa.rules.states import WorkflowError
from poa.selectors import access
from poa.services import audit
from poa.services.review import report_get_or_create


def _require_planeacion(user):
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación administra los periodos de captura.")


def period_open(*, ejercicio, quarter, deadline, user) -> CapturePeriod:
    """Opens (or reopens with a new deadline) a quarter for capture, and gives every unit of
    the year a BORRADOR report for it."""
    _require_planeacion(user)
    with transaction.atomic():
        period, _ = CapturePeriod.objects.select_for_update().get_or_create(
            ejercicio=ejercicio, quarter=quarter, defaults={"deadline": deadline}
        )
        period.deadline, period.closed_at = deadline, None
        period.opened_by, period.opened_at = user, timezone.now()
        period.full_clean()
        period.save()
        for ue in UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio):
            report_get_or_create(unidad_ejecutora=ue, quarter=quarter)
        _audit(period, user, f"Abrió la captura hasta el {short_datetime(deadline)}.")
    return period


def _audit(period, user, what, unidad_ejecutora=None):
    label = figures.QUARTER_LABELS[period.quarter]
    audit.audit_record(
        kind=audit.Kind.PERIOD,
        user=user,
        description=f"{label} {period.ejercicio.year}: {what}",
        unidad_ejecutora=unidad_ejecutora,
        quarter=period.quarter,
        year=period.ejercicio.year,
    )


def period_close(*, period, user) -> CapturePeriod:
    """Closes the capture of the quarter now, before its deadline."""
    _require_planeacion(user)
    with transaction.atomic():
        period = CapturePeriod.objects.select_for_update().get(pk=period.pk)
        period.closed_at = timezone.now()
        period.save(update_fields=["closed_at"])
        _audit(period, user, "Cerró la captura.")
    return period


def exception_grant(*, period, unidad_ejecutora, deadline, reason, user) -> CaptureException:
    """A later deadline for one unit, with the reason recorded."""
    _require_planeacion(user)
    if not reason.strip():
        raise WorkflowError("Escriba el motivo de la prórroga.")
    if deadline <= timezone.now():
        raise WorkflowError("La nueva fecha límite debe ser posterior a este momento.")
    if unidad_ejecutora.ramo.ejercicio_id != period.ejercicio_id:
        raise WorkflowError("La unidad no pertenece al ejercicio del periodo.")
    with transaction.atomic():
        exception, _ = CaptureException.objects.update_or_create(
            period=period,
            unidad_ejecutora=unidad_ejecutora,
            defaults={
                "deadline": deadline,
                "reason": reason.strip(),
                "granted_by": user,
                "granted_at": timezone.now(),
            },
        )
        what = f"Prórroga hasta el {short_datetime(deadline)}: {reason.strip()}"
        _audit(period, user, what, unidad_ejecutora)
    return exception
