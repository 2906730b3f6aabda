"""Whether something may still change, and why not in Spanish: the capture window of a unit's
quarter, a report's grid, a programming, an approved meta. Asked by the services before they
change anything, by the views to show a read-only page and by the admin alike."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from poa.models import (
    CaptureException,
    CapturePeriod,
    Programacion,
    Report,
)
from poa.models.programming import Modificacion
from poa.rules import figures
from poa.rules.localtime import short_datetime
from poa.rules.states import PROGRAMMING


@dataclass(frozen=True)
class CaptureWindow:
    is_open: bool
    deadline: datetime | None
    period: CapturePeriod | None
    exception: CaptureException | None


def capture_window(*, unidad_ejecutora, quarter, now=None) -> CaptureWindow:
    """Whether the unit may capture the quarter now. It closes by itself at the deadline
    (the unit's exception, when it has one) or when planeación closes the period; an
    exception granted after closing the period reopens it for that unit alone."""
    period = CapturePeriod.objects.filter(
        ejercicio_id=unidad_ejecutora.ramo.ejercicio_id, quarter=quarter
    ).first()
    exception = (
        period.exceptions.filter(unidad_ejecutora=unidad_ejecutora).first() if period else None
    )
    return _window(period, exception, now or timezone.now())


def capture_windows(reports, now=None) -> dict[int, CaptureWindow]:
    """The capture window of each report, by report pk, in two queries however many."""
    keys = {(report.unidad_ejecutora.ramo.ejercicio_id, report.quarter) for report in reports}
    if not keys:
        return {}
    matching = Q()
    for ejercicio_id, quarter in keys:
        matching |= Q(ejercicio_id=ejercicio_id, quarter=quarter)
    periods = {
        (period.ejercicio_id, period.quarter): period
        for period in CapturePeriod.objects.filter(matching).prefetch_related("exceptions")
    }
    now = now or timezone.now()
    windows = {}
    for report in reports:
        period = periods.get((report.unidad_ejecutora.ramo.ejercicio_id, report.quarter))
        exceptions = period.exceptions.all() if period else []
        exception = next(
            (e for e in exceptions if e.unidad_ejecutora_id == report.unidad_ejecutora_id), None
        )
        windows[report.pk] = _window(period, exception, now)
    return windows


def _window(period, exception, now) -> CaptureWindow:
    if period is None:
        return CaptureWindow(False, None, None, None)
    deadline = exception.deadline if exception else period.deadline
    closed = period.closed_at is not None and period.closed_at <= now
    if closed and exception and exception.granted_at >= period.closed_at:
        closed = False
    return CaptureWindow(not closed and now < deadline, deadline, period, exception)


def lock_reason(report, now=None, window=None) -> str | None:
    """Why the capture grid of the report is read-only, in Spanish; None when editable."""
    if report.state == Report.State.AUTORIZADO:
        return "El informe está autorizado; solo planeación puede reabrirlo."
    if report.state != Report.State.BORRADOR:
        return f"El informe está {report.get_state_display().lower()}; solo se captura en borrador."
    if not programming_approved(report.unidad_ejecutora):
        return (
            "La programación anual de la unidad aún no está aprobada por planeación; la "
            "captura se abre cuando la apruebe."
        )
    window = window or capture_window(
        unidad_ejecutora=report.unidad_ejecutora, quarter=report.quarter, now=now
    )
    if window.period is None:
        return "Planeación no ha abierto este trimestre para captura."
    if not window.is_open:
        closed = window.deadline
        if window.period.closed_at and window.period.closed_at < window.deadline:
            closed = window.period.closed_at
        return f"La captura de este trimestre cerró el {short_datetime(closed)}."
    return None


def evidence_lock_reason(report, now=None, window=None) -> str | None:
    """Why the evidence files of the report's quarter can be neither added nor removed, in
    Spanish; None while they can. They change with the figures, and from ELABORÓ on they are
    frozen with the report until it is returned or reopened."""
    if report.state in (Report.State.BORRADOR, Report.State.AUTORIZADO):
        return lock_reason(report, now, window)
    return (
        f"El informe está {report.get_state_display().lower()}: sus evidencias quedaron fijas "
        "al firmarse ELABORÓ y solo cambian si se devuelve a la unidad."
    )


def programming_approved(unidad_ejecutora) -> bool:
    """Whether planeación approved the unit's annual programming: its quarters are captured
    only then. `with_signers()` querysets bring the programming along with the unit."""
    try:
        return unidad_ejecutora.programacion.state == Programacion.State.APROBADA
    except Programacion.DoesNotExist:
        return False


def is_editable(report, now=None) -> bool:
    """Figures change only in BORRADOR and inside the capture window."""
    return lock_reason(report, now) is None


def progress_locked(progress, now=None) -> bool:
    """Whether the quarter of a meta belongs to a report that no longer takes figures (sent,
    authorized or out of its window); used by the admin, which bypasses the grid."""
    report = (
        Report.objects.filter(
            unidad_ejecutora_id=progress.meta.unidad_ejecutora_id, quarter=progress.quarter
        )
        .select_related("unidad_ejecutora__ramo")
        .first()
    )
    return report is not None and not is_editable(report, now)


CORRECTION_LATER_SIGNED = (
    "Un informe posterior de la unidad ya está firmado y su hoja acumula esta cifra."
)


def _correction_reports(unidad_ejecutora_id, quarter):
    """The unit's report of the quarter (None when nobody opened it) and whether a later
    quarter's report, whose sheet accumulates this one, is already signed."""
    reports = Report.objects.filter(
        unidad_ejecutora_id=unidad_ejecutora_id, quarter__gte=quarter
    ).select_related("unidad_ejecutora__ramo")
    report = next((r for r in reports if r.quarter == quarter), None)
    return report, any(r.quarter > quarter and r.state != Report.State.BORRADOR for r in reports)


def correction_refusal(*, unidad_ejecutora_id, quarter, user) -> str | None:
    """Why `user` may not correct what the unit captured in the quarter outside the grid, in
    Spanish; None when they may. A quarter without a report holds loaded figures; a signed
    sheet never changes (the report is returned or reopened first); a closed capture yields
    only to a superuser, who must say why (correction_needs_reason)."""
    report, later_signed = _correction_reports(unidad_ejecutora_id, quarter)
    if later_signed:
        return CORRECTION_LATER_SIGNED
    reason = lock_reason(report) if report is not None else None
    if reason is None or (report.state == Report.State.BORRADOR and user.is_superuser):
        return None
    return reason


def correction_needs_reason(*, unidad_ejecutora_id, quarter) -> bool:
    """Correcting a capture that is closed needs the reason written down."""
    report, _ = _correction_reports(unidad_ejecutora_id, quarter)
    return report is not None and lock_reason(report) is not None


def programming_lock_reason(programacion) -> str | None:
    """Why the programming screen is read-only, in Spanish; None while it is a draft."""
    if programacion.state == Programacion.State.BORRADOR:
        return None
    return PROGRAMMING.state(programacion.state).waiting


def authorized_quarters(meta, *, lock=False) -> set[int]:
    """The quarters of the meta's unit whose report is authorized: their P never change.
    With `lock`, the unit's reports stay locked until the transaction ends, so that none is
    authorized while a modification is being applied."""
    reports = Report.objects.filter(unidad_ejecutora_id=meta.unidad_ejecutora_id)
    if lock:
        reports = reports.select_for_update()
    return {
        quarter
        for quarter, state in reports.values_list("quarter", "state")
        if state == Report.State.AUTORIZADO
    }


def modification_lock_reason(meta, authorized=None) -> str | None:
    """Why the unit cannot ask to modify the meta now, in Spanish; None when it can."""
    if meta.cancelada:
        return "La meta está cancelada: ya no admite modificaciones."
    approved = Programacion.objects.filter(
        unidad_ejecutora_id=meta.unidad_ejecutora_id, state=Programacion.State.APROBADA
    ).exists()
    if not approved:
        return (
            "La programación anual de la unidad aún no está aprobada: la meta se cambia en la "
            "programación, no con una modificación programática."
        )
    if meta.modificaciones.filter(state=Modificacion.State.SOLICITADA).exists():
        return "Esta meta ya tiene una solicitud de modificación pendiente de decisión."
    authorized = authorized_quarters(meta) if authorized is None else authorized
    if set(figures.QUARTERS) <= authorized:
        return "Los cuatro trimestres de la meta ya están autorizados: ya no admite modificaciones."
    return None


SIGNED_SHEET = "Bloqueado: la unidad tiene un trimestre autorizado y su hoja firmada no cambia."
SIGNED_QUARTER = "Bloqueado: el informe de este trimestre ya está firmado."
SENT_PROGRAMMING = (
    "Bloqueado: la programación anual de la unidad está enviada a planeación; cambia solo si "
    "planeación la devuelve."
)
APPROVED_PROGRAMMING = (
    "Bloqueado: la programación anual de la unidad está aprobada; sus metas cambian por "
    "modificación programática."
)


def metas_lock_reason(unidad_ejecutora_id, quarter=None) -> str | None:
    """Why the unit's metas (what a sheet prints of them, and what they program; one quarter's
    programming with `quarter`) may not change outside the programming screen, whoever asks
    (the admin); None when they may. An authorized sheet prints every meta of the unit with its
    four programmed figures; a sent or reviewed one is signed for its quarter; a programming
    sent to planeación or approved changes only through poa.services.programming (a return,
    or a modificación programática)."""
    signed = dict(
        Report.objects.filter(unidad_ejecutora_id=unidad_ejecutora_id)
        .exclude(state=Report.State.BORRADOR)
        .values_list("quarter", "state")
    )
    if Report.State.AUTORIZADO in signed.values():
        return SIGNED_SHEET
    if quarter in signed:
        return SIGNED_QUARTER
    state = (
        Programacion.objects.filter(unidad_ejecutora_id=unidad_ejecutora_id)
        .values_list("state", flat=True)
        .first()
    )
    if state is None or PROGRAMMING.state(state).draft:
        return None
    return APPROVED_PROGRAMMING if PROGRAMMING.state(state).final else SENT_PROGRAMMING
