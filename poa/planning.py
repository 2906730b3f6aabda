"""Services of the annual programming: the only code that drafts a unit's metas, moves its
programming towards planeación's approval, and changes an approved meta (modificación
programática). The twin of poa.workflow for the beginning of the year: keyword-only, one
transaction with the subject locked, checks who may act and from which state, records what
happened and returns it. The states and transitions are poa.states' PROGRAMMING and
MODIFICATION."""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from simple_history.utils import bulk_create_with_history

from poa import access, figures, history
from poa.machinery import WorkflowError, transition_make
from poa.models import (
    Ejercicio,
    LineaAccion,
    Meta,
    MetaVersion,
    Modificacion,
    ModificacionEvent,
    Programa,
    Programacion,
    ProgramacionEvent,
    QuarterlyProgress,
    Ramo,
    Report,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.states import MODIFICATION, PROGRAMMING

Action = ProgramacionEvent.Action
State = Programacion.State
MAX_DESCRIPCION = 2000
MAX_NUMERO = 99999
PARKED_NUMBERS = 1_000_000  # above any meta number: where renumbered metas wait
QUARTER_FIELDS = tuple(f"programado_{q}" for q in figures.QUARTERS)
# Also handed to the programming screen's script, which says it live.
ANNUAL_REQUIRED = "Escriba la meta anual."


class PlanValidationError(WorkflowError):
    """Some metas cannot be saved: errors = {row key: {field: Spanish message}}."""

    def __init__(self, errors, message="Revise las metas marcadas; no se guardó ningún cambio."):
        self.errors = errors
        super().__init__(message)


def plan_refusal(sending) -> str:
    """What the programming screen says when its metas are refused: a failed send also saved
    nothing."""
    if sending:
        return (
            "Revise las metas marcadas: la programación no se envió y no se guardó ningún cambio."
        )
    return "Revise las metas marcadas; no se guardó ningún cambio."


class StaleProgrammingError(WorkflowError):
    def __init__(self):
        super().__init__(
            "Otra persona guardó esta programación mientras usted la editaba; no se guardaron "
            "sus cambios. Sus datos siguen en pantalla: revíselos y guarde de nuevo."
        )


# The programming of a unit ------------------------------------------------------------------


def programming_of(unidad_ejecutora) -> Programacion:
    """The unit's programming, created in BORRADOR the first time it is asked for."""
    programacion, _ = Programacion.objects.get_or_create(unidad_ejecutora=unidad_ejecutora)
    programacion.unidad_ejecutora = unidad_ejecutora
    return programacion


def programming_lock_reason(programacion) -> str | None:
    """Why the programming screen is read-only, in Spanish; None while it is a draft."""
    if programacion.state == State.BORRADOR:
        return None
    return PROGRAMMING.state(programacion.state).waiting


def suggested_numero(unidad_ejecutora, taken=()) -> int:
    """The next number of the unit's series: after its highest meta, or the first of the
    hundred its place in the ramo gives (UE 101 → 100, 102 → 200, 201 → 300)."""
    numbers = set(taken) | set(unidad_ejecutora.metas.values_list("numero", flat=True))
    if numbers:
        return max(numbers) + 1
    siblings = list(unidad_ejecutora.ramo.unidades.order_by("clave").values_list("pk", flat=True))
    return (siblings.index(unidad_ejecutora.pk) + 1) * 100


@dataclass
class PlanRow:
    """One meta of the programming screen as typed: figures are text (1,234 or 12.5)."""

    key: str  # the meta's pk, or "nueva-N" for a meta added on the screen
    numero: str = ""
    descripcion: str = ""
    unidad_medida: UnidadMedida | None = None
    lineas: list = field(default_factory=list)
    meta_anual: str = ""
    programado: list = field(default_factory=lambda: ["", "", "", ""])
    delete: bool = False

    @property
    def meta_id(self):
        return int(self.key) if str(self.key).isdigit() else None


@dataclass(frozen=True)
class CleanRow:
    meta_id: int | None
    numero: int
    descripcion: str
    unidad_medida: UnidadMedida
    lineas: list
    meta_anual: Decimal
    programado: list


def validate_plan_row(row: PlanRow, *, ejercicio_id, unidad_ejecutora) -> tuple[CleanRow, dict]:
    """(the row ready to store, {field: Spanish message}) for one meta of the programming:
    the same rules for the screen, the import and the services."""
    errors = {}
    numero = (row.numero or "").strip()
    if not numero.isascii() or not numero.isdigit() or not 0 < int(numero) <= MAX_NUMERO:
        errors["numero"] = f"Escriba el número de la meta, un entero entre 1 y {MAX_NUMERO}."
    descripcion = " ".join((row.descripcion or "").split())
    if not descripcion:
        errors["descripcion"] = "Escriba la descripción de la meta."
    elif len(descripcion) > MAX_DESCRIPCION:
        errors["descripcion"] = f"La descripción admite como máximo {MAX_DESCRIPCION:,} caracteres."
    unidad = row.unidad_medida
    if unidad is None:
        errors["unidad_medida"] = "Elija la unidad de medida."
    elif not unidad.aceptada and unidad.propuesta_por_id != unidad_ejecutora.pk:
        errors["unidad_medida"] = "Esa unidad de medida aún no está aceptada por planeación."
    if any(linea.ejercicio_id != ejercicio_id for linea in row.lineas):
        errors["lineas"] = "Use solo líneas de acción del plan de este ejercicio."
    rules = {
        "whole_only": unidad is not None and not unidad.admite_decimales,
        "unidad": unidad.nombre if unidad else "",
    }
    annual = _figure(row.meta_anual, "meta_anual", errors, rules, required=ANNUAL_REQUIRED)
    programmed = [
        _figure(text, name, errors, rules)
        for text, name in zip(row.programado, QUARTER_FIELDS, strict=True)
    ]
    consistent = annual is not None and None not in programmed and "meta_anual" not in errors
    if consistent and figures.programmed_total_difference(annual, programmed):
        errors["programado"] = figures.programmed_total_message(annual, programmed)
    if errors:
        return None, errors
    clean = CleanRow(
        row.meta_id, int(numero), descripcion, unidad, list(row.lineas), annual, programmed
    )
    return clean, {}


def _figure(text, name, errors, rules, required=None):
    try:
        value = figures.parse_figure(text if isinstance(text, str) else str(text), **rules)
    except figures.FigureError as error:
        errors[name] = str(error)
        return None
    if value is None and required:
        errors[name] = required
        return None
    return value if value is not None else Decimal(0)


@dataclass(frozen=True)
class PlanSaveResult:
    programacion: Programacion
    changed: int  # metas added, changed or removed
    sent: ProgramacionEvent | None = None


def programming_save(*, programacion, user, version, rows, send=False) -> PlanSaveResult:
    """Saves the unit's draft programming as typed, every meta or none: adds, changes and
    removes metas, with four quarters each; with `send` the head of the unit then sends it
    to planeación in the same transaction: both or neither. Refused when the user does not
    draft for the unit or may not send (PermissionDenied), the programming is not a draft
    (WorkflowError), someone saved since `version` (StaleProgrammingError), a row is wrong
    (PlanValidationError) or the programming cannot be sent (WorkflowError)."""
    with transaction.atomic():
        programacion = _locked_programming(programacion)
        ue = programacion.unidad_ejecutora
        if not access.can_capture(user, ue):
            raise PermissionDenied("No programa las metas de esta unidad ejecutora.")
        send_transition = PROGRAMMING.transition(Action.SEND)
        if send and not access.holds_role(user, programacion, send_transition):
            raise PermissionDenied(
                f"Solo {send_transition.role_names} puede {send_transition.verb} "
                f"{PROGRAMMING.this}."
            )
        reason = programming_lock_reason(programacion)
        if reason:
            raise WorkflowError(reason)
        if _as_int(version) != programacion.version:
            raise StaleProgrammingError()
        metas = {meta.pk: meta for meta in ue.metas.prefetch_related("lineas_accion", "avances")}
        clean = _clean_rows(rows, metas, ue, sending=send)
        changed = _store(clean, metas, rows, ue, user)
        if changed:
            programacion.version += 1
            programacion._history_user = user
            programacion.save(update_fields=["version", "updated_at"])
        sent = programming_send(programacion=programacion, user=user) if send else None
    return PlanSaveResult(programacion, changed, sent)


def _locked_programming(programacion) -> Programacion:
    if programacion.pk is None:
        programacion = programming_of(programacion.unidad_ejecutora)
    return (
        Programacion.objects.select_for_update(of=("self",)).with_signers().get(pk=programacion.pk)
    )


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _clean_rows(rows, metas, ue, *, sending=False):
    errors, clean = {}, []
    mentioned = {row.meta_id for row in rows}
    # Metas the rows do not mention keep their numbers.
    numbers = {meta.numero: pk for pk, meta in metas.items() if pk not in mentioned}
    for row in rows:
        if row.meta_id is not None and row.meta_id not in metas:
            raise PermissionDenied("Alguna meta no pertenece a esta unidad ejecutora.")
        if row.delete:
            continue
        value, row_errors = validate_plan_row(
            row, ejercicio_id=ue.ramo.ejercicio_id, unidad_ejecutora=ue
        )
        if value and value.numero in numbers:
            row_errors["numero"] = f"El número {value.numero} ya lo usa otra meta de la unidad."
        if row_errors:
            errors[row.key] = row_errors
            continue
        numbers[value.numero] = row.key
        clean.append(value)
    if errors:
        raise PlanValidationError(errors, plan_refusal(sending))
    return clean


def _store(clean, metas, rows, ue, user) -> int:
    """Writes the rows; returns how many metas were added, changed or removed."""
    removed = [metas[row.meta_id] for row in rows if row.delete and row.meta_id]
    for meta in removed:
        meta.delete()
    kept = {row.meta_id for row in clean if row.meta_id}
    # Numbers may be swapped between metas (reordering): park the moving ones out of the
    # series first, so the unique number per unit holds after every single write.
    moving = [pk for pk in kept if metas[pk].numero != _numero_of(clean, pk)]
    Meta.objects.filter(pk__in=moving).update(numero=F("pk") + PARKED_NUMBERS)
    changed = len(removed)
    for row in clean:
        meta = metas.get(row.meta_id) or Meta(unidad_ejecutora=ue)
        if _plan_row_changed(meta, row):
            _write_meta(meta, row, user)
            changed += 1
    return changed


def _numero_of(clean, pk):
    return next(row.numero for row in clean if row.meta_id == pk)


def _plan_row_changed(meta, row) -> bool:
    if meta.pk is None:
        return True
    current = (
        meta.numero,
        meta.descripcion,
        meta.unidad_medida_id,
        sorted(linea.pk for linea in meta.lineas_accion.all()),
        meta.meta_anual,
        [p.programado for p in sorted(meta.avances.all(), key=lambda p: p.quarter)],
    )
    typed = (
        row.numero,
        row.descripcion,
        row.unidad_medida.pk,
        sorted(linea.pk for linea in row.lineas),
        row.meta_anual,
        row.programado,
    )
    return current != typed


def _write_meta(meta, row, user):
    meta.numero, meta.descripcion = row.numero, row.descripcion
    meta.unidad_medida, meta.meta_anual = row.unidad_medida, row.meta_anual
    meta.save()
    meta.lineas_accion.set(row.lineas)
    _write_programmed(meta, row.programado, user, reason="Programación anual")


def _write_programmed(meta, programmed, user, *, reason):
    """The four quarters of a meta with these programmed figures: a meta always has its
    four rows."""
    existing = {p.quarter: p for p in QuarterlyProgress.objects.filter(meta=meta)}
    for quarter, value in zip(figures.QUARTERS, programmed, strict=True):
        progress = existing.get(quarter) or QuarterlyProgress(meta=meta, quarter=quarter)
        if progress.pk and progress.programado == value:
            continue
        progress.programado = value
        progress._history_user = user
        progress._change_reason = reason
        progress.save()


# Approval of the programming ----------------------------------------------------------------


def _programming_transition(*, programacion, user, action, comment="", check=None):
    original = programacion
    with transaction.atomic():
        programacion = _locked_programming(programacion)
        event = transition_make(
            machine=PROGRAMMING,
            subject=programacion,
            user=user,
            action=action,
            comment=comment,
            check=check,
            event_for=lambda **fields: ProgramacionEvent(programacion=programacion, **fields),
        )
        transaction.on_commit(lambda: _notify("programacion", event.pk))
    original.pk, original.state = programacion.pk, programacion.state
    return event


def _notify(kind, event_pk):
    # A job of the queue (poa.tasks): a slow mail server never slows a decision.
    from poa import tasks

    tasks.planning_event_email.enqueue(kind, event_pk)


def programming_transition(*, programacion, user, action, comment=""):
    """Makes the transition `action` of poa.states.PROGRAMMING through its service."""
    return PROGRAMMING.service(action)(programacion=programacion, user=user, comment=comment)


def programming_send(*, programacion, user, comment="") -> ProgramacionEvent:
    """BORRADOR → ENVIADA: the head of the unit sends its metas to planeación. At least one
    meta, each with its línea de acción."""
    return _programming_transition(
        programacion=programacion,
        user=user,
        action=Action.SEND,
        comment=comment,
        check=_check_sendable,
    )


def _check_sendable(programacion):
    metas = list(programacion.unidad_ejecutora.metas.prefetch_related("lineas_accion"))
    if not metas:
        raise WorkflowError("Registre al menos una meta antes de enviar la programación.")
    missing = [str(meta.numero) for meta in metas if not meta.lineas_accion.all()]
    if missing:
        raise WorkflowError(
            "Cada meta necesita al menos una línea de acción del plan municipal; faltan en "
            f"las metas {', '.join(missing)}."
        )


def programming_return(*, programacion, user, comment="") -> ProgramacionEvent:
    """ENVIADA → BORRADOR by planeación, with what the unit must correct."""
    return _programming_transition(
        programacion=programacion, user=user, action=Action.RETURN, comment=comment
    )


def programming_approve(*, programacion, user, comment="") -> ProgramacionEvent:
    """ENVIADA → APROBADA by planeación: every meta gets its first approved version and the
    programming becomes read-only. Proposed units of measure must be accepted first."""

    def check(locked):
        _check_units_accepted(locked)
        _check_sendable(locked)

    with transaction.atomic():
        event = _programming_transition(
            programacion=programacion,
            user=user,
            action=Action.APPROVE,
            comment=comment,
            check=check,
        )
        for meta in programacion.unidad_ejecutora.metas.prefetch_related("avances"):
            if not meta.versions.exists():
                _new_version(meta, user=user, when=event.created_at)
    return event


def _check_units_accepted(programacion):
    pending = UnidadMedida.objects.filter(
        metas__unidad_ejecutora=programacion.unidad_ejecutora, aceptada=False
    ).distinct()
    names = ", ".join(f"«{unidad}»" for unidad in pending)
    if names:
        raise WorkflowError(
            f"Acepte primero las unidades de medida propuestas por la unidad: {names}."
        )


def _new_version(meta, *, user, when, modificacion=None, justificacion=""):
    programmed = [p.programado for p in sorted(meta.avances.all(), key=lambda p: p.quarter)]
    last = meta.versions.aggregate(last=Max("numero"))["last"] or 0
    return MetaVersion.objects.create(
        meta=meta,
        numero=last + 1,
        descripcion=meta.descripcion,
        unidad_medida_id=meta.unidad_medida_id,
        meta_anual=meta.meta_anual,
        cancelada=meta.cancelada,
        modificacion=modificacion,
        justificacion=justificacion,
        approved_at=when,
        approved_by=user,
        **dict(zip(QUARTER_FIELDS, programmed, strict=True)),
    )


# Units of measure proposed by a unit ----------------------------------------------------------


def unit_propose(*, unidad_ejecutora, user, nombre, admite_decimales=False) -> UnidadMedida:
    """A unit drafting its programming proposes a unit of measure the catalog lacks; it can
    use it at once, and planeación accepts it before approving the programming."""
    if not access.can_capture(user, unidad_ejecutora):
        raise PermissionDenied("No programa las metas de esta unidad ejecutora.")
    nombre = " ".join((nombre or "").split()).upper()
    if not nombre:
        raise WorkflowError("Escriba el nombre de la unidad de medida.")
    if len(nombre) > 100:
        raise WorkflowError("El nombre admite como máximo 100 caracteres.")
    existing = UnidadMedida.objects.filter(nombre__iexact=nombre).first()
    if existing:
        raise WorkflowError(f"La unidad de medida «{existing}» ya existe: elíjala de la lista.")
    return UnidadMedida.objects.create(
        nombre=nombre,
        admite_decimales=admite_decimales,
        aceptada=False,
        propuesta_por=unidad_ejecutora,
    )


def unit_accept(*, unidad, user) -> UnidadMedida:
    """Planeación adds a proposed unit of measure to the catalog."""
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación acepta unidades de medida.")
    unidad.aceptada = True
    unidad.save(update_fields=["aceptada"])
    return unidad


# Modificación programática --------------------------------------------------------------------

ModificationState = Modificacion.State
MAX_JUSTIFICACION = 2000


@dataclass
class ChangeRequest:
    """What the unit asks to change in an approved meta: the figures it should have after the
    change, as typed (text, as on the programming screen)."""

    descripcion: str
    unidad_medida: UnidadMedida | None
    meta_anual: str
    programado: list
    cancelar: bool = False


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
        unidad_ejecutora_id=meta.unidad_ejecutora_id, state=State.APROBADA
    ).exists()
    if not approved:
        return (
            "La programación anual de la unidad aún no está aprobada: la meta se cambia en la "
            "programación, no con una modificación programática."
        )
    if meta.modificaciones.filter(state=ModificationState.SOLICITADA).exists():
        return "Esta meta ya tiene una solicitud de modificación pendiente de decisión."
    authorized = authorized_quarters(meta) if authorized is None else authorized
    if set(figures.QUARTERS) <= authorized:
        return "Los cuatro trimestres de la meta ya están autorizados: ya no admite modificaciones."
    return None


def validate_change(meta, change: ChangeRequest, *, authorized=None) -> tuple[CleanRow, dict]:
    """(the meta as it would be, {field: Spanish message}) for a modification of `meta`: the
    rules of the programming (validate_plan_row: whole numbers where the unit counts whole
    things, the quarters add up to the annual target), a unit of measure of the catalog that
    fits what was already achieved, the P of authorized quarters (`authorized`, read when not
    given) unchanged, and something that changes. Field "__all__": nothing changes."""
    programmed, achieved = _series(meta)
    row = PlanRow(
        key=str(meta.pk),
        numero=str(meta.numero),
        descripcion=change.descripcion,
        unidad_medida=change.unidad_medida,
        lineas=list(meta.lineas_accion.all()),
        meta_anual=change.meta_anual,
        programado=change.programado,
    )
    clean, errors = validate_plan_row(
        row,
        ejercicio_id=meta.unidad_ejecutora.ramo.ejercicio_id,
        unidad_ejecutora=meta.unidad_ejecutora,
    )
    unit_error = _unit_error(meta, change.unidad_medida, achieved)
    if unit_error:
        errors["unidad_medida"] = unit_error
    authorized = authorized_quarters(meta) if authorized is None else authorized
    for quarter in sorted(authorized):
        _check_authorized_quarter(quarter, change, programmed, errors)
    if not errors and not change.cancelar and _unchanged(meta, clean, programmed):
        errors["__all__"] = (
            "La solicitud no cambia nada de la meta: modifique alguna cifra, la descripción o "
            "la unidad de medida, o marque la cancelación."
        )
    if errors:
        return None, errors
    if _same_text(meta.descripcion, clean.descripcion):
        # Only spaces or line breaks differ: the meta keeps its text as it was.
        clean = replace(clean, descripcion=meta.descripcion)
    return clean, {}


def _series(meta):
    """(programmed, achieved) of the meta's four quarters, as stored now."""
    rows = {p.quarter: p for p in QuarterlyProgress.objects.filter(meta_id=meta.pk)}
    programmed = [rows[q].programado if q in rows else Decimal(0) for q in figures.QUARTERS]
    achieved = [rows[q].alcanzado if q in rows else None for q in figures.QUARTERS]
    return programmed, achieved


def _unit_error(meta, unidad, achieved):
    if unidad is None or unidad.pk == meta.unidad_medida_id:
        return None
    if not unidad.aceptada:
        return "Elija una unidad de medida del catálogo aceptado por planeación."
    if unidad.admite_decimales:
        return None
    fractional = [
        figures.QUARTER_LABELS[q]
        for q, value in zip(figures.QUARTERS, achieved, strict=True)
        if value is not None and value != value.to_integral_value()
    ]
    if fractional:
        return (
            f"Lo alcanzado en {', '.join(fractional)} tiene decimales y la unidad «{unidad}» "
            "solo admite números enteros."
        )
    return None


def _check_authorized_quarter(quarter, change, programmed, errors):
    name = f"programado_{quarter}"
    if name in errors:
        return
    typed = figures.parse_figure(str(change.programado[quarter - 1] or "")) or Decimal(0)
    if typed != programmed[quarter - 1]:
        errors[name] = (
            f"El informe de {figures.QUARTER_LABELS[quarter]} ya está autorizado: lo programado "
            f"en ese trimestre no cambia ({figures.format_figure(programmed[quarter - 1])})."
        )


def _same_text(stored, typed):
    return " ".join((stored or "").split()) == " ".join((typed or "").split())


def _unchanged(meta, clean, programmed):
    return (
        _same_text(meta.descripcion, clean.descripcion)
        and meta.unidad_medida_id == clean.unidad_medida.pk
        and meta.meta_anual == clean.meta_anual
        and programmed == clean.programado
    )


def modification_request(*, meta, user, justificacion, change: ChangeRequest) -> Modificacion:
    """The unit asks planeación to change an approved meta (annual target, P of quarters not
    yet authorized, description, unit of measure, or cancelling it), with a justification;
    planeación is emailed. Refused with PermissionDenied when the user does not capture for
    the unit, WorkflowError when a request cannot be made now (modification_lock_reason), and
    PlanValidationError (errors = {field: message}) when the change breaks a rule."""
    if not access.can_capture(user, meta.unidad_ejecutora):
        raise PermissionDenied("No solicita modificaciones de esta unidad ejecutora.")
    with transaction.atomic():
        meta = (
            Meta.objects.select_for_update(of=("self",))
            .select_related("unidad_ejecutora__ramo", "unidad_medida")
            .get(pk=meta.pk)
        )
        authorized = authorized_quarters(meta)
        reason = modification_lock_reason(meta, authorized)
        if reason:
            raise WorkflowError(reason)
        clean, errors = validate_change(meta, change, authorized=authorized)
        justificacion = " ".join((justificacion or "").split())
        if not justificacion:
            errors["justificacion"] = "Escriba la justificación de la modificación."
        elif len(justificacion) > MAX_JUSTIFICACION:
            errors["justificacion"] = (
                f"La justificación admite como máximo {MAX_JUSTIFICACION:,} caracteres."
            )
        if errors:
            raise PlanValidationError(
                errors, "Revise los datos marcados; no se envió la solicitud."
            )
        modificacion = Modificacion.objects.create(
            meta=meta,
            justificacion=justificacion,
            descripcion=clean.descripcion,
            unidad_medida=clean.unidad_medida,
            meta_anual=clean.meta_anual,
            cancelada=change.cancelar,
            base_version=meta.versions.order_by("-numero").first(),
            requested_by=user,
            **dict(zip(QUARTER_FIELDS, clean.programado, strict=True)),
        )
        transaction.on_commit(lambda: _notify_request(modificacion.pk))
    return modificacion


def _notify_request(modificacion_pk):
    from poa import notifications

    notifications.modification_request_notify(modificacion_pk)


def _modification_transition(*, modificacion, user, action, comment="", check=None):
    original = modificacion
    with transaction.atomic():
        modificacion = (
            Modificacion.objects.select_for_update(of=("self",))
            .select_related("meta__unidad_ejecutora__ramo__ejercicio", "meta__unidad_medida")
            .get(pk=modificacion.pk)
        )
        event = transition_make(
            machine=MODIFICATION,
            subject=modificacion,
            user=user,
            action=action,
            comment=comment,
            check=check,
            event_for=lambda **fields: ModificacionEvent(modificacion=modificacion, **fields),
        )
        transaction.on_commit(lambda: _notify("modificacion", event.pk))
    original.state = modificacion.state
    return event


def modification_transition(*, modificacion, user, action, comment=""):
    """Makes the transition `action` of poa.states.MODIFICATION through its service."""
    return MODIFICATION.service(action)(modificacion=modificacion, user=user, comment=comment)


def modification_approve(*, modificacion, user, comment="") -> ModificacionEvent:
    """SOLICITADA → APROBADA by planeación: the meta takes the requested figures and a new
    version records them. Checked again at this moment: no other modification of the meta
    was approved since the request, and the quarters authorized meanwhile keep their P."""
    with transaction.atomic():
        event = _modification_transition(
            modificacion=modificacion,
            user=user,
            action=ModificacionEvent.Action.APPROVE,
            comment=comment,
            check=_check_still_applicable,
        )
        _apply(
            Modificacion.objects.select_related("meta", "unidad_medida").get(pk=modificacion.pk),
            user,
            event,
        )
    return event


def _check_still_applicable(modificacion):
    meta = (
        Meta.objects.select_for_update(of=("self",))
        .select_related("unidad_ejecutora__ramo")
        .get(pk=modificacion.meta_id)
    )
    latest = meta.versions.order_by("-numero").first()
    if (latest.pk if latest else None) != modificacion.base_version_id:
        raise WorkflowError(
            "Otra modificación de esta meta se aprobó después de esta solicitud, que ya no "
            "puede aprobarse: recházela para que la unidad solicite una nueva sobre las cifras "
            "vigentes."
        )
    change = ChangeRequest(
        modificacion.descripcion,
        modificacion.unidad_medida,
        str(modificacion.meta_anual),
        [str(p) for p in modificacion.programmed],
        modificacion.cancelada,
    )
    _, errors = validate_change(meta, change, authorized=authorized_quarters(meta, lock=True))
    errors.pop("__all__", None)
    if errors:
        reasons = " ".join(dict.fromkeys(errors.values()))
        raise WorkflowError(
            f"No se puede aprobar la modificación: {reasons} Recházela para que la unidad "
            "solicite una nueva."
        )


def _apply(modificacion, user, event):
    meta = Meta.objects.prefetch_related("avances").get(pk=modificacion.meta_id)
    if not meta.versions.exists():
        _baseline_version(meta, user, event)
    meta.descripcion, meta.unidad_medida = modificacion.descripcion, modificacion.unidad_medida
    meta.meta_anual, meta.cancelada = modificacion.meta_anual, modificacion.cancelada
    meta.save()
    # Figures loaded from fixtures have no history yet: keep what they held before.
    history.record_baseline(list(meta.avances.all()))
    _write_programmed(meta, modificacion.programmed, user, reason="Modificación programática")
    meta = Meta.objects.prefetch_related("avances").get(pk=meta.pk)
    _new_version(
        meta,
        user=user,
        when=event.created_at,
        modificacion=modificacion,
        justificacion=modificacion.justificacion,
    )


def _baseline_version(meta, user, event):
    """The programming was approved before versions were kept: its figures become the first
    version, in force since the programming was approved (whoever approved it, when known)."""
    programacion = Programacion.objects.get(unidad_ejecutora_id=meta.unidad_ejecutora_id)
    approval = programacion.events.filter(action=Action.APPROVE).order_by("-created_at").first()
    when = min(programacion.updated_at, event.created_at)
    _new_version(meta, user=approval.user if approval else user, when=when)


def modification_reject(*, modificacion, user, comment="") -> ModificacionEvent:
    """SOLICITADA → RECHAZADA by planeación, with the reason; the meta does not change."""
    return _modification_transition(
        modificacion=modificacion,
        user=user,
        action=ModificacionEvent.Action.REJECT,
        comment=comment,
    )


@dataclass(frozen=True)
class FigureChange:
    """One field of a meta before a modification and as the modification proposes it."""

    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _yes_no(value):
    return "Sí" if value else "No"


COMPARED = (
    ("Descripción", lambda planned: " ".join(planned.descripcion.split())),
    ("Unidad de medida", lambda planned: planned.unidad_medida.nombre),
    ("Meta anual autorizada", lambda planned: figures.format_figure(planned.meta_anual)),
    *(
        (
            f"Programado {figures.QUARTER_LABELS[q]}",
            lambda planned, q=q: figures.format_figure(planned.programmed[q - 1]),
        )
        for q in figures.QUARTERS
    ),
    ("Meta cancelada", lambda planned: _yes_no(planned.cancelada)),
)


def modification_changes(modificacion) -> list[FigureChange]:
    """The meta before the modification and as it proposes it, field by field, in the order
    of the sheet: what planeación compares, what the email lists and the pages mark."""
    before = planned_before(modificacion)
    return [FigureChange(label, show(before), show(modificacion)) for label, show in COMPARED]


def planned_before(modificacion):
    """What the modification changes: the meta as it is today while the request waits, and
    the version it was requested on once decided."""
    meta = modificacion.meta
    if modificacion.state == ModificationState.SOLICITADA:
        return current_planned(meta)
    if modificacion.base_version_id:
        return modificacion.base_version
    versions = meta.versions.select_related("unidad_medida").order_by("numero")
    if modificacion.state == ModificationState.APROBADA:
        # Requested before the meta had versions: the one recorded when it was approved.
        own = MetaVersion.objects.filter(modificacion=modificacion).first()
        previous = versions.filter(numero__lt=own.numero).last() if own else None
        return previous or current_planned(meta)
    return versions.first() or current_planned(meta)


def current_planned(meta) -> MetaVersion:
    """The meta's figures today, as an unsaved version (to compare or to show)."""
    programmed, _ = _series(meta)
    return MetaVersion(
        meta=meta,
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        meta_anual=meta.meta_anual,
        cancelada=meta.cancelada,
        **dict(zip(QUARTER_FIELDS, programmed, strict=True)),
    )


# A new year from the last one -----------------------------------------------------------------


class YearCopyError(WorkflowError):
    """A new year that cannot be created: str = Spanish, `field` = the form's field."""

    def __init__(self, message, field=None):
        self.field = field
        super().__init__(message)


@dataclass
class YearCopy:
    """What a new year takes from its source: the counts the confirmation page shows before
    creating it, and the summary once created (`ejercicio` set)."""

    source: Ejercicio
    year: int
    pmd: str
    copy_metas: bool
    ramos: int = 0
    programas: int = 0
    unidades: int = 0
    responsables: int = 0  # people who sign for a ramo, programa or unit
    capturistas: int = 0
    lineas: int = 0
    metas: int = 0
    skipped: list = field(default_factory=list)  # metas not copied, with why
    ejercicio: Ejercicio | None = None

    @property
    def same_pmd(self) -> bool:
        return _same_pmd(self.pmd, self.source.pmd)

    @property
    def notes(self) -> list[str]:
        """What planeación must know besides the counts, in Spanish."""
        notes = []
        if not self.same_pmd:
            notes.append(
                f"El PMD de {self.year} es distinto del de {self.source.year}: las líneas de "
                "acción no se copian; registre las del nuevo plan antes de programar."
            )
            if self.copy_metas:
                notes.append(
                    "Las metas copiadas quedan sin línea de acción: cada unidad elige las del "
                    "nuevo plan antes de enviar su programación."
                )
        return notes + self.skipped

    @property
    def summary(self) -> list[str]:
        """The lines the command prints and the page shows once the year exists."""
        lines = [
            f"Ejercicio {self.year} creado a partir de {self.source.year}: "
            f"{_count(self.ramos, 'ramo', 'ramos')}, "
            f"{_count(self.programas, 'programa', 'programas')} y "
            f"{_count(self.unidades, 'unidad ejecutora', 'unidades ejecutoras')} con sus "
            f"responsables ({_count(self.responsables, 'persona', 'personas')}) y "
            f"{_count(self.capturistas, 'capturista', 'capturistas')}.",
            f"Líneas de acción copiadas: {self.lineas:,}.",
        ]
        if self.copy_metas:
            lines.append(
                f"Metas copiadas como borrador, con la meta anual y lo programado en 0: "
                f"{self.metas:,}."
            )
        lines.append("Cada unidad tiene su programación anual en borrador.")
        return lines + self.notes


def _count(number, one, many):
    return f"{number:,} {one if number == 1 else many}"


def _same_pmd(a, b):
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def year_plan(*, source, year, pmd=None, copy_metas=False) -> YearCopy:
    """What creating `year` from `source` (an Ejercicio or its year) would copy, without
    writing anything; YearCopyError when it cannot be created. An empty `pmd` keeps the
    source's plan, and with it its líneas de acción."""
    source = _source_year(source)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise YearCopyError("El año debe estar entre 2000 y 2100.", "year")
    if Ejercicio.objects.filter(year=year).exists():
        raise YearCopyError(f"El ejercicio {year} ya existe; no se copió nada.", "year")
    pmd = " ".join((pmd or "").split()) or source.pmd
    if len(pmd) > 200:
        raise YearCopyError("El nombre del PMD admite como máximo 200 caracteres.", "pmd")
    if _same_pmd(pmd, source.pmd):
        pmd = source.pmd
    plan = YearCopy(source=source, year=year, pmd=pmd, copy_metas=copy_metas)
    units = UnidadEjecutora.objects.filter(ramo__ejercicio=source)
    plan.ramos = source.ramos.count()
    plan.programas = Programa.objects.filter(ramo__ejercicio=source).count()
    plan.unidades = units.count()
    plan.responsables = len(_signers(source))
    plan.capturistas = (
        get_user_model().objects.filter(unidades_captura__in=units).distinct().count()
    )
    plan.lineas = source.lineas_accion.count() if plan.same_pmd else 0
    if copy_metas:
        metas = _source_metas(source)
        plan.skipped = [reason for meta in metas if (reason := _not_copied(meta))]
        plan.metas = len(metas) - len(plan.skipped)
    return plan


def _source_year(source) -> Ejercicio:
    if isinstance(source, Ejercicio):
        return source
    found = Ejercicio.objects.filter(year=source).first()
    if found is None:
        raise YearCopyError(f"No existe el ejercicio {source}: no hay de dónde copiar.", "source")
    return found


def _signers(source):
    people = set()
    for model, path in ((Ramo, "ejercicio"), (Programa, "ramo__ejercicio")):
        people |= set(model.objects.filter(**{path: source}).values_list("responsable", flat=True))
    people |= set(
        UnidadEjecutora.objects.filter(ramo__ejercicio=source).values_list("responsable", flat=True)
    )
    return people - {None}


def _source_metas(source):
    return list(
        Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=source)
        .select_related("unidad_medida", "unidad_ejecutora")
        .prefetch_related("lineas_accion")
        .order_by("unidad_ejecutora__clave", "numero")
    )


def _not_copied(meta) -> str | None:
    """Why a meta of the source does not go into the new year; None when it does."""
    where = f"La meta {meta.numero} de la UE {meta.unidad_ejecutora.clave}"
    if meta.cancelada:
        return f"{where} no se copió: está cancelada."
    if not meta.unidad_medida.aceptada:
        return (
            f"{where} no se copió: su unidad de medida «{meta.unidad_medida}» no está "
            "aceptada por planeación."
        )
    return None


def year_create_from(*, source, year, user, copy_metas=False, pmd=None) -> YearCopy:
    """Planeación creates ejercicio `year` from `source` (an Ejercicio or its year) in one
    transaction: same municipio and PMD (unless `pmd` names another), its ramos, programas
    and units with their responsables, positions, subfunción and capturistas (people and
    units of measure are shared by every year), its líneas de acción when the PMD is the
    same, and with `copy_metas` its metas as a draft with the annual target and P at 0
    (cancelled ones and those with a unit of measure planeación has not accepted stay out).
    Every unit starts its programming in BORRADOR. The source is not changed. Refused with
    PermissionDenied for anyone else, and YearCopyError when the year exists or the source
    does not."""
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación crea un ejercicio nuevo.")
    try:
        with transaction.atomic():
            plan = year_plan(source=source, year=year, pmd=pmd, copy_metas=copy_metas)
            source = plan.source
            ejercicio = Ejercicio.objects.create(
                year=year, municipio=source.municipio, pmd=plan.pmd
            )
            lineas = _copy_lineas(source, ejercicio) if plan.same_pmd else {}
            units = _copy_units(source, ejercicio)
            for unit in units.values():
                programming_of(unit)
            if copy_metas:
                _copy_metas(_source_metas(source), units, lineas, user)
    except IntegrityError as error:
        # Someone created the same year at the same time.
        raise YearCopyError(f"El ejercicio {year} ya existe; no se copió nada.", "year") from error
    plan.ejercicio = ejercicio
    return plan


def _copy_lineas(source, ejercicio) -> dict:
    return {
        linea.pk: LineaAccion.objects.create(
            ejercicio=ejercicio, clave=linea.clave, nombre=linea.nombre
        )
        for linea in source.lineas_accion.all()
    }


def _signer_fields(entry):
    return {
        "clave": entry.clave,
        "nombre": entry.nombre,
        "responsable_id": entry.responsable_id,
        "cargo_responsable": entry.cargo_responsable,
    }


def _copy_units(source, ejercicio) -> dict:
    """The source's ramos, programas and units in the new year: {source unit pk: new unit}."""
    units = {}
    for ramo in source.ramos.prefetch_related("programas", "unidades__capturistas"):
        new_ramo = Ramo.objects.create(ejercicio=ejercicio, **_signer_fields(ramo))
        programas = {
            programa.pk: Programa.objects.create(ramo=new_ramo, **_signer_fields(programa))
            for programa in ramo.programas.all()
        }
        for ue in ramo.unidades.all():
            units[ue.pk] = new = UnidadEjecutora.objects.create(
                ramo=new_ramo,
                programa=programas[ue.programa_id],
                subfuncion_id=ue.subfuncion_id,
                **_signer_fields(ue),
            )
            new.capturistas.set(ue.capturistas.all())
    return units


def _copy_metas(metas, units, lineas, user):
    """Each unit's metas as its draft programming, through the programming's own checks."""
    by_unit = {}
    for meta in metas:
        if _not_copied(meta) is None:
            by_unit.setdefault(meta.unidad_ejecutora_id, []).append(_draft_row(meta, lineas))
    for source_pk, rows in by_unit.items():
        ue = units[source_pk]
        _store(_clean_rows(rows, {}, ue), {}, rows, ue, user)
        Programacion.objects.filter(unidad_ejecutora=ue).update(version=F("version") + 1)


def _draft_row(meta, lineas) -> PlanRow:
    return PlanRow(
        key=f"nueva-{meta.numero}",
        numero=str(meta.numero),
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        lineas=[lineas[linea.pk] for linea in meta.lineas_accion.all() if linea.pk in lineas],
        meta_anual="0",
        programado=["0"] * len(figures.QUARTERS),
    )


# A year loaded from an Excel workbook (poa.imports) -------------------------------------------


class ProgrammingLoadError(WorkflowError):
    """Some units cannot be approved on loading: errors = {unit pk: Spanish message}."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("Algunas programaciones no se pueden aprobar; no se aprobó ninguna.")


def programming_import(*, programacion, user, rows) -> PlanSaveResult:
    """Planeación drafts a unit's programming from a workbook: adds the rows' metas and
    changes the ones they name (PlanRow.key is the meta's pk), with the rules and the
    all-or-nothing save of the unit's screen; metas the rows do not mention stay as they
    are. Refused unless the user is planeación (PermissionDenied) and the programming is a
    draft (WorkflowError); PlanValidationError for wrong rows."""
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación importa la programación de las unidades.")
    with transaction.atomic():
        programacion = _locked_programming(programacion)
        reason = programming_lock_reason(programacion)
        if reason:
            raise WorkflowError(reason)
        ue = programacion.unidad_ejecutora
        metas = {meta.pk: meta for meta in ue.metas.prefetch_related("lineas_accion", "avances")}
        clean = _clean_rows(rows, metas, ue)
        kept = [row for row in clean if row.meta_id is not None]
        changed = _store(kept, metas, rows, ue, user)
        changed += _create_metas([row for row in clean if row.meta_id is None], ue, user)
        if changed:
            programacion.version += 1
            programacion._history_user = user
            programacion.save(update_fields=["version", "updated_at"])
    return PlanSaveResult(programacion, changed)


def _create_metas(rows, ue, user) -> int:
    """Adds new metas in a few queries whatever their number (a year's workbook brings
    thousands): the metas, their líneas and their four quarters, each quarter with its
    history record, as _write_meta would one by one."""
    created = Meta.objects.bulk_create(
        Meta(
            unidad_ejecutora=ue,
            numero=row.numero,
            descripcion=row.descripcion,
            unidad_medida=row.unidad_medida,
            meta_anual=row.meta_anual,
        )
        for row in rows
    )
    through = Meta.lineas_accion.through
    through.objects.bulk_create(
        through(meta=meta, lineaaccion=linea)
        for meta, row in zip(created, rows, strict=True)
        for linea in row.lineas
    )
    quarters = [
        QuarterlyProgress(meta=meta, quarter=quarter, programado=programado)
        for meta, row in zip(created, rows, strict=True)
        for quarter, programado in zip(figures.QUARTERS, row.programado, strict=True)
    ]
    bulk_create_with_history(
        quarters, QuarterlyProgress, default_user=user, default_change_reason="Programación anual"
    )
    return len(created)


def programming_load(*, programacion, user, comment="") -> ProgramacionEvent:
    """BORRADOR → APROBADA by planeación for a programming loaded from a workbook: the unit
    did not send it, and its timeline says so. The checks of an approval (at least one meta,
    each with its línea de acción; units of measure accepted); every meta gets its first
    approved version. Nobody is emailed: a whole year is loaded at once."""

    def check(locked):
        _check_units_accepted(locked)
        _check_sendable(locked)

    original = programacion
    with transaction.atomic():
        programacion = _locked_programming(programacion)
        event = transition_make(
            machine=PROGRAMMING,
            subject=programacion,
            user=user,
            action=Action.LOAD,
            comment=comment,
            check=check,
            event_for=lambda **fields: ProgramacionEvent(programacion=programacion, **fields),
        )
        metas = programacion.unidad_ejecutora.metas.prefetch_related("avances", "versions")
        when = event.created_at
        MetaVersion.objects.bulk_create(
            _first_version(meta, user, when) for meta in metas if not meta.versions.all()
        )
    original.pk, original.state = programacion.pk, programacion.state
    return event


def _first_version(meta, user, when) -> MetaVersion:
    """The unsaved first approved version of a meta, as _new_version stores it."""
    programmed = [p.programado for p in sorted(meta.avances.all(), key=lambda p: p.quarter)]
    return MetaVersion(
        meta=meta,
        numero=1,
        descripcion=meta.descripcion,
        unidad_medida_id=meta.unidad_medida_id,
        meta_anual=meta.meta_anual,
        cancelada=meta.cancelada,
        approved_at=when,
        approved_by=user,
        **dict(zip(QUARTER_FIELDS, programmed, strict=True)),
    )


def programming_load_approved(*, ejercicio, user) -> list[ProgramacionEvent]:
    """Approves, through programming_load, the draft programming of every unit of the year
    (after an import by planeación): all of them or none. ProgrammingLoadError lists why
    each refused unit cannot be approved."""
    from poa.models import UnidadEjecutora

    events, errors = [], {}
    units = UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio)
    with transaction.atomic():
        for ue in units.order_by("ramo__clave", "clave"):
            programacion = programming_of(ue)
            if programacion.state != State.BORRADOR:
                continue
            try:
                events.append(programming_load(programacion=programacion, user=user))
            except WorkflowError as error:
                errors[ue.pk] = str(error)
        if errors:
            raise ProgrammingLoadError(errors)
    return events
