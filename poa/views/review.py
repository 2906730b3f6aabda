"""The page of a quarterly report, its timeline and its transitions (send, review,
authorize, return, reopen, tell the head the capture is ready). Which transitions exist and
their words: poa.states.REPORT; the rules: poa.workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from poa import access, figures, selectors, workflow
from poa.forms import TransitionForm
from poa.states import REPORT


@login_required
def report(request, year, ramo, ue, quarter):
    report = selectors.report_or_404(request.user, year, ramo, ue, quarter)
    unidad = report.unidad_ejecutora
    transitions = access.allowed_transitions(request.user, report, REPORT)
    context = {
        "report": report,
        "ue": unidad,
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "transitions": [(t, TransitionForm(transition=t)) for t in transitions],
        "events": selectors.report_events(report),
        "window": workflow.capture_window(unidad_ejecutora=unidad, quarter=report.quarter),
        "lock_reason": workflow.lock_reason(report),
        "can_capture": access.can_capture(request.user, unidad),
    }
    return render(request, "review/report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_transition(request, year, ramo, ue, quarter, action):
    transition = REPORT.by_slug(action)
    if transition is None:
        raise Http404("Acción desconocida.")
    report = selectors.report_or_404(request.user, year, ramo, ue, quarter)
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
    }
    return render(request, "review/transition.html", context)


def _run(request, report, transition, comment):
    try:
        workflow.report_transition(
            report=report, user=request.user, action=transition.action, comment=comment
        )
    except workflow.CaptureValidationError as error:
        metas = _meta_numbers(report, error.errors)
        messages.error(
            request,
            f"No se puede {transition.verb} el informe: faltan cifras u observaciones en las "
            f"metas {metas}. Complételas en la captura.",
        )
        return redirect(report.url("poa:capture-grid"))
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return redirect(report)
    messages.success(request, transition.done)
    return redirect(report)


def _meta_numbers(report, errors):
    numbers = report.unidad_ejecutora.metas.filter(pk__in=errors).values_list("numero", flat=True)
    return ", ".join(str(n) for n in sorted(numbers))
