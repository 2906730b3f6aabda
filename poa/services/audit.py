"""The audit trail (poa.models.AuditEvent): each service that changes something, the download
of an evidence file and each login write one line here, in the same transaction as what they
record. Nothing else writes it and nothing changes it."""

from django.utils import timezone

from poa.models import AuditEvent, Meta, UnidadEjecutora
from poa.rules.states import MODIFICATION

Kind = AuditEvent.Kind


def audit_record(*, kind, user, description, unidad_ejecutora=None, quarter=None, year=None):
    """Writes one event of the year of `unidad_ejecutora` (or `year`, or the current one)."""
    if year is None and unidad_ejecutora is not None:
        year = _year_of(unidad_ejecutora)
    return AuditEvent.objects.create(
        kind=kind,
        year=year or timezone.localtime().year,
        user=user if user and user.is_authenticated else None,
        username=getattr(user, "username", "") or "",
        unidad_ejecutora=unidad_ejecutora,
        quarter=quarter,
        description=description[:2000],
    )


def _year_of(ue):
    if "ramo" in ue._state.fields_cache and "ejercicio" in ue.ramo._state.fields_cache:
        return ue.ramo.ejercicio.year
    years = UnidadEjecutora.objects.filter(pk=ue.pk).values_list("ramo__ejercicio__year", flat=True)
    return years[0]


def transition_record(machine, subject, user, event, transition):
    """A step of any workflow: a report's signature, a programming's approval, a decision on
    a modificación."""
    kind = Kind.MODIFICATION if machine.name == MODIFICATION.name else Kind.TRANSITION
    description = f"{transition.event}: {subject}"
    if event.comment:
        description += f" · «{event.comment}»"
    audit_record(
        kind=kind,
        user=user,
        description=description,
        unidad_ejecutora=subject.unidad_ejecutora,
        quarter=getattr(subject, "quarter", None),
    )


def meta_record(*, kind, user, meta: Meta, quarter=None, description):
    audit_record(
        kind=kind,
        user=user,
        description=f"Meta {meta.numero}: {description}",
        unidad_ejecutora=meta.unidad_ejecutora,
        quarter=quarter,
    )


def login_record(user):
    audit_record(kind=Kind.LOGIN, user=user, description="Inició sesión.")
