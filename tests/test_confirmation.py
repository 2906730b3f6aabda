"""The signer sees what they sign: the confirmations of sending, reviewing, authorizing and
returning a report show the sheet's figures of the quarter, mark the variances and list the
sheet's warnings, on the report page's modals and on the standalone confirmation page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from poa.models import Meta, QuarterlyProgress, Report
from poa.services import modifications
from poa.services.review import report_review, report_send
from tests.conftest import complete_quarter, unit

VARIANCE = "Difiere de lo programado"
OBSERVATION_305 = "Debido al momento de oportunidad económica"


def report_url(clave="201", quarter=2):
    return reverse("poa:report", args=[2023, "59", clave, quarter])


def action_url(action, clave="201", quarter=2):
    return reverse("poa:report-transition", args=[2023, "59", clave, quarter, action])


def send(clave, quarter, user):
    report_send(report=Report(unidad_ejecutora=unit(clave), quarter=quarter), user=user)
    return Report.objects.get(unidad_ejecutora=unit(clave), quarter=quarter)


@pytest.fixture
def sent_q2(aaron):
    """The reference's second quarter of UE 201, sent by its head."""
    return send("201", 2, aaron)


def confirmation_row(html, numero):
    """The cells of meta `numero` in the (first) confirmation table, as text."""
    match = re.search(rf'<tr [^>]*data-meta="{numero}".*?</tr>', html, re.S)
    assert match, f"no row of meta {numero}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def test_review_page_shows_the_figures_of_305_its_variance_and_its_observation(
    sent_q2, client, aaron
):
    client.force_login(aaron)
    html = client.get(action_url("revisar")).content.decode()
    row = confirmation_row(html, 305)
    # annual, P and A of Abr-Jun, avance absoluto, acumulado relativo
    assert "PROSPECTO 340 100 102 172 51%" in row
    assert VARIANCE in row and OBSERVATION_305 in row
    assert "Sí, revisar y firmar REVISÓ" in html


def test_a_row_on_plan_carries_no_variance_mark(sent_q2, client, aaron):
    client.force_login(aaron)
    html = client.get(action_url("revisar")).content.decode()
    row = confirmation_row(html, 301)
    assert "NÓMINA 52 13 13 26 50%" in row
    assert VARIANCE not in row
    assert "4 difieren de lo programado</strong>:" in html
    assert 'href="#revisar-meta-303">303</a>, <a href="#revisar-meta-305">305</a>' in html


def test_report_page_shows_the_figures_in_the_review_and_return_modals(sent_q2, client, aaron):
    client.force_login(aaron)
    html = client.get(report_url()).content.decode()
    for slug in ("revisar", "devolver"):
        modal = html[html.index(f'id="modal-{slug}"') :]
        modal = modal[: modal.index("</form>")]
        assert "modal-xl" in modal and "modal-dialog-scrollable" in modal
        row = confirmation_row(modal, 305)
        assert "340 100 102 172 51%" in row and VARIANCE in row and OBSERVATION_305 in row
        assert VARIANCE not in confirmation_row(modal, 304)


def test_authorize_and_return_confirmations_show_the_figures_too(sent_q2, client, aaron):
    report_review(report=sent_q2, user=aaron)
    client.force_login(aaron)
    for slug in ("autorizar", "devolver"):
        html = client.get(action_url(slug)).content.decode()
        assert "340 100 102 172 51%" in confirmation_row(html, 305)


def test_the_sheets_warnings_head_the_confirmation(sent_q2, client, aaron):
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=2).update(observaciones="")
    client.force_login(aaron)
    html = client.get(action_url("revisar")).content.decode()
    warnings = html[html.index("sheet-warnings") : html.index("confirmation-table")]
    assert (
        "Meta 305: En Abr-Jun lo alcanzado (102) difiere de lo programado (100) y no tiene "
        "observación." in warnings
    )
    row = confirmation_row(html, 305)
    assert VARIANCE in row and "Sin observación." in row


def test_heads_send_confirmation_shows_what_is_missing(q3_open, client, aaron):
    complete_quarter("201", 3)
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=3).update(
        alcanzado=90, observaciones="Se pospusieron diez visitas."
    )
    client.force_login(aaron)
    html = client.get(report_url(quarter=3)).content.decode()
    modal = html[html.index('id="modal-enviar"') :]
    row = confirmation_row(modal, 305)
    assert "340 100 90 262 77%" in row
    assert VARIANCE in row and "Se pospusieron diez visitas." in row
    assert "Sí, enviar y firmar ELABORÓ" in modal


def test_an_uncaptured_figure_reads_sin_capturar_under_a_warning(q3_open, client, aaron):
    client.force_login(aaron)
    html = client.get(action_url("enviar", quarter=3)).content.decode()
    assert "sin capturar" in confirmation_row(html, 305)
    assert "Meta 305: Falta capturar lo alcanzado de Jul-Sep." in html


def test_capturista_sees_no_review_action_nor_its_figures(sent_q2, client, capturista_201):
    client.force_login(capturista_201)
    html = client.get(report_url()).content.decode()
    assert "modal-revisar" not in html and "confirmation-table" not in html
    assert client.get(action_url("revisar")).status_code == 403


def test_capturistas_notice_asks_without_the_figures(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    html = client.get(report_url(quarter=3)).content.decode()
    assert 'id="modal-avisar"' in html
    assert "confirmation-table" not in html and "modal-xl" not in html


def queries_of_report_page(client, clave):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(report_url(clave)).status_code == 200
    return len(queries)


def test_report_page_reads_4_or_8_metas_in_the_same_number_of_queries(sent_q2, client, aaron):
    complete_quarter("101", 2)
    send("101", 2, aaron)
    client.force_login(aaron)
    queries_of_report_page(client, "101")  # warm the session and the content types
    assert len(unit("101").metas.all()) == 4 and len(unit("201").metas.all()) == 8
    assert queries_of_report_page(client, "101") == queries_of_report_page(client, "201")


def test_the_summary_counts_the_metas_still_to_capture(q3_open, client, aaron):
    complete_quarter("201", 3)
    QuarterlyProgress.objects.filter(meta__numero__in=[305, 306], quarter=3).update(alcanzado=None)
    client.force_login(aaron)
    html = client.get(action_url("enviar", quarter=3)).content.decode()
    summary = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.split("confirmation-summary")[1]))
    assert "8 metas; 2 sin capturar; ninguna difiere de lo programado." in summary


# One in-page confirmation for every transition ------------------------------------------------

MODAL = re.compile(r'<div class="modal fade" id="modal-(?P<slug>[a-z]+)"')


def test_the_grid_confirms_the_send_and_the_notice_in_the_same_window(q3_open, client, aaron):
    client.force_login(aaron)
    grid = client.get(reverse("poa:capture-grid", args=[2023, "59", "201", 3])).content.decode()
    assert "data-confirm" not in grid
    assert set(MODAL.findall(grid)) >= {"enviar"}
    assert 'data-bs-target="#modal-enviar"' in grid
    assert re.search(r'<button type="submit"[^>]* form="capture-form" name="send" value="1"', grid)
    assert "Se guardarán las cifras." in grid


def test_the_capturistas_notice_opens_a_window_not_another_page(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    grid = client.get(reverse("poa:capture-grid", args=[2023, "59", "201", 3])).content.decode()
    assert set(MODAL.findall(grid)) == {"avisar"}
    assert 'href="/informes/2023/59/201/3/avisar/"' not in grid
    assert 'action="/informes/2023/59/201/3/avisar/"' in grid


def test_planeacion_decides_a_modification_in_the_same_window(client, planeacion, capturista_201):
    meta = Meta.objects.get(numero=305)
    modificacion = modifications.modification_request(
        meta=meta,
        user=capturista_201,
        justificacion="Una feria más.",
        change=modifications.ChangeRequest(
            descripcion=meta.descripcion,
            unidad_medida=meta.unidad_medida,
            meta_anual="360",
            programado=["70", "100", "120", "70"],
        ),
    )
    client.force_login(planeacion)
    page = client.get(reverse("poa:modification", args=[modificacion.pk])).content.decode()
    assert set(MODAL.findall(page)) == {"aprobar", "rechazar"}
    assert 'data-bs-target="#modal-aprobar"' in page
    assert not re.search(r'<form class="mb-3[^"]*" method="post" action="[^"]*/aprobar/"', page)
