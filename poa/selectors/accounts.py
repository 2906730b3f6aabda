"""The accounts planeación manages: who works for each unit of a year."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from poa.models import UnidadEjecutora


def unit_accounts(ue):
    """The active accounts of the unit: its capturistas and the account of its head."""
    head = ue.responsable.usuario_id if ue.responsable_id else None
    ids = [*ue.capturistas.values_list("pk", flat=True), head]
    return get_user_model().objects.filter(is_active=True, pk__in=ids).order_by("username")


def units_with_accounts(ejercicio):
    """The units of the year, each with `active_capturistas` and its head's account."""
    active = get_user_model().objects.filter(is_active=True).order_by("username")
    return (
        UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio)
        .select_related("ramo", "responsable__usuario")
        .prefetch_related(Prefetch("capturistas", queryset=active, to_attr="active_capturistas"))
        .order_by("ramo__clave", "clave")
    )
