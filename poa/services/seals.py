"""The seal of an authorized TMM-F004: on authorization the report gets a folio
(TMM-F004-<año>-<ramo>-<ue>-T<q>, -R<n> for the n-th authorization after a reopening), its PDF
is rendered once with that folio and its QR code on every page and kept, and the SHA-256 of
the kept bytes and the time are recorded (poa.models.Seal). The kept bytes never change: every
download serves them, checked against the recorded SHA-256. A reopening marks the seal
superseded; the next authorization seals a new revision. A sealed file missing from the storage
is an error said in Spanish, never a new rendering under the old folio."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from poa.documents import pdf, stored
from poa.documents.seal import SealMark
from poa.jobs import task
from poa.models import Report, Seal
from poa.rules import figures as sheet_figures
from poa.selectors.evidence import evidence_manifest
from poa.selectors.sheet import FORM_CODE, build_sheet

logger = logging.getLogger("poa.documents")


class SealedFileMissing(Exception):
    """The PDF a seal describes is not in the storage, or its bytes are not the sealed ones."""

    def __init__(self, seal, *, altered=False):
        self.seal = seal
        problem = "no coincide con su huella SHA-256" if altered else "no está en el almacenamiento"
        super().__init__(
            f"El PDF sellado con el folio {seal.folio} {problem}. POA no genera otro con ese "
            "folio: restaure el archivo desde un respaldo (poa_backup) o avise a sistemas."
        )


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# Folios -------------------------------------------------------------------------------------


def folio_of(report, revision: int) -> str:
    """TMM-F004-2023-59-102-T2, TMM-F004-2023-59-102-T2-R1 after one reopening."""
    ue = report.unidad_ejecutora
    folio = f"{FORM_CODE}-{ue.ramo.ejercicio.year}-{ue.ramo.clave}-{ue.clave}-T{report.quarter}"
    return f"{folio}-R{revision}" if revision else folio


def next_revision(report) -> int:
    """The revision the report's next authorization seals: one per earlier authorization."""
    return Seal.objects.filter(report=report).count()


def next_mark(report) -> SealMark:
    """What the report's next authorization will print: its folio, address and QR code."""
    return SealMark(folio_of(report, next_revision(report)))


# Inside the transitions' transaction -------------------------------------------------------


def seal_authorization(report, event, content: bytes | None = None) -> Seal:
    """Records the seal of the authorization `event`, with the sheet's figures and signatures as
    authorized; with `content` (the signed PDF, e.firma) it is kept and hashed now, otherwise
    seal_store renders it once the authorization commits. The seal it supersedes, if any, now
    names it."""
    revision = next_revision(report)
    sheet = build_sheet(report.unidad_ejecutora, report.quarter)
    seal = Seal.objects.create(
        report=report,
        authorization=event,
        folio=folio_of(report, revision),
        revision=revision,
        sealed_at=event.created_at,
        file_name=stored.stored_name(sheet),
        figures=_figures(sheet),
        signatures=_signatures(report, event),
        evidence=[list(item) for item in evidence_manifest(report)],
    )
    Seal.objects.filter(report=report, superseded_by=None, revision__lt=revision).update(
        superseded_by=seal
    )
    if content is not None:
        _keep(seal, content)
    return seal


def seal_supersede(report, event):
    """A reopening: the report's seal in force is superseded (kept, and listed in the report's
    history)."""
    Seal.objects.filter(report=report, superseded_at=None).update(
        superseded_at=event.created_at, reopening=event
    )


def _figures(sheet):
    """The rows as the public page shows them: figures only, up to the sheet's quarter."""
    quarters = sheet_figures.QUARTERS[: sheet.quarter]
    return [
        {
            "numero": row.numero,
            "descripcion": row.descripcion,
            "unidad_medida": row.unidad_medida,
            "anual": str(row.annual),
            "quarters": [
                [str(row.programmed[q - 1]), _plain(row.achieved[q - 1])] for q in quarters
            ],
            "absoluto": _plain(row.figures.absolute),
            "relativo": _plain(row.figures.relative),
            # Printed on the authorized sheet: public from the authorization on.
            "observaciones": row.observaciones,
        }
        for row in sheet.rows
    ]


def _plain(value):
    return None if value is None else str(value)


def _signatures(report, authorization):
    """The three signatures in force at the authorization, oldest first."""
    signed = {}
    for event in report.events.filter(pk__lte=authorization.pk).order_by("created_at", "id"):
        if event.transition.restarts:
            signed = {}
        elif event.transition.signs:
            signed[event.action] = event
    return [
        {
            "label": event.transition.signs,
            "name": event.signer_name,
            "position": event.signer_position,
            "at": event.created_at.isoformat(),
            "serial": event.certificate_serial,
            "issuer": event.certificate_issuer,
        }
        for event in signed.values()
    ]


# The kept PDF --------------------------------------------------------------------------------


def _keep(seal, content: bytes):
    """Keeps the sealed bytes under the seal's name and records their SHA-256 and size."""
    if default_storage.exists(seal.file_name):
        default_storage.delete(seal.file_name)  # a leftover of a transaction rolled back
    saved = default_storage.save(seal.file_name, ContentFile(content))
    assert saved == seal.file_name, saved
    seal.sha256, seal.size = sha256(content), len(content)
    seal.save(update_fields=["sha256", "size"])


def _render(seal, sheet) -> bytes:
    """Renders the sealed PDF once, keeps it, and records the SHA-256 of the bytes kept. Two
    processes racing here keep one file (the first written): both record its hash."""
    _, _, content = pdf.render_sheet(sheet, seal=SealMark(seal.folio))
    stored.keep(sheet, content)
    with default_storage.open(seal.file_name, "rb") as kept:
        content = kept.read()
    Seal.objects.filter(pk=seal.pk, sha256="").update(sha256=sha256(content), size=len(content))
    seal.refresh_from_db(fields=["sha256", "size"])
    return content


def sealed_content(seal, sheet=None) -> bytes:
    """The kept bytes of a seal, rendered first if nobody did yet. Raises SealedFileMissing
    when they are gone or changed (and logs it)."""
    if not seal.sha256:
        sheet = sheet or build_sheet(seal.report.unidad_ejecutora, seal.report.quarter)
        if sheet.authorization_id != seal.authorization_id:
            return _missing(seal)  # reopened before it was rendered: no document to give
        return _render(seal, sheet)
    if not default_storage.exists(seal.file_name):
        return _missing(seal)
    with default_storage.open(seal.file_name, "rb") as kept:
        content = kept.read()
    if sha256(content) != seal.sha256:
        return _missing(seal, altered=True)
    return content


def _missing(seal, *, altered=False):
    logger.error(
        "Sello: falta el PDF sellado o no coincide con su huella",
        extra={"folio": seal.folio, "file": seal.file_name, "altered": altered},
    )
    raise SealedFileMissing(seal, altered=altered)


def sheet_pdf(sheet):
    """The sheet as PDF: (TMM-F004_2023_59-102_T2.pdf, application/pdf, bytes). An authorized
    sheet is its sealed, kept PDF; any other is rendered on each request."""
    if sheet.authorization_id is None:
        return stored.sheet_pdf(sheet)
    seal = Seal.objects.select_related("report__unidad_ejecutora").get(
        authorization_id=sheet.authorization_id
    )
    return f"{sheet.filename_stem}.pdf", pdf.MIMETYPE, sealed_content(seal, sheet)


SHEET_PRIORITY = 0


@task(priority=SHEET_PRIORITY)
def seal_store(report_pk):
    """Renders and keeps the sealed PDF of a report just authorized (nothing when it was
    reopened meanwhile, or is kept already). Returns the seal's folio."""
    report = Report.objects.get(pk=report_pk)
    seal = Seal.objects.filter(report=report, superseded_at=None).order_by("-revision").first()
    if seal is None or seal.sha256:
        return seal and seal.folio
    sealed_content(seal)
    return seal.folio
