"""Reads of the quarter that need care: a report at its address, what waits for whom on the
home page, the lists of reports, each in a fixed number of queries. Views call these and
render; access.py decides who may see what."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
)

from poa.models import (
    CapturePeriod,
    Ejercicio,
    Meta,
    QuarterlyProgress,
    Report,
    ReportEvent,
)
from poa.rules import figures
from poa.rules.states import REPORT
from poa.selectors import access
from poa.selectors.locks import capture_windows, lock_reason

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
    windows = capture_windows(reports)
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
    if lock_reason(report, window=window) is not None:
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


def periods_with_counts() -> list:
    """Every capture period with how many of its reports are in each state (`counts`: one
    line each, «2 en borrador»), in one query plus one for the exceptions."""
    by_state = {
        f"n_{state}": Count(
            PERIOD_REPORTS,
            filter=Q(
                **{f"{PERIOD_REPORTS}__quarter": F("quarter"), f"{PERIOD_REPORTS}__state": state}
            ),
        )
        for state in State.values
    }
    periods = list(
        CapturePeriod.objects.select_related("ejercicio", "opened_by")
        .prefetch_related("exceptions__unidad_ejecutora", "exceptions__granted_by")
        .annotate(**by_state)
    )
    for period in periods:
        period.counts = [
            state.counted(getattr(period, f"n_{state.value}")) for state in REPORT.states
        ]
    return periods


@dataclass(frozen=True)
class TrackedYear:
    year: int
    quarter: int  # where its seguimiento opens: its open quarter, else the last opened, else 1
    open: bool  # that quarter is open for capture


def tracked_years() -> list[TrackedYear]:
    """Every year with metas or a quarter opened, newest first, in one query: seguimiento's
    year selector, which keeps an older year whose quarter is still open one click away."""
    ejercicios = (
        Ejercicio.objects.filter(
            Exists(Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=OuterRef("pk")))
            | Exists(CapturePeriod.objects.filter(ejercicio=OuterRef("pk")))
        )
        .annotate(
            open_quarter=Max("periodos__quarter", filter=Q(periodos__closed_at__isnull=True)),
            last_quarter=Max("periodos__quarter"),
        )
        .order_by("-year")
    )
    return [
        TrackedYear(e.year, e.open_quarter or e.last_quarter or 1, e.open_quarter is not None)
        for e in ejercicios
    ]


# Metas and their modificaciones programáticas -----------------------------------------------


# Annual programming ----------------------------------------------------------------------
