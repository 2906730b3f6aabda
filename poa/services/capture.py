"""Services of the quarterly capture and sign-off: the only code that changes a report's
state or the figures a unit captured. Every service is keyword-only, runs in one transaction
with the report locked, checks who may act and from which state, records what happened and
returns it."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from poa.models import (
    Meta,
    QuarterlyProgress,
    Report,
    ReportEvent,
    UnidadEjecutora,
)
from poa.rules import figures
from poa.rules.capture import (
    CaptureValidationError,
    StaleVersionError,
    read_figure,
    validate_capture_row,
    validate_imported_progress,
)
from poa.rules.states import REPORT, WorkflowError
from poa.rules.text import as_int
from poa.selectors import access, history
from poa.selectors.locks import (
    correction_needs_reason,
    correction_refusal,
    lock_reason,
    programming_approved,
)
from poa.services import audit
from poa.services.review import _locked, report_send

Action = ReportEvent.Action
State = Report.State


# Windows and locking ---------------------------------------------------------------------


# Transitions ------------------------------------------------------------------------------
# Which transitions exist, from where, for whom and with which words: poa.rules.states.REPORT.


# Capture ---------------------------------------------------------------------------------


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
        version = as_int(version)
        if version != report.version:
            raise StaleVersionError(history.changes_since(report, version))
        changed = _apply_rows(_progresses_for(report, rows), rows, sending=send)
        if changed:
            _save_progresses(report, changed, user, reason="Captura")
            _audit_capture(report, changed, user)
        sent = report_send(report=report, user=user) if send else None
    return CaptureResult(report, len(changed), sent)


def _audit_capture(report, progresses, user):
    numbers = ", ".join(str(p.meta.numero) for p in progresses)
    audit.audit_record(
        kind=audit.Kind.CAPTURE,
        user=user,
        description=f"Capturó lo alcanzado de las metas {numbers}.",
        unidad_ejecutora=report.unidad_ejecutora,
        quarter=report.quarter,
    )


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


def _progresses_for(report, rows):
    """The quarter's row of each meta; a meta missing its row gets one (nothing programmed)."""
    metas = {
        meta.pk: meta
        for meta in Meta.objects.filter(
            unidad_ejecutora_id=report.unidad_ejecutora_id, pk__in=[as_int(k) for k in rows]
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


# Corrections outside the grid (the admin) -----------------------------------------------

CORRECTION_REASON = "Corrección en administración"
CORRECTION_REASON_MISSING = "Escriba el motivo de la corrección."


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
            figure = f"alcanzado {stored.alcanzado}, observaciones «{stored.observaciones}»"
            audit.meta_record(
                kind=audit.Kind.CORRECTION,
                user=user,
                meta=stored.meta,
                quarter=stored.quarter,
                description=f"{why} ({figure}).",
            )
    return stored


# What a unit achieved, loaded from an Excel workbook (poa.services.imports)
# ----------------------------

IMPORT_REASON = "Importación desde Excel"


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
