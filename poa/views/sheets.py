"""The TMM-F004 sheet of a unit (HTML, PDF and XLSX) and of every unit of a ramo (PDF)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from poa import access
from poa.documents import pdf, xlsx
from poa.models import Ramo
from poa.sheet import build_sheet, build_sheets


def _download(document):
    filename, mimetype, content = document
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def sheet(request, year, ramo, ue, quarter):
    unidad = access.get_unit_or_404(request.user, year, ramo, ue)
    return render(request, "sheets/tmm_f004.html", {"sheet": build_sheet(unidad, quarter)})


@login_required
def sheet_pdf(request, year, ramo, ue, quarter):
    unidad = access.get_unit_or_404(request.user, year, ramo, ue)
    return _download(pdf.render_sheet(build_sheet(unidad, quarter)))


@login_required
def sheet_xlsx(request, year, ramo, ue, quarter):
    unidad = access.get_unit_or_404(request.user, year, ramo, ue)
    return _download(xlsx.render_sheet(build_sheet(unidad, quarter)))


@login_required
def ramo_pdf(request, year, ramo, quarter):
    """Every unit of the ramo the user may see, each on its own pages."""
    ramo = get_object_or_404(Ramo, ejercicio__year=year, clave=ramo)
    sheets = build_sheets(access.units_visible_to(request.user).filter(ramo=ramo), quarter)
    if not sheets:
        raise Http404("No tiene acceso a ninguna unidad ejecutora de este ramo.")
    return _download(pdf.render_sheets(sheets))
