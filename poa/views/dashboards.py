"""The home page: what awaits the user (capture, signature, review, authorization) and, for
planeación, every report of the open periods; and the list of every report."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from poa import access, selectors
from poa.filters import ReportFilter
from poa.models import CapturePeriod
from poa.tables import ReportListTable, ReportTable, configure


@login_required
def home(request):
    user = request.user
    context = {
        "tasks": selectors.home_tasks(user),
        "programming_tasks": selectors.programming_tasks(user),
        "has_units": access.units_visible_to(user).exists(),
        "is_planeacion": access.is_planeacion(user),
    }
    if context["is_planeacion"]:
        context["table"] = configure(request, ReportTable(selectors.open_period_reports()))
        context["open_periods"] = CapturePeriod.objects.filter(closed_at__isnull=True).exists()
    return render(request, "dashboards/home.html", context)


@login_required
def reports(request):
    """Every report of the units the user may see, any quarter, filtered and paginated."""
    visible = selectors.visible_reports(request.user).select_related("unidad_ejecutora__programa")
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
            for year, ramo, nombre, quarter in selectors.ramo_documents(report_filter.qs)
        ],
    }
    return render(request, "dashboards/reports.html", context)
