"""The one page that makes a transition of any workflow: the machine comes from the URL
(informe, programacion or modificacion), the subject from its address through the access
rules. A GET shows the confirmation (the page without JavaScript; screens open the same
confirmation in a window), a POST makes it through poa.services.transitions. Every refusal
is worded by poa.rules.states."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from poa.rules import figures
from poa.rules.capture import CaptureValidationError
from poa.rules.states import WorkflowError
from poa.selectors import access
from poa.selectors.metas import modification_or_404
from poa.selectors.programming import empty_metas_done, empty_metas_warnings, programming_or_404
from poa.selectors.reports import report_or_404
from poa.services import modifications, programming, review
from poa.services.transitions import transition_run
from poa.web.forms import TransitionForm
from poa.web.uploads import in_memory_uploads, too_big
from poa.web.views.review import confirmation_of, incomplete_message, shows_figures


@dataclass(frozen=True)
class Door:
    """What the page needs of one machine: its flow, its subject from the URL (`fetch(user,
    **kwargs)`, 404 for those who may not see it), the subject's page (`back`), the
    confirmation's template and what it shows (`context(subject, transition)`), and, when
    some refusal leads elsewhere than the subject's page, `refused(request, subject,
    transition, error)`; `warned(subject, transition)` lists what to warn of once made."""

    flow: object
    fetch: Callable
    back: Callable
    template: str
    context: Callable
    refused: Callable | None = None
    warned: Callable | None = None


def _report_context(report, transition):
    return {
        "report": report,
        "ue": report.unidad_ejecutora,
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "confirmation": confirmation_of(report) if shows_figures(transition) else None,
    }


def _report_refused(request, report, transition, error):
    """An incomplete capture is completed in the grid, which marks what is missing."""
    if not isinstance(error, CaptureValidationError):
        return None
    messages.error(request, incomplete_message(report, transition, error.errors))
    return redirect(report.url("poa:capture-grid"))


def _modification_context(modificacion, transition):
    meta = modificacion.meta
    return {"modificacion": modificacion, "meta": meta, "ue": meta.unidad_ejecutora}


DOORS = {
    door.flow.machine.name: door
    for door in (
        Door(
            flow=review.FLOW,
            fetch=report_or_404,
            back=lambda report: report.get_absolute_url(),
            template="review/transition.html",
            context=_report_context,
            refused=_report_refused,
        ),
        Door(
            flow=programming.FLOW,
            fetch=programming_or_404,
            back=lambda programacion: programacion.get_absolute_url(),
            template="programming/transition.html",
            context=lambda programacion, transition: {
                "programacion": programacion,
                "ue": programacion.unidad_ejecutora,
                "warnings": empty_metas_warnings(programacion),
            },
            warned=lambda programacion, transition: empty_metas_done(
                programacion, transition.action
            ),
        ),
        Door(
            flow=modifications.FLOW,
            fetch=modification_or_404,
            back=lambda modificacion: reverse("poa:modification", args=[modificacion.pk]),
            template="planning/modification_transition.html",
            context=_modification_context,
        ),
    )
}


# The e.firma's files weigh a few kilobytes each; nothing larger is read.
EFIRMA_MAX_BYTES = 256 * 1024


def signs_with_efirma(door, transition) -> bool:
    return bool(settings.POA_FIRMA_ELECTRONICA and door.flow.document and transition.signs)


@in_memory_uploads(EFIRMA_MAX_BYTES)
@sensitive_post_parameters("efirma_password")
@login_required
@require_http_methods(["GET", "POST"])
def transition(request, machine, action, **where):
    door = DOORS[machine]
    machine = door.flow.machine
    transition = machine.by_slug(action)
    if transition is None:
        raise Http404("Acción desconocida.")
    subject = door.fetch(request.user, **where)
    if not access.holds_role(request.user, subject, transition):
        raise PermissionDenied(machine.refusal_for_role(transition))
    if not access.acting_role(request.user, subject, transition):
        messages.error(request, machine.refusal_for_state(transition, subject.state))
        return redirect(door.back(subject))
    efirma = signs_with_efirma(door, transition)
    bound = request.method == "POST"
    form = TransitionForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        transition=transition,
        efirma=efirma,
    )
    if bound and too_big(request):
        form.add_error(None, "Los archivos de la e.firma pasan de 256 KB: elija su .cer y su .key.")
    elif bound and form.is_valid():
        credentials = form.cleaned_data.get("credentials")
        return _make(request, door, subject, transition, form.cleaned_data["comment"], credentials)
    context = {"transition": transition, "form": form, **door.context(subject, transition)}
    return render(request, door.template, context)


@sensitive_variables("credentials")
def _make(request, door, subject, transition, comment, credentials=None):
    try:
        transition_run(
            door.flow,
            subject=subject,
            user=request.user,
            action=transition.action,
            comment=comment,
            credentials=credentials,
        )
    except WorkflowError as error:
        response = door.refused and door.refused(request, subject, transition, error)
        if response:
            return response
        messages.error(request, str(error))
    else:
        messages.success(request, transition.done)
        for warning in door.warned(subject, transition) if door.warned else ():
            messages.warning(request, warning)
    return redirect(door.back(subject))
