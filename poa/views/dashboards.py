"""The home page: what awaits the user (capture, signature, review, authorization) and, for
planeación, every report of the open periods."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.urls import reverse
from django_tables2 import RequestConfig

from poa import access, figures, workflow
from poa.filters import ReportFilter
from poa.models import CapturePeriod, Report, ReportEvent
from poa.tables import ReportListTable, ReportTable

Action = ReportEvent.Action
State = Report.State
# The step each state waits for, and what the user is asked to do when it is theirs.
TASK_LABELS = {
    Action.SEND: "Capturar y enviar (firmar ELABORÓ)",
    Action.REVIEW: "Revisar (firmar REVISÓ)",
    Action.AUTHORIZE: "Autorizar (firmar AUTORIZÓ)",
}
CAPTURE_LABEL = "Capturar lo alcanzado"


@dataclass(frozen=True)
class Task:
    report: Report
    label: str
    url: str
    deadline: datetime | None
    returned: ReportEvent | None  # the last return, when the report came back to the unit

    @property
    def period(self):
        ue = self.report.unidad_ejecutora
        quarter = self.report.quarter
        return f"{ue.ramo.ejercicio.year} · T{quarter} {figures.QUARTER_LABELS[quarter]}"


@login_required
def home(request):
    user = request.user
    tasks = _tasks(user)
    context = {
        "tasks": tasks,
        "has_units": access.units_visible_to(user).exists(),
        "is_planeacion": access.is_planeacion(user),
    }
    if context["is_planeacion"]:
        table = ReportTable(_open_period_reports())
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        context["table"] = table
        context["open_periods"] = CapturePeriod.objects.filter(closed_at__isnull=True).exists()
    return render(request, "dashboards/home.html", context)


@login_required
def reports(request):
    """Every report of the units the user may see, any quarter, filtered and paginated."""
    visible = _reports().filter(unidad_ejecutora__in=access.units_visible_to(request.user))
    visible = visible.select_related("unidad_ejecutora__programa").order_by(
        "-unidad_ejecutora__ramo__ejercicio__year",
        "-quarter",
        "unidad_ejecutora__ramo__clave",
        "unidad_ejecutora__clave",
    )
    report_filter = ReportFilter(request.GET, queryset=visible)
    table = ReportListTable(report_filter.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    context = {"filter": report_filter, "table": table, "ramo_pdfs": _ramo_pdfs(report_filter)}
    return render(request, "dashboards/reports.html", context)


def _ramo_pdfs(report_filter):
    """(label, url) of the whole-ramo PDF for each ramo and quarter in the filtered list."""
    keys = (
        report_filter.qs.order_by()
        .values_list(
            "unidad_ejecutora__ramo__ejercicio__year",
            "unidad_ejecutora__ramo__clave",
            "unidad_ejecutora__ramo__nombre",
            "quarter",
        )
        .distinct()
    )
    return [
        (
            f"Ramo {ramo} · {year} T{quarter}",
            nombre,
            reverse("poa:ramo-pdf", args=[year, ramo, quarter]),
        )
        for year, ramo, nombre, quarter in sorted(keys, key=lambda k: (-k[0], -k[3], k[1]))[:12]
    ]


def _reports():
    return Report.objects.select_related(
        "unidad_ejecutora__ramo__ejercicio",
        "unidad_ejecutora__ramo__responsable",
        "unidad_ejecutora__programa__responsable",
        "unidad_ejecutora__responsable",
    )


def _tasks(user):
    """The reports waiting for this user, oldest period first."""
    reports = (
        _reports()
        .filter(unidad_ejecutora__in=access.units_visible_to(user))
        .exclude(state=State.AUTORIZADO)
        .order_by("unidad_ejecutora__ramo__ejercicio__year", "quarter", "unidad_ejecutora__clave")
    )
    reports = list(reports)
    windows = workflow.capture_windows(reports)
    captures, steps = {}, []
    for report in reports:
        ue = report.unidad_ejecutora
        if ue.pk not in captures:
            captures[ue.pk] = access.can_capture(user, ue)
        step = _step(user, report, captures[ue.pk], windows[report.pk])
        if step:
            steps.append((report, *step))
    returns = _last_returns([report for report, *_ in steps])
    return [_task(*step, returns.get(step[0].pk)) for step in steps]


def _step(user, report, can_capture, window):
    """What the user is asked to do on the report now, on which page, and the report's
    capture window; None when nothing is theirs."""
    actions = access.allowed_actions(user, report)
    for action in (Action.REVIEW, Action.AUTHORIZE):
        if action in actions:
            return TASK_LABELS[action], "poa:report", window
    # lock_reason is None only for a BORRADOR report inside its window.
    if can_capture and workflow.lock_reason(report, window=window) is None:
        label = TASK_LABELS[Action.SEND] if Action.SEND in actions else CAPTURE_LABEL
        return label, "poa:capture-grid", window
    return None


def _task(report, label, url_name, window, returned):
    ue = report.unidad_ejecutora
    args = [ue.ramo.ejercicio.year, ue.ramo.clave, ue.clave, report.quarter]
    return Task(report, label, reverse(url_name, args=args), window.deadline, returned)


def _last_returns(reports):
    """The return event of each report whose latest event is a return."""
    latest = {}
    events = ReportEvent.objects.filter(report__in=reports).order_by("created_at", "id")
    for event in events.select_related("user"):
        latest[event.report_id] = event
    return {pk: event for pk, event in latest.items() if event.action == Action.RETURN}


def _open_period_reports():
    open_period = CapturePeriod.objects.filter(
        ejercicio=OuterRef("unidad_ejecutora__ramo__ejercicio"),
        quarter=OuterRef("quarter"),
        closed_at__isnull=True,
    )
    return (
        _reports()
        .select_related("unidad_ejecutora__programa")
        .filter(Exists(open_period))
        .order_by("-unidad_ejecutora__ramo__ejercicio__year", "quarter", "unidad_ejecutora__clave")
    )
