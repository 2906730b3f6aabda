"""When something goes wrong the user reads Spanish and nothing is half-saved: the 400, 403,
404, 500 and CSRF pages, the 503 of a database that is down, the "busy, try again" of a lock
that did not come free, and the page of a PDF that could not be drawn."""

import logging
import time

import pytest
from django.db import OperationalError, connection
from django.test import Client
from psycopg_pool import PoolTimeout

from poa.models import QuarterlyProgress, Report
from poa.services.review import report_get_or_create, report_send
from tests.conftest import complete_quarter, unit

GRID_201 = "/captura/2023/59/201/3/"
PDF_201 = "/tmm-f004/2023/59/201/3/pdf/"
TRACE = ("Traceback", 'File "', "OperationalError", "RuntimeError")


def assert_spanish_without_trace(response, status, text):
    content = response.content.decode()
    assert response.status_code == status
    assert text in content
    assert '<html lang="es-MX">' in content
    for word in TRACE:
        assert word not in content


@pytest.fixture
def quiet_client():
    """A browser that gets the error page instead of the test raising the view's exception."""
    return Client(raise_request_exception=False)


def test_an_unknown_address_gets_the_spanish_404(client, capturista_201):
    client.force_login(capturista_201)
    response = client.get("/no-existe/")
    assert_spanish_without_trace(response, 404, "No encontramos lo que busca")


def test_a_capturista_opening_the_head_s_signature_gets_the_spanish_403(client, capturista_201):
    client.force_login(capturista_201)
    response = client.get("/informes/2023/59/201/3/enviar/")
    assert_spanish_without_trace(response, 403, "No tiene permiso para esta acción")


def test_the_403_says_why_the_page_is_refused(client, capturista_201):
    client.force_login(capturista_201)
    response = client.get("/planeacion/periodos/")
    assert_spanish_without_trace(response, 403, "Solo planeación tiene acceso a esta página.")


def test_a_request_for_another_host_gets_the_spanish_400(client, db):
    response = client.get("/cuenta/login/", HTTP_HOST="intruso.example")
    assert_spanish_without_trace(response, 400, "No pudimos entender la solicitud")


def test_an_unexpected_failure_gets_the_spanish_500(quiet_client, capturista_201, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("fallo interno")

    monkeypatch.setattr("poa.web.views.sheets.sheets_of", broken)
    quiet_client.force_login(capturista_201)
    response = quiet_client.get("/tmm-f004/2023/59/201/2/")
    assert_spanish_without_trace(response, 500, "Ocurrió un error inesperado")
    assert "fallo interno" not in response.content.decode()


def test_a_form_without_its_csrf_token_gets_the_spanish_page_that_says_nothing_was_saved(db):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/cuenta/login/", {"username": "x", "password": "y"})
    assert_spanish_without_trace(response, 403, "La página caducó")
    assert "No se guardó nada" in response.content.decode()


def test_a_database_that_cannot_be_reached_gets_the_spanish_503(
    quiet_client, capturista_201, monkeypatch
):
    quiet_client.force_login(capturista_201)

    def refused():
        raise OperationalError('connection to server at "127.0.0.1" failed: Connection refused')

    with monkeypatch.context() as patch:
        patch.setattr(connection, "ensure_connection", refused)
        response = quiet_client.get("/")
    assert_spanish_without_trace(response, 503, "El sistema no está disponible por el momento")
    assert "no-store" in response["Cache-Control"]
    assert response["Retry-After"]


def every_connection_in_use():
    """What Django raises when the pool gave no connection within POA_DB_POOL_TIMEOUT."""
    try:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")
    except PoolTimeout as error:
        raise OperationalError(str(error)) from error


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_server_past_its_connections_answers_the_spanish_503_try_again_in_seconds(
    quiet_client, capturista_201, q3_open, monkeypatch, method
):
    quiet_client.force_login(capturista_201)
    before, data = saved_notes(), grid_post("Sin conexión libre.")
    with monkeypatch.context() as patch:
        patch.setattr(connection, "ensure_connection", every_connection_in_use)
        response = getattr(quiet_client, method)(GRID_201, data)
    assert_spanish_without_trace(response, 503, "Intente de nuevo en unos segundos")
    assert "atendiendo a muchas personas a la vez" in response.content.decode()
    assert response["Retry-After"] == "5"
    assert saved_notes() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_request_that_waited_past_the_queue_limit_gets_the_spanish_503_and_saves_nothing(
    client, capturista_201, q3_open, settings, method
):
    settings.POA_QUEUE_SECONDS = 30
    client.force_login(capturista_201)
    before, data = saved_notes(), grid_post("Tras esperar en la cola.")
    stamp = f"t={time.time() - 40:.3f}"  # as nginx stamps it: ${msec}
    response = getattr(client, method)(GRID_201, data, HTTP_X_REQUEST_START=stamp)
    assert_spanish_without_trace(response, 503, "Intente de nuevo en unos segundos")
    assert response["Retry-After"] == "5" and "no-store" in response["Cache-Control"]
    assert saved_notes() == before


@pytest.mark.parametrize("stamp", ["t={recent}", "{recent}", "", "t=mañana", "t={future}"])
def test_a_request_within_the_queue_limit_or_without_a_readable_stamp_is_served(
    client, capturista_201, q3_open, settings, stamp
):
    settings.POA_QUEUE_SECONDS = 30
    client.force_login(capturista_201)
    now = time.time()
    stamp = stamp.format(recent=f"{now - 2:.3f}", future=f"{now + 3600:.3f}")
    response = client.get(GRID_201, HTTP_X_REQUEST_START=stamp)
    assert response.status_code == 200


def grid_post(note):
    """The capture form of UE 201, Q3, with every meta at 1 and `note`."""
    data = {"version": "0", "save": "1"}
    for progress in QuarterlyProgress.objects.filter(meta__unidad_ejecutora=unit("201"), quarter=3):
        data[f"meta-{progress.meta_id}-alcanzado"] = "1"
        data[f"meta-{progress.meta_id}-observaciones"] = note
    return data


def saved_notes():
    progresses = QuarterlyProgress.objects.filter(meta__unidad_ejecutora=unit("201"), quarter=3)
    return set(progresses.values_list("observaciones", flat=True))


def test_a_database_lost_in_the_middle_of_a_save_leaves_nothing_saved(
    quiet_client, capturista_201, q3_open
):
    """The connection drops once the grid's figures were written, before the save ends: 503,
    and none of them is kept."""
    quiet_client.force_login(capturista_201)
    before = saved_notes()
    figures_written, dropped = [], []

    def drop_after_the_figures(execute, sql, params, many, context):
        if sql.startswith('UPDATE "poa_quarterlyprogress"'):
            figures_written.append(params)
        elif figures_written and not dropped:
            dropped.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_after_the_figures):
        response = quiet_client.post(GRID_201, grid_post("A medias."))
    assert_spanish_without_trace(response, 503, "No se guardó nada de lo que acaba de enviar")
    assert figures_written
    assert saved_notes() == before


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_a_save_that_finds_the_database_busy_goes_back_to_the_grid_saying_try_again(
    client, capturista_201, q3_open, monkeypatch
):
    client.force_login(capturista_201)
    monkeypatch.setattr("poa.web.views.capture.capture_save", locked)
    response = client.post(GRID_201, grid_post("Ocupado."), follow=True)
    assert response.redirect_chain == [(GRID_201, 302)]
    assert "El sistema está ocupado guardando otros cambios; no se guardó nada" in (
        response.content.decode()
    )
    assert "Ocupado." not in saved_notes()


def test_a_page_that_finds_the_database_busy_gets_the_spanish_503(
    quiet_client, capturista_201, monkeypatch
):
    quiet_client.force_login(capturista_201)
    monkeypatch.setattr("poa.web.views.sheets.sheets_of", locked)
    response = quiet_client.get("/tmm-f004/2023/59/201/2/")
    assert_spanish_without_trace(response, 503, "El sistema está ocupado")


@pytest.fixture
def sent_201(aaron, q3_open):
    complete_quarter("201", 3)
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=3)
    report_send(report=report, user=aaron)
    return Report.objects.get(pk=report.pk)


class BrokenHTML:
    """WeasyPrint failing to draw, as it does on a broken font or an exhausted worker."""

    def __init__(self, *args, **kwargs):
        pass

    def write_pdf(self, **kwargs):
        raise OSError("cairo: out of memory")


@pytest.mark.parametrize("url", [PDF_201, "/tmm-f004/2023/59/3/pdf/"])
def test_a_pdf_that_cannot_be_drawn_gets_a_spanish_page_a_log_line_and_no_state_change(
    client, aaron, sent_201, monkeypatch, caplog, url
):
    client.force_login(aaron)
    before = Report.objects.values("state", "version", "updated_at").get(pk=sent_201.pk)
    events = sent_201.events.count()
    monkeypatch.setattr("poa.documents.pdf.HTML", BrokenHTML)
    with caplog.at_level(logging.ERROR, logger="poa.documents"):
        response = client.get(url)
    assert_spanish_without_trace(response, 500, "No se pudo generar el PDF")
    assert "Content-Disposition" not in response
    assert "trimestre 3 de 2023" in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "poa.documents"]
    assert (record.year, record.quarter) == (2023, 3)
    assert record.unit in {"59-201", "59"}
    assert "out of memory" in caplog.text
    assert Report.objects.values("state", "version", "updated_at").get(pk=sent_201.pk) == before
    assert before["state"] == Report.State.ENVIADO
    assert sent_201.events.count() == events
