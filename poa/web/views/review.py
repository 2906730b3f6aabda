"""The page of a quarterly report, its timeline and its transitions (send, review,
authorize, return, reopen, tell the head the capture is ready). Which transitions exist and
their words: poa.rules.states.REPORT; the rules: poa.services.review.

A confirmation that signs or undoes signatures shows the sheet's figures first, so the signer
sees what they sign: one build_sheet per request, whatever the number of transitions."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from poa.rules import figures
from poa.rules.capture import CaptureValidationError
from poa.rules.states import REPORT, WorkflowError
from poa.selectors import access
from poa.selectors.locks import capture_window, lock_reason
from poa.selectors.reports import report_events, report_or_404
from poa.selectors.sheet import Row, Sheet, build_sheet
from poa.services import review as services
from poa.web.forms import TransitionForm


@dataclass(frozen=True)
class ConfirmationRow:
    """A row of the sheet as the signer reads it: P and A of the report's quarter, and whether
    they differ (the variance an observation must explain)."""

    row: Row
    programmed: Decimal
    achieved: Decimal | None

    @property
    def differs(self) -> bool:
        return figures.needs_observation(self.programmed, self.achieved)


@dataclass(frozen=True)
class Confirmation:
    """What a signer reads before deciding: the sheet's rows and warnings."""

    sheet: Sheet
    rows: list[ConfirmationRow]

    @property
    def quarter_label(self) -> str:
        return figures.QUARTER_LABELS[self.sheet.quarter]

    @property
    def variances(self) -> list[ConfirmationRow]:
        return [row for row in self.rows if row.differs]

    @property
    def uncaptured(self) -> list[ConfirmationRow]:
        return [row for row in self.rows if row.achieved is None]


def _confirmation(report) -> Confirmation:
    sheet = build_sheet(report.unidad_ejecutora, report.quarter)
    q = report.quarter - 1
    rows = [ConfirmationRow(row, row.programmed[q], row.achieved[q]) for row in sheet.rows]
    return Confirmation(sheet, rows)


def _shows_figures(transition) -> bool:
    """Signing, returning and reopening decide on the figures; the capturista's notice does
    not."""
    return bool(transition.signs or transition.restarts)


@login_required
def report(request, year, ramo, ue, quarter):
    report = report_or_404(request.user, year, ramo, ue, quarter)
    unidad = report.unidad_ejecutora
    transitions = access.allowed_transitions(request.user, report, REPORT)
    context = {
        "report": report,
        "ue": unidad,
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "transitions": [(t, TransitionForm(transition=t), _shows_figures(t)) for t in transitions],
        "confirmation": (
            _confirmation(report) if any(_shows_figures(t) for t in transitions) else None
        ),
        "events": report_events(report),
        "window": capture_window(unidad_ejecutora=unidad, quarter=report.quarter),
        "lock_reason": lock_reason(report),
        "can_capture": access.can_capture(request.user, unidad),
    }
    return render(request, "review/report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_transition(request, year, ramo, ue, quarter, action):
    transition = REPORT.by_slug(action)
    if transition is None:
        raise Http404("Acción desconocida.")
    report = report_or_404(request.user, year, ramo, ue, quarter)
    if not access.holds_role(request.user, report, transition):
        raise PermissionDenied(f"No le corresponde {transition.label.lower()} este informe.")
    if not access.acting_role(request.user, report, transition):
        state = report.get_state_display().lower()
        messages.error(request, f"Esta acción no está disponible: el informe está {state}.")
        return redirect(report)
    form = TransitionForm(request.POST if request.method == "POST" else None, transition=transition)
    if request.method == "POST" and form.is_valid():
        return _run(request, report, transition, form.cleaned_data["comment"])
    context = {
        "report": report,
        "ue": report.unidad_ejecutora,
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "transition": transition,
        "form": form,
        "confirmation": _confirmation(report) if _shows_figures(transition) else None,
    }
    return render(request, "review/transition.html", context)


def _run(request, report, transition, comment):
    try:
        services.report_transition(
            report=report, user=request.user, action=transition.action, comment=comment
        )
    except CaptureValidationError as error:
        messages.error(request, _incomplete_message(report, transition, error.errors))
        return redirect(report.url("poa:capture-grid"))
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(report)
    messages.success(request, transition.done)
    return redirect(report)


def _incomplete_message(report, transition, errors):
    """Nothing was saved from this page, so the message says what did not happen: the
    transition, and the report stays where it was."""
    numbers = report.unidad_ejecutora.metas.filter(pk__in=errors).values_list("numero", flat=True)
    numbers = sorted(numbers)
    metas = "la meta" if len(numbers) == 1 else "las metas"
    state = report.get_state_display().lower()
    return (
        f"No se pudo {transition.verb} el informe, que sigue en {state}: faltan cifras u "
        f"observaciones en {metas} {', '.join(str(n) for n in numbers)}. Complételas en la "
        "captura."
    )
