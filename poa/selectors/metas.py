"""Reads of a meta: its page through the access rules, its approved versions and the
modificaciones requested on it, with their timeline."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    IntegerField,
    Prefetch,
    Value,
    When,
)
from django.http import Http404

from poa.models import Meta, Modificacion, ModificacionEvent
from poa.rules.states import MODIFICATION
from poa.selectors import access
from poa.selectors.access import signer_name


def meta_or_404(user, pk) -> Meta:
    """A meta of a unit the user may see, with its unit's catalog (404 otherwise)."""
    meta = (
        Meta.objects.select_related(
            "unidad_medida",
            "unidad_ejecutora__ramo__ejercicio",
            "unidad_ejecutora__programa",
            "unidad_ejecutora__responsable",
        )
        .prefetch_related("lineas_accion", "avances")
        .filter(pk=pk)
        .first()
    )
    if meta is None or not access.can_view_unit(user, meta.unidad_ejecutora):
        raise Http404("No existe la meta o no tiene acceso a ella.")
    return meta


def meta_versions(meta):
    """The approved versions of the meta, first to last, with who approved them."""
    return meta.versions.select_related("unidad_medida", "approved_by", "modificacion").order_by(
        "numero"
    )


@dataclass(frozen=True)
class Step:
    """One line of a modification's timeline: the request, then each decision."""

    label: str
    who: str
    when: datetime
    comment: str
    kind: str  # request, approve, reject: the timeline's bullet


MODIFICATION_RELATED = (
    "meta__unidad_ejecutora__ramo__ejercicio",
    "meta__unidad_ejecutora__programa",
    "meta__unidad_medida",
    "unidad_medida",
    "requested_by__persona",
    "base_version__unidad_medida",
)


def modification_or_404(user, pk) -> Modificacion:
    """A request of a unit the user may see (404 otherwise)."""
    modificacion = (
        Modificacion.objects.select_related(*MODIFICATION_RELATED)
        .prefetch_related(_decisions())
        .filter(pk=pk)
        .first()
    )
    if modificacion is None or not access.can_view_unit(user, modificacion.meta.unidad_ejecutora):
        raise Http404("No existe la solicitud de modificación o no tiene acceso a ella.")
    return modificacion


def _decisions():
    return Prefetch("events", queryset=ModificacionEvent.objects.order_by("created_at", "id"))


def meta_modifications(meta) -> list[Modificacion]:
    """Every request to modify the meta, newest first, with its decisions."""
    return list(
        meta.modificaciones.select_related("unidad_medida", "requested_by__persona")
        .prefetch_related(_decisions())
        .order_by("-requested_at", "-id")
    )


def modification_timeline(modificacion) -> list[Step]:
    """The request and then each decision on it, oldest first (decisions prefetched)."""
    steps = [
        Step(
            MODIFICATION.initial.label,
            signer_name(modificacion.requested_by),
            modificacion.requested_at,
            modificacion.justificacion,
            "request",
        )
    ]
    for event in modificacion.events.all():
        who = event.signer_name
        if event.signer_position:
            who += f" · {event.signer_position}"
        steps.append(
            Step(event.get_action_display(), who, event.created_at, event.comment, event.action)
        )
    return steps


def modifications_for_planeacion():
    """Every request, those waiting for a decision first, newest first otherwise."""
    waiting = Case(
        When(state=Modificacion.State.SOLICITADA, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Modificacion.objects.select_related(*MODIFICATION_RELATED)
        .annotate(waiting=waiting)
        .order_by("waiting", "-requested_at", "-id")
    )


def pending_modifications(user) -> list[Modificacion]:
    """The requests waiting for the user's decision, oldest first: planeación decides them,
    nobody else."""
    if not access.is_planeacion(user):
        return []
    return list(
        Modificacion.objects.filter(state=Modificacion.State.SOLICITADA)
        .select_related(*MODIFICATION_RELATED)
        .order_by("requested_at", "id")
    )
