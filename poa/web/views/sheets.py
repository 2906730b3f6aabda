"""The TMM-F004 sheet of a unit (HTML, PDF and XLSX), of every unit of a ramo (PDF), and the
ZIP of every unit's sheet of a year and quarter that planeación asks for (made in the
background: poa.services.batch)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from poa.documents import pdf, xlsx
from poa.documents.exports import attachment
from poa.models import Ramo, SheetExport
from poa.rules.figures import QUARTER_LABELS
from poa.selectors import access
from poa.selectors.sheet import build_sheets, sheets_of
from poa.services import batch, seals
from poa.web.decorators import planeacion_required
from poa.web.forms import SheetExportForm

logger = logging.getLogger("poa.documents")


def _pdf(request, make_pdf, *, sheet, unit):
    """The PDF as a download or, when WeasyPrint fails (with any error of its own), a Spanish
    page and a log line; rendering changes nothing, so the report stays as it was."""
    try:
        return attachment(make_pdf())
    except seals.SealedFileMissing as error:  # logged by the service; never drawn again
        context = {"sheet": sheet, "error": error}
        return render(request, "sheets/sealed_missing.html", context, status=500)
    except Exception:
        logger.exception(
            "PDF: no se pudo generar la hoja TMM-F004",
            extra={"year": sheet.year, "unit": unit, "quarter": sheet.quarter},
        )
        context = {"sheet": sheet, "whole_ramo": unit == sheet.ramo.clave}
        return render(request, "sheets/pdf_error.html", context, status=500)


@login_required
def sheet(request, year, ramo, ue, quarter):
    unidad = access.get_unit_or_404(request.user, year, ramo, ue)
    context = {"sheet": sheets_of([unidad], quarter)[0], "quarter_label": QUARTER_LABELS[quarter]}
    return render(request, "sheets/tmm_f004.html", context)


@login_required
def sheet_pdf(request, year, ramo, ue, quarter):
    unidad = access.get_unit_or_404(request.user, year, ramo, ue)
    sheet = sheets_of([unidad], quarter)[0]
    # An authorized sheet is its sealed PDF, read from the storage: rendered once.
    return _pdf(request, lambda: seals.sheet_pdf(sheet), sheet=sheet, unit=f"{ramo}-{ue}")


@login_required
def sheet_xlsx(request, year, ramo, ue, quarter):
    unidad = access.get_unit_or_404(request.user, year, ramo, ue)
    return attachment(xlsx.render_sheet(sheets_of([unidad], quarter)[0]))


@login_required
def ramo_pdf(request, year, ramo, quarter):
    """Every unit of the ramo the user may see, each on its own pages."""
    ramo = get_object_or_404(Ramo, ejercicio__year=year, clave=ramo)
    sheets = build_sheets(access.units_visible_to(request.user).filter(ramo=ramo), quarter)
    if not sheets:
        raise Http404("No tiene acceso a ninguna unidad ejecutora de este ramo.")
    return _pdf(request, lambda: pdf.render_sheets(sheets), sheet=sheets[0], unit=ramo.clave)


# The ZIP of every sheet -------------------------------------------------------------------


@planeacion_required
def sheet_exports(request):
    """Planeación asks for the ZIP of every unit's sheet of a year and quarter, and sees how
    far each one asked for got (the page asks for the progress of those still moving)."""
    form = SheetExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ejercicio, quarter = form.cleaned_data["ejercicio"], form.cleaned_data["quarter"]
        batch.sheet_export_request(ejercicio=ejercicio, quarter=quarter, user=request.user)
        messages.success(
            request,
            f"Se están generando las hojas de {ejercicio.year} T{quarter}. Puede seguir "
            "trabajando: el ZIP aparecerá aquí cuando esté listo.",
        )
        return redirect("poa:sheet-exports")
    exports = SheetExport.objects.select_related("ejercicio", "requested_by")[:20]
    return render(request, "sheets/exports.html", {"form": form, "exports": exports})


@require_GET
@planeacion_required
def sheet_export_status(request, pk):
    """The progress of one ZIP as JSON, for static/poa/js/sheet_exports.js."""
    export = get_object_or_404(SheetExport.objects.select_related("ejercicio"), pk=pk)
    return JsonResponse(export_status(export))


def export_status(export):
    ready = export.ready
    return {
        "state": export.state,
        "state_label": export.get_state_display(),
        "done": export.done,
        "total": export.total,
        "percent": export.percent,
        "text": export.progress_text,
        "zip_url": reverse("poa:sheet-export-zip", args=[export.pk]) if ready else None,
    }


@planeacion_required
def sheet_export_zip(request, pk):
    export = get_object_or_404(SheetExport.objects.select_related("ejercicio"), pk=pk)
    if not export.ready or not export.file:
        raise Http404("Ese ZIP todavía no está listo.")
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename)
