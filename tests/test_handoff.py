"""The capturista tells the head of the unit that the capture is ready: an event, an email,
and what the head and the grid show afterwards."""

import pytest
from django.core import mail
from django.urls import reverse

from poa.models import QuarterlyProgress, Report, ReportEvent
from poa.services.periods import period_close
from poa.services.review import (
    report_authorize,
    report_mark_ready,
    report_reopen,
    report_review,
    report_send,
)
from tests.conftest import complete_quarter, unit

Action = ReportEvent.Action


def report_of(clave="102", quarter=3):
    return Report.objects.get(unidad_ejecutora=unit(clave), quarter=quarter)


def ready_url(clave="102"):
    return reverse("poa:report-transition", args=[2023, "59", clave, 3, "avisar"])


@pytest.fixture
def captured_102(q3_open, head_102, capturista_102):
    complete_quarter("102", 3)
    return report_of()


def test_capturista_tells_the_head_and_the_head_gets_an_email(
    captured_102, client, capturista_102, django_capture_on_commit_callbacks
):
    client.force_login(capturista_102)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ready_url(), follow=True)
    assert "Se avisó al responsable de la unidad que la captura está lista." in (
        response.content.decode()
    )
    event = report_of().events.get()
    assert (event.action, event.from_state, event.to_state) == (
        Action.READY,
        "borrador",
        "borrador",
    )
    assert report_of().state == Report.State.BORRADOR
    (email,) = mail.outbox
    assert email.to == ["fabiola.leon@mexicali.example"]
    assert "marcado como listo para enviar" in email.subject
    assert "envíe el informe (firmar ELABORÓ)" in email.body


def test_an_incomplete_capture_is_not_announced(q3_open, client, capturista_102):
    client.force_login(capturista_102)
    response = client.post(ready_url(), follow=True)
    html = response.content.decode()
    assert "faltan cifras u observaciones en las metas 200, 201" in html
    assert not report_of().events.exists()


def test_the_head_sends_instead_of_announcing(captured_102, client, head_102):
    client.force_login(head_102)
    assert client.post(ready_url()).status_code == 403
    assert not report_of().events.exists()


def test_the_head_sees_how_much_is_captured_and_that_they_were_told(
    q3_open, client, head_102, capturista_102
):
    client.force_login(head_102)
    total = QuarterlyProgress.objects.filter(meta__unidad_ejecutora=unit("102"), quarter=3)
    assert "0 de 8 metas capturadas" in client.get("/").content.decode()
    complete_quarter("102", 3)
    report_mark_ready(report=report_of(), user=capturista_102)
    html = client.get("/").content.decode()
    assert f"{total.count()} de 8 metas capturadas" in html
    assert "captura lista, avisó captura102" in html


def test_the_grid_says_who_sends_and_whether_they_were_told(captured_102, client, capturista_102):
    client.force_login(capturista_102)
    grid = reverse("poa:capture-grid", args=[2023, "59", "102", 3])
    html = client.get(grid).content.decode()
    assert "Envía el informe (firma ELABORÓ): <strong>LIC. FABIOLA LEÓN HUERTA CABRERA" in html
    assert "Aún no se le ha avisado" in html and ready_url() in html
    report_mark_ready(report=report_of(), user=capturista_102)
    html = client.get(grid).content.decode()
    assert "Se le avisó que la captura está lista el" in html


def test_a_read_only_grid_does_not_ask_to_press_a_button_it_does_not_show(
    q3_open, client, planeacion, capturista_102
):
    period_close(period=q3_open, user=planeacion)
    client.force_login(capturista_102)
    html = client.get(reverse("poa:capture-grid", args=[2023, "59", "102", 3])).content.decode()
    assert "Solo lectura." in html and "Envía el informe (firma ELABORÓ)" in html
    assert "Aún no se le ha avisado" not in html and ready_url() not in html


def test_a_reopened_report_shows_its_reason_on_the_home_page_as_a_return_does(
    reference, client, planeacion, aaron, capturista_201
):
    complete_quarter("201", 3)
    from tests.conftest import open_q3

    open_q3(planeacion)
    report = report_of("201")
    for service in (report_send, report_review, report_authorize):
        service(report=report, user=aaron)
    report_reopen(report=report, user=planeacion, comment="Falta la meta 305.")
    client.force_login(capturista_201)
    html = client.get("/").content.decode()
    assert "Reabierto por planeación" in html and "Falta la meta 305." in html
