"""The TMM-F004 as a standalone HTML document: what the PDF is drawn from, and what a browser
prints. The screen view wraps the same partial (sheets/_tmm_f004_sheet.html) in base.html."""

from django.template.loader import render_to_string

MIMETYPE = "text/html"
TEMPLATE = "sheets/tmm_f004_document.html"


def render_sheet(sheet, seal=None):
    """One unit: (TMM-F004_2023_59-102_T2.html, text/html, bytes); with `seal` (a
    poa.documents.seal.SealMark), every page prints its folio, address and QR code."""
    context = {"sheets": [sheet], "title": sheet.filename_stem, "seal": seal}
    document = render_to_string(TEMPLATE, context)
    return f"{sheet.filename_stem}.html", MIMETYPE, document.encode()


def render_sheets(sheets):
    """Several units of one ramo, each starting on a new page:
    (TMM-F004_2023_59_T2.html, text/html, bytes)."""
    first = sheets[0]
    stem = f"{first.form_code}_{first.year}_{first.ramo.clave}_T{first.quarter}"
    document = render_to_string(TEMPLATE, {"sheets": sheets, "title": stem})
    return f"{stem}.html", MIMETYPE, document.encode()
