"""The annual programming of a unit: the screen where it drafts its metas, the approval of
planeación (send, approve, return), the search of líneas de acción, the proposal and
acceptance of units of measure, and the overview of every unit of a year. Which transitions
exist and their words: poa.rules.states.PROGRAMMING; the rules: poa.services.programming."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from poa.models import Ejercicio, ProgramacionEvent, UnidadMedida
from poa.rules import figures
from poa.rules.states import PROGRAMMING, WorkflowError
from poa.selectors import access
from poa.selectors.locks import programming_lock_reason
from poa.selectors.programming import (
    empty_metas_done,
    empty_metas_warnings,
    lineas_search,
    pending_units_of_measure,
    programming_events,
    programming_metas,
    programming_or_404,
    programming_returned,
    units_of_measure_for,
    units_with_programming,
)
from poa.services import programming as services
from poa.web.filters import ProgrammingFilter
from poa.web.forms import ROW_KEY, MeasureProposeForm, PlanRowForm, TransitionForm, VersionForm
from poa.web.tables import ProgrammingTable, configure

Action = ProgramacionEvent.Action
SEND = PROGRAMMING.transition(Action.SEND)
VIEW_ONLY = (
    "Usted puede consultar esta programación; solo los capturistas de la unidad y su "
    "responsable redactan sus metas."
)
INCOMPLETE = "La página de la programación llegó incompleta; vuelva a cargarla."


@login_required
def programming(request, year, ramo, ue):
    programacion = programming_or_404(request.user, year, ramo, ue)
    if request.method == "POST":
        return _save(request, programacion)
    return _render(request, programacion, _stored_rows(programacion))


def _lock(user, programacion) -> str | None:
    """Why the screen is read-only for this user; None when they may draft."""
    reason = programming_lock_reason(programacion)
    if reason is None and not access.can_capture(user, programacion.unidad_ejecutora):
        return VIEW_ONLY
    return reason


def _stored_rows(programacion):
    """One form per stored meta; a unit without metas starts with one blank meta numbered
    as its series suggests."""
    ue = programacion.unidad_ejecutora
    rows = [
        PlanRowForm(key=str(meta.pk), ue=ue, meta=meta) for meta in programming_metas(programacion)
    ]
    return rows or [PlanRowForm(key="nueva-1", ue=ue, numero=services.suggested_numero(ue))]


def _render(request, programacion, rows, *, stale=None, status=200):
    user, ue = request.user, programacion.unidad_ejecutora
    lock = _lock(user, programacion)
    events = list(programming_events(programacion))
    transitions = access.allowed_transitions(user, programacion, PROGRAMMING)
    drafting = programacion.machine_state.draft
    context = {
        "programacion": programacion,
        "ue": ue,
        "editable": lock is None,
        "lock_reason": lock,
        "rows": rows,
        "metas": programming_metas(programacion) if lock else None,
        "template_row": PlanRowForm(key="__KEY__", ue=ue),
        "units": list(units_of_measure_for(ue)),
        "pending_units": pending_units_of_measure().filter(metas__unidad_ejecutora=ue),
        "is_planeacion": access.is_planeacion(user),
        "send": SEND,
        "can_send": lock is None and SEND in transitions,
        "transitions": [(t, TransitionForm(transition=t)) for t in transitions if t != SEND],
        "warnings": empty_metas_warnings(programacion),
        "events": events,
        "returned": programming_returned(events) if drafting else None,
        "version": programacion.version,
        "stale": stale,
        "propose_form": MeasureProposeForm(),
        "quarters": list(figures.QUARTER_LABELS.items()),
        "suggested_numero": services.suggested_numero(ue),
        "figure_messages": figures.FIGURE_MESSAGES,
        "plan_messages": {"annual_required": services.ANNUAL_REQUIRED},
    }
    return render(request, "programming/programming.html", context, status=status)


def _save(request, programacion):
    """Saves every meta or none; with "send", the unit's head then sends the programming."""
    ue = programacion.unidad_ejecutora
    if not access.can_capture(request.user, ue):
        raise PermissionDenied("No programa las metas de esta unidad ejecutora.")
    lock = programming_lock_reason(programacion)
    if lock:
        messages.error(request, f"No se guardó ningún cambio. {lock}")
        return redirect(programacion.get_absolute_url())
    keys = request.POST.getlist("row")
    version = VersionForm(request.POST)
    valid_keys = all(ROW_KEY.fullmatch(key) for key in keys) and len(set(keys)) == len(keys)
    if not version.is_valid() or not valid_keys:
        messages.error(request, INCOMPLETE)
        return redirect(programacion.get_absolute_url())
    sending = "send" in request.POST
    metas = {str(meta.pk): meta for meta in programming_metas(programacion)}
    rows = [PlanRowForm(request.POST, key=key, ue=ue, meta=metas.get(key)) for key in keys]
    if not all([row.is_valid() for row in rows]):
        messages.error(request, services.plan_refusal(sending))
        return _render(request, programacion, rows)
    try:
        result = services.programming_save(
            programacion=programacion,
            user=request.user,
            version=version.cleaned_data["version"],
            rows=[row.as_plan_row() for row in rows],
            send=sending,
        )
    except services.StaleProgrammingError as error:
        return _stale(request, programacion, rows, error)
    except services.PlanValidationError as error:
        _attach_errors(rows, error.errors)
        messages.error(request, str(error))
        return _render(request, programacion, rows)
    except WorkflowError as error:
        # Typed values stay on screen: a refused send saved nothing either.
        refused = "La programación no se envió y no se guardó ningún cambio."
        messages.error(request, f"{refused if sending else 'No se guardó ningún cambio.'} {error}")
        _refresh(programacion)
        return _render(request, programacion, rows)
    messages.success(request, _saved_message(result))
    for warning in empty_metas_done(result.programacion, SEND.action) if result.sent else ():
        messages.warning(request, warning)
    return redirect(result.programacion.get_absolute_url())


def _refresh(programacion):
    if programacion.pk:
        programacion.refresh_from_db(fields=["version", "state"])


def _saved_message(result):
    saved = {
        0: "No había cambios que guardar",
        1: "Se guardó 1 meta",
    }.get(result.changed, f"Se guardaron {result.changed:,} metas")
    if result.sent:
        return SEND.done if not result.changed else f"{saved}. {SEND.done}"
    return f"{saved}."


def _attach_errors(rows, errors):
    for row in rows:
        for field, message in errors.get(row.key, {}).items():
            row.add_error(field if field in row.fields else None, message)


def _stale(request, programacion, rows, error):
    """Someone saved meanwhile: nothing is overwritten, what was typed stays on screen and the
    form now carries the current version, so saving again is a deliberate choice. Metas the
    other person removed come back as new rows; metas they added are shown too."""
    _refresh(programacion)
    ue = programacion.unidad_ejecutora
    stored = {str(meta.pk): meta for meta in programming_metas(programacion)}
    data, gone, kept = request.POST.copy(), [], []
    last_new = max([int(row.key.split("-")[1]) for row in rows if row.is_new] + [0])
    for row in rows:
        if row.is_new or row.key in stored:
            kept.append(PlanRowForm(data, key=row.key, ue=ue, meta=stored.get(row.key)))
        elif not row.cleaned_data.get("delete"):
            last_new += 1
            _copy_prefix(data, row.key, f"nueva-{last_new}")
            kept.append(PlanRowForm(data, key=f"nueva-{last_new}", ue=ue))
            gone.append(row["numero"].value())
    mentioned = {row.key for row in rows}
    added = [(key, meta) for key, meta in stored.items() if key not in mentioned]
    kept += [PlanRowForm(key=key, ue=ue, meta=meta) for key, meta in added]
    for row in kept:
        row.is_valid()
    messages.error(request, str(error))
    return _render(request, programacion, kept, stale={"gone": gone})


def _copy_prefix(data, key, new_key):
    old, new = f"meta-{key}-", f"meta-{new_key}-"
    for name in list(data):
        if name.startswith(old):
            data.setlist(new + name[len(old) :], data.getlist(name))


# Approval ----------------------------------------------------------------------------------


# Líneas de acción and units of measure ----------------------------------------------------


@login_required
def lineas(request, year, ramo, ue):
    """The líneas de acción of the unit's year matching ?q= (clave or nombre), as JSON."""
    unidad = access.get_unit_or_404(request.user, year, ramo, ue)
    query = request.GET.get("q", "")[:100]
    found = lineas_search(unidad.ramo.ejercicio_id, query)
    results = [{"id": linea.pk, "clave": linea.clave, "nombre": linea.nombre} for linea in found]
    return JsonResponse({"results": results})


@login_required
@require_POST
def measure_propose(request, year, ramo, ue):
    """A unit drafting its programming proposes a unit of measure; answers JSON to the
    screen's script and redirects otherwise."""
    programacion = programming_or_404(request.user, year, ramo, ue)
    if not access.can_capture(request.user, programacion.unidad_ejecutora):
        raise PermissionDenied("No programa las metas de esta unidad ejecutora.")
    form = MeasureProposeForm(request.POST)
    measure, error = None, programming_lock_reason(programacion)
    if error is None and form.is_valid():
        try:
            measure = services.measure_propose(
                unidad_ejecutora=programacion.unidad_ejecutora,
                user=request.user,
                nombre=form.cleaned_data["nombre"],
                admite_decimales=form.cleaned_data["admite_decimales"],
            )
        except WorkflowError as refusal:
            error = str(refusal)
    elif error is None:
        error = next(iter(form.errors.values()))[0]
    return _proposal_response(request, programacion, measure, error)


def _proposal_response(request, programacion, measure, error):
    if "application/json" in request.headers.get("Accept", ""):
        if error:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse(
            {
                "id": measure.pk,
                "nombre": measure.nombre,
                "admite_decimales": measure.admite_decimales,
                "message": _proposed_message(measure),
            }
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _proposed_message(measure))
    return redirect(programacion.get_absolute_url())


def _proposed_message(measure):
    return (
        f"Se propuso la unidad de medida «{measure}». Ya puede elegirla; planeación la acepta "
        "antes de aprobar la programación."
    )


@login_required
@require_POST
def measure_accept(request, pk):
    if not access.is_planeacion(request.user):
        raise PermissionDenied("Solo planeación acepta unidades de medida.")
    measure = get_object_or_404(UnidadMedida, pk=pk)
    services.measure_accept(measure=measure, user=request.user)
    messages.success(request, f"La unidad de medida «{measure}» quedó aceptada en el catálogo.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("poa:programming-index")
    return redirect(back)


# Overview ----------------------------------------------------------------------------------


@login_required
def programming_index(request):
    """The overview of the latest year."""
    latest = Ejercicio.objects.order_by("-year").first()
    if latest is None:
        raise Http404("No hay ejercicios registrados.")
    return redirect("poa:programming-overview", latest.year)


@login_required
def programming_overview(request, year):
    """Every unit of the year the user may see with its programming's state, the missing ones
    first; for planeación also the units of measure waiting for acceptance."""
    ejercicio = get_object_or_404(Ejercicio, year=year)
    units = units_with_programming(request.user, year)
    unit_filter = ProgrammingFilter(request.GET, queryset=units)
    is_planeacion = access.is_planeacion(request.user)
    context = {
        "ejercicio": ejercicio,
        "years": Ejercicio.objects.order_by("-year").values_list("year", flat=True),
        "filter": unit_filter,
        "table": configure(request, ProgrammingTable(unit_filter.qs)),
        "is_planeacion": is_planeacion,
        "pending_units": pending_units_of_measure() if is_planeacion else [],
    }
    return render(request, "programming/overview.html", context)
