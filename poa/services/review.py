"""The sign-off of a quarterly report: send (ELABORÓ), review (REVISÓ), authorize (AUTORIZÓ),
return, reopen and the capturista's notice that the capture is ready. Which transitions exist
and their words: poa.rules.states.REPORT."""

from poa.models import Report, ReportEvent
from poa.rules.capture import CaptureValidationError, validate_capture_row
from poa.rules.states import REPORT
from poa.selectors.grid import capture_rows
from poa.services import seals, signing
from poa.services.evidence import evidence_send_check
from poa.services.transitions import Flow, transition_run

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


def report_send(*, report, user, comment="", credentials=None) -> ReportEvent:
    """BORRADOR → ENVIADO: the head of the unit signs ELABORÓ. Every meta needs what was
    achieved in the quarter and, when it differs from what was programmed, an observation.
    With e.firma on, `credentials` (cer, key, p12, password: the files' bytes) sign the sheet
    (poa.services.signing); so for review and authorize."""
    return _run(report, user, Action.SEND, comment, credentials)


def report_mark_ready(*, report, user, comment="") -> ReportEvent:
    """A capturista tells the head of the unit that the capture is complete (BORRADOR stays
    BORRADOR): only a capture that could be sent as it is."""
    return _run(report, user, Action.READY, comment)


def _check_sendable(report):
    """What sending asks, and telling the head that it could be sent: every figure and
    observation, and the evidence planeación may require."""
    _check_complete(report)
    evidence_send_check(report)


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
    return _run(report, user, Action.RETURN, comment)


def report_review(*, report, user, comment="", credentials=None) -> ReportEvent:
    """ENVIADO → REVISADO: the head of the program signs REVISÓ."""
    return _run(report, user, Action.REVIEW, comment, credentials)


def report_authorize(*, report, user, comment="", credentials=None) -> ReportEvent:
    """REVISADO → AUTORIZADO: the head of the ramo signs AUTORIZÓ; the figures are final, the
    report is sealed with its folio, and the sheet's PDF is rendered once in the background,
    kept and hashed (poa.services.seals)."""
    return _run(report, user, Action.AUTHORIZE, comment, credentials)


def report_reopen(*, report, user, comment="") -> ReportEvent:
    """AUTORIZADO → BORRADOR by planeación, with the reason recorded; the seal is superseded
    (kept). The unit captures again while the window (or an exception granted for it) is
    open."""
    return _run(report, user, Action.REOPEN, comment)


def _run(report, user, action, comment, credentials=None):
    return transition_run(
        FLOW,
        subject=report,
        user=user,
        action=action,
        comment=comment,
        credentials=credentials,
    )


FLOW = Flow(
    machine=REPORT,
    lock=_locked,
    event=lambda report, **fields: ReportEvent(report=report, **fields),
    checks={Action.SEND: _check_sendable, Action.READY: _check_sendable},
    jobs={Action.AUTHORIZE: seals.seal_store.enqueue},
    document=signing.report_document,
    keep=("pk", "state", "updated_at"),
)
