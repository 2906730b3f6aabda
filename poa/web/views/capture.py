"""The capture grid of a unit and quarter."""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url

from poa.models import ReportEvent
from poa.rules import figures
from poa.rules.capture import (
    CAPTURE_MESSAGES,
    MAX_OBSERVACIONES,
    CaptureValidationError,
    StaleVersionError,
    capture_refusal,
)
from poa.rules.states import REPORT, WorkflowError
from poa.selectors import access
from poa.selectors.evidence import report_evidence
from poa.selectors.grid import CaptureRow, capture_rows, capture_rows_at_version
from poa.selectors.locks import capture_window, evidence_lock_reason, lock_reason
from poa.selectors.reports import report_or_404, since_of
from poa.services.capture import capture_save
from poa.web.forms import CaptureRowForm, TransitionForm, VersionForm
from poa.web.views.evidence import upload_context

Action = ReportEvent.Action
# Grids saved in this session whose page has not been shown since: the browser then drops
# the draft it kept of them.
SAVED_GRIDS = "poa_capture_saved"


@dataclass
class GridRow:
    row: CaptureRow
    form: CaptureRowForm
    # The files that back the meta's figure of the quarter.
    evidence: list = dataclasses.field(default_factory=list)

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


def login_keeping_capture(view):
    """login_required, except that a save arriving after the session expired goes to the
    login page saying so, and from there back to the grid, where the browser kept what was
    typed (static/poa/js/capture.js)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method != "POST":
            return redirect_to_login(request.get_full_path())
        return redirect_to_login(request.path, f"{resolve_url(settings.LOGIN_URL)}?sesion=expirada")

    return wrapper


@login_keeping_capture
def capture_grid(request, year, ramo, ue, quarter):
    report = report_or_404(request.user, year, ramo, ue, quarter)
    if request.method == "POST":
        return _save(request, report)
    rows = capture_rows_at_version(report)
    grid = [GridRow(row, CaptureRowForm(row=row)) for row in rows]
    return _render(request, report, grid)


def _render(request, report, grid, *, stale=None, status=200):
    user, ue = request.user, report.unidad_ejecutora
    can_capture = access.can_capture(user, ue)
    window = capture_window(unidad_ejecutora=ue, quarter=report.quarter)
    lock = lock_reason(report, window=window)
    if not lock and not can_capture:
        lock = "Usted puede consultar estas cifras; solo los capturistas de la unidad y su "
        lock += "responsable las capturan."
    transitions = access.allowed_transitions(user, report, REPORT)
    files = report_evidence(report)
    for item in grid:
        item.evidence = files.get(item.row.meta.pk, [])
    context = {
        "report": report,
        "ue": ue,
        "grid": grid,
        "editable": lock is None,
        "lock_reason": lock,
        "window": window,
        "send": REPORT.transition(Action.SEND),
        "can_send": REPORT.transition(Action.SEND) in transitions,
        "ready": REPORT.transition(Action.READY),
        "can_notify": REPORT.transition(Action.READY) in transitions,
        "ready_form": TransitionForm(transition=REPORT.transition(Action.READY)),
        "since": since_of(report),
        "version": report.version,
        "stale": stale,
        "bound": any(item.form.is_bound for item in grid),
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "threshold": f"{Decimal(str(settings.POA_OBSERVATION_THRESHOLD)):f}",
        "figure_messages": figures.FIGURE_MESSAGES,
        "capture_messages": CAPTURE_MESSAGES,
        "max_notes": MAX_OBSERVACIONES,
        "draft_key": f"poa-captura:{user.pk}:{report.url('poa:capture-grid')}",
        "just_saved": _shown_after_save(request, report),
        "evidence_editable": access.can_change_evidence(user, ue)
        and not evidence_lock_reason(report, window=window),
        **upload_context(),
    }
    return render(request, "capture/grid.html", context, status=status)


def _shown_after_save(request, report):
    """Whether this grid was saved since it was last shown (its draft is then obsolete)."""
    saved = request.session.get(SAVED_GRIDS, [])
    path = report.url("poa:capture-grid")
    if path not in saved:
        return False
    saved.remove(path)
    request.session[SAVED_GRIDS] = saved
    return True


def _save(request, report):
    """Saves every row or none; with "send", the unit's head then signs ELABORÓ."""
    if not access.can_capture(request.user, report.unidad_ejecutora):
        raise PermissionDenied("No captura para esta unidad ejecutora.")
    lock = lock_reason(report)
    if lock:
        messages.error(request, f"No se guardó ningún cambio. {lock}")
        return redirect(report.url("poa:capture-grid"))
    sending = "send" in request.POST
    # With e.firma the figures are saved here and the head signs on the send page.
    signs_with_efirma = sending and settings.POA_FIRMA_ELECTRONICA
    grid = [
        GridRow(row, CaptureRowForm(request.POST, row=row, sending=sending))
        for row in capture_rows(report)
    ]
    version = VersionForm(request.POST)
    if not version.is_valid():
        messages.error(request, "La página de captura llegó incompleta; vuelva a cargarla.")
        return redirect(report.url("poa:capture-grid"))
    if not all([item.form.is_valid() for item in grid]):
        messages.error(request, capture_refusal(sending))
        return _render(request, report, grid)
    try:
        result = capture_save(
            report=report,
            user=request.user,
            version=version.cleaned_data["version"],
            rows={item.row.meta.pk: item.form.as_service_row() for item in grid},
            send=sending and not signs_with_efirma,
        )
    except StaleVersionError as error:
        return _stale(request, report, grid, error)
    except CaptureValidationError as error:
        _attach_errors(grid, error.errors)
        messages.error(request, str(error))
        return _render(request, report, grid)
    except WorkflowError as error:
        messages.error(request, f"No se guardó ningún cambio. {error}")
        return redirect(report.url("poa:capture-grid"))
    messages.success(request, _saved_message(result))
    request.session[SAVED_GRIDS] = [
        *request.session.get(SAVED_GRIDS, []),
        report.url("poa:capture-grid"),
    ]
    if signs_with_efirma:
        messages.info(request, "Para enviar el informe, firme ELABORÓ con su e.firma.")
        return redirect(report.url("poa:report-transition", REPORT.transition(Action.SEND).slug))
    return redirect(report.url("poa:report" if result.sent else "poa:capture-grid"))


def _saved_message(result):
    saved = {
        0: "No había cambios que guardar",
        1: "Se guardaron las cifras de 1 meta",
    }.get(result.changed, f"Se guardaron las cifras de {result.changed:,} metas")
    if result.sent:
        sent = REPORT.transition(Action.SEND).done
        return sent if not result.changed else f"{saved}. {sent}"
    return f"{saved}."


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
