"""The page of one meta (its figures, its history, its approved versions and the requests to
modify it), the unit's request of a modificación programática, and planeación's pages to
decide them. Which transitions exist and their words: poa.rules.states.MODIFICATION; the rules:
poa.services.programming."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from poa.rules import figures
from poa.rules.states import MODIFICATION, WorkflowError
from poa.selectors import access, history
from poa.selectors.locks import authorized_quarters, modification_lock_reason, programming_approved
from poa.selectors.metas import (
    meta_modifications,
    meta_or_404,
    meta_versions,
    modification_or_404,
    modification_timeline,
    modifications_for_planeacion,
)
from poa.services import modifications as services
from poa.services import programming
from poa.services.versions import modification_changes
from poa.web.decorators import planeacion_required
from poa.web.filters import ModificacionFilter
from poa.web.forms import ModificationRequestForm, TransitionForm
from poa.web.tables import ModificacionTable, configure
from poa.web.views.evidence import meta_evidence_quarters, upload_context

# The meta and the unit's request --------------------------------------------------------------


@login_required
def meta_detail(request, pk):
    return _render_meta(request, meta_or_404(request.user, pk))


def _trail(meta, origin):
    """The breadcrumb back from the meta, as (label, url): its year's programming, its unit's
    programming and, when the page was opened from a quarter's capture (`?desde=<quarter>`),
    that capture."""
    ue = meta.unidad_ejecutora
    year, ramo = ue.ramo.ejercicio.year, ue.ramo.clave
    trail = [
        (f"Programación {year}", reverse("poa:programming-overview", args=[year])),
        (f"Ramo {ramo} · UE {ue.clave}", reverse("poa:programming", args=[year, ramo, ue.clave])),
    ]
    quarter = int(origin) if origin in {str(q) for q in figures.QUARTERS} else None
    if quarter:
        grid = reverse("poa:capture-grid", args=[year, ramo, ue.clave, quarter])
        trail.append((f"Captura {figures.QUARTER_LABELS[quarter]} {year}", grid))
    return trail


@require_POST
@login_required
def modification_request(request, pk):
    meta = meta_or_404(request.user, pk)
    if not access.can_capture(request.user, meta.unidad_ejecutora):
        raise PermissionDenied("No solicita modificaciones de esta unidad ejecutora.")
    authorized = authorized_quarters(meta)
    form = ModificationRequestForm(request.POST, meta=meta, authorized=authorized)
    if not form.is_valid():
        messages.error(request, "Revise los datos marcados; no se envió la solicitud.")
        return _render_meta(request, meta, form)
    try:
        services.modification_request(
            meta=meta,
            user=request.user,
            justificacion=form.cleaned_data["justificacion"],
            change=form.change(),
        )
    except programming.PlanValidationError as error:
        form.add_service_errors(error.errors)
        messages.error(request, str(error))
        return _render_meta(request, meta, form)
    except WorkflowError as error:
        messages.error(request, f"No se envió la solicitud. {error}")
        return _render_meta(request, meta, form)
    messages.success(request, "Solicitud enviada a planeación; la meta cambiará cuando la apruebe.")
    return redirect("poa:meta-detail", pk=meta.pk)


def _render_meta(request, meta, form=None):
    """The meta page; whoever captures for the unit gets the request form (`form`, when
    refused, keeps what was typed) while a request can be made, or the reason why not."""
    ue = meta.unidad_ejecutora
    lock = None
    if access.can_capture(request.user, ue):
        authorized = authorized_quarters(meta)
        lock = modification_lock_reason(meta, authorized)
        if form is None and lock is None:
            form = ModificationRequestForm(meta=meta, authorized=authorized)
    avances = {avance.quarter: avance for avance in meta.avances.all()}
    context = {
        "meta": meta,
        "ue": ue,
        "trail": _trail(meta, request.GET.get("desde")),
        "quarters": [(q, figures.QUARTER_LABELS[q], avances.get(q)) for q in figures.QUARTERS],
        "history": history.meta_history(meta),
        "versions": meta_versions(meta),
        "modifications": [
            (m, MODIFICATION.state(m.state), modification_timeline(m))
            for m in meta_modifications(meta)
        ],
        "form": form,
        "request_lock": lock,
        "approved": programming_approved(ue),
        "evidence_quarters": meta_evidence_quarters(request.user, meta),
        **upload_context(),
    }
    return render(request, "capture/meta_detail.html", context)


# Planeación decides ----------------------------------------------------------------------------


@planeacion_required
def modifications(request):
    """Every request, waiting ones first, filtered by state, year and ramo."""
    requests = ModificacionFilter(request.GET, queryset=modifications_for_planeacion())
    context = {
        "filter": requests,
        "table": configure(request, ModificacionTable(requests.qs)),
    }
    return render(request, "planning/modifications.html", context)


@login_required
def modification(request, pk):
    """A request: the meta today (or as it was) and as proposed, side by side, its timeline
    and, for planeación while it waits, the decisions."""
    modificacion = modification_or_404(request.user, pk)
    transitions = access.allowed_transitions(request.user, modificacion, MODIFICATION)
    context = {
        "modificacion": modificacion,
        "meta": modificacion.meta,
        "ue": modificacion.meta.unidad_ejecutora,
        "state": MODIFICATION.state(modificacion.state),
        "changes": modification_changes(modificacion),
        "timeline": modification_timeline(modificacion),
        "transitions": [(t, TransitionForm(transition=t)) for t in transitions],
    }
    return render(request, "planning/modification.html", context)
