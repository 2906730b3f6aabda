"""Reads of the annual programming: a unit's programming through the access rules, its
metas and events, the units of measure and líneas de acción offered, every unit of a year with
its state, and what each person has to do about it."""

import re
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from poa.models import (
    Ejercicio,
    LineaAccion,
    Meta,
    Programacion,
    ProgramacionEvent,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.rules.states import PROGRAMMING
from poa.rules.text import clave_key, folded
from poa.selectors import access

CLAVE_PREFIX = re.compile(r"[0-9][0-9.]*", re.ASCII)


def programming_or_404(user, year, ramo, ue) -> Programacion:
    """The programming of a unit the user may see (404 otherwise); an unsaved draft when the
    unit has none yet, which the services create when they change it."""
    unidad = access.get_unit_or_404(user, year, ramo, ue)
    programacion = Programacion.objects.filter(unidad_ejecutora=unidad).first()
    if programacion is None:
        programacion = Programacion(unidad_ejecutora=unidad)
    programacion.unidad_ejecutora = unidad
    return programacion


def programming_metas(programacion):
    """The unit's metas as its programming shows them, by number, with their unit of measure,
    líneas and quarters."""
    return (
        programacion.unidad_ejecutora.metas.select_related("unidad_medida")
        .prefetch_related("lineas_accion", "avances")
        .order_by("numero")
    )


def empty_metas_warnings(programacion, then="confirme que así debe aprobarse.") -> list[str]:
    """What to tell whoever sends or approves the programming, before they do and once done
    (`then` ends the sentence): metas with nothing to achieve (meta anual 0 and nothing
    programmed), which the rules allow."""
    empty = [
        meta.numero
        for meta in programming_metas(programacion)
        if not meta.meta_anual and not any(p.programado for p in meta.avances.all())
    ]
    if not empty:
        return []
    metas = "La meta" if len(empty) == 1 else "Las metas"
    numbers = ", ".join(str(numero) for numero in empty)
    verb = "tiene" if len(empty) == 1 else "tienen"
    return [f"{metas} {numbers} {verb} meta anual 0 y nada programado en ningún trimestre: {then}"]


# What the warning says once the programming was sent or approved with such metas.
EMPTY_METAS_DONE = {
    "send": "se envió así; planeación lo verá antes de aprobarla.",
    "approve": "quedó aprobada así; solo una modificación programática puede cambiarlo.",
}


def empty_metas_done(programacion, action) -> list[str]:
    """The warning after `action` (send or approve); nothing for other transitions."""
    then = EMPTY_METAS_DONE.get(action)
    return empty_metas_warnings(programacion, then) if then else []


def programming_events(programacion):
    """The programming's timeline, oldest first."""
    if programacion.pk is None:
        return ProgramacionEvent.objects.none()
    return programacion.events.select_related("user").order_by("created_at", "id")


def programming_returned(events) -> ProgramacionEvent | None:
    """The return that sent the programming back to its unit, while it is a draft again."""
    last = list(events)[-1:] or [None]
    event = last[0]
    return event if event and event.transition.restarts else None


def units_of_measure_for(ue):
    """The catalog a unit chooses from: the accepted units and those it proposed itself."""
    return UnidadMedida.objects.filter(Q(aceptada=True) | Q(propuesta_por=ue)).order_by("nombre")


def pending_units_of_measure():
    """Units of measure proposed by a unit and not yet accepted by planeación, with how many
    metas use them."""
    return (
        UnidadMedida.objects.filter(aceptada=False)
        .select_related("propuesta_por__ramo__ejercicio")
        .annotate(n_metas=Count("metas"))
        .order_by("nombre")
    )


def lineas_search(ejercicio_id, query, limit=20) -> list[LineaAccion]:
    """The líneas de acción of the year's plan matching every word of `query`: a code ("3.1")
    starts the clave, other words are in the nombre, without regard to accents or case; in
    the order of their claves."""
    words = folded(query).split()
    lineas = LineaAccion.objects.filter(ejercicio_id=ejercicio_id).only("pk", "clave", "nombre")
    found = [linea for linea in lineas if all(_matches(linea, word) for word in words)]
    return sorted(found, key=lambda linea: clave_key(linea.clave))[:limit]


def _matches(linea, word) -> bool:
    if CLAVE_PREFIX.fullmatch(word):
        return linea.clave.startswith(word)
    return word in folded(linea.nombre)


def units_not_approved(ejercicio) -> list[UnidadEjecutora]:
    """The units of the year whose programming planeación has not approved (or that have none
    yet): they cannot capture a quarter, even an open one."""
    return list(
        UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio)
        .exclude(programacion__state=Programacion.State.APROBADA)
        .select_related("ramo")
        .order_by("ramo__clave", "clave")
    )


def units_with_programming(user, year):
    """Every unit of the year the user may see with its programming's state (PROGRAMMING.absent
    when it has none), its number of metas and its last event; the units that still have to
    program first."""
    events = ProgramacionEvent.objects.filter(
        programacion__unidad_ejecutora=OuterRef("pk")
    ).order_by("-created_at", "-id")
    metas = (
        Meta.objects.filter(unidad_ejecutora=OuterRef("pk"))
        .order_by()
        .values("unidad_ejecutora")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Programming = Programacion.State
    return (
        access.units_visible_to(user)
        .filter(ramo__ejercicio__year=year)
        .select_related("ramo__ejercicio", "programa", "programacion")
        .annotate(
            programming_state=Coalesce(F("programacion__state"), Value(PROGRAMMING.absent.value)),
            pending_rank=Case(
                When(programacion__isnull=True, then=0),
                When(programacion__state=Programming.BORRADOR, then=1),
                When(programacion__state=Programming.ENVIADA, then=2),
                default=3,
            ),
            n_metas=Coalesce(Subquery(metas), 0),
            last_action=Subquery(events.values("action")[:1]),
            last_at=Subquery(events.values("created_at")[:1]),
            last_by=Subquery(events.values("signer_name")[:1]),
        )
        .order_by("pending_rank", "ramo__clave", "clave")
    )


@dataclass(frozen=True)
class YearProgramming:
    year: int
    counts: list[str]  # «3 en borrador», «1 enviada», «0 aprobadas», «1 sin empezar»
    approved: bool  # every unit's programming is approved


def latest_year_programming() -> YearProgramming | None:
    """Where the latest year's programming stands, unit by unit, in two queries: planeación's
    home shows it from the moment a year is created."""
    ejercicio = Ejercicio.objects.order_by("-year").first()
    if ejercicio is None:
        return None
    states = list(
        UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio).values_list(
            "programacion__state", flat=True
        )
    )
    counts = [state.counted(states.count(state.value)) for state in PROGRAMMING.states]
    absent = states.count(None)
    if absent:
        counts.append(f"{absent:,} sin empezar")
    approved = bool(states) and all(s == Programacion.State.APROBADA for s in states)
    return YearProgramming(ejercicio.year, counts, approved)


@dataclass(frozen=True)
class ProgrammingTask:
    programacion: Programacion
    label: str
    url: str
    n_metas: int
    returned: ProgramacionEvent | None

    @property
    def unidad_ejecutora(self):
        return self.programacion.unidad_ejecutora


def programming_tasks(user) -> list[ProgrammingTask]:
    """The annual programmings waiting for this user, in three queries however many: the
    draft (or returned) programming of a unit they draft for, and for planeación the ones
    sent for approval."""
    units = (
        access.units_visible_to(user)
        .filter(
            Q(programacion__isnull=True)
            | Q(programacion__state__in=[Programacion.State.BORRADOR, Programacion.State.ENVIADA])
        )
        .select_related("ramo__ejercicio", "programa", "programacion")
        .annotate(n_metas=Count("metas"))
        .order_by("ramo__ejercicio__year", "ramo__clave", "clave")
    )
    steps = []
    for ue in units:
        programacion = _programming_of_unit(ue)
        label = _programming_step(user, programacion)
        if label:
            steps.append((programacion, label, ue.n_metas))
    returned = _last_returns([p for p, *_ in steps if p.pk])
    return [
        ProgrammingTask(p, label, p.get_absolute_url(), n_metas, returned.get(p.pk))
        for p, label, n_metas in steps
    ]


def _programming_of_unit(ue) -> Programacion:
    try:
        programacion = ue.programacion
    except Programacion.DoesNotExist:
        programacion = Programacion(unidad_ejecutora=ue)
    programacion.unidad_ejecutora = ue
    return programacion


def _programming_step(user, programacion) -> str | None:
    """What the user is asked to do on the programming now: planeación's decision, or the
    drafting of their unit's metas (sending is part of the drafting screen)."""
    send = PROGRAMMING.transition(ProgramacionEvent.Action.SEND)
    for transition in access.allowed_transitions(user, programacion, PROGRAMMING):
        if transition.task and transition != send:
            return transition.task
    drafting = programacion.state == Programacion.State.BORRADOR
    if drafting and access.can_capture(user, programacion.unidad_ejecutora):
        return PROGRAMMING.initial.task
    return None


def _last_returns(programaciones) -> dict:
    """The return that brought each draft back to its unit, by programming pk."""
    drafts = [p for p in programaciones if p.state == Programacion.State.BORRADOR]
    last = {}
    for event in ProgramacionEvent.objects.filter(programacion__in=drafts).order_by(
        "created_at", "id"
    ):
        last[event.programacion_id] = event
    return {pk: event for pk, event in last.items() if event.transition.restarts}
