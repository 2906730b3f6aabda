"""Services of the modificación programática: the unit asks to change an approved meta (its
annual target, the P of quarters not yet authorized, its description, its unit of measure, or
cancelling it) with a justification, and planeación approves or rejects it. Authorized
quarters never change; every approved state of a meta is kept as a MetaVersion. The states
and transitions are poa.states.MODIFICATION."""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from poa import access, figures, history, planning
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
from poa.states import MODIFICATION

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
        unidad_ejecutora_id=meta.unidad_ejecutora_id, state=Programacion.State.APROBADA
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


def validate_change(
    meta, change: ChangeRequest, *, authorized=None
) -> tuple[planning.CleanRow, dict]:
    """(the meta as it would be, {field: Spanish message}) for a modification of `meta`: the
    rules of the programming (planning.validate_plan_row: whole numbers where the unit counts whole
    things, the quarters add up to the annual target), a unit of measure of the catalog that
    fits what was already achieved, the P of authorized quarters (`authorized`, read when not
    given) unchanged, and something that changes. Field "__all__": nothing changes."""
    programmed, achieved = _series(meta)
    row = planning.PlanRow(
        key=str(meta.pk),
        numero=str(meta.numero),
        descripcion=change.descripcion,
        unidad_medida=change.unidad_medida,
        lineas=list(meta.lineas_accion.all()),
        meta_anual=change.meta_anual,
        programado=change.programado,
    )
    clean, errors = planning.validate_plan_row(
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
    planning.PlanValidationError (errors = {field: message}) when the change breaks a rule."""
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
            raise planning.PlanValidationError(
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
            **dict(zip(planning.QUARTER_FIELDS, clean.programado, strict=True)),
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
        transaction.on_commit(lambda: planning.notify("modificacion", event.pk))
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
    planning.write_programmed(
        meta, modificacion.programmed, user, reason="Modificación programática"
    )
    meta = Meta.objects.prefetch_related("avances").get(pk=meta.pk)
    planning.new_version(
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
    approval = (
        programacion.events.filter(action=ProgramacionEvent.Action.APPROVE)
        .order_by("-created_at")
        .first()
    )
    when = min(programacion.updated_at, event.created_at)
    planning.new_version(meta, user=approval.user if approval else user, when=when)


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
        **dict(zip(planning.QUARTER_FIELDS, programmed, strict=True)),
    )
