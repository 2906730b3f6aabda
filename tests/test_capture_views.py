"""The capture grid of a unit and quarter, and the page of a meta: who sees and saves it, the
Spanish errors next to each field, all rows or none, no lost update, and locked reports."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import json_script

from poa.models import Meta, QuarterlyProgress, Report
from poa.rules import figures
from poa.rules.capture import CAPTURE_MESSAGES
from poa.services.capture import capture_save
from poa.services.review import report_authorize, report_review, report_send
from tests.conftest import complete_quarter, make_capturista, unit

State = Report.State


def grid_url(clave="201", quarter=3):
    return reverse("poa:capture-grid", args=[2023, "59", clave, quarter])


def q3_report(clave="201"):
    return Report.objects.get(unidad_ejecutora=unit(clave), quarter=3)


def achieved(numero, quarter=3):
    return QuarterlyProgress.objects.get(meta__numero=numero, quarter=quarter).alcanzado


def grid_data(clave="201", quarter=3, values=None, version=None, **extra):
    """A POST of the whole grid: every meta on plan (A = P) unless `values` says otherwise
    ({numero: (alcanzado, observaciones)})."""
    values = values or {}
    report = Report.objects.get(unidad_ejecutora=unit(clave), quarter=quarter)
    data = {"version": report.version if version is None else version, **extra}
    for meta in Meta.objects.filter(unidad_ejecutora=unit(clave)):
        programado = meta.avances.get(quarter=quarter).programado
        alcanzado, notes = values.get(meta.numero, (f"{programado:f}", ""))
        data[f"meta-{meta.pk}-alcanzado"] = alcanzado
        data[f"meta-{meta.pk}-observaciones"] = notes
    return data


def test_capturista_of_201_sees_an_input_for_every_meta_of_the_quarter(
    q3_open, client, capturista_201
):
    client.force_login(capturista_201)
    response = client.get(grid_url())
    assert response.status_code == 200
    html = response.content.decode()
    for meta in Meta.objects.filter(unidad_ejecutora=unit("201")):
        assert f'name="meta-{meta.pk}-alcanzado"' in html
        assert f'name="meta-{meta.pk}-observaciones"' in html
    assert 'name="version" value="0"' in html
    assert "Guardar" in html
    # only the unit's head sends
    assert "Enviar (firmar ELABORÓ)" not in html


def test_grid_shows_the_four_quarters_and_the_figures_so_far(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    html = client.get(grid_url()).content.decode()
    row = html[html.index('id="meta-305"') :].split("</tr>")[0]
    # P 70, 100, 100, 70; A 70, 102 before Q3; 172 so far and 51 % of 340
    for text in ("340", "70", "102", "172", "51%"):
        assert f">{text}<" in row


def test_the_grid_and_the_signer_name_the_annual_target_as_the_sheet_does(
    q3_open, client, capturista_201, aaron
):
    client.force_login(capturista_201)
    assert "Meta anual<br>autorizada" in client.get(grid_url()).content.decode()
    client.force_login(aaron)
    html = client.get(reverse("poa:report", args=[2023, "59", "201", 3])).content.decode()
    assert '<th scope="col" class="num">Meta anual autorizada</th>' in html


def test_capturista_of_102_gets_404_on_the_grid_of_201(q3_open, client, capturista_102):
    client.force_login(capturista_102)
    assert client.get(grid_url("201")).status_code == 404
    response = client.post(grid_url("201"), grid_data("201", values={305: ("1", "x")}))
    assert response.status_code == 404
    assert achieved(305) is None


def test_outsider_gets_404_and_anonymous_goes_to_login(q3_open, client, outsider):
    response = client.get(grid_url())
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(outsider)
    assert client.get(grid_url()).status_code == 404


def test_a_save_after_the_session_expired_goes_to_login_saying_so(q3_open, client):
    response = client.post(grid_url(), grid_data(values={305: ("90", "Temporada baja.")}))
    assert response.status_code == 302
    login = f"{reverse('login')}?sesion=expirada&next={grid_url()}"
    assert response["Location"] == login
    assert achieved(305) is None
    html = client.get(login).content.decode()
    assert "Su sesión expiró; inicie sesión de nuevo y se recuperará lo que capturó." in html
    assert f'name="next" value="{grid_url()}"' in html
    # a plain visit to the login page says nothing of the kind
    assert "Su sesión expiró" not in client.get(reverse("login")).content.decode()


def test_after_a_save_the_grid_tells_the_browser_once_to_drop_its_draft(
    q3_open, client, capturista_201
):
    client.force_login(capturista_201)
    assert 'data-saved="0"' in client.get(grid_url()).content.decode()
    response = client.post(grid_url(), grid_data(), follow=True)
    assert "Se guardaron las cifras de 8 metas." in response.content.decode()
    assert 'data-saved="1"' in response.content.decode()
    assert 'data-saved="0"' in client.get(grid_url()).content.decode()


def test_a_refused_save_keeps_the_draft_in_the_browser(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    response = client.post(grid_url(), grid_data(values={305: ("90", "")}))
    assert response.status_code == 200 and 'data-saved="0"' in response.content.decode()


def test_the_grid_hands_the_rules_and_messages_to_its_script_without_inline_code(
    q3_open, client, capturista_201
):
    client.force_login(capturista_201)
    html = client.get(grid_url()).content.decode()
    assert json_script(figures.FIGURE_MESSAGES, "figure-messages") in html
    assert json_script(CAPTURE_MESSAGES, "capture-messages") in html
    row = html.split('id="meta-305"')[1].split("</tr>")[0]
    assert 'data-unidad="PROSPECTO" data-decimales="0"' in row
    assert f'data-draft-key="poa-captura:{capturista_201.pk}:{grid_url()}"' in html
    assert "P</strong>: programado · <strong>A</strong>: alcanzado" in html
    # nothing a Content-Security-Policy without 'unsafe-inline' would block
    assert "style=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_grid_of_a_quarter_that_does_not_exist_is_404(reference, client, capturista_201):
    client.force_login(capturista_201)
    assert client.get("/captura/2023/59/201/5/").status_code == 404


def test_program_head_of_another_unit_sees_the_grid_read_only(q3_open, client, aaron):
    client.force_login(aaron)
    response = client.get(grid_url("102"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Solo lectura." in html and "solo los capturistas de la unidad" in html
    assert "-alcanzado" not in html and "Guardar" not in html


def test_planeacion_cannot_save_a_grid(q3_open, client, planeacion):
    client.force_login(planeacion)
    response = client.post(grid_url(), grid_data(values={305: ("100", "")}))
    assert response.status_code == 403
    assert achieved(305) is None


def test_capturista_saves_every_row_at_once(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    data = grid_data(values={305: ("90", "Menos prospectos por la temporada.")})
    response = client.post(grid_url(), data, follow=True)
    assert response.redirect_chain[-1][0] == grid_url()
    assert "Se guardaron las cifras de 8 metas." in response.content.decode()
    assert achieved(305) == 90 and achieved(300) == 4
    assert q3_report().version == 1
    # after saving the figures come from the server: 70 + 102 + 90 = 262 of 340 = 77 %
    row = response.content.decode().split('id="meta-305"')[1].split("</tr>")[0]
    assert ">262<" in row and ">77%<" in row


def test_a_variance_without_observation_is_refused_next_to_the_field(
    q3_open, client, capturista_201
):
    client.force_login(capturista_201)
    data = grid_data(values={305: ("90", ""), 300: ("6", "Dos empresas más.")})
    response = client.post(grid_url(), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Revise las cifras marcadas; no se guardó ningún cambio." in html
    row = html.split('id="meta-305"')[1].split("</tr>")[0]
    assert "Explique por qué lo alcanzado (90) difiere de lo programado (100)." in row
    assert 'is-invalid"' in row
    # nothing saved, every typed value shown again
    assert achieved(305) is None and achieved(300) is None
    assert 'value="90"' in row
    assert "Dos empresas más." in html
    assert q3_report().version == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-3", "La cifra no puede ser negativa."),
        ("2.5", "solo admite números enteros."),
        ("muchos", "Escriba un número, por ejemplo 12."),
        ("١٢", "Escriba un número, por ejemplo 12."),
        ("１２", "Escriba un número, por ejemplo 12."),
        ("1_000", "Escriba un número, por ejemplo 12."),
        ("1,5", "Use punto decimal, no coma: por ejemplo 1.5."),
        ("1.2.3", "Escriba un número, por ejemplo 12."),
    ],
)
def test_a_bad_figure_gets_a_spanish_message_and_nothing_is_saved(
    q3_open, client, capturista_201, typed, message
):
    client.force_login(capturista_201)
    response = client.post(grid_url(), grid_data(values={300: (typed, "nota")}))
    row = response.content.decode().split('id="meta-300"')[1].split("</tr>")[0]
    assert message in row
    assert f'value="{typed}"' in row
    assert achieved(300) is None and achieved(305) is None


def test_observaciones_longer_than_1000_characters_are_refused(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    response = client.post(grid_url(), grid_data(values={307: ("2", "x" * 1001)}))
    assert "Las observaciones admiten como máximo 1,000 caracteres" in response.content.decode()
    assert achieved(307) is None


def test_a_figure_typed_with_thousands_separator_is_read(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    client.post(grid_url(), grid_data(values={305: ("1,000", "Feria internacional.")}))
    assert achieved(305) == 1000


def test_a_stale_save_is_refused_and_keeps_what_was_typed(q3_open, client, capturista_201, aaron):
    report = q3_report()
    opened_at = report.version
    # the head saves meta 305 first
    rows = {Meta.objects.get(numero=305).pk: {"alcanzado": 100, "observaciones": ""}}
    capture_save(report=report, user=aaron, version=opened_at, rows=rows)
    client.force_login(capturista_201)
    data = grid_data(values={305: ("95", "Faltaron citas."), 300: ("5", "Una más.")})
    data["version"] = opened_at
    response = client.post(grid_url(), data)
    html = response.content.decode()
    assert "Otra persona guardó este informe mientras usted capturaba" in html
    assert "Meta 305, alcanzado: (vacío) → 100 (aaron.alvarez" in html
    assert 'value="95"' in html and "Faltaron citas." in html
    assert achieved(305) == 100 and achieved(300) is None
    # the form now carries the current version: saving again is a deliberate choice
    assert f'name="version" value="{opened_at + 1}"' in html


def test_a_post_without_the_version_saves_nothing(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    data = grid_data(values={305: ("100", "")})
    del data["version"]
    response = client.post(grid_url(), data, follow=True)
    assert "vuelva a cargarla" in response.content.decode()
    assert achieved(305) is None


def test_tampered_post_to_an_authorized_report_changes_nothing(
    q3_open, client, capturista_201, aaron
):
    complete_quarter("201", 3)
    report = q3_report()
    report_send(report=report, user=aaron)
    report_review(report=report, user=aaron)
    report_authorize(report=report, user=aaron)
    before = achieved(305)
    client.force_login(capturista_201)
    html = client.get(grid_url()).content.decode()
    assert "El informe está autorizado; solo planeación puede reabrirlo." in html
    assert "-alcanzado" not in html
    response = client.post(grid_url(), grid_data(values={305: ("999", "cambio")}), follow=True)
    assert "No se guardó ningún cambio." in response.content.decode()
    assert achieved(305) == before
    assert q3_report().state == State.AUTORIZADO


def test_grid_is_read_only_before_planeacion_opens_the_quarter(reference, client, capturista_201):
    client.force_login(capturista_201)
    html = client.get(grid_url(quarter=4)).content.decode()
    assert "Planeación no ha abierto este trimestre para captura." in html
    assert "-alcanzado" not in html


def test_ue_head_saves_and_sends_from_the_grid(q3_open, client, aaron):
    client.force_login(aaron)
    assert "Enviar (firmar ELABORÓ)" in client.get(grid_url()).content.decode()
    data = grid_data(values={305: ("110", "Más prospectos en la feria.")}, send="1")
    response = client.post(grid_url(), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("poa:report", args=[2023, "59", "201", 3])
    report = q3_report()
    assert report.state == State.ENVIADO and achieved(305) == 110
    assert report.events.get().signer_position == "COORDINADOR DE PROMOCIÓN"


def test_a_meta_without_its_quarter_row_is_saved_with_one(q3_open, client, capturista_201):
    data = grid_data(values={300: ("4", ""), 307: ("3", "Sin programar en el trimestre.")})
    QuarterlyProgress.objects.filter(meta__numero=307, quarter=3).delete()
    meta_307 = Meta.objects.get(numero=307)
    client.force_login(capturista_201)
    response = client.post(grid_url(), data)
    assert response.status_code == 302
    assert achieved(307) == 3 and achieved(300) == 4
    progress = QuarterlyProgress.objects.get(meta=meta_307, quarter=3)
    assert progress.programado == 0


def test_the_saved_message_counts_only_the_metas_that_changed(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    response = client.post(grid_url(), grid_data(), follow=True)
    assert "Se guardaron las cifras de 8 metas." in response.content.decode()
    response = client.post(grid_url(), grid_data(values={300: ("5", "Una más.")}), follow=True)
    assert "Se guardaron las cifras de 1 meta." in response.content.decode()
    response = client.post(grid_url(), grid_data(values={300: ("5", "Una más.")}), follow=True)
    assert "No había cambios que guardar." in response.content.decode()


def test_a_refused_send_says_it_was_not_sent(q3_open, client, aaron):
    client.force_login(aaron)
    response = client.post(grid_url(), grid_data(values={302: ("", "")}, send="1"))
    assert "el informe no se envió y no se guardó ningún cambio" in response.content.decode()


def test_sending_requires_every_figure(q3_open, client, aaron):
    client.force_login(aaron)
    response = client.post(grid_url(), grid_data(values={302: ("", "")}, send="1"))
    row = response.content.decode().split('id="meta-302"')[1].split("</tr>")[0]
    assert "Capture lo alcanzado en el trimestre." in row
    assert q3_report().state == State.BORRADOR and achieved(305) is None


def test_capturista_cannot_send(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    response = client.post(grid_url(), grid_data(send="1"))
    assert response.status_code == 403
    assert q3_report().state == State.BORRADOR and achieved(305) is None


def test_grid_costs_the_same_queries_for_4_and_8_metas(q3_open, client):
    client.force_login(make_capturista("captura-ambas", "101", "102"))
    counts = []
    for clave in ("101", "102"):  # 4 and 8 metas
        client.get(grid_url(clave))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(grid_url(clave)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 16


def test_meta_page_shows_every_change_with_user_and_old_and_new(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    client.post(grid_url(), grid_data(values={305: ("90", "Temporada baja.")}))
    client.post(grid_url(), grid_data(values={305: ("95", "Temporada baja.")}))
    meta = Meta.objects.get(numero=305)
    response = client.get(reverse("poa:meta-detail", args=[meta.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Generar actividades de prospección" in html or "305.-" in html
    history = html.split("Historial de cambios")[1]
    assert "captura201" in history
    assert "(vacío)" in history and ">90<" in history and ">95<" in history
    assert "Temporada baja." in history


def test_capturista_of_102_gets_404_on_a_meta_of_201(reference, client, capturista_102):
    client.force_login(capturista_102)
    meta = Meta.objects.get(numero=305)
    assert client.get(reverse("poa:meta-detail", args=[meta.pk])).status_code == 404


def test_looking_at_a_quarter_nobody_opened_creates_no_report(reference, client, aaron):
    client.force_login(aaron)
    assert client.get(grid_url(quarter=4)).status_code == 200
    assert client.get(reverse("poa:report", args=[2023, "59", "201", 4])).status_code == 200
    assert not Report.objects.filter(quarter=4).exists()


def test_program_head_cannot_save_the_grid_of_a_unit_they_do_not_capture(q3_open, client, aaron):
    client.force_login(aaron)
    response = client.post(grid_url("102"), grid_data("102", values={200: ("1", "")}))
    assert response.status_code == 403
    assert achieved(200) is None


def test_head_of_102_gets_404_on_the_grid_of_201(q3_open, client, head_102):
    client.force_login(head_102)
    assert client.get(grid_url("201")).status_code == 404
    assert client.post(grid_url("201"), grid_data("201")).status_code == 404


def test_a_sent_report_is_read_only_for_its_capturista(q3_open, client, aaron, capturista_201):
    complete_quarter("201", 3)
    report_send(report=q3_report(), user=aaron)
    client.force_login(capturista_201)
    html = client.get(grid_url()).content.decode()
    assert "El informe está enviado; solo se captura en borrador." in html
    assert "-alcanzado" not in html
    response = client.post(grid_url(), grid_data(values={305: ("1", "x")}), follow=True)
    assert "No se guardó ningún cambio." in response.content.decode()
    assert achieved(305) == 100


@pytest.mark.parametrize("action", ["autorizar", "enviar", "avisar", "devolver"])
def test_a_refused_transition_on_an_unopened_quarter_creates_no_report(
    reference, client, capturista_201, action
):
    client.force_login(capturista_201)
    url = reverse("poa:report-transition", args=[2023, "59", "201", 4, action])
    response = client.post(url, {"comment": "x"})
    assert response.status_code in (302, 403)
    assert not Report.objects.filter(quarter=4).exists()


def test_a_save_on_an_unopened_quarter_creates_no_report(reference, client, capturista_201):
    client.force_login(capturista_201)
    client.post(grid_url(quarter=4), {"version": "0"})
    assert not Report.objects.filter(quarter=4).exists()
