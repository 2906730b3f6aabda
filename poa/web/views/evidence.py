"""The evidence files of a meta's quarter: attach them (from the capture grid or the meta's
page), remove them while the report may change, and download them with the sheet's access
rules. The rules: poa.services.evidence; whether they may change:
poa.selectors.locks.evidence_lock_reason."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from poa.models import Evidencia, Report
from poa.rules import evidence, figures
from poa.rules.evidence import EvidenceRefused
from poa.rules.states import WorkflowError
from poa.selectors import access
from poa.selectors.evidence import (
    evidence_or_404,
    evidence_report,
    meta_evidence,
    metas_lacking_evidence,
    report_evidence,
    unit_reports,
)
from poa.selectors.locks import evidence_lock_reason
from poa.selectors.metas import meta_or_404
from poa.services import evidence as services
from poa.web.uploads import EvidenceUploadHandler

# Where a change of the files leads back: ?volver=captura for the grid, the meta's page else.
BACK_TO_GRID = "captura"
CAPTURISTAS_ONLY = "Solo los capturistas de la unidad y su responsable adjuntan evidencias."


@dataclass(frozen=True)
class EvidenceQuarter:
    """One quarter of a meta's files as its page shows them, with whether the user may add
    or remove them now and, when not, why."""

    quarter: int
    label: str
    files: list[Evidencia]
    lock_reason: str | None
    can_change: bool


def meta_evidence_quarters(user, meta) -> list[EvidenceQuarter]:
    """The four quarters of the meta's files for its page."""
    files = meta_evidence(meta)
    unidad = meta.unidad_ejecutora
    captures = access.can_change_evidence(user, unidad)
    reports = unit_reports(unidad)
    quarters = []
    for quarter in figures.QUARTERS:
        report = reports.get(quarter) or Report(unidad_ejecutora=unidad, quarter=quarter)
        reason = evidence_lock_reason(report)
        quarters.append(
            EvidenceQuarter(
                quarter,
                figures.QUARTER_LABELS[quarter],
                files.get(quarter, []),
                reason,
                captures and reason is None,
            )
        )
    return quarters


def upload_context() -> dict:
    """What the upload forms say and accept, from the settings."""
    return {
        "evidence_accept": evidence.accept_attribute(settings.POA_EVIDENCE_TYPES),
        "evidence_kinds": evidence.kinds_text(settings.POA_EVIDENCE_TYPES),
        "evidence_file_limit": settings.POA_EVIDENCE_FILE_BYTES,
        "evidence_report_limit": settings.POA_EVIDENCE_REPORT_BYTES,
        "evidence_required": settings.POA_EVIDENCE_REQUIRED,
    }


def _back(request, meta, quarter) -> str:
    ue = meta.unidad_ejecutora
    if request.GET.get("volver") == BACK_TO_GRID:
        address = [ue.ramo.ejercicio.year, ue.ramo.clave, ue.clave, quarter]
        return f"{reverse('poa:capture-grid', args=address)}#meta-{meta.numero}"
    return f"{reverse('poa:meta-detail', args=[meta.pk])}#evidencias-t{quarter}"


# Attach ------------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def evidence_upload(request, pk, quarter):
    """The files stream to disk as they arrive: the upload handler must be set before
    anything reads the request's body, the CSRF check included, which runs right after
    (_upload). Strangers are turned away before the body is read."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("poa:meta-detail", args=[pk]))
    meta = meta_or_404(request.user, pk)
    if not access.can_change_evidence(request.user, meta.unidad_ejecutora):
        raise PermissionDenied(CAPTURISTAS_ONLY)
    handler = EvidenceUploadHandler(request, limit=settings.POA_EVIDENCE_FILE_BYTES)
    request.upload_handlers = [handler]
    return _upload(request, meta, quarter, handler)


@csrf_protect
def _upload(request, meta, quarter, handler):
    uploads = request.FILES.getlist("archivos")  # the body is read here, if not before
    refused = [evidence.too_large_message(name, handler.limit) for name in handler.too_large]
    if not uploads and not refused:
        messages.error(request, "Elija al menos un archivo para adjuntar.")
    kept = []
    try:
        for upload in uploads:
            try:
                added = services.evidence_add(
                    meta=meta, quarter=quarter, upload=upload, user=request.user
                )
                kept.append(added)
            except EvidenceRefused as error:
                refused.append(str(error))
    except WorkflowError as error:
        refused.append(f"No se adjuntó ningún archivo más. {error}")
    if kept:
        messages.success(request, _attached_message(kept, meta, quarter))
    for refusal in refused:
        messages.error(request, refusal)
    return redirect(_back(request, meta, quarter))


def _attached_message(kept, meta, quarter) -> str:
    where = f"la meta {meta.numero} ({figures.QUARTER_LABELS[quarter]})"
    if len(kept) == 1:
        return f"Se adjuntó «{kept[0].name}» a {where}."
    return f"Se adjuntaron {len(kept):,} archivos a {where}."


# Remove ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence_remove(request, pk):
    """A GET asks for confirmation; the POST removes the file."""
    evidencia = evidence_or_404(pk)
    if not access.can_view_evidence(request.user, evidencia):
        raise PermissionDenied("No tiene acceso a las evidencias de esta unidad ejecutora.")
    meta, quarter = evidencia.meta, evidencia.quarter
    back = _back(request, meta, quarter)
    if request.method == "POST":
        try:
            services.evidence_remove(evidencia=evidencia, user=request.user)
        except WorkflowError as error:
            messages.error(request, f"No se quitó «{evidencia.name}». {error}")
        else:
            messages.success(request, f"Se quitó «{evidencia.name}» de la meta {meta.numero}.")
        return redirect(back)
    report = evidence_report(meta.unidad_ejecutora, quarter)
    context = {
        "evidencia": evidencia,
        "meta": meta,
        "ue": meta.unidad_ejecutora,
        "quarter_label": figures.QUARTER_LABELS[quarter],
        "lock_reason": evidence_lock_reason(report),
        "can_change": access.can_change_evidence(request.user, meta.unidad_ejecutora),
        "back": back,
    }
    return render(request, "evidence/remove.html", context)


# Download ----------------------------------------------------------------------------------


def evidence_download(request, pk):
    """The file as an attachment, never shown in the browser; an anonymous visitor gets
    403 too, before learning whether the file exists."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Inicie sesión para descargar evidencias.")
    return evidence_response(evidence_or_404(pk), request.user)


def evidence_response(evidencia, user) -> FileResponse:
    """The download of one file, through poa.services.evidence.evidence_open (who may read
    it, and where each download is recorded)."""
    try:
        handle = services.evidence_open(evidencia=evidencia, user=user)
    except FileNotFoundError:
        raise Http404("El archivo de evidencia no está en el almacenamiento.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidencia.name,
        content_type=evidencia.kind_info.mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The report's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportEvidence:
    """The files of a report's quarter as its page lists them, and the metas that achieved
    something in the quarter with no file behind it."""

    rows: list[tuple]  # (meta, files) of the metas that have files, by number
    lacking: list[int]

    @property
    def count(self) -> int:
        return sum(len(files) for _, files in self.rows)


def report_evidence_of(report) -> ReportEvidence:
    files = report_evidence(report)
    metas = report.unidad_ejecutora.metas.filter(pk__in=files).order_by("numero")
    rows = [(meta, files[meta.pk]) for meta in metas]
    return ReportEvidence(rows, metas_lacking_evidence(report))
