"""The report page of a unit and quarter: its state, its history and the transitions of its
sign-off (enviar, devolver, revisar, autorizar, reabrir), each confirmed before it is made."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from poa import access, figures, workflow
from poa.forms import TransitionForm
from poa.models import ReportEvent
from poa.views.capture import report_args, report_or_404

Action = ReportEvent.Action


@dataclass(frozen=True)
class Transition:
    slug: str
    action: str
    label: str
    confirm: str  # the button that makes it, after reading the question
    button: str  # Bootstrap colour of its button
    question: str
    done: str
    required_message: str | None = None  # when a comment is mandatory

    def run(self, *, report, user, comment):
        if self.action == Action.SEND:
            return workflow.report_send(report=report, user=user, comment=comment)
        if self.action == Action.REVIEW:
            return workflow.report_review(report=report, user=user, comment=comment)
        if self.action == Action.AUTHORIZE:
            return workflow.report_authorize(report=report, user=user, comment=comment)
        if self.action == Action.RETURN:
            return workflow.report_return(report=report, user=user, comment=comment)
        return workflow.report_reopen(report=report, user=user, reason=comment)


TRANSITIONS = {
    t.slug: t
    for t in (
        Transition(
            "enviar",
            Action.SEND,
            "Enviar (firmar ELABORÓ)",
            "Sí, enviar y firmar ELABORÓ",
            "success",
            "El informe pasará a revisión con su firma ELABORÓ y ya no podrá modificarse, "
            "salvo que se lo devuelvan.",
            "Informe enviado a revisión.",
        ),
        Transition(
            "revisar",
            Action.REVIEW,
            "Revisar (firmar REVISÓ)",
            "Sí, revisar y firmar REVISÓ",
            "success",
            "El informe quedará revisado con su firma REVISÓ y pasará a autorización.",
            "Informe revisado.",
        ),
        Transition(
            "autorizar",
            Action.AUTHORIZE,
            "Autorizar (firmar AUTORIZÓ)",
            "Sí, autorizar y firmar AUTORIZÓ",
            "success",
            "El informe quedará autorizado con su firma AUTORIZÓ; sus cifras serán "
            "definitivas y solo planeación podrá reabrirlo.",
            "Informe autorizado.",
        ),
        Transition(
            "devolver",
            Action.RETURN,
            "Devolver",
            "Sí, devolver",
            "warning",
            "El informe regresará a borrador para que la unidad lo corrija; las firmas "
            "anteriores se anulan. Escriba qué debe corregirse.",
            "Informe devuelto a la unidad ejecutora.",
            "Escriba el motivo de la devolución.",
        ),
        Transition(
            "reabrir",
            Action.REOPEN,
            "Reabrir",
            "Sí, reabrir",
            "danger",
            "El informe autorizado regresará a borrador y se anulan sus firmas. Quedará "
            "registrado el motivo.",
            "Informe reabierto.",
            "Escriba el motivo para reabrir el informe.",
        ),
    )
}
BY_ACTION = {t.action: t for t in TRANSITIONS.values()}


@login_required
def report(request, year, ramo, ue, quarter):
    report = report_or_404(request.user, year, ramo, ue, quarter)
    unidad = report.unidad_ejecutora
    actions = [BY_ACTION[a] for a in access.allowed_actions(request.user, report)]
    context = {
        "report": report,
        "ue": unidad,
        "args": report_args(report),
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "transitions": [(t, TransitionForm(required_message=t.required_message)) for t in actions],
        "events": _events(report),
        "window": workflow.capture_window(unidad_ejecutora=unidad, quarter=report.quarter),
        "lock_reason": workflow.lock_reason(report),
        "can_capture": access.can_capture(request.user, unidad),
    }
    return render(request, "review/report.html", context)


def _events(report):
    if report.pk is None:
        return []
    return report.events.select_related("user").order_by("created_at", "id")


@login_required
@require_http_methods(["GET", "POST"])
def report_transition(request, year, ramo, ue, quarter, action):
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404("Acción desconocida.")
    posted = request.method == "POST"
    report = report_or_404(request.user, year, ramo, ue, quarter, create=posted)
    if not access.holds_role(request.user, report, transition.action):
        raise PermissionDenied(f"No le corresponde {transition.label.lower()} este informe.")
    if transition.action not in access.allowed_actions(request.user, report):
        state = report.get_state_display().lower()
        messages.error(request, f"Esta acción no está disponible: el informe está {state}.")
        return redirect("poa:report", *report_args(report))
    data = request.POST if posted else None
    form = TransitionForm(data, required_message=transition.required_message)
    if posted and form.is_valid():
        return _run(request, report, transition, form.cleaned_data["comment"])
    context = {
        "report": report,
        "ue": report.unidad_ejecutora,
        "args": report_args(report),
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "transition": transition,
        "form": form,
    }
    return render(request, "review/transition.html", context)


def _run(request, report, transition, comment):
    try:
        transition.run(report=report, user=request.user, comment=comment)
    except workflow.CaptureValidationError as error:
        metas = _meta_numbers(report, error.errors)
        messages.error(
            request,
            f"No se puede enviar: faltan cifras u observaciones en las metas {metas}. "
            "Complételas en la captura.",
        )
        return redirect("poa:capture-grid", *report_args(report))
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return redirect("poa:report", *report_args(report))
    messages.success(request, transition.done)
    return redirect("poa:report", *report_args(report))


def _meta_numbers(report, errors):
    numbers = report.unidad_ejecutora.metas.filter(pk__in=errors).values_list("numero", flat=True)
    return ", ".join(str(n) for n in sorted(numbers))
