"""The report page and its transitions: who may do what, the confirmation, the Spanish
errors, and the history each transition leaves."""

import pytest
from django.urls import reverse

from poa.models import QuarterlyProgress, Report, ReportEvent
from poa.services.review import report_authorize, report_review, report_send
from tests.conftest import complete_quarter, unit

State = Report.State
Action = ReportEvent.Action


def report_url(clave="201", quarter=3):
    return reverse("poa:report", args=[2023, "59", clave, quarter])


def action_url(action, clave="201", quarter=3):
    return reverse("poa:report-transition", args=[2023, "59", clave, quarter, action])


def report_of(clave="201", quarter=3):
    return Report.objects.get(unidad_ejecutora=unit(clave), quarter=quarter)


@pytest.fixture
def sent_201(q3_open, aaron):
    complete_quarter("201", 3)
    report_send(report=report_of(), user=aaron)
    return report_of()


def test_program_head_sees_review_and_return_on_a_sent_report(sent_201, client, aaron):
    client.force_login(aaron)
    html = client.get(report_url()).content.decode()
    assert "Enviado" in html
    assert action_url("revisar") in html and action_url("devolver") in html
    assert action_url("autorizar") not in html
    # the timeline: who signed, with which position
    assert "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN · COORDINADOR DE PROMOCIÓN" in html
    for name in ("poa:capture-grid", "poa:sheet", "poa:sheet-pdf"):
        assert reverse(name, args=[2023, "59", "201", 3]) in html


def test_capturista_sees_the_report_without_actions(sent_201, client, capturista_201):
    client.force_login(capturista_201)
    html = client.get(report_url()).content.decode()
    assert "En espera de la revisión del responsable del programa." in html
    assert "/revisar/" not in html and "/devolver/" not in html


def test_capturista_of_102_gets_404_on_the_report_and_transitions_of_201(
    sent_201, client, capturista_102
):
    client.force_login(capturista_102)
    assert client.get(report_url()).status_code == 404
    assert client.get(action_url("revisar")).status_code == 404
    assert client.post(action_url("revisar")).status_code == 404
    assert client.post(action_url("devolver"), {"comment": "no"}).status_code == 404
    assert report_of().state == State.ENVIADO


@pytest.mark.parametrize("action", ["revisar", "autorizar", "devolver", "reabrir", "enviar"])
def test_a_transition_by_the_wrong_role_is_403_and_changes_nothing(
    sent_201, client, capturista_201, action
):
    client.force_login(capturista_201)
    response = client.post(action_url(action), {"comment": "intento"})
    assert response.status_code == 403
    assert report_of().state == State.ENVIADO
    assert report_of().events.count() == 1


def test_head_of_102_cannot_authorize_the_report_of_102(q3_open, client, head_102, aaron):
    complete_quarter("102", 3)
    report = report_of("102")
    report_send(report=report, user=head_102)
    report_review(report=report, user=aaron)
    client.force_login(head_102)
    assert client.post(action_url("autorizar", "102")).status_code == 403
    assert report_of("102").state == State.REVISADO


def test_return_without_a_comment_shows_the_error_next_to_the_field(sent_201, client, aaron):
    client.force_login(aaron)
    response = client.post(action_url("devolver"), {"comment": "   "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Escriba el motivo de la devolución." in html and "is-invalid" in html
    assert report_of().state == State.ENVIADO


def test_return_with_a_comment_goes_back_to_borrador_and_shows_in_the_timeline(
    sent_201, client, aaron
):
    client.force_login(aaron)
    response = client.post(
        action_url("devolver"), {"comment": "Falta explicar la meta 303."}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == report_url()
    assert "Informe devuelto a la unidad ejecutora." in html
    assert "Falta explicar la meta 303." in html
    assert "Enviado → Borrador" in html
    assert report_of().state == State.BORRADOR


def test_review_then_authorize_signs_the_report(sent_201, client, aaron):
    client.force_login(aaron)
    client.post(action_url("revisar"))
    assert report_of().state == State.REVISADO
    response = client.post(action_url("autorizar"), {"comment": "Conforme."}, follow=True)
    html = response.content.decode()
    assert report_of().state == State.AUTORIZADO
    assert "Informe autorizado." in html and "Conforme." in html
    assert "ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA" in html
    assert "/reabrir/" not in html


def test_a_transition_from_the_wrong_state_says_why(sent_201, client, aaron):
    client.force_login(aaron)
    response = client.post(action_url("autorizar"), follow=True)
    assert "No se puede autorizar un informe en estado enviado." in response.content.decode()
    assert report_of().state == State.ENVIADO


def test_the_confirmation_page_asks_before_authorizing(sent_201, client, aaron):
    report_review(report=report_of(), user=aaron)
    client.force_login(aaron)
    response = client.get(action_url("autorizar"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sí, autorizar y firmar AUTORIZÓ" in html
    assert report_of().state == State.REVISADO


def test_planeacion_reopens_an_authorized_report_only_with_a_reason(
    sent_201, client, aaron, planeacion
):
    report_review(report=report_of(), user=aaron)
    report_authorize(report=report_of(), user=aaron)
    client.force_login(planeacion)
    assert action_url("reabrir") in client.get(report_url()).content.decode()
    response = client.post(action_url("reabrir"), {"comment": ""})
    assert "Escriba el motivo para reabrir el informe." in response.content.decode()
    assert report_of().state == State.AUTORIZADO
    client.post(action_url("reabrir"), {"comment": "Error en la meta 305."})
    assert report_of().state == State.BORRADOR
    assert report_of().events.last().comment == "Error en la meta 305."


def test_sending_an_incomplete_report_lists_the_metas_and_goes_to_the_grid(q3_open, client, aaron):
    client.force_login(aaron)
    response = client.post(action_url("enviar"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "poa:capture-grid", args=[2023, "59", "201", 3]
    )
    assert (
        "No se pudo enviar el informe, que sigue en borrador: faltan cifras u observaciones en "
        "las metas 300, 301" in html
    )
    assert "no se guardó" not in html
    assert report_of().state == State.BORRADOR


def test_a_send_refused_for_one_meta_names_it_in_the_singular(q3_open, client, aaron):
    complete_quarter("201", 3)
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=3).update(alcanzado=None)
    client.force_login(aaron)
    html = client.post(action_url("enviar"), follow=True).content.decode()
    assert "No se pudo enviar el informe, que sigue en borrador" in html
    assert "faltan cifras u observaciones en la meta 305." in html
    assert report_of().state == State.BORRADOR


def test_an_unknown_action_is_404(sent_201, client, aaron):
    client.force_login(aaron)
    assert client.post(action_url("borrar")).status_code == 404


def test_report_page_of_a_draft_explains_there_is_no_history_yet(q3_open, client, aaron):
    client.force_login(aaron)
    html = client.get(report_url()).content.decode()
    assert "Aún no hay movimientos" in html
    assert action_url("enviar") in html


def test_an_authorized_report_says_once_that_only_planeacion_reopens_it(
    sent_201, client, aaron, capturista_201
):
    report_review(report=report_of(), user=aaron)
    report_authorize(report=report_of(), user=aaron)
    client.force_login(capturista_201)
    html = client.get(report_url()).content.decode().lower()
    assert html.count("solo planeación puede reabrirlo") == 1
    assert "cifras definitivas del trimestre." in html
