"""The public verification of an authorized sheet, without an account: /verificar/<folio>/
shows what was authorized under the folio (unit, quarter, the three signatures, the figures,
the SHA-256 of the sealed PDF and whether it was superseded) and answers whether an uploaded PDF
is that document. The upload stays in memory and is never stored. Nothing here shows a comment,
an e-mail address or anything typed before the authorization: only the seal's own record."""

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from poa.rules import figures
from poa.selectors.seals import IDENTICAL, NO_MATCH, seal_by_folio, seal_of_content
from poa.services.seals import SealedFileMissing, sealed_content
from poa.web.forms import VerifyUploadForm
from poa.web.uploads import in_memory_uploads, too_big

# A sealed sheet weighs tens of kilobytes; this leaves room for a scanned or re-saved copy.
VERIFY_MAX_BYTES = 15 * 1024 * 1024


@require_http_methods(["GET", "POST"])
@in_memory_uploads(VERIFY_MAX_BYTES)
def verify(request, folio):
    seal = seal_by_folio(folio)
    if seal is None:
        return _unknown(request, folio)
    form = VerifyUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        too_big=too_big(request),
        max_bytes=VERIFY_MAX_BYTES,
    )
    answer = None
    if request.method == "POST" and form.is_valid():
        match = seal_of_content(form.cleaned_data["documento"])
        answer = {"match": match, "same_folio": match is not None and match.pk == seal.pk}
    return render(request, "verification/verify.html", _context(seal, form, answer))


def _unknown(request, folio):
    return render(request, "verification/unknown.html", {"folio": folio}, status=404)


def _signatures(seal):
    """The seal's signatures with their moments as datetimes (printed in Mexicali's time)."""
    return [
        {**signature, "at": datetime.fromisoformat(signature["at"])}
        for signature in seal.signatures
    ]


def _context(seal, form, answer):
    report = seal.report
    return {
        "seal": seal,
        "signatures": _signatures(seal),
        "ue": report.unidad_ejecutora,
        "quarter": report.quarter,
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "quarter_labels": [figures.QUARTER_LABELS[q] for q in figures.QUARTERS[: report.quarter]],
        "form": form,
        "answer": answer,
        "identical": IDENTICAL,
        "no_match": NO_MATCH,
    }


@require_http_methods(["GET", "HEAD"])
def verify_pdf(request, folio):
    """The sealed PDF itself, as kept: the document the folio describes."""
    seal = seal_by_folio(folio)
    if seal is None:
        return _unknown(request, folio)
    try:
        content = sealed_content(seal)
    except SealedFileMissing as error:
        return render(
            request, "verification/missing.html", {"seal": seal, "error": error}, status=500
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{seal.folio}.pdf"'
    return response
