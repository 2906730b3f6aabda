"""The sign-off of a quarterly report: send (ELABORÓ), review (REVISÓ), authorize (AUTORIZÓ),
return, reopen and the capturista's notice that the capture is ready. Which transitions exist
and their words: poa.rules.states.REPORT."""

from django.db import transaction

from poa.documents.stored import sheet_store
from poa.models import Report, ReportEvent
from poa.rules.capture import CaptureValidationError, validate_capture_row
from poa.rules.states import REPORT
from poa.selectors.grid import capture_rows
from poa.services.notifications import report_event_email
from poa.services.transitions import transition_make

Action = ReportEvent.Action


def report_get_or_create(*, unidad_ejecutora, quarter) -> Report:
    report, _ = Report.objects.get_or_create(unidad_ejecutora=unidad_ejecutora, quarter=quarter)
    return report


def _locked(report) -> Report:
    """The report's row, locked until the transaction ends. A quarter nobody opened has no
    row yet: it is created here, so a refused change rolls the creation back with it."""
    if report.pk is None:
        report = report_get_or_create(
            unidad_ejecutora=report.unidad_ejecutora, quarter=report.quarter
        )
    return Report.objects.select_for_update(of=("self",)).with_signers().get(pk=report.pk)


def _transition(*, report, user, action, comment="", check=None) -> ReportEvent:
    """Locks the report and makes the transition (poa.services.transitions); the caller's instance
    is updated too, and whoever acts next is emailed once it commits."""
    original = report
    with transaction.atomic():
        report = _locked(report)
        event = transition_make(
            machine=REPORT,
            subject=report,
            user=user,
            action=action,
            comment=comment,
            check=check,
            event_for=lambda **fields: ReportEvent(report=report, **fields),
        )
        transaction.on_commit(lambda: _notify(event.pk))
    original.pk, original.state, original.updated_at = report.pk, report.state, report.updated_at
    return event


def _notify(event_pk):
    # A job of the queue (poa.services.notifications): a slow mail server never slows a signature.

    report_event_email.enqueue(event_pk)


def report_transition(*, report, user, action, comment="") -> ReportEvent:
    """Makes the transition `action` of poa.rules.states.REPORT through its service."""
    return REPORT.service(action)(report=report, user=user, comment=comment)


def report_send(*, report, user, comment="") -> ReportEvent:
    """BORRADOR → ENVIADO: the head of the unit signs ELABORÓ. Every meta needs what was
    achieved in the quarter and, when it differs from what was programmed, an observation."""
    return _transition(
        report=report, user=user, action=Action.SEND, comment=comment, check=_check_complete
    )


def report_mark_ready(*, report, user, comment="") -> ReportEvent:
    """A capturista tells the head of the unit that the capture is complete (BORRADOR stays
    BORRADOR): only a capture that could be sent as it is."""
    return _transition(
        report=report, user=user, action=Action.READY, comment=comment, check=_check_complete
    )


def _check_complete(report):
    errors = {}
    for row in capture_rows(report):
        progress = row.progress
        row_errors = validate_capture_row(
            meta=row.meta,
            programado=progress.programado if progress else 0,
            alcanzado=progress.alcanzado if progress else None,
            observaciones=progress.observaciones if progress else "",
            sending=row.required,
        )
        if row_errors:
            errors[row.meta.pk] = row_errors
    if errors:
        raise CaptureValidationError(errors, sending=True)


def report_return(*, report, user, comment="") -> ReportEvent:
    """ENVIADO or REVISADO → BORRADOR, with the reason the unit must read."""
    return _transition(report=report, user=user, action=Action.RETURN, comment=comment)


def report_review(*, report, user, comment="") -> ReportEvent:
    """ENVIADO → REVISADO: the head of the program signs REVISÓ."""
    return _transition(report=report, user=user, action=Action.REVIEW, comment=comment)


def report_authorize(*, report, user, comment="") -> ReportEvent:
    """REVISADO → AUTORIZADO: the head of the ramo signs AUTORIZÓ; the figures are final, and
    the sheet's PDF is rendered once in the background and kept (poa.documents.stored)."""
    event = _transition(report=report, user=user, action=Action.AUTHORIZE, comment=comment)
    transaction.on_commit(lambda: _store_sheet(report.pk))
    return event


def _store_sheet(report_pk):

    sheet_store.enqueue(report_pk)


def report_reopen(*, report, user, comment="") -> ReportEvent:
    """AUTORIZADO → BORRADOR by planeación, with the reason recorded. The unit captures again
    while the window (or an exception granted for it) is open."""
    return _transition(report=report, user=user, action=Action.REOPEN, comment=comment)
