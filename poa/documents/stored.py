"""Where the PDF of an authorized sheet is kept in the default storage.

An authorized report's figures and signatures no longer change (the report is reopened
first, and a new authorization is a new event), so its PDF is drawn once, sealed
(poa.services.seals), and every later download or batch export reads the same bytes. The
file's name carries the report and the authorization event, so a reopened and authorized again
report never serves the old document. Sheets not yet authorized are always rendered."""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from poa.documents import pdf

logger = logging.getLogger(__name__)


def stored_name(sheet) -> str | None:
    """tmm-f004/2023/59/102/T2-<report>-<authorization>.pdf; None while not authorized."""
    if sheet.authorization_id is None:
        return None
    return kept_name(
        year=sheet.year,
        ramo=sheet.ramo.clave,
        ue=sheet.unidad_ejecutora.clave,
        quarter=sheet.quarter,
        report_id=sheet.report_id,
        authorization_id=sheet.authorization_id,
    )


def kept_name(*, year, ramo, ue, quarter, report_id, authorization_id) -> str:
    """The name the PDF of one authorization of a report is kept under (poa.services.backup copies
    them by this name too)."""
    ramo, ue = get_valid_filename(ramo), get_valid_filename(ue)
    return f"tmm-f004/{year}/{ramo}/{ue}/T{quarter}-{report_id}-{authorization_id}.pdf"


def read(sheet) -> bytes | None:
    """The kept PDF of an authorized sheet; None when there is none (yet)."""
    name = stored_name(sheet)
    if name is None or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as kept:
        return kept.read()


def keep(sheet, content: bytes) -> str | None:
    """Keeps the rendered PDF of an authorized sheet (nothing for other sheets) unless one is
    kept already. A failure to write is logged and the caller still has its bytes."""
    name = stored_name(sheet)
    if name is None or default_storage.exists(name):
        return name
    try:
        saved = default_storage.save(name, ContentFile(content))
    except OSError:
        logger.exception("No se pudo guardar la hoja autorizada %s", name)
        return None
    if saved != name:  # another process kept it meanwhile: the same document twice
        default_storage.delete(saved)
    return name


def sheet_pdf(sheet):
    """A sheet not authorized as PDF, rendered: (TMM-F004_2023_59-102_T2.pdf, application/pdf,
    bytes). An authorized one is its sealed PDF (poa.services.seals.sheet_pdf)."""
    return pdf.render_sheet(sheet)
