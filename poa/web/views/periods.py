"""Planeación's pages: the capture periods of each quarter, opening and closing them, and
later deadlines for a single unit."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from poa.models import CapturePeriod
from poa.rules.localtime import short_datetime
from poa.rules.states import WorkflowError
from poa.selectors.programming import units_not_approved
from poa.selectors.reports import periods_with_counts
from poa.services import periods as services
from poa.web.decorators import planeacion_required
from poa.web.forms import ExceptionGrantForm, PeriodOpenForm


@planeacion_required
def periods(request):
    form = PeriodOpenForm(request.POST if request.method == "POST" else None)
    pending = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pending = units_not_approved(data["ejercicio"])
        if not pending or request.POST.get("confirm") == str(data["ejercicio"].pk):
            return _open(request, data, pending)
    context = {
        "periods": periods_with_counts(),
        "form": form,
        "now": timezone.now(),
        "pending": pending,
    }
    return render(request, "planning/periods.html", context)


def _open(request, data, pending):
    """Opens the quarter; the message names the units that still cannot capture."""
    period = services.period_open(
        ejercicio=data["ejercicio"],
        quarter=data["quarter"],
        deadline=data["deadline"],
        user=request.user,
    )
    message = (
        f"Se abrió la captura de {period} hasta el {short_datetime(period.deadline)}; "
        "cada unidad ejecutora tiene su informe en borrador."
    )
    if pending:
        units = ", ".join(f"UE {ue.clave} (ramo {ue.ramo.clave})" for ue in pending)
        message += f" Aún no pueden capturar, porque su programación no está aprobada: {units}."
    messages.success(request, message)
    return redirect("poa:periods")


@require_POST
@planeacion_required
def period_close(request, pk):
    period = get_object_or_404(CapturePeriod.objects.select_related("ejercicio"), pk=pk)
    services.period_close(period=period, user=request.user)
    messages.success(request, f"Se cerró la captura de {period}.")
    return redirect("poa:periods")


@planeacion_required
def exception_grant(request, pk):
    period = get_object_or_404(CapturePeriod.objects.select_related("ejercicio"), pk=pk)
    form = ExceptionGrantForm(request.POST if request.method == "POST" else None, period=period)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.exception_grant(
                period=period,
                unidad_ejecutora=data["unidad_ejecutora"],
                deadline=data["deadline"],
                reason=data["reason"],
                user=request.user,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Prórroga otorgada a la UE {data['unidad_ejecutora'].clave} hasta el "
                f"{short_datetime(data['deadline'])}.",
            )
            return redirect("poa:periods")
    return render(request, "planning/exception_grant.html", {"period": period, "form": form})
