"""Reads of the quarter that need care: a report at its address, what waits for whom on the
home page, the lists of reports, each in a fixed number of queries. Views call these and
render; access.py decides who may see what."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from poa import access, figures, workflow
from poa.machinery import signer_name
from poa.models import (
    CapturePeriod,
    LineaAccion,
    Meta,
    Modificacion,
    ModificacionEvent,
    Programacion,
    ProgramacionEvent,
    QuarterlyProgress,
    Report,
    ReportEvent,
    UnidadMedida,
)
from poa.states import MODIFICATION, PROGRAMMING, REPORT

Action = ReportEvent.Action
State = Report.State


def report_or_404(user, year, ramo, ue, quarter) -> Report:
    """The report of a unit the user may see (404 otherwise). A quarter nobody opened yet has
    no report: this gives an unsaved draft, which the services create when they change it."""
    unidad = access.get_unit_or_404(user, year, ramo, ue)
    report = Report.objects.filter(unidad_ejecutora=unidad, quarter=quarter).first()
    if report is None:
        report = Report(unidad_ejecutora=unidad, quarter=quarter)
    report.unidad_ejecutora = unidad  # keeps the catalog get_unit_or_404 already fetched
    return report


def report_events(report):
    """The report's timeline, oldest first."""
    if report.pk is None:
        return ReportEvent.objects.none()
    return report.events.select_related("user").order_by("created_at", "id")


# Since the report last came back to its unit -----------------------------------------------


@dataclass(frozen=True)
class Since:
    """What happened to a report since it was last signed or sent back: the return or
    reopening that brought it back to the unit, and the capturistas' notice that the capture
    is ready."""

    returned: ReportEvent | None = None
    ready: ReportEvent | None = None


def since_last_step(reports) -> dict[int, Since]:
    """Since, by report pk, for reports in BORRADOR, in one query however many."""
    drafts = [r for r in reports if r.pk and r.state == State.BORRADOR]
    events = ReportEvent.objects.filter(report__in=drafts).select_related("user")
    returned, ready = {}, {}
    for event in events.order_by("created_at", "id"):
        transition = event.transition
        if transition.restarts:
            returned[event.report_id], ready[event.report_id] = event, None
        elif transition.signs:
            returned[event.report_id], ready[event.report_id] = None, None
        elif event.action == Action.READY:
            ready[event.report_id] = event
    return {r.pk: Since(returned.get(r.pk), ready.get(r.pk)) for r in drafts}


def since_of(report) -> Since:
    return since_last_step([report]).get(report.pk, Since())


def capture_counts(reports) -> dict[tuple[int, int], tuple[int, int]]:
    """(captured, total) metas still pursued, by (unit pk, quarter), in two queries:
    "8 de 8 metas capturadas"."""
    keys = {(r.unidad_ejecutora_id, r.quarter) for r in reports}
    if not keys:
        return {}
    units = {unit_id for unit_id, _ in keys}
    totals = dict(
        Meta.objects.filter(unidad_ejecutora_id__in=units, cancelada=False)
        .values_list("unidad_ejecutora_id")
        .annotate(total=Count("pk"))
        .order_by()
    )
    matching = Q()
    for unit_id, quarter in keys:
        matching |= Q(meta__unidad_ejecutora_id=unit_id, quarter=quarter)
    captured = {
        (row["meta__unidad_ejecutora_id"], row["quarter"]): row["captured"]
        for row in QuarterlyProgress.objects.filter(
            matching, meta__cancelada=False, alcanzado__isnull=False
        )
        .values("meta__unidad_ejecutora_id", "quarter")
        .annotate(captured=Count("pk"))
        .order_by()
    }
    return {key: (captured.get(key, 0), totals.get(key[0], 0)) for key in keys}


# Home page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    report: Report
    label: str
    url: str
    deadline: datetime | None
    since: Since
    captured: int
    total: int

    @property
    def period(self):
        ue = self.report.unidad_ejecutora
        quarter = self.report.quarter
        return f"{ue.ramo.ejercicio.year} · T{quarter} {figures.QUARTER_LABELS[quarter]}"

    @property
    def capture_complete(self):
        return self.total > 0 and self.captured == self.total


def home_tasks(user) -> list[Task]:
    """The reports waiting for this user, oldest period first, in a fixed number of queries:
    a signature that is theirs, or the capture of a unit they capture for while its window is
    open."""
    reports = list(
        Report.objects.with_signers()
        .filter(unidad_ejecutora__in=access.units_visible_to(user))
        .exclude(state=State.AUTORIZADO)
        .order_by("unidad_ejecutora__ramo__ejercicio__year", "quarter", "unidad_ejecutora__clave")
    )
    windows = workflow.capture_windows(reports)
    steps = []
    for report in reports:
        step = _step(user, report, windows[report.pk])
        if step:
            steps.append((report, *step, windows[report.pk].deadline))
    since = since_last_step([report for report, *_ in steps])
    counts = capture_counts([report for report, *_ in steps])
    return [
        Task(
            report,
            label,
            report.url(url_name),
            deadline,
            since.get(report.pk, Since()),
            *counts[(report.unidad_ejecutora_id, report.quarter)],
        )
        for report, label, url_name, deadline in steps
    ]


def _step(user, report, window):
    """(label, URL name) of what the user is asked to do on the report now; None when
    nothing is theirs. Signatures first, then the capture while its window is open."""
    transitions = access.allowed_transitions(user, report, REPORT)
    send = REPORT.transition(Action.SEND)
    for transition in transitions:
        if transition.task and transition != send:
            return transition.task, "poa:report"
    # lock_reason is None only for a BORRADOR report inside its window.
    if workflow.lock_reason(report, window=window) is not None:
        return None
    if send in transitions:
        return send.task, "poa:capture-grid"
    if access.can_capture(user, report.unidad_ejecutora):
        return REPORT.state(report.state).task, "poa:capture-grid"
    return None


def open_period_reports():
    """Every report of the periods planeación has not closed, for its overview."""
    open_period = CapturePeriod.objects.filter(
        ejercicio=OuterRef("unidad_ejecutora__ramo__ejercicio"),
        quarter=OuterRef("quarter"),
        closed_at__isnull=True,
    )
    return (
        Report.objects.with_signers()
        .filter(Exists(open_period))
        .order_by("-unidad_ejecutora__ramo__ejercicio__year", "quarter", "unidad_ejecutora__clave")
    )


def visible_reports(user):
    """Every report of the units the user may see, newest period first."""
    return (
        Report.objects.with_signers()
        .filter(unidad_ejecutora__in=access.units_visible_to(user))
        .order_by(
            "-unidad_ejecutora__ramo__ejercicio__year",
            "-quarter",
            "unidad_ejecutora__ramo__clave",
            "unidad_ejecutora__clave",
        )
    )


def ramo_documents(reports, limit=12):
    """(year, ramo clave, ramo nombre, quarter) of each ramo and quarter among the reports,
    newest first: the whole-ramo PDFs the list offers."""
    keys = (
        reports.order_by()
        .values_list(
            "unidad_ejecutora__ramo__ejercicio__year",
            "unidad_ejecutora__ramo__clave",
            "unidad_ejecutora__ramo__nombre",
            "quarter",
        )
        .distinct()
    )
    return sorted(keys, key=lambda k: (-k[0], -k[3], k[1]))[:limit]


# Planeación ------------------------------------------------------------------------------

PERIOD_REPORTS = "ejercicio__ramos__unidades__reports"


def periods_with_counts():
    """Every capture period with how many of its reports are in each state (n_borrador, …),
    in one query plus one for the exceptions."""
    by_state = {
        f"n_{state}": Count(
            PERIOD_REPORTS,
            filter=Q(
                **{f"{PERIOD_REPORTS}__quarter": F("quarter"), f"{PERIOD_REPORTS}__state": state}
            ),
        )
        for state in State.values
    }
    return (
        CapturePeriod.objects.select_related("ejercicio", "opened_by")
        .prefetch_related("exceptions__unidad_ejecutora", "exceptions__granted_by")
        .annotate(**by_state)
    )


# Metas and their modificaciones programáticas -----------------------------------------------


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


# Annual programming ----------------------------------------------------------------------

CLAVE_PREFIX = re.compile(r"[0-9][0-9.]*", re.ASCII)
NO_PROGRAMMING = "sin"  # a unit whose programming nobody started: no Programacion row yet
NO_PROGRAMMING_LABEL = "Sin programación"


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


def _folded(text) -> str:
    """Lower case without accents: "Promoción" and "PROMOCION" read the same."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _clave_order(clave):
    return tuple(int(part) if part.isdigit() else 0 for part in clave.split("."))


def lineas_search(ejercicio_id, query, limit=20) -> list[LineaAccion]:
    """The líneas de acción of the year's plan matching every word of `query`: a code ("3.1")
    starts the clave, other words are in the nombre, without regard to accents or case; in
    the order of their claves."""
    words = _folded(query).split()
    lineas = LineaAccion.objects.filter(ejercicio_id=ejercicio_id).only("pk", "clave", "nombre")
    found = [linea for linea in lineas if all(_matches(linea, word) for word in words)]
    return sorted(found, key=lambda linea: _clave_order(linea.clave))[:limit]


def _matches(linea, word) -> bool:
    if CLAVE_PREFIX.fullmatch(word):
        return linea.clave.startswith(word)
    return word in _folded(linea.nombre)


def programming_overview(user, year):
    """Every unit of the year the user may see with its programming's state (NO_PROGRAMMING
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
            programming_state=Coalesce(F("programacion__state"), Value(NO_PROGRAMMING)),
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
