"""The capture grid of a unit and quarter, and the page of one meta with its history."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from poa import access, figures, history, workflow
from poa.forms import CaptureRowForm, VersionForm
from poa.models import Meta, Report, ReportEvent

Action = ReportEvent.Action
NOT_SAVED = "Revise las cifras marcadas; no se guardó ningún cambio."


def report_or_404(user, year, ramo, ue, quarter, *, create=False):
    """The report of a unit the user may see, for a quarter 1–4 (404 otherwise). A quarter
    nobody opened yet has no report: reading shows an unsaved draft, writing creates it."""
    if quarter not in figures.QUARTERS:
        raise Http404("El trimestre debe ser 1, 2, 3 o 4.")
    unidad = access.get_unit_or_404(user, year, ramo, ue)
    report = Report.objects.filter(unidad_ejecutora=unidad, quarter=quarter).first()
    if report is None and create:
        report = workflow.report_get_or_create(unidad_ejecutora=unidad, quarter=quarter)
    elif report is None:
        report = Report(unidad_ejecutora=unidad, quarter=quarter)
    report.unidad_ejecutora = unidad  # keeps the catalog get_unit_or_404 already fetched
    return report


def report_args(report):
    ue = report.unidad_ejecutora
    return [ue.ramo.ejercicio.year, ue.ramo.clave, ue.clave, report.quarter]


@dataclass
class GridRow:
    row: workflow.CaptureRow
    form: CaptureRowForm

    @property
    def achieved_before(self) -> Decimal:
        """What was achieved in the quarters before the report's: the base of the live sum."""
        return figures.avance_absoluto(self.row.achieved, self.row.figures.quarter - 1)

    @property
    def quarters(self):
        """(quarter, label, programmed, achieved) for the four columns of context."""
        row = self.row
        return [
            (q, figures.QUARTER_LABELS[q], row.programmed[q - 1], row.achieved[q - 1])
            for q in figures.QUARTERS
        ]


@login_required
def capture_grid(request, year, ramo, ue, quarter):
    posted = request.method == "POST"
    report = report_or_404(request.user, year, ramo, ue, quarter, create=posted)
    if posted:
        return _save(request, report)
    rows = workflow.capture_rows(report)
    grid = [GridRow(row, CaptureRowForm(row=row)) for row in rows]
    return _render(request, report, grid)


def _render(request, report, grid, *, stale=None, status=200):
    user, ue = request.user, report.unidad_ejecutora
    can_capture = access.can_capture(user, ue)
    lock = workflow.lock_reason(report)
    if not lock and not can_capture:
        lock = "Usted puede consultar estas cifras; solo los capturistas de la unidad y su "
        lock += "responsable las capturan."
    window = workflow.capture_window(unidad_ejecutora=ue, quarter=report.quarter)
    context = {
        "report": report,
        "ue": ue,
        "args": report_args(report),
        "grid": grid,
        "editable": lock is None,
        "lock_reason": lock,
        "window": window,
        "can_send": Action.SEND in access.allowed_actions(user, report),
        "version": report.version,
        "stale": stale,
        "returned": _returned(report),
        "bound": any(item.form.is_bound for item in grid),
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "threshold": settings.POA_OBSERVATION_THRESHOLD,
    }
    return render(request, "capture/grid.html", context, status=status)


def _returned(report):
    """The return or reopening that brought the report back to the unit, for its reason."""
    if report.pk is None or report.state != Report.State.BORRADOR:
        return None
    last = report.events.order_by("-created_at", "-id").first()
    restarts = (Action.RETURN, Action.REOPEN)
    return last if last and last.action in restarts else None


def _save(request, report):
    """Saves every row or none; with "send", the unit's head then signs ELABORÓ."""
    user = request.user
    if not access.can_capture(user, report.unidad_ejecutora):
        raise PermissionDenied("No captura para esta unidad ejecutora.")
    grid_url = reverse("poa:capture-grid", args=report_args(report))
    lock = workflow.lock_reason(report)
    if lock:
        messages.error(request, f"No se guardó ningún cambio. {lock}")
        return redirect(grid_url)
    sending = "send" in request.POST
    if sending and Action.SEND not in access.allowed_actions(user, report):
        raise PermissionDenied("Solo el responsable de la unidad ejecutora envía el informe.")
    grid = [
        GridRow(row, CaptureRowForm(request.POST, row=row, sending=sending))
        for row in workflow.capture_rows(report)
    ]
    version = VersionForm(request.POST)
    if not version.is_valid():
        messages.error(request, "La página de captura llegó incompleta; vuelva a cargarla.")
        return redirect(grid_url)
    if not all([item.form.is_valid() for item in grid]):
        messages.error(request, NOT_SAVED)
        return _render(request, report, grid)
    rows = {item.row.meta.pk: item.form.as_service_row() for item in grid}
    try:
        with transaction.atomic():
            workflow.capture_save(
                report=report, user=user, version=version.cleaned_data["version"], rows=rows
            )
            if sending:
                workflow.report_send(report=report, user=user)
    except workflow.StaleVersionError as error:
        return _stale(request, report, grid, error)
    except workflow.CaptureValidationError as error:
        _attach_errors(grid, error.errors)
        messages.error(request, NOT_SAVED)
        return _render(request, report, grid)
    except workflow.WorkflowError as error:
        messages.error(request, f"No se guardó ningún cambio. {error}")
        return redirect(grid_url)
    if sending:
        messages.success(request, "Se guardaron las cifras y se envió el informe a revisión.")
        return redirect("poa:report", *report_args(report))
    messages.success(request, f"Se guardaron las cifras de {len(rows)} metas.")
    return redirect(grid_url)


def _stale(request, report, grid, error):
    """Someone saved meanwhile: nothing is overwritten, the typed values stay on screen and
    the form now carries the current version, so saving again is a deliberate choice."""
    report.refresh_from_db(fields=["version", "state"])
    messages.error(request, str(error))
    return _render(request, report, grid, stale=error.changes)


def _attach_errors(grid, errors):
    for item in grid:
        for field, message in errors.get(item.row.meta.pk, {}).items():
            name = field if field in item.form.fields else None
            item.form.add_error(name, message)


@login_required
def meta_detail(request, pk):
    meta = get_object_or_404(
        Meta.objects.select_related(
            "unidad_medida", "unidad_ejecutora__ramo__ejercicio", "unidad_ejecutora__programa"
        ).prefetch_related("lineas_accion", "avances"),
        pk=pk,
    )
    ue = meta.unidad_ejecutora
    if not access.can_view_unit(request.user, ue):
        raise Http404("No existe la meta o no tiene acceso a ella.")
    avances = {avance.quarter: avance for avance in meta.avances.all()}
    quarters = [(q, figures.QUARTER_LABELS[q], avances.get(q)) for q in figures.QUARTERS]
    context = {
        "meta": meta,
        "ue": ue,
        "quarters": quarters,
        "history": history.meta_history(meta),
    }
    return render(request, "capture/meta_detail.html", context)
