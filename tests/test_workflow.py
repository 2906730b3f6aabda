"""The sign-off of a quarterly report: who may move it, from which state, and what is
recorded of each step."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from poa.models import Ejercicio, QuarterlyProgress, Report, ReportEvent
from poa.rules.capture import CaptureValidationError
from poa.rules.states import WorkflowError
from poa.services.periods import exception_grant, period_close, period_open
from poa.services.review import (
    report_authorize,
    report_reopen,
    report_return,
    report_review,
    report_send,
)
from tests.conftest import complete_quarter, report_in_state, unit

Action = ReportEvent.Action
State = Report.State
DIRECTOR = "ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA"
AARON = "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"
FABIOLA = "LIC. FABIOLA LEÓN HUERTA CABRERA"


def report_of(clave, quarter=2, state=State.BORRADOR):
    """The unit's report in `state`, signed through the services, with Q2 ready to send."""
    complete_quarter(clave, 2)
    return report_in_state(clave, quarter, state)


def test_head_of_102_sends_q2_signing_elaboro(head_102):
    report = report_of("102")
    event = report_send(report=report, user=head_102)
    report.refresh_from_db()
    assert report.state == State.ENVIADO
    assert (event.action, event.from_state, event.to_state) == (
        Action.SEND,
        State.BORRADOR,
        State.ENVIADO,
    )
    assert event.user == head_102
    assert event.signer_name == FABIOLA
    assert event.signer_position == "COORDINADOR ADMINISTRATIVO"


def test_full_sign_off_of_201_records_three_signatures(aaron):
    report = report_of("201")
    report_send(report=report, user=aaron)
    report_review(report=report, user=aaron, comment="Correcto.")
    report_authorize(report=report, user=aaron)
    report.refresh_from_db()
    assert report.state == State.AUTORIZADO
    events = list(report.events.values_list("action", "signer_name", "signer_position"))
    assert events == [
        (Action.SEND, AARON, "COORDINADOR DE PROMOCIÓN"),
        (Action.REVIEW, AARON, DIRECTOR),
        (Action.AUTHORIZE, AARON, DIRECTOR),
    ]
    assert report.events.get(action=Action.REVIEW).comment == "Correcto."


@pytest.mark.parametrize("persona", ["aaron", "capturista_102", "planeacion", "outsider"])
def test_only_the_head_of_the_unit_sends(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        report_send(report=report_of("102"), user=user)
    assert Report.objects.get().state == State.BORRADOR


@pytest.mark.parametrize("persona", ["head_102", "capturista_102", "planeacion", "outsider"])
def test_only_the_program_head_reviews(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        report_review(report=report_of("102", state=State.ENVIADO), user=user)


@pytest.mark.parametrize("persona", ["head_102", "capturista_102", "planeacion", "outsider"])
def test_only_the_ramo_head_authorizes(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        report_authorize(report=report_of("102", state=State.REVISADO), user=user)


@pytest.mark.parametrize("persona", ["head_102", "aaron", "capturista_102", "outsider"])
def test_only_planeacion_reopens(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        report_reopen(report=report_of("102", state=State.AUTORIZADO), user=user, comment="Error.")


@pytest.mark.parametrize("state", [State.ENVIADO, State.REVISADO, State.AUTORIZADO])
def test_a_report_already_sent_cannot_be_sent_again(head_102, state):
    with pytest.raises(WorkflowError, match="No se puede enviar"):
        report_send(report=report_of("102", state=state), user=head_102)


@pytest.mark.parametrize("state", [State.BORRADOR, State.REVISADO, State.AUTORIZADO])
def test_review_only_from_enviado(aaron, state):
    with pytest.raises(WorkflowError, match="No se puede revisar"):
        report_review(report=report_of("102", state=state), user=aaron)


@pytest.mark.parametrize("state", [State.BORRADOR, State.ENVIADO, State.AUTORIZADO])
def test_authorize_only_from_revisado(aaron, state):
    with pytest.raises(WorkflowError, match="No se puede autorizar"):
        report_authorize(report=report_of("102", state=state), user=aaron)


@pytest.mark.parametrize("state", [State.BORRADOR, State.AUTORIZADO])
def test_return_only_from_enviado_or_revisado(aaron, state):
    with pytest.raises(WorkflowError, match="No se puede devolver"):
        report_return(report=report_of("102", state=state), user=aaron, comment="x")


@pytest.mark.parametrize("state", [State.BORRADOR, State.ENVIADO, State.REVISADO])
def test_reopen_only_from_autorizado(planeacion, state):
    with pytest.raises(WorkflowError, match="No se puede reabrir"):
        report_reopen(report=report_of("102", state=state), user=planeacion, comment="x")


@pytest.mark.parametrize("state", [State.ENVIADO, State.REVISADO])
def test_program_head_returns_with_a_comment(aaron, state):
    report = report_of("102", state=state)
    event = report_return(report=report, user=aaron, comment="Falta la meta 103.")
    report.refresh_from_db()
    assert report.state == State.BORRADOR
    assert (event.action, event.from_state, event.comment) == (
        Action.RETURN,
        state,
        "Falta la meta 103.",
    )
    assert event.signer_name == AARON and event.signer_position == DIRECTOR


@pytest.mark.parametrize("comment", ["", "   "])
def test_return_needs_a_comment(aaron, comment):
    report = report_of("102", state=State.ENVIADO)
    with pytest.raises(WorkflowError, match="motivo de la devolución"):
        report_return(report=report, user=aaron, comment=comment)
    report.refresh_from_db()
    assert report.state == State.ENVIADO
    assert list(report.events.values_list("action", flat=True)) == [Action.SEND]


def test_a_ramo_head_who_is_not_program_head_returns_only_from_revisado(aaron, head_102):
    # Fabiola heads the ramo only, so the ramo's cargo is the one she returns with.
    ue = unit("102")
    ue.ramo.responsable = head_102.persona
    ue.ramo.cargo_responsable = "DIRECTORA"
    ue.ramo.save()
    with pytest.raises(PermissionDenied):
        report_return(report=report_of("102", state=State.ENVIADO), user=head_102, comment="x")
    event = report_return(
        report=report_of("102", state=State.REVISADO), user=head_102, comment="Revise."
    )
    assert event.signer_position == "DIRECTORA"


def test_planeacion_reopens_an_authorized_report_with_a_reason(planeacion):
    planeacion.first_name, planeacion.last_name = "Patricia", "Ramírez"
    planeacion.save()
    report = report_of("201", state=State.AUTORIZADO)
    event = report_reopen(report=report, user=planeacion, comment="Cifra mal capturada.")
    report.refresh_from_db()
    assert report.state == State.BORRADOR
    assert event.comment == "Cifra mal capturada."
    assert event.signer_name == "Patricia Ramírez"
    assert event.signer_position == "PLANEACIÓN"


def test_reopen_needs_a_reason(planeacion):
    with pytest.raises(WorkflowError, match="motivo"):
        report_reopen(report=report_of("201", state=State.AUTORIZADO), user=planeacion, comment=" ")


def test_state_history_records_who_moved_the_report(head_102):
    report = report_of("102")
    report_send(report=report, user=head_102)
    latest = report.history.order_by("-history_date").first()
    assert latest.state == State.ENVIADO and latest.history_user == head_102


def test_send_refuses_a_quarter_with_missing_figures(head_102):
    report = report_of("102", quarter=3)
    with pytest.raises(CaptureValidationError) as refused:
        report_send(report=report, user=head_102)
    metas = unit("102").metas.order_by("numero")
    assert set(refused.value.errors) == {meta.pk for meta in metas}
    assert refused.value.errors[metas[0].pk] == {
        "alcanzado": "Capture lo alcanzado en el trimestre."
    }
    report.refresh_from_db()
    assert report.state == State.BORRADOR


def test_send_refuses_a_variance_without_observation(aaron):
    report = report_of("201")
    progress = QuarterlyProgress.objects.get(meta__numero=305, quarter=2)
    progress.observaciones = ""
    progress.save()
    with pytest.raises(CaptureValidationError) as refused:
        report_send(report=report, user=aaron)
    assert refused.value.errors == {
        progress.meta_id: {
            "observaciones": "Explique por qué lo alcanzado (102) difiere de lo programado (100)."
        }
    }


def test_period_open_creates_a_draft_report_for_every_unit(planeacion):
    deadline = timezone.now() + timedelta(days=30)
    period = period_open(
        ejercicio=Ejercicio.objects.get(year=2023), quarter=3, deadline=deadline, user=planeacion
    )
    assert period.opened_by == planeacion and period.deadline == deadline
    reports = Report.objects.filter(quarter=3)
    assert sorted(r.unidad_ejecutora.clave for r in reports) == ["101", "102", "201"]
    assert {r.state for r in reports} == {State.BORRADOR}


@pytest.mark.parametrize("persona", ["aaron", "head_102", "capturista_102", "outsider"])
def test_only_planeacion_opens_and_closes_periods(request, persona, planeacion):
    user = request.getfixturevalue(persona)
    year = Ejercicio.objects.get(year=2023)
    deadline = timezone.now() + timedelta(days=30)
    with pytest.raises(PermissionDenied):
        period_open(ejercicio=year, quarter=3, deadline=deadline, user=user)
    period = period_open(ejercicio=year, quarter=3, deadline=deadline, user=planeacion)
    with pytest.raises(PermissionDenied):
        period_close(period=period, user=user)
    with pytest.raises(PermissionDenied):
        exception_grant(
            period=period, unidad_ejecutora=unit("102"), deadline=deadline, reason="x", user=user
        )
