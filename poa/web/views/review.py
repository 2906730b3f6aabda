"""The page of a quarterly report, its timeline and its transitions (send, review,
authorize, return, reopen, tell the head the capture is ready), each confirmed in a window
that posts to the one transition page (poa.web.views.transitions). Which transitions exist and
their words: poa.rules.states.REPORT; the rules: poa.services.review.

A confirmation that signs or undoes signatures shows the sheet's figures first, so the signer
sees what they sign: one build_sheet per request, whatever the number of transitions."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from poa.rules import figures
from poa.rules.states import REPORT
from poa.selectors import access
from poa.selectors.locks import capture_window, lock_reason
from poa.selectors.reports import report_events, report_or_404
from poa.selectors.seals import report_seals
from poa.selectors.sheet import Row, Sheet, build_sheet
from poa.web.forms import TransitionForm
from poa.web.views.evidence import report_evidence_of


@dataclass(frozen=True)
class ConfirmationRow:
    """A row of the sheet as the signer reads it: P and A of the report's quarter, and whether
    they differ (the variance an observation must explain)."""

    row: Row
    programmed: Decimal
    achieved: Decimal | None

    @property
    def differs(self) -> bool:
        return figures.needs_observation(self.programmed, self.achieved)


@dataclass(frozen=True)
class Confirmation:
    """What a signer reads before deciding: the sheet's rows and warnings."""

    sheet: Sheet
    rows: list[ConfirmationRow]

    @property
    def quarter_label(self) -> str:
        return figures.QUARTER_LABELS[self.sheet.quarter]

    @property
    def variances(self) -> list[ConfirmationRow]:
        return [row for row in self.rows if row.differs]

    @property
    def uncaptured(self) -> list[ConfirmationRow]:
        return [row for row in self.rows if row.achieved is None]

    @property
    def evidence_count(self) -> int:
        """The files that back the quarter's figures, listed per meta."""
        return sum(len(line.row.evidence) for line in self.rows)


def confirmation_of(report) -> Confirmation:
    sheet = build_sheet(report.unidad_ejecutora, report.quarter)
    q = report.quarter - 1
    rows = [ConfirmationRow(row, row.programmed[q], row.achieved[q]) for row in sheet.rows]
    return Confirmation(sheet, rows)


def signs_with_efirma(transition) -> bool:
    """A signature of the report asks for the signer's e.firma when the installation uses it."""
    return bool(settings.POA_FIRMA_ELECTRONICA and transition.signs)


def shows_figures(transition) -> bool:
    """Signing, returning and reopening decide on the figures; the capturista's notice does
    not."""
    return bool(transition.signs or transition.restarts)


@login_required
def report(request, year, ramo, ue, quarter):
    report = report_or_404(request.user, year, ramo, ue, quarter)
    unidad = report.unidad_ejecutora
    transitions = access.allowed_transitions(request.user, report, REPORT)
    context = {
        "report": report,
        "ue": unidad,
        "quarter_label": figures.QUARTER_LABELS[report.quarter],
        "transitions": [
            (t, TransitionForm(transition=t, efirma=signs_with_efirma(t)), shows_figures(t))
            for t in transitions
        ],
        "confirmation": (
            confirmation_of(report) if any(shows_figures(t) for t in transitions) else None
        ),
        "events": report_events(report),
        "seals": report_seals(report),
        "window": capture_window(unidad_ejecutora=unidad, quarter=report.quarter),
        "lock_reason": lock_reason(report),
        "can_capture": access.can_capture(request.user, unidad),
        "evidence": report_evidence_of(report),
    }
    return render(request, "review/report.html", context)


def incomplete_message(report, transition, errors):
    """Nothing was saved from this page, so the message says what did not happen: the
    transition, and the report stays where it was."""
    numbers = report.unidad_ejecutora.metas.filter(pk__in=errors).values_list("numero", flat=True)
    numbers = sorted(numbers)
    metas = "la meta" if len(numbers) == 1 else "las metas"
    state = report.get_state_display().lower()
    return (
        f"No se pudo {transition.verb} el informe, que sigue en {state}: faltan cifras u "
        f"observaciones en {metas} {', '.join(str(n) for n in numbers)}. Complételas en la "
        "captura."
    )
