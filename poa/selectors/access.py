"""Who may see or do what on which unit. One small function per question; every view,
service and document asks here instead of repeating the rule."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404

from poa.models import Persona, UnidadEjecutora
from poa.rules import states

PLANEACION_GROUP = "Planeación"
PLANEACION_POSITION = "PLANEACIÓN"
CONTRALORIA_GROUP = "Contraloría"


def is_planeacion(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or PLANEACION_GROUP in _group_names(user)


def is_contraloria(user) -> bool:
    """The órgano interno de control: reads every unit of every year and changes nothing."""
    return user.is_authenticated and CONTRALORIA_GROUP in _group_names(user)


def _group_names(user) -> set[str]:
    # Asked for every report of a dashboard, and for both roles on every page (the menu):
    # read the user's groups once per request.
    if not hasattr(user, "_poa_groups"):
        user._poa_groups = set(user.groups.values_list("name", flat=True))
    return user._poa_groups


def reads_everything(user) -> bool:
    """Planeación and the contraloría see every unit, report, sheet and file."""
    return is_planeacion(user) or is_contraloria(user)


def can_audit(user) -> bool:
    """Who reads the Auditoría page: planeación and the contraloría."""
    return reads_everything(user)


def planeacion_users():
    """The active accounts of planeación (its group and the superusers)."""
    members = Q(groups__name=PLANEACION_GROUP) | Q(is_superuser=True)
    return get_user_model().objects.filter(members, is_active=True).distinct()


def persona_of(user) -> Persona | None:
    """The signatory linked to the account; the reverse one-to-one caches hits and misses."""
    if not user.is_authenticated:
        return None
    try:
        return user.persona
    except Persona.DoesNotExist:
        return None


def _persona_id(user):
    persona = persona_of(user)
    return persona.pk if persona else None


def units_visible_to(user):
    """Planeación and the contraloría see every unit; others the units they capture or head,
    and every unit of a programa or ramo they head."""
    units = UnidadEjecutora.objects.all()
    if reads_everything(user):
        return units
    if not user.is_authenticated:
        return units.none()
    persona_id = _persona_id(user)
    visible = Q(pk__in=UnidadEjecutora.objects.filter(capturistas=user).values("pk"))
    if persona_id:
        visible |= (
            Q(responsable_id=persona_id)
            | Q(programa__responsable_id=persona_id)
            | Q(ramo__responsable_id=persona_id)
        )
    return units.filter(visible)


def is_ue_head(user, ue) -> bool:
    persona_id = _persona_id(user)
    return persona_id is not None and ue.responsable_id == persona_id


def is_program_head(user, programa) -> bool:
    persona_id = _persona_id(user)
    return persona_id is not None and programa.responsable_id == persona_id


def is_ramo_head(user, ramo) -> bool:
    persona_id = _persona_id(user)
    return persona_id is not None and ramo.responsable_id == persona_id


def is_capturista(user, ue) -> bool:
    if not user.is_authenticated:
        return False
    # Asked for every report of a dashboard: read the user's units once per request.
    if not hasattr(user, "_poa_capture_units"):
        user._poa_capture_units = set(user.unidades_captura.values_list("pk", flat=True))
    return ue.pk in user._poa_capture_units


def can_view_unit(user, ue) -> bool:
    if not user.is_authenticated:
        return False
    return (
        reads_everything(user)
        or is_ue_head(user, ue)
        or is_program_head(user, ue.programa)
        or is_ramo_head(user, ue.ramo)
        or is_capturista(user, ue)
    )


def can_view_evidence(user, evidencia) -> bool:
    """An evidence file is read by whoever may read the sheet it backs."""
    return can_view_unit(user, evidencia.meta.unidad_ejecutora)


def can_change_evidence(user, ue) -> bool:
    """Who captures for the unit attaches and removes its evidence; a superuser too, from the
    admin (while the report may change, as for everyone)."""
    return can_capture(user, ue) or (user.is_authenticated and user.is_superuser)


def can_capture(user, ue) -> bool:
    """Capturistas of the unit and its head type what was achieved; nobody else."""
    return is_ue_head(user, ue) or is_capturista(user, ue)


def get_unit_or_404(user, year, ramo_clave, ue_clave) -> UnidadEjecutora:
    """The unit at that address, or 404 when it does not exist or the user may not see it
    (we do not tell strangers which units exist)."""
    ue = (
        UnidadEjecutora.objects.with_signers()
        .select_related("subfuncion__funcion__finalidad")  # the sheet's heading
        .filter(ramo__ejercicio__year=year, ramo__clave=ramo_clave, clave=ue_clave)
        .first()
    )
    if ue is None or not can_view_unit(user, ue):
        raise Http404("No existe la unidad ejecutora o no tiene acceso a ella.")
    return ue


# Roles of poa.rules.states: who holds each on a unit, and the position they sign with.
ROLE_HOLDERS = {
    states.CAPTURISTA: is_capturista,
    states.UE_HEAD: is_ue_head,
    states.PROGRAM_HEAD: lambda user, ue: is_program_head(user, ue.programa),
    states.RAMO_HEAD: lambda user, ue: is_ramo_head(user, ue.ramo),
    states.PLANEACION: lambda user, ue: is_planeacion(user),
}


def holds(user, role, ue) -> bool:
    return ROLE_HOLDERS[role](user, ue)


def acting_role(user, subject, transition) -> str | None:
    """The role in which the user makes the transition from the subject's current state
    (a report or a programming: anything with a state and a unidad_ejecutora); None when
    they may not."""
    roles = transition.actors.get(subject.state, ())
    return next((role for role in roles if holds(user, role, subject.unidad_ejecutora)), None)


def holds_role(user, subject, transition) -> bool:
    """Whether the user holds a role that makes this transition: from the subject's state
    when it is a source (a ramo head does not return what the program head has not reviewed),
    from any source otherwise, so a stranger is refused before learning the state."""
    roles = transition.actors.get(subject.state) or transition.roles
    return any(holds(user, role, subject.unidad_ejecutora) for role in roles)


def allowed_transitions(user, subject, machine) -> list:
    """The transitions the user may make on the subject in its current state, in the order
    the screens offer them (the forward step first)."""
    return [t for t in machine.from_state(subject.state) if acting_role(user, subject, t)]


def signatory(role, ue):
    """The catalog entry whose responsable signs in `role` for the unit (the unit, its
    programa or its ramo); None for roles that sign nothing."""
    return {
        states.UE_HEAD: ue,
        states.PROGRAM_HEAD: ue.programa,
        states.RAMO_HEAD: ue.ramo,
    }.get(role)


def signer_position(role, ue) -> str:
    """The position printed under the signer's name when acting in `role` on the unit."""
    if role == states.PLANEACION:
        return PLANEACION_POSITION
    holder = signatory(role, ue)
    return holder.cargo_responsable if holder else ""


def signer_name(user) -> str:
    persona = persona_of(user)
    if persona:
        return persona.nombre
    return user.get_full_name() or user.username
