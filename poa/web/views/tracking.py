"""Seguimiento: progress by ramo, programa, unidad ejecutora and meta at the end of a quarter,
with the semáforo, the capture's progress, the charts and the CSV/XLSX of every table."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe

from poa.documents import charts
from poa.documents.exports import export_response
from poa.models import Ejercicio
from poa.rules import figures
from poa.selectors import tracking
from poa.selectors.reports import tracked_years
from poa.web.filters import TrackingFilter
from poa.web.tables import (
    MetaTrackingTable,
    ProgramaTrackingTable,
    RamoTrackingTable,
    UnitTrackingTable,
    configure,
)

LEVELS = {
    "ramo": ("Ramos", lambda data: data.ramos),
    "programa": ("Programas", lambda data: data.programas),
    "ue": ("Unidades ejecutoras", lambda data: data.units),
    "meta": ("Metas", lambda data: data.metas),
}
CHART_SERIES = 8
LIGHT_CHOICES = [(key, label) for key, label in tracking.LIGHT_LABELS.items()]


@login_required
def tracking_page(request, year, quarter):
    ejercicio = get_object_or_404(Ejercicio, year=year)
    level = request.GET.get("nivel") if request.GET.get("nivel") in LEVELS else "ramo"
    metas = tracking.metas_visible_to(request.user, year)
    tracking_filter = TrackingFilter(
        request.GET, queryset=metas, quarter=quarter, lights=LIGHT_CHOICES
    )
    data = tracking.build_tracking(tracking_filter.qs, year=year, quarter=quarter)
    rows = _rows(data, level, tracking_filter.light)
    table = configure(request, _table(level, rows, quarter))
    filename = f"seguimiento_{year}_T{quarter}_{level}"
    if response := export_response(request, table, filename):
        return response
    context = {
        "ejercicio": ejercicio,
        "year": year,
        "quarter": quarter,
        "quarter_label": figures.QUARTER_LABELS[quarter],
        "quarters": figures.QUARTERS,
        "years": tracked_years(),
        "level": level,
        "levels": [(key, label) for key, (label, _) in LEVELS.items()],
        "filter": tracking_filter,
        "table": table,
        "data": data,
        "has_metas": metas.exists(),
        "charts": tracking_charts(data, quarter),
    }
    return render(request, "tracking/tracking.html", context)


def _rows(data, level, light):
    """The rows of the level, of one semáforo's mark when `light`; a meta's row is built
    only when it is kept (there may be thousands)."""
    if level == "meta" and light:
        return data.metas_where(lambda progress: progress.light == light)
    rows = LEVELS[level][1](data)
    return [row for row in rows if row.progress.light == light] if light else rows


def _table(level, rows, quarter):
    if level == "ue":
        return UnitTrackingTable(rows, quarter=quarter)
    table_class = {
        "ramo": RamoTrackingTable,
        "programa": ProgramaTrackingTable,
        "meta": MetaTrackingTable,
    }[level]
    return table_class(rows)


def tracking_charts(data, quarter):
    """(title, svg, table) of the seguimiento's three charts; the transparency portal draws
    the same from the authorized figures (poa.selectors.public.PublicQuarter)."""
    if not data.total.metas:
        return []
    counts = tracking.light_counts(data)
    return [
        _progress(
            "programa",
            tracking.quarter_series(data.programas, quarter, with_ramo=True),
            quarter,
        ),
        _progress("ramo", tracking.quarter_series(data.ramos, quarter), quarter),
        (
            "Metas por semáforo",
            mark_safe(charts.semaforo_chart(counts)),
            charts.semaforo_table(counts),
        ),
    ]


def _progress(noun, series, quarter):
    """A progress chart of at most CHART_SERIES bars a quarter, the lowest at the quarter
    first (those are the ones to look at); the table below it keeps every one."""
    title = f"Avance por {noun} en cada trimestre"
    shown = sorted(series, key=lambda item: (item[1][quarter - 1] is None, item[1][quarter - 1]))
    if len(shown) > CHART_SERIES:
        title += f" (los {CHART_SERIES} de menor avance; la tabla tiene los {len(series)})"
        shown = shown[:CHART_SERIES]
    heading = noun.capitalize()
    return (
        title,
        mark_safe(charts.progress_chart(shown, title=title)),
        charts.progress_table(series, title=title, label_heading=heading),
    )


@login_required
def tracking_latest(request):
    """The seguimiento of the latest quarter opened for capture, as on the home page (a year
    started but not yet opened does not hide the quarter being captured); the first quarter
    of the latest year while none is opened."""
    latest = tracking.latest_quarter()
    if latest:
        return redirect("poa:tracking", *latest)
    ejercicio = Ejercicio.objects.order_by("-year").first()
    if ejercicio is None:
        raise Http404("Aún no hay ejercicios registrados.")
    return redirect("poa:tracking", ejercicio.year, 1)
