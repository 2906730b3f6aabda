"""The signed sheet of a report, as its transitions go (the report flow's `document`).

With POA_FIRMA_ELECTRONICA on, the sheet is drawn once, sealed with the folio its
authorization will take, when the head of the unit signs ELABORÓ with their e.firma; REVISÓ and
AUTORIZÓ each add one incremental PAdES signature to those same bytes, and the authorized
document is the one sealed. Each step's bytes are kept under the name of its event
(poa.documents.stored.kept_name); a return or a reopening drops the partly signed document.
Without e.firma, the authorization is sealed and its PDF rendered once in the background
(poa.services.seals). The signer's key and password exist only in this request."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from poa.documents import efirma, pdf, stored
from poa.models import Persona, ReportEvent
from poa.rules.states import WorkflowError
from poa.selectors.sheet import build_sheet
from poa.services import seals

Action = ReportEvent.Action
NO_CREDENTIALS = (
    "Firme con su e.firma: adjunte su certificado (.cer) y su llave privada (.key), o su "
    "archivo .p12/.pfx, y escriba su contraseña."
)


def report_document(report, event, user, credentials):
    """What a transition does to the report's signed sheet: a signature with e.firma, the
    seal on authorization, the seal superseded on reopening, the partly signed document
    dropped on a return."""
    transition = event.transition
    if transition.restarts:
        _drop(report, _chain(report, before=event))
        if event.action == Action.REOPEN:
            seals.seal_supersede(report, event)
        return
    if not transition.signs:
        return
    signed = _sign(report, event, user, credentials) if settings.POA_FIRMA_ELECTRONICA else None
    if event.action == Action.AUTHORIZE:
        seals.seal_authorization(report, event, signed)
        _drop(report, _chain(report, before=event))  # the steps before, inside the sealed PDF
    elif signed is not None:
        _store(_name(report, event), signed)


def _sign(report, event, user, credentials):
    if not credentials:
        raise WorkflowError(NO_CREDENTIALS)
    persona = Persona.objects.filter(usuario=user).first()
    try:
        opened = efirma.credentials_load(**credentials)
        efirma.credentials_check(
            opened,
            nombre=persona.nombre if persona else event.signer_name,
            rfc=persona.rfc if persona else "",
            now=timezone.now(),
        )
    except efirma.CredentialsError as error:
        raise WorkflowError(f"No se firmó: {error}") from None
    content, boxes = _signed_so_far(report, event)
    label = event.transition.signs
    signed = efirma.sign(
        content,
        opened,
        label=label,
        signer_name=event.signer_name,
        reason=f"Firma {label} de la hoja TMM-F004",
        signed_at=timezone.localtime(event.created_at),
        boxes=boxes,
    )
    event.certificate_serial, event.certificate_issuer = opened.serial, opened.issuer
    event.save(update_fields=["certificate_serial", "certificate_issuer"])
    return signed


def _signed_so_far(report, event):
    """(bytes, boxes): the document the earlier signatures of this round made, or the sheet
    drawn now, with the folio of the coming authorization and the blocks' positions."""
    for earlier in reversed(_chain(report, before=event)):
        name = _name(report, earlier)
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as document:
                return document.read(), None
    sheet = build_sheet(report.unidad_ejecutora, report.quarter)
    return pdf.render_signable(sheet, seals.next_mark(report), list(efirma.FIELDS))


def _chain(report, *, before):
    """The signing events of the round `before` belongs to (since the last return or
    reopening), oldest first, without it."""
    chain = []
    for event in report.events.exclude(pk=before.pk).order_by("created_at", "id"):
        if event.transition.restarts:
            chain = []
        elif event.transition.signs:
            chain.append(event)
    return chain


def _name(report, event):
    ue = report.unidad_ejecutora
    return stored.kept_name(
        year=ue.ramo.ejercicio.year,
        ramo=ue.ramo.clave,
        ue=ue.clave,
        quarter=report.quarter,
        report_id=report.pk,
        authorization_id=event.pk,
    )


def _store(name, content):
    if default_storage.exists(name):
        default_storage.delete(name)  # a leftover of a transaction rolled back
    default_storage.save(name, ContentFile(content))


def _drop(report, events):
    """Deletes the partly signed documents of these events once the transaction commits (never
    the sealed PDF of an authorization)."""
    names = [_name(report, event) for event in events if event.action != Action.AUTHORIZE]

    def delete():
        for name in names:
            if default_storage.exists(name):
                default_storage.delete(name)

    if names:
        transaction.on_commit(delete)
