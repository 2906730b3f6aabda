"""Planeación's Excel page: download a year's workbook or the blank template, and upload a
workbook to preview its import (every error by sheet, row and column, or what would change)
before confirming it. The rules are poa.services.imports'; the upload waits in
poa.imports.uploads."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from poa.documents import yearbook
from poa.documents.exports import attachment
from poa.services import imports
from poa.services.imports import book, uploads
from poa.web.decorators import planeacion_required
from poa.web.forms import YearExportForm, YearImportForm

PENDING = "poa_excel_import"  # session key: the upload waiting for confirmation
ERRORS_PER_PAGE = 50
MULTIPART_MARGIN = 64 * 1024  # the form's other fields and the multipart boundaries


@planeacion_required
def excel(request):
    posted = request.method == "POST"
    problem = _too_big(request) if posted else None
    if problem:
        messages.error(request, problem)
        return redirect("poa:excel")
    form = YearImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        token = uploads.upload_store(data["archivo"])
        result = imports.year_import(
            path=uploads.upload_path(token),
            user=request.user,
            approve=data["aprobar"],
            dry_run=True,
        )
        if not result.samples:
            # Not a workbook of this layout at all: said next to the field.
            uploads.upload_discard(token)
            for problem in result.errors:
                form.add_error("archivo", str(problem))
        else:
            _discard_pending(request)
            uploads.result_store(token, result)
            request.session[PENDING] = {
                "token": token,
                "approve": data["aprobar"],
                "name": data["archivo"].name,
            }
            return redirect("poa:excel-preview")
    context = {
        "form": form,
        "export_form": YearExportForm(),
        "pending": request.session.get(PENDING),
    }
    return render(request, "planning/excel.html", context)


@planeacion_required
def excel_download(request):
    form = YearExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("poa:excel")
    data = form.cleaned_data
    return attachment(yearbook.render_year(data["ejercicio"], with_progress=data["avance"]))


@planeacion_required
def excel_template(request):
    return attachment(yearbook.render_template())


@planeacion_required
def excel_preview(request):
    pending = request.session.get(PENDING)
    try:
        result = uploads.result_load(pending["token"]) if pending else None
    except FileNotFoundError:
        result = None
    if result is None:
        messages.info(request, "No hay ningún libro en revisión; súbalo de nuevo.")
        return redirect("poa:excel")
    errors = Paginator(result.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"result": result, "pending": pending, "errors": errors}
    return render(request, "planning/excel_preview.html", context)


@require_POST
@planeacion_required
def excel_confirm(request):
    pending = request.session.get(PENDING)
    try:
        path = uploads.upload_path(pending["token"]) if pending else None
    except FileNotFoundError:
        path = None
    if path is None:
        messages.error(request, "El libro en revisión ya no está disponible; súbalo de nuevo.")
        return redirect("poa:excel")
    result = imports.year_import(path=path, user=request.user, approve=pending["approve"])
    if not result.saved:
        # Something changed since the preview: the upload stays, with the new errors.
        uploads.result_store(pending["token"], result)
        messages.error(request, "No se importó nada: el libro tiene errores (vea la lista).")
        return redirect("poa:excel-preview")
    _discard_pending(request)
    messages.success(request, result.headline())
    return redirect("poa:excel")


@require_POST
@planeacion_required
def excel_cancel(request):
    _discard_pending(request)
    messages.info(request, "Se descartó el libro en revisión; no se importó nada.")
    return redirect("poa:excel")


def _too_big(request):
    """Why an upload far bigger than the limit is refused before its body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= imports.max_bytes() + MULTIPART_MARGIN:
        return None
    return book.size_problem(length, imports.max_bytes())


def _discard_pending(request):
    pending = request.session.pop(PENDING, None)
    if pending:
        uploads.upload_discard(pending.get("token"))
