"""Services of the quarterly capture and sign-off: the only code that changes a report's
state or the figures a unit captured. Every service is keyword-only, runs in one transaction
with the report locked, checks who may act and from which state, records what happened and
returns it."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from poa import access, figures, history
from poa.localtime import short_datetime
from poa.machinery import WorkflowError, transition_make
from poa.models import (
    CaptureException,
    CapturePeriod,
    Meta,
    MetaVersion,
    Programacion,
    QuarterlyProgress,
    Report,
    ReportEvent,
    UnidadEjecutora,
)
from poa.states import REPORT

Action = ReportEvent.Action
State = Report.State
MAX_OBSERVACIONES = 1000
# The grid shows these live too: capture/grid.html hands them to static/poa/js/capture.js.
CAPTURE_MESSAGES = {
    "observation": (
        "Explique por qué lo alcanzado ({alcanzado}) difiere de lo programado ({programado})."
    ),
    "observation_too_long": (
        "Las observaciones admiten como máximo {maximo} caracteres (lleva {lleva})."
    ),
}


class CaptureValidationError(WorkflowError):
    """Some rows cannot be saved or sent: errors = {meta_id: {field: Spanish message}}."""

    def __init__(self, errors, *, sending=False):
        self.errors = errors
        super().__init__(capture_refusal(sending))


def capture_refusal(sending) -> str:
    """What the grid says when its rows are refused: a failed send also saved nothing."""
    if sending:
        return "Revise las cifras marcadas: el informe no se envió y no se guardó ningún cambio."
    return "Revise las cifras marcadas; no se guardó ningún cambio."


class StaleVersionError(WorkflowError):
    """The report was saved by someone else after the form was opened."""

    def __init__(self, changes):
        self.changes = changes
        super().__init__(
            "Otra persona guardó este informe mientras usted capturaba; "
            "no se guardaron sus cambios."
        )


# Windows and locking ---------------------------------------------------------------------


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
    if report.state == State.AUTORIZADO:
        return "El informe está autorizado; solo planeación puede reabrirlo."
    if report.state != State.BORRADOR:
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
    return period


def period_close(*, period, user) -> CapturePeriod:
    """Closes the capture of the quarter now, before its deadline."""
    _require_planeacion(user)
    with transaction.atomic():
        period = CapturePeriod.objects.select_for_update().get(pk=period.pk)
        period.closed_at = timezone.now()
        period.save(update_fields=["closed_at"])
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
    return exception


# Transitions ------------------------------------------------------------------------------
# Which transitions exist, from where, for whom and with which words: poa.states.REPORT.


def report_get_or_create(*, unidad_ejecutora, quarter) -> Report:
    report, _ = Report.objects.get_or_create(unidad_ejecutora=unidad_ejecutora, quarter=quarter)
    return report


def _locked(report) -> Report:
    """The report's row, locked until the transaction ends. A quarter nobody opened has no
    row yet: it is created here, so a refused change rolls the creation back with it."""
    if report.pk is None:
        report = report_get_or_create(
            unidad_ejecutora=report.unidad_ejecutora, quarter=report.quarter
        )
    return Report.objects.select_for_update(of=("self",)).with_signers().get(pk=report.pk)


def _transition(*, report, user, action, comment="", check=None) -> ReportEvent:
    """Locks the report and makes the transition (poa.machinery); the caller's instance is
    updated too, and whoever acts next is emailed once it commits."""
    original = report
    with transaction.atomic():
        report = _locked(report)
        event = transition_make(
            machine=REPORT,
            subject=report,
            user=user,
            action=action,
            comment=comment,
            check=check,
            event_for=lambda **fields: ReportEvent(report=report, **fields),
        )
        transaction.on_commit(lambda: _notify(event.pk))
    original.pk, original.state, original.updated_at = report.pk, report.state, report.updated_at
    return event


def _notify(event_pk):
    # A job of the queue (poa.tasks): a slow mail server never slows a signature.
    from poa import tasks

    tasks.report_event_email.enqueue(event_pk)


def report_transition(*, report, user, action, comment="") -> ReportEvent:
    """Makes the transition `action` of poa.states.REPORT through its service."""
    return REPORT.service(action)(report=report, user=user, comment=comment)


def report_send(*, report, user, comment="") -> ReportEvent:
    """BORRADOR → ENVIADO: the head of the unit signs ELABORÓ. Every meta needs what was
    achieved in the quarter and, when it differs from what was programmed, an observation."""
    return _transition(
        report=report, user=user, action=Action.SEND, comment=comment, check=_check_complete
    )


def report_mark_ready(*, report, user, comment="") -> ReportEvent:
    """A capturista tells the head of the unit that the capture is complete (BORRADOR stays
    BORRADOR): only a capture that could be sent as it is."""
    return _transition(
        report=report, user=user, action=Action.READY, comment=comment, check=_check_complete
    )


def _check_complete(report):
    errors = {}
    for row in capture_rows(report):
        progress = row.progress
        row_errors = validate_capture_row(
            meta=row.meta,
            programado=progress.programado if progress else 0,
            alcanzado=progress.alcanzado if progress else None,
            observaciones=progress.observaciones if progress else "",
            sending=row.required,
        )
        if row_errors:
            errors[row.meta.pk] = row_errors
    if errors:
        raise CaptureValidationError(errors, sending=True)


def report_return(*, report, user, comment="") -> ReportEvent:
    """ENVIADO or REVISADO → BORRADOR, with the reason the unit must read."""
    return _transition(report=report, user=user, action=Action.RETURN, comment=comment)


def report_review(*, report, user, comment="") -> ReportEvent:
    """ENVIADO → REVISADO: the head of the program signs REVISÓ."""
    return _transition(report=report, user=user, action=Action.REVIEW, comment=comment)


def report_authorize(*, report, user, comment="") -> ReportEvent:
    """REVISADO → AUTORIZADO: the head of the ramo signs AUTORIZÓ; the figures are final, and
    the sheet's PDF is rendered once in the background and kept (poa.documents.stored)."""
    event = _transition(report=report, user=user, action=Action.AUTHORIZE, comment=comment)
    transaction.on_commit(lambda: _store_sheet(report.pk))
    return event


def _store_sheet(report_pk):
    from poa import tasks

    tasks.sheet_store.enqueue(report_pk)


def report_reopen(*, report, user, comment="") -> ReportEvent:
    """AUTORIZADO → BORRADOR by planeación, with the reason recorded. The unit captures again
    while the window (or an exception granted for it) is open."""
    return _transition(report=report, user=user, action=Action.REOPEN, comment=comment)


# Capture ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureRow:
    meta: Meta
    progress: QuarterlyProgress | None
    programmed: list
    achieved: list
    figures: figures.MetaFigures
    # False for a meta cancelled before the quarter: sending does not ask for its figure.
    required: bool = True


def capture_rows(report) -> list[CaptureRow]:
    """The metas of the report's unit with their four quarters and computed figures at the
    report's quarter, in two queries (three when some meta is cancelled)."""
    metas = list(
        Meta.objects.filter(unidad_ejecutora_id=report.unidad_ejecutora_id)
        .select_related("unidad_medida")
        .prefetch_related(Prefetch("avances", queryset=QuarterlyProgress.objects.all()))
        .order_by("numero")
    )
    cancelled = cancellation_dates([meta for meta in metas if meta.cancelada])
    year = report.unidad_ejecutora.ramo.ejercicio.year if cancelled else None
    return [
        _capture_row(meta, report.quarter, capture_required(meta, report.quarter, year, cancelled))
        for meta in metas
    ]


def capture_rows_at_version(report, attempts=3) -> list[CaptureRow]:
    """capture_rows as they stood at the report's version, the one a save from the grid
    carries. The report and its rows are read one after the other: when a save lands in
    between, the report moves on to it and the rows are read again. Should saves keep
    landing, the last rows are kept with the version read before them, so that saving them
    is refused as stale rather than overwriting figures the grid never showed."""
    for attempt in range(attempts):
        rows = capture_rows(report)
        if report.pk is None:
            return rows
        current = Report.objects.filter(pk=report.pk).values_list("version", "state").get()
        if current == (report.version, report.state) or attempt == attempts - 1:
            return rows
        report.version, report.state = current
    return rows


def _capture_row(meta, quarter, required=True) -> CaptureRow:
    series = meta.quarter_series()
    progress = next((p for p in meta.avances.all() if p.quarter == quarter), None)
    programmed, achieved, _ = series
    return CaptureRow(
        meta, progress, programmed, achieved, meta.figures_at(quarter, series), required
    )


def cancellation_dates(metas) -> dict[int, date]:
    """The local day planeación approved the cancellation of each cancelled meta, by meta pk:
    the first approved version that cancels it."""
    if not metas:
        return {}
    versions = MetaVersion.objects.filter(meta__in=metas, cancelada=True).order_by("-numero")
    return {v.meta_id: timezone.localtime(v.approved_at).date() for v in versions}


def capture_required(meta, quarter, year, cancelled) -> bool:
    """Whether sending the report of `quarter` (of `year`) needs what the meta achieved. A
    meta cancelled by a modificación programática is captured up to the quarter in which its
    cancellation was approved and not from the next one on; it stays on the sheet with its
    note, and what it achieved may still be typed. `cancelled`: cancellation_dates()."""
    day = cancelled.get(meta.pk) if meta.cancelada else None
    if day is None:
        return True
    if day.year != year:
        return day.year > year
    return quarter <= (day.month - 1) // 3 + 1


def validate_capture_row(*, meta, programado, alcanzado, observaciones, sending) -> dict:
    """Spanish messages by field ("alcanzado", "observaciones") for one row of the grid; the
    same rules for the form, the save and the send. `alcanzado` is what was typed (text) or
    a number; empty means not captured."""
    errors = {}
    observaciones = observaciones or ""
    try:
        alcanzado = read_figure(meta, alcanzado)
    except figures.FigureError as error:
        errors["alcanzado"], alcanzado = str(error), None
    if alcanzado is None and sending and "alcanzado" not in errors:
        errors["alcanzado"] = "Capture lo alcanzado en el trimestre."
    if len(observaciones) > MAX_OBSERVACIONES:
        errors["observaciones"] = CAPTURE_MESSAGES["observation_too_long"].format(
            maximo=f"{MAX_OBSERVACIONES:,}", lleva=f"{len(observaciones):,}"
        )
    elif "alcanzado" not in errors and not observaciones.strip():
        threshold = settings.POA_OBSERVATION_THRESHOLD
        if figures.needs_observation(programado, alcanzado, threshold):
            errors["observaciones"] = CAPTURE_MESSAGES["observation"].format(
                alcanzado=figures.format_figure(alcanzado),
                programado=figures.format_figure(programado),
            )
    return errors


def read_figure(meta, value) -> Decimal | None:
    """A figure of the meta as typed (text) or as a number, checked against its unit of
    measure; None when empty. Raises figures.FigureError with the Spanish message."""
    unidad = meta.unidad_medida
    rules = {"whole_only": not unidad.admite_decimales, "unidad": unidad.nombre}
    if value is None or isinstance(value, str):
        return figures.parse_figure(value or "", **rules)
    return figures.check_figure(value, **rules)


@dataclass(frozen=True)
class CaptureResult:
    report: Report
    changed: int  # metas whose figure or observation changed
    sent: ReportEvent | None  # the send, when asked for


def capture_save(*, report, user, version, rows, send=False) -> CaptureResult:
    """Saves what the unit achieved in the quarter, every row or none, and with `send` the
    head of the unit then signs ELABORÓ, in the same transaction: both or neither.

    rows = {meta_id: {"alcanzado": text or Decimal or None, "observaciones": str}}. Refused
    when the user does not capture for the unit or may not send (PermissionDenied), the
    report is locked (WorkflowError), someone saved since `version` (StaleVersionError) or a
    row is wrong or incomplete for sending (CaptureValidationError)."""
    with transaction.atomic():
        report = _locked(report)
        if not access.can_capture(user, report.unidad_ejecutora):
            raise PermissionDenied("No captura para esta unidad ejecutora.")
        if send and not access.acting_role(user, report, REPORT.transition(Action.SEND)):
            raise PermissionDenied("Solo el responsable de la unidad ejecutora envía el informe.")
        reason = lock_reason(report)
        if reason:
            raise WorkflowError(reason)
        version = _as_int(version)
        if version != report.version:
            raise StaleVersionError(history.changes_since(report, version))
        changed = _apply_rows(_progresses_for(report, rows), rows, sending=send)
        if changed:
            _save_progresses(report, changed, user, reason="Captura")
        sent = report_send(report=report, user=user) if send else None
    return CaptureResult(report, len(changed), sent)


def _save_progresses(report, progresses, user, *, reason):
    """Stores changed figures of the report's quarter and bumps its version, so a grid
    opened before refuses to overwrite them."""
    _store_progresses(progresses, user, reason=reason)
    report.version += 1
    report._history_user = user
    report._change_reason = reason
    report.save(update_fields=["version", "updated_at"])


def _store_progresses(progresses, user, *, reason):
    """Stores changed quarters in a few queries whatever their number (a grid, a correction,
    an import), each with its history record; the values before come first for rows loaded
    without history."""
    history.record_baseline(progresses)
    stored = [p for p in progresses if p.pk]
    new = [p for p in progresses if not p.pk]
    options = {"default_user": user, "default_change_reason": reason}
    if stored:
        fields = ["alcanzado", "observaciones"]
        bulk_update_with_history(stored, QuarterlyProgress, fields, **options)
    if new:
        bulk_create_with_history(new, QuarterlyProgress, **options)


def _as_int(value):
    """A number from a form field; -1 for anything else (no report or meta has it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _progresses_for(report, rows):
    """The quarter's row of each meta; a meta missing its row gets one (nothing programmed)."""
    metas = {
        meta.pk: meta
        for meta in Meta.objects.filter(
            unidad_ejecutora_id=report.unidad_ejecutora_id, pk__in=[_as_int(k) for k in rows]
        ).select_related("unidad_medida")
    }
    if len(metas) != len(rows):
        raise PermissionDenied("Alguna meta no pertenece a esta unidad ejecutora.")
    existing = {
        p.meta_id: p
        for p in QuarterlyProgress.objects.filter(meta__in=metas.values(), quarter=report.quarter)
    }
    progresses = {}
    for meta_id, meta in metas.items():
        progress = existing.get(meta_id) or QuarterlyProgress(
            meta=meta, quarter=report.quarter, programado=0
        )
        progress.meta = meta
        progresses[meta_id] = progress
    return progresses


def _apply_rows(progresses, rows, *, sending=False):
    """Validates every row before touching any; returns the progress rows that change."""
    errors, changed = {}, []
    for meta_id, row in rows.items():
        progress = progresses[int(meta_id)]
        alcanzado = row.get("alcanzado")
        observaciones = (row.get("observaciones") or "").strip()
        row_errors = validate_capture_row(
            meta=progress.meta,
            programado=progress.programado,
            alcanzado=alcanzado,
            observaciones=observaciones,
            sending=False,
        )
        if row_errors:
            errors[int(meta_id)] = row_errors
            continue
        alcanzado = read_figure(progress.meta, alcanzado)
        if progress.pk and (progress.alcanzado, progress.observaciones) == (
            alcanzado,
            observaciones,
        ):
            continue
        progress.alcanzado, progress.observaciones = alcanzado, observaciones
        try:
            # The meta was just read with the row: checking that it exists is one query a row.
            progress.full_clean(exclude=["meta"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors[int(meta_id)] = {k: " ".join(v) for k, v in error.message_dict.items()}
            continue
        changed.append(progress)
    if errors:
        raise CaptureValidationError(errors, sending=sending)
    return changed


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


# Corrections outside the grid (the admin) -----------------------------------------------

CORRECTION_REASON = "Corrección en administración"
CORRECTION_REASON_MISSING = "Escriba el motivo de la corrección."
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
    return report, any(r.quarter > quarter and r.state != State.BORRADOR for r in reports)


def correction_refusal(*, unidad_ejecutora_id, quarter, user) -> str | None:
    """Why `user` may not correct what the unit captured in the quarter outside the grid, in
    Spanish; None when they may. A quarter without a report holds loaded figures; a signed
    sheet never changes (the report is returned or reopened first); a closed capture yields
    only to a superuser, who must say why (correction_needs_reason)."""
    report, later_signed = _correction_reports(unidad_ejecutora_id, quarter)
    if later_signed:
        return CORRECTION_LATER_SIGNED
    reason = lock_reason(report) if report is not None else None
    if reason is None or (report.state == State.BORRADOR and user.is_superuser):
        return None
    return reason


def correction_needs_reason(*, unidad_ejecutora_id, quarter) -> bool:
    """Correcting a capture that is closed needs the reason written down."""
    report, _ = _correction_reports(unidad_ejecutora_id, quarter)
    return report is not None and lock_reason(report) is not None


def capture_correct(*, progress, user, alcanzado, observaciones, reason="") -> QuarterlyProgress:
    """Changes what a unit captured in one quarter of a meta outside the grid (the admin),
    with the grid's rules; the report's version moves on, so a grid opened before refuses to
    overwrite the correction, and the history records who corrected it and why.

    Refused when the user may not change captured figures (PermissionDenied), when
    correction_refusal says so or a closed capture is corrected without a reason
    (WorkflowError), and when the figure or observation is wrong (CaptureValidationError)."""
    if not user.has_perm("poa.change_quarterlyprogress"):
        raise PermissionDenied("No tiene permiso para corregir cifras capturadas.")
    reason = (reason or "").strip()
    where = {"unidad_ejecutora_id": progress.meta.unidad_ejecutora_id, "quarter": progress.quarter}
    with transaction.atomic():
        # Hold the quarter's report (when it exists) while deciding; create it only after.
        report = Report.objects.select_for_update(of=("self",)).filter(**where).first()
        refusal = correction_refusal(user=user, **where)
        if refusal:
            raise WorkflowError(refusal)
        if not reason and correction_needs_reason(**where):
            raise WorkflowError(CORRECTION_REASON_MISSING)
        report = _locked(report or Report(**where))
        stored = QuarterlyProgress.objects.select_related("meta__unidad_medida").get(pk=progress.pk)
        rows = {stored.meta_id: {"alcanzado": alcanzado, "observaciones": observaciones}}
        changed = _apply_rows({stored.meta_id: stored}, rows)
        if changed:
            why = f"{CORRECTION_REASON}: {reason}" if reason else CORRECTION_REASON
            _save_progresses(report, changed, user, reason=why)
    return stored


# What a unit achieved, loaded from an Excel workbook (poa.imports) ----------------------------

IMPORT_REASON = "Importación desde Excel"


def validate_imported_progress(*, meta, programado, alcanzado, observaciones) -> tuple[dict, dict]:
    """(errors, warnings) by field for one quarter of a meta read from a workbook: the rules of
    the grid (validate_capture_row), except that a variance without observation, kept from a
    year captured before, is a warning (its sheet warns about it too) rather than a refusal."""
    observaciones = (observaciones or "").strip()
    errors = validate_capture_row(
        meta=meta,
        programado=programado,
        alcanzado=alcanzado,
        observaciones=observaciones,
        sending=False,
    )
    warnings = {}
    if "observaciones" in errors and len(observaciones) <= MAX_OBSERVACIONES:
        warnings["observaciones"] = errors.pop("observaciones")
    return errors, warnings


def progress_import(*, unidad_ejecutora, quarter, user, rows) -> int:
    """Planeación loads what a unit achieved in a quarter and its observations from a
    workbook: rows = {meta_id: {"alcanzado": text, number or None, "observaciones": str}}.
    Every row or none (CaptureValidationError); only into an approved programming and a
    quarter whose report, when there is one, is a draft (WorkflowError). Each change is kept
    in the history with the reason "Importación desde Excel" and bumps the report's version,
    so a grid opened before refuses to overwrite it. Returns how many metas changed."""
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación importa lo alcanzado.")
    with transaction.atomic():
        ue = UnidadEjecutora.objects.with_signers().get(pk=unidad_ejecutora.pk)
        report = _imported_report(ue, quarter)
        progresses = _progresses_for(report, rows)
        changed = _imported_changes(progresses, rows)
        if changed:
            _store_progresses(changed, user, reason=IMPORT_REASON)
            if report.pk:
                report.version += 1
                report._history_user = user
                report._change_reason = IMPORT_REASON
                report.save(update_fields=["version", "updated_at"])
    return len(changed)


def _imported_report(ue, quarter) -> Report:
    """The quarter's report, locked; an unsaved one when nobody opened the quarter (an import
    creates no report)."""
    if not programming_approved(ue):
        raise WorkflowError(
            f"La programación anual de la UE {ue.clave} no está aprobada; lo alcanzado se "
            "importa solo después de aprobarla."
        )
    report = Report.objects.select_for_update().filter(unidad_ejecutora=ue, quarter=quarter).first()
    if report is None:
        return Report(unidad_ejecutora=ue, quarter=quarter)
    if report.state != State.BORRADOR:
        raise WorkflowError(
            f"El informe de {figures.QUARTER_LABELS[quarter]} de la UE {ue.clave} está "
            f"{report.get_state_display().lower()}; lo alcanzado solo se importa en borrador."
        )
    return report


def _imported_changes(progresses, rows):
    errors, changed = {}, []
    for meta_id, row in rows.items():
        progress = progresses[int(meta_id)]
        observaciones = (row.get("observaciones") or "").strip()
        row_errors, _ = validate_imported_progress(
            meta=progress.meta,
            programado=progress.programado,
            alcanzado=row.get("alcanzado"),
            observaciones=observaciones,
        )
        if row_errors:
            errors[int(meta_id)] = row_errors
            continue
        alcanzado = read_figure(progress.meta, row.get("alcanzado"))
        if progress.pk and (progress.alcanzado, progress.observaciones) == (
            alcanzado,
            observaciones,
        ):
            continue
        progress.alcanzado, progress.observaciones = alcanzado, observaciones
        changed.append(progress)
    if errors:
        raise CaptureValidationError(errors)
    return changed
