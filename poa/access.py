"""Who may see or do what on which unit. One small function per question; every view,
service and document asks here instead of repeating the rule."""

from django.db.models import Q
from django.http import Http404

from poa.models import Persona, Report, ReportEvent, UnidadEjecutora

PLANEACION_GROUP = "Planeación"
PLANEACION_POSITION = "PLANEACIÓN"

Action = ReportEvent.Action
State = Report.State


def is_planeacion(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Asked once per request for every report of a dashboard: remember the answer.
    if not hasattr(user, "_poa_is_planeacion"):
        user._poa_is_planeacion = user.groups.filter(name=PLANEACION_GROUP).exists()
    return user._poa_is_planeacion


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
    """Planeación sees every unit; others the units they capture or head, and every unit of a
    programa or ramo they head."""
    units = UnidadEjecutora.objects.all()
    if is_planeacion(user):
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
        is_planeacion(user)
        or is_ue_head(user, ue)
        or is_program_head(user, ue.programa)
        or is_ramo_head(user, ue.ramo)
        or is_capturista(user, ue)
    )


def can_capture(user, ue) -> bool:
    """Capturistas of the unit and its head type what was achieved; nobody else."""
    return is_ue_head(user, ue) or is_capturista(user, ue)


def get_unit_or_404(user, year, ramo_clave, ue_clave) -> UnidadEjecutora:
    """The unit at that address, or 404 when it does not exist or the user may not see it
    (we do not tell strangers which units exist)."""
    ue = (
        UnidadEjecutora.objects.select_related(
            "ramo__ejercicio",
            "ramo__responsable",
            "programa__responsable",
            "subfuncion",
            "responsable",
        )
        .filter(ramo__ejercicio__year=year, ramo__clave=ramo_clave, clave=ue_clave)
        .first()
    )
    if ue is None or not can_view_unit(user, ue):
        raise Http404("No existe la unidad ejecutora o no tiene acceso a ella.")
    return ue


def holds_role(user, report, action) -> bool:
    """Whether the user holds the role that makes this transition on the report's unit,
    whatever the state. A return from ENVIADO is the program head's; from REVISADO the
    program or ramo head's."""
    ue = report.unidad_ejecutora
    if action == Action.SEND:
        return is_ue_head(user, ue)
    if action == Action.REVIEW:
        return is_program_head(user, ue.programa)
    if action == Action.AUTHORIZE:
        return is_ramo_head(user, ue.ramo)
    if action == Action.RETURN:
        ramo_may_return = report.state != State.ENVIADO and is_ramo_head(user, ue.ramo)
        return is_program_head(user, ue.programa) or ramo_may_return
    return action == Action.REOPEN and is_planeacion(user)


SOURCE_STATES = {
    Action.SEND: (State.BORRADOR,),
    Action.REVIEW: (State.ENVIADO,),
    Action.AUTHORIZE: (State.REVISADO,),
    Action.RETURN: (State.ENVIADO, State.REVISADO),
    Action.REOPEN: (State.AUTORIZADO,),
}


def allowed_actions(user, report) -> list[str]:
    """The transitions the user may make on the report in its current state, in the order
    the screens offer them (the forward step first)."""
    return [
        action
        for action in (Action.SEND, Action.REVIEW, Action.AUTHORIZE, Action.RETURN, Action.REOPEN)
        if report.state in SOURCE_STATES[action] and holds_role(user, report, action)
    ]


def signer_position(user, report, action) -> str:
    """The position printed under the signer's name for this action: the cargo of the role
    they act in. A return from REVISADO is signed as ramo head when they hold that role."""
    ue = report.unidad_ejecutora
    if action == Action.SEND:
        return ue.cargo_responsable
    if action == Action.REVIEW:
        return ue.programa.cargo_responsable
    if action == Action.AUTHORIZE:
        return ue.ramo.cargo_responsable
    if action == Action.RETURN:
        if report.state == State.REVISADO and is_ramo_head(user, ue.ramo):
            return ue.ramo.cargo_responsable
        return ue.programa.cargo_responsable
    return PLANEACION_POSITION
