"""Services of the annual programming: the only code that drafts a unit's metas, moves its
programming towards planeación's approval, and changes an approved meta (modificación
programática). The twin of poa.workflow for the beginning of the year: keyword-only, one
transaction with the subject locked, checks who may act and from which state, records what
happened and returns it. The states and transitions are poa.states' PROGRAMMING and
MODIFICATION."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max

from poa import access, figures
from poa.machinery import WorkflowError, transition_make
from poa.models import (
    Meta,
    MetaVersion,
    Modificacion,
    ModificacionEvent,
    Programacion,
    ProgramacionEvent,
    QuarterlyProgress,
    Report,
    UnidadMedida,
)
from poa.states import MODIFICATION, PROGRAMMING

Action = ProgramacionEvent.Action
State = Programacion.State
MAX_DESCRIPCION = 2000
MAX_NUMERO = 99999
PARKED_NUMBERS = 1_000_000  # above any meta number: where renumbered metas wait
QUARTER_FIELDS = tuple(f"programado_{q}" for q in figures.QUARTERS)


class PlanValidationError(WorkflowError):
    """Some metas cannot be saved: errors = {row key: {field: Spanish message}}."""

    def __init__(self, errors, message="Revise las metas marcadas; no se guardó ningún cambio."):
        self.errors = errors
        super().__init__(message)


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
    annual = _figure(row.meta_anual, "meta_anual", errors, rules, required="Escriba la meta anual.")
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


def programming_save(*, programacion, user, version, rows) -> PlanSaveResult:
    """Saves the unit's draft programming as typed, every meta or none: adds, changes and
    removes metas, with four quarters each. Refused when the user does not draft for the
    unit (PermissionDenied), the programming is not a draft (WorkflowError), someone saved
    since `version` (StaleProgrammingError) or a row is wrong (PlanValidationError)."""
    with transaction.atomic():
        programacion = _locked_programming(programacion)
        ue = programacion.unidad_ejecutora
        if not access.can_capture(user, ue):
            raise PermissionDenied("No programa las metas de esta unidad ejecutora.")
        reason = programming_lock_reason(programacion)
        if reason:
            raise WorkflowError(reason)
        if _as_int(version) != programacion.version:
            raise StaleProgrammingError()
        metas = {meta.pk: meta for meta in ue.metas.prefetch_related("lineas_accion", "avances")}
        clean = _clean_rows(rows, metas, ue)
        changed = _store(clean, metas, rows, ue, user)
        if changed:
            programacion.version += 1
            programacion._history_user = user
            programacion.save(update_fields=["version", "updated_at"])
    return PlanSaveResult(programacion, changed)


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


def _clean_rows(rows, metas, ue):
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
        raise PlanValidationError(errors)
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


@dataclass
class ChangeRequest:
    """What the unit asks to change in an approved meta: the figures it should have after the
    change, as typed."""

    descripcion: str
    unidad_medida: UnidadMedida | None
    meta_anual: str
    programado: list
    cancelar: bool = False


def authorized_quarters(meta) -> set[int]:
    """The quarters of the meta's unit whose report is authorized: their P never change."""
    return set(
        Report.objects.filter(
            unidad_ejecutora_id=meta.unidad_ejecutora_id, state=Report.State.AUTORIZADO
        ).values_list("quarter", flat=True)
    )


def validate_change(meta, change: ChangeRequest) -> tuple[CleanRow | None, dict]:
    """(the meta as it would be, {field: Spanish message}) for a modification of `meta`."""
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
    current = _programmed(meta)
    if clean:
        for quarter in sorted(authorized_quarters(meta)):
            if clean.programado[quarter - 1] != current[quarter - 1]:
                errors[f"programado_{quarter}"] = (
                    f"El informe de {figures.QUARTER_LABELS[quarter]} ya está autorizado: lo "
                    f"programado en ese trimestre no puede cambiar "
                    f"({figures.format_figure(current[quarter - 1])})."
                )
    if clean and not errors and not change.cancelar and _same_as(meta, clean, current):
        errors["__all__"] = "La solicitud no cambia nada de la meta."
    return (None if errors else clean), errors


def _programmed(meta):
    return [p.programado for p in QuarterlyProgress.objects.filter(meta=meta).order_by("quarter")]


def _same_as(meta, clean, current):
    return (meta.descripcion, meta.unidad_medida_id, meta.meta_anual, current) == (
        clean.descripcion,
        clean.unidad_medida.pk,
        clean.meta_anual,
        clean.programado,
    )


def modification_request(*, meta, user, justificacion, change: ChangeRequest) -> Modificacion:
    """The unit asks planeación to change an approved meta (annual target, P of quarters not
    yet authorized, description, unit of measure, or cancelling it), with a justification.
    Refused with PlanValidationError ({"meta": {field: message}}) when the change breaks a
    rule, and WorkflowError when the programming is not approved or a request is pending."""
    ue = meta.unidad_ejecutora
    if not access.can_capture(user, ue):
        raise PermissionDenied("No solicita modificaciones de esta unidad ejecutora.")
    with transaction.atomic():
        meta = (
            Meta.objects.select_for_update()
            .select_related("unidad_ejecutora__ramo")
            .get(pk=meta.pk)
        )
        if not Programacion.objects.filter(unidad_ejecutora=ue, state=State.APROBADA).exists():
            raise WorkflowError(
                "La programación de la unidad no está aprobada: cambie la meta en la "
                "programación anual."
            )
        if meta.modificaciones.filter(state=Modificacion.State.SOLICITADA).exists():
            raise WorkflowError("Esta meta ya tiene una modificación pendiente de decisión.")
        if meta.cancelada:
            raise WorkflowError("La meta está cancelada.")
        clean, errors = validate_change(meta, change)
        justificacion = " ".join((justificacion or "").split())
        if not justificacion:
            errors["justificacion"] = "Escriba la justificación de la modificación."
        if errors:
            raise PlanValidationError(
                errors, "Revise los datos marcados; no se envió la solicitud."
            )
        return Modificacion.objects.create(
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
    version records them; the quarters authorized meanwhile are checked again."""
    with transaction.atomic():
        event = _modification_transition(
            modificacion=modificacion,
            user=user,
            action=ModificacionEvent.Action.APPROVE,
            comment=comment,
            check=_check_still_applicable,
        )
        _apply(Modificacion.objects.select_related("meta").get(pk=modificacion.pk), user, event)
    return event


def _check_still_applicable(modificacion):
    meta = Meta.objects.select_for_update().get(pk=modificacion.meta_id)
    latest = meta.versions.order_by("-numero").first()
    if latest and latest.pk != modificacion.base_version_id:
        raise WorkflowError(
            "Otra modificación de esta meta se aprobó después de esta solicitud; recházela y "
            "pida a la unidad una nueva."
        )
    change = ChangeRequest(
        modificacion.descripcion,
        modificacion.unidad_medida,
        str(modificacion.meta_anual),
        [str(p) for p in modificacion.programmed],
        modificacion.cancelada,
    )
    _, errors = validate_change(meta, change)
    errors.pop("__all__", None)
    if errors:
        raise WorkflowError(" ".join(errors.values()))


def _apply(modificacion, user, event):
    meta = modificacion.meta
    meta = Meta.objects.prefetch_related("avances").get(pk=meta.pk)
    if not meta.versions.exists():
        # Programming approved before versions were kept: its figures are the first version.
        _new_version(meta, user=user, when=event.created_at)
    meta.descripcion, meta.unidad_medida = modificacion.descripcion, modificacion.unidad_medida
    meta.meta_anual, meta.cancelada = modificacion.meta_anual, modificacion.cancelada
    meta.save()
    _write_programmed(meta, modificacion.programmed, user, reason="Modificación programática")
    meta = Meta.objects.prefetch_related("avances").get(pk=meta.pk)
    _new_version(
        meta,
        user=user,
        when=event.created_at,
        modificacion=modificacion,
        justificacion=modificacion.justificacion,
    )


def modification_reject(*, modificacion, user, comment="") -> ModificacionEvent:
    """SOLICITADA → RECHAZADA by planeación, with the reason; the meta does not change."""
    return _modification_transition(
        modificacion=modificacion,
        user=user,
        action=ModificacionEvent.Action.REJECT,
        comment=comment,
    )
