"""Services of the annual programming: the only code that drafts a unit's metas and moves its
programming towards planeación's approval, from its screen or from a workbook. The twin of
poa.services.review for the beginning of the year: keyword-only, one transaction with the subject
locked, checks who may act and from which state, records what happened and returns it. The
states and transitions are poa.rules.states' PROGRAMMING. Changes to an approved meta live in
poa.services.modifications, a new year from the last one in poa.services.years."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from poa.models import (
    QUARTER_FIELDS,
    Meta,
    Programacion,
    ProgramacionEvent,
    QuarterlyProgress,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.rules import figures
from poa.rules.states import PROGRAMMING, WorkflowError
from poa.rules.text import as_int
from poa.selectors import access
from poa.selectors.locks import programming_lock_reason
from poa.services.transitions import Flow, transition_run
from poa.services.versions import first_versions

Action = ProgramacionEvent.Action
State = Programacion.State
MAX_DESCRIPCION = 2000
MAX_NUMERO = 99999
PARKED_NUMBERS = 1_000_000  # above any meta number: where renumbered metas wait
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
    measure = row.unidad_medida
    if measure is None:
        errors["unidad_medida"] = "Elija la unidad de medida."
    elif not measure.aceptada and measure.propuesta_por_id != unidad_ejecutora.pk:
        errors["unidad_medida"] = "Esa unidad de medida aún no está aceptada por planeación."
    if any(linea.ejercicio_id != ejercicio_id for linea in row.lineas):
        errors["lineas"] = "Use solo líneas de acción del plan de este ejercicio."
    rules = {
        "whole_only": measure is not None and not measure.admite_decimales,
        "measure": measure.nombre if measure else "",
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
        row.meta_id, int(numero), descripcion, measure, list(row.lineas), annual, programmed
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
        if as_int(version) != programacion.version:
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


def programming_edited(*, unidad_ejecutora, user, reason="Corrección en administración"):
    """A meta of the unit's draft programming was changed outside its screen (the admin, where
    metas_lock_reason allowed it): the programming's version moves on, so a screen opened
    before refuses to overwrite the change."""
    with transaction.atomic():
        programacion = _locked_programming(programming_of(unidad_ejecutora))
        reason_locked = programming_lock_reason(programacion)
        if reason_locked:
            raise WorkflowError(reason_locked)
        programacion.version += 1
        programacion._history_user = user
        programacion._change_reason = reason
        programacion.save(update_fields=["version", "updated_at"])
    return programacion


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
    write_programmed(meta, row.programado, user, reason="Programación anual")


def draft_metas(*, unidad_ejecutora, user, rows) -> int:
    """Writes `rows` as new metas of the unit's draft programming, checked by the rules of the
    programming screen: planeación's copy of a year into the next (poa.services.years)."""
    ue = unidad_ejecutora
    return _store(_clean_rows(rows, {}, ue), {}, rows, ue, user)


def write_programmed(meta, programmed, user, *, reason):
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


def programming_send(*, programacion, user, comment="") -> ProgramacionEvent:
    """BORRADOR → ENVIADA: the head of the unit sends its metas to planeación. At least one
    meta, each with its línea de acción."""
    return _run(programacion, user, Action.SEND, comment)


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


def programming_mark_ready(*, programacion, user, comment="") -> ProgramacionEvent:
    """A capturista tells the head of the unit that the metas are ready (BORRADOR stays
    BORRADOR): only a programming that could be sent as it is."""
    return _run(programacion, user, Action.READY, comment)


def programming_return(*, programacion, user, comment="") -> ProgramacionEvent:
    """ENVIADA → BORRADOR by planeación, with what the unit must correct."""
    return _run(programacion, user, Action.RETURN, comment)


def programming_approve(*, programacion, user, comment="") -> ProgramacionEvent:
    """ENVIADA → APROBADA by planeación: every meta gets its first approved version and the
    programming becomes read-only. Proposed units of measure must be accepted first."""
    return _run(programacion, user, Action.APPROVE, comment)


def _check_approvable(programacion):
    _check_measures_accepted(programacion)
    _check_sendable(programacion)


def _record_first_versions(programacion, event, user):
    metas = programacion.unidad_ejecutora.metas.prefetch_related("avances", "versions")
    first_versions(metas, user=user, when=event.created_at)


def _check_measures_accepted(programacion):
    pending = UnidadMedida.objects.filter(
        metas__unidad_ejecutora=programacion.unidad_ejecutora, aceptada=False
    ).distinct()
    names = ", ".join(f"«{measure}»" for measure in pending)
    if names:
        raise WorkflowError(
            f"Acepte primero las unidades de medida propuestas por la unidad: {names}."
        )


# Units of measure proposed by a unit ----------------------------------------------------------


def measure_propose(*, unidad_ejecutora, user, nombre, admite_decimales=False) -> UnidadMedida:
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


def measure_accept(*, measure, user) -> UnidadMedida:
    """Planeación adds a proposed unit of measure to the catalog."""
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación acepta unidades de medida.")
    measure.aceptada = True
    measure.save(update_fields=["aceptada"])
    return measure


# A year loaded from an Excel workbook (poa.services.imports)
# -------------------------------------------


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
    return _run(programacion, user, Action.LOAD, comment)


def _run(programacion, user, action, comment):
    return transition_run(FLOW, subject=programacion, user=user, action=action, comment=comment)


FLOW = Flow(
    machine=PROGRAMMING,
    lock=_locked_programming,
    event=lambda programacion, **fields: ProgramacionEvent(programacion=programacion, **fields),
    checks={
        Action.SEND: _check_sendable,
        Action.READY: _check_sendable,
        Action.APPROVE: _check_approvable,
        Action.LOAD: _check_approvable,
    },
    effects={Action.APPROVE: _record_first_versions, Action.LOAD: _record_first_versions},
)


def programming_load_approved(*, ejercicio, user) -> list[ProgramacionEvent]:
    """Approves, through programming_load, the draft programming of every unit of the year
    (after an import by planeación): all of them or none. ProgrammingLoadError lists why
    each refused unit cannot be approved."""

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
