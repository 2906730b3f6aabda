"""Planeación's pages: the capture periods of each quarter, opening and closing them, and
later deadlines for a single unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from poa import access, workflow
from poa.forms import ExceptionGrantForm, PeriodOpenForm
from poa.models import CapturePeriod, Report


def planeacion_required(view):
    """Only planeación manages periods; everyone else gets 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not access.is_planeacion(request.user):
            raise PermissionDenied("Solo planeación administra los periodos de captura.")
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


REPORTS = "ejercicio__ramos__unidades__reports"


def _periods():
    """Every period with how many of its reports are in each state, in one query (plus one
    for the exceptions)."""
    by_state = {
        f"n_{state}": Count(
            REPORTS,
            filter=Q(**{f"{REPORTS}__quarter": F("quarter"), f"{REPORTS}__state": state}),
        )
        for state in Report.State.values
    }
    return (
        CapturePeriod.objects.select_related("ejercicio", "opened_by")
        .prefetch_related("exceptions__unidad_ejecutora", "exceptions__granted_by")
        .annotate(**by_state)
    )


@planeacion_required
def periods(request):
    form = PeriodOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = workflow.period_open(
            ejercicio=data["ejercicio"],
            quarter=data["quarter"],
            deadline=data["deadline"],
            user=request.user,
        )
        messages.success(
            request,
            f"Se abrió la captura de {period} hasta el "
            f"{_local(period.deadline)}; cada unidad ejecutora tiene su informe en borrador.",
        )
        return redirect("poa:periods")
    context = {"periods": _periods(), "form": form, "now": timezone.now()}
    return render(request, "planning/periods.html", context)


@require_POST
@planeacion_required
def period_close(request, pk):
    period = get_object_or_404(CapturePeriod.objects.select_related("ejercicio"), pk=pk)
    workflow.period_close(period=period, user=request.user)
    messages.success(request, f"Se cerró la captura de {period}.")
    return redirect("poa:periods")


@planeacion_required
def exception_grant(request, pk):
    period = get_object_or_404(CapturePeriod.objects.select_related("ejercicio"), pk=pk)
    form = ExceptionGrantForm(request.POST if request.method == "POST" else None, period=period)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.exception_grant(
                period=period,
                unidad_ejecutora=data["unidad_ejecutora"],
                deadline=data["deadline"],
                reason=data["reason"],
                user=request.user,
            )
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Prórroga otorgada a la UE {data['unidad_ejecutora'].clave} hasta el "
                f"{_local(data['deadline'])}.",
            )
            return redirect("poa:periods")
    return render(request, "planning/exception_grant.html", {"period": period, "form": form})


def _local(moment):
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
