"""The home page: what awaits the user (capture, signature, review, authorization) and, for
planeación, every report of the open periods; and the list of every report."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from poa.models import CapturePeriod, ModificacionEvent
from poa.rules import figures
from poa.rules.states import MODIFICATION, REPORT
from poa.selectors import access, tracking
from poa.selectors.metas import pending_modifications
from poa.selectors.programming import latest_year_programming, programming_tasks
from poa.selectors.reports import home_tasks, open_period_reports, ramo_documents, visible_reports
from poa.web.filters import ReportFilter
from poa.web.tables import ReportListTable, ReportTable, configure


@login_required
def home(request):
    user = request.user
    context = {
        "tasks": home_tasks(user),
        "programming_tasks": programming_tasks(user),
        "has_units": access.units_visible_to(user).exists(),
        "is_planeacion": access.is_planeacion(user),
    }
    overview = tracking.overview(user, with_attention=context["is_planeacion"])
    context["overview"] = overview
    if context["is_planeacion"]:
        context["year_programming"] = latest_year_programming()
        context["modifications"] = pending_modifications(user)
        context["modification_task"] = MODIFICATION.transition(
            ModificacionEvent.Action.APPROVE
        ).task
        context["table"] = configure(request, ReportTable(open_period_reports()))
        context["open_periods"] = CapturePeriod.objects.filter(closed_at__isnull=True).exists()
        context["attention"] = _attention(overview) if overview else []
    return render(request, "dashboards/home.html", context)


def _attention(overview):
    """(title, lines, what an empty list means, seguimiento filter) of each list planeación
    watches on its home page."""

    def unit(row):
        ue = row.unidad_ejecutora
        return f"{ue.ramo.clave}-{ue.clave} {ue.nombre}"

    def meta(row):
        percent = figures.format_percent(row.progress.percent) or row.progress.light_label
        return f"{unit(row)} · meta {row.meta.numero}: {percent}"

    return [
        (
            "Unidades sin enviar su informe",
            [f"{unit(row)} ({row.progress.capture_label})" for row in overview.not_sent],
            "Todas las unidades enviaron su informe.",
            f"nivel=ue&estado={REPORT.initial.value}",
        ),
        (
            "Con la captura vencida",
            [f"{unit(row)}: {row.days_late} días" for row in overview.late],
            "Ninguna unidad está atrasada.",
            f"nivel=ue&estado={REPORT.initial.value}",
        ),
        (
            "Devueltos a la unidad",
            [f"{unit(row)}: «{event.comment}»" for row, event in overview.returned],
            "No hay informes devueltos pendientes.",
            f"nivel=ue&estado={REPORT.initial.value}",
        ),
        (
            "Metas en rojo",
            [meta(row) for row in overview.red],
            "Ninguna meta está en rojo.",
            "nivel=meta&semaforo=rojo",
        ),
        (
            "Sobrecumplimiento sin observación",
            [meta(row) for row in overview.unexplained_over],
            "Todo sobrecumplimiento está explicado.",
            "nivel=meta&semaforo=sobrecumplimiento",
        ),
    ]


@login_required
def reports(request):
    """Every report of the units the user may see, any quarter, filtered and paginated."""
    visible = visible_reports(request.user).select_related("unidad_ejecutora__programa")
    report_filter = ReportFilter(request.GET, queryset=visible)
    context = {
        "filter": report_filter,
        "table": configure(request, ReportListTable(report_filter.qs)),
        "ramo_pdfs": [
            (
                f"Ramo {ramo} · {year} T{quarter}",
                nombre,
                reverse("poa:ramo-pdf", args=[year, ramo, quarter]),
            )
            for year, ramo, nombre, quarter in ramo_documents(report_filter.qs)
        ],
    }
    return render(request, "dashboards/reports.html", context)
