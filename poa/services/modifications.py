"""Services of the modificación programática: the unit asks to change an approved meta (its
annual target, the P of quarters not yet authorized, its description, its unit of measure, or
cancelling it) with a justification, and planeación approves or rejects it. Authorized
quarters never change; every approved state of a meta is kept as a MetaVersion. The states
and transitions are poa.rules.states.MODIFICATION."""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from poa.models import (
    QUARTER_FIELDS,
    Meta,
    Modificacion,
    ModificacionEvent,
    Programacion,
    ProgramacionEvent,
    UnidadMedida,
)
from poa.rules import figures
from poa.rules.states import MODIFICATION, WorkflowError
from poa.selectors import access, history
from poa.selectors.locks import authorized_quarters, modification_lock_reason
from poa.services import audit, notifications, programming
from poa.services.transitions import Flow, transition_run
from poa.services.versions import new_version, stored_series

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


def validate_change(
    meta, change: ChangeRequest, *, authorized=None
) -> tuple[programming.CleanRow, dict]:
    """(the meta as it would be, {field: Spanish message}) for a modification of `meta`: the
    rules of the programming (programming.validate_plan_row: whole numbers where the unit
    counts whole things, the quarters add up to the annual target), a unit of measure of the
    catalog that
    fits what was already achieved, the P of authorized quarters (`authorized`, read when not
    given) unchanged, and something that changes. Field "__all__": nothing changes."""
    programmed, achieved = stored_series(meta)
    row = programming.PlanRow(
        key=str(meta.pk),
        numero=str(meta.numero),
        descripcion=change.descripcion,
        unidad_medida=change.unidad_medida,
        lineas=list(meta.lineas_accion.all()),
        meta_anual=change.meta_anual,
        programado=change.programado,
    )
    clean, errors = programming.validate_plan_row(
        row,
        ejercicio_id=meta.unidad_ejecutora.ramo.ejercicio_id,
        unidad_ejecutora=meta.unidad_ejecutora,
    )
    measure_error = _measure_error(meta, change.unidad_medida, achieved)
    if measure_error:
        errors["unidad_medida"] = measure_error
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


def _measure_error(meta, measure, achieved):
    if measure is None or measure.pk == meta.unidad_medida_id:
        return None
    if not measure.aceptada:
        return "Elija una unidad de medida del catálogo aceptado por planeación."
    if measure.admite_decimales:
        return None
    fractional = [
        figures.QUARTER_LABELS[q]
        for q, value in zip(figures.QUARTERS, achieved, strict=True)
        if value is not None and value != value.to_integral_value()
    ]
    if fractional:
        return (
            f"Lo alcanzado en {', '.join(fractional)} tiene decimales y la unidad «{measure}» "
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
    programming.PlanValidationError (errors = {field: message}) when the change breaks a rule."""
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
            raise programming.PlanValidationError(
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
        audit.meta_record(
            kind=audit.Kind.MODIFICATION,
            user=user,
            meta=meta,
            description=f"Solicitó una modificación programática: {justificacion}",
        )
        # A job of the queue, as every email: a mail server down never fails the request.
        notifications.email_enqueue(notifications.modification_request_email, modificacion.pk)
    return modificacion


def modification_approve(*, modificacion, user, comment="") -> ModificacionEvent:
    """SOLICITADA → APROBADA by planeación: the meta takes the requested figures and a new
    version records them. Checked again at this moment: no other modification of the meta
    was approved since the request, and the quarters authorized meanwhile keep their P."""
    return _run(modificacion, user, ModificacionEvent.Action.APPROVE, comment)


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


def _apply(modificacion, event, user):
    meta = Meta.objects.prefetch_related("avances").get(pk=modificacion.meta_id)
    if not meta.versions.exists():
        _baseline_version(meta, user, event)
    meta.descripcion, meta.unidad_medida = modificacion.descripcion, modificacion.unidad_medida
    meta.meta_anual, meta.cancelada = modificacion.meta_anual, modificacion.cancelada
    meta.save()
    # Figures loaded from fixtures have no history yet: keep what they held before.
    history.record_baseline(list(meta.avances.all()))
    programming.write_programmed(
        meta, modificacion.programmed, user, reason="Modificación programática"
    )
    meta = Meta.objects.prefetch_related("avances").get(pk=meta.pk)
    new_version(
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
    new_version(meta, user=approval.user if approval else user, when=when)


def modification_reject(*, modificacion, user, comment="") -> ModificacionEvent:
    """SOLICITADA → RECHAZADA by planeación, with the reason; the meta does not change."""
    return _run(modificacion, user, ModificacionEvent.Action.REJECT, comment)


def _locked(modificacion) -> Modificacion:
    return (
        Modificacion.objects.select_for_update(of=("self",))
        .select_related(
            "meta__unidad_ejecutora__ramo__ejercicio", "meta__unidad_medida", "unidad_medida"
        )
        .get(pk=modificacion.pk)
    )


def _run(modificacion, user, action, comment):
    return transition_run(FLOW, subject=modificacion, user=user, action=action, comment=comment)


FLOW = Flow(
    machine=MODIFICATION,
    lock=_locked,
    event=lambda modificacion, **fields: ModificacionEvent(modificacion=modificacion, **fields),
    checks={ModificacionEvent.Action.APPROVE: _check_still_applicable},
    effects={ModificacionEvent.Action.APPROVE: _apply},
    keep=("state",),
)
