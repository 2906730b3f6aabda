"""The meta page with its versions and the unit's request form, and planeación's pages to
decide a modificación programática."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from poa.jobs import DATABASE_BACKEND
from poa.models import Ejercicio, Meta, Modificacion, QuarterlyProgress, Report
from poa.rules.states import MODIFICATION
from poa.services import modifications, years
from poa.services.periods import period_open
from tests.conftest import unit
from tests.test_capture_views import grid_data
from tests.test_modifications import authorize, cancel_305, request

State = Modificacion.State


@pytest.fixture
def q2_authorized(aaron, planeacion):
    authorize("201", 1, head=aaron, signer=aaron, planeacion=planeacion)
    return authorize("201", 2, head=aaron, signer=aaron, planeacion=planeacion)


def meta_url(numero=305):
    return reverse("poa:meta-detail", args=[Meta.objects.get(numero=numero).pk])


def request_url(numero=305):
    return reverse("poa:modification-request", args=[Meta.objects.get(numero=numero).pk])


def form_data(**overrides):
    data = {
        "descripcion": Meta.objects.get(numero=305).descripcion,
        "unidad_medida": Meta.objects.get(numero=305).unidad_medida_id,
        "meta_anual": "360",
        "programado_1": "70",
        "programado_2": "100",
        "programado_3": "120",
        "programado_4": "70",
        "justificacion": "Se sumó una feria industrial en septiembre.",
    }
    return data | overrides


def pending(capturista):
    return request(capturista, annual="360", programado=("70", "100", "120", "70"))


def field_html(html, name):
    """The <input> of a field of the request form."""
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


def test_a_request_is_saved_and_answered_with_the_mail_server_down(
    q2_authorized, client, capturista_201, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND}}  # the worker sends, later
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nobody listens
    client.force_login(capturista_201)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url(), form_data(), follow=True)

    assert response.status_code == 200
    assert "Solicitud enviada a planeación" in response.content.decode()
    assert Modificacion.objects.get().state == State.SOLICITADA


# The meta page --------------------------------------------------------------------------------


def test_the_unit_sees_the_request_form_with_the_current_figures(
    q2_authorized, client, capturista_201
):
    client.force_login(capturista_201)
    html = client.get(meta_url()).content.decode()
    assert "Solicitar modificación programática" in html
    assert 'value="340"' in field_html(html, "meta_anual")
    q2 = field_html(html, "programado_2")
    assert 'value="100"' in q2 and "readonly" in q2
    assert "Informe de Abr-Jun autorizado: no cambia." in html
    assert "readonly" not in field_html(html, "programado_3")


def test_a_request_from_the_meta_page_goes_to_planeacion(q2_authorized, client, capturista_201):
    client.force_login(capturista_201)
    response = client.post(request_url(), form_data(), follow=True)
    assert "Solicitud enviada a planeación" in response.content.decode()
    modificacion = Modificacion.objects.get()
    assert (modificacion.meta_anual, modificacion.programado_3) == (360, 120)
    html = response.content.decode()
    assert "Solicitar modificación programática" not in html  # one pending at a time
    assert "ya tiene una solicitud de modificación pendiente" in html
    assert MODIFICATION.state(State.SOLICITADA).waiting in html


def test_a_refused_request_keeps_what_was_typed_with_the_error_next_to_it(
    q2_authorized, client, capturista_201
):
    client.force_login(capturista_201)
    response = client.post(request_url(), form_data(meta_anual="400", justificacion="Feria."))
    html = response.content.decode()
    assert response.status_code == 200
    assert "no coincide con la meta anual autorizada (400): faltan 40." in html
    assert 'value="400"' in field_html(html, "meta_anual")
    assert 'value="120"' in field_html(html, "programado_3")
    assert ">Feria.</textarea>" in html
    assert not Modificacion.objects.exists()


def test_a_posted_p_of_an_authorized_quarter_is_not_taken(q2_authorized, client, capturista_201):
    client.force_login(capturista_201)
    # Abr-Jun lowered by 100 and Jul-Sep raised by 100 would add up if Abr-Jun were taken.
    data = form_data(meta_anual="340", programado_2="0", programado_3="200")
    html = client.post(request_url(), data).content.decode()
    assert "La suma de lo programado por trimestre (440)" in html
    assert not Modificacion.objects.exists()


def test_cancelling_needs_its_confirmation(q2_authorized, client, capturista_201):
    client.force_login(capturista_201)
    html = client.post(request_url(), form_data(cancelar="on")).content.decode()
    assert "Confirme que la meta se cancela, o desmarque la cancelación." in html
    assert not Modificacion.objects.exists()
    client.post(request_url(), form_data(cancelar="on", confirmar_cancelacion="on"))
    assert Modificacion.objects.get().cancelada


def test_a_request_that_changes_nothing_is_refused_on_the_page(
    q2_authorized, client, capturista_201
):
    client.force_login(capturista_201)
    data = form_data(meta_anual="340", programado_3="100")
    html = client.post(request_url(), data).content.decode()
    assert "La solicitud no cambia nada de la meta" in html


def test_the_meta_page_lists_the_approved_versions_in_order(
    q2_authorized, client, capturista_201, planeacion
):
    modifications.modification_approve(modificacion=pending(capturista_201), user=planeacion)
    second = request(capturista_201, annual="380", programado=("70", "100", "120", "90"))
    modifications.modification_approve(modificacion=second, user=planeacion)
    client.force_login(capturista_201)
    html = client.get(meta_url()).content.decode()
    versions = re.findall(r'<tr class="meta-version" id="version-(\d+)">(.*?)</tr>', html, re.S)
    assert [number for number, _ in versions] == ["1", "2", "3"]
    annuals = [re.search(r'<td class="num">([\d,]+)</td>', row).group(1) for _, row in versions]
    assert annuals == ["340", "360", "380"]
    assert "Programación anual aprobada" in versions[0][1]
    assert "Se sumó una feria industrial en septiembre." in versions[2][1]
    assert "vigente" in versions[2][1] and "vigente" not in versions[0][1]


def test_the_meta_page_shows_each_request_with_its_timeline(
    q2_authorized, client, capturista_201, planeacion
):
    modifications.modification_reject(
        modificacion=pending(capturista_201), user=planeacion, comment="No hay presupuesto."
    )
    client.force_login(capturista_201)
    html = client.get(meta_url()).content.decode()
    section = html.split("Solicitudes de modificación programática")[1]
    assert "Rechazada" in section and "No hay presupuesto." in section
    assert MODIFICATION.transition("reject").event in section
    assert "Solicitar modificación programática" in html  # may ask again


def test_who_only_reviews_sees_no_request_form(q2_authorized, client, planeacion):
    client.force_login(planeacion)
    html = client.get(meta_url()).content.decode()
    assert "Solicitar modificación programática" not in html
    assert client.post(request_url(), form_data()).status_code == 403


# Access --------------------------------------------------------------------------------------


def test_capturista_of_102_gets_404_on_the_meta_and_modification_pages_of_201(
    q2_authorized, client, capturista_201, capturista_102
):
    modificacion = pending(capturista_201)
    client.force_login(capturista_102)
    assert client.get(meta_url()).status_code == 404
    assert client.post(request_url(), form_data()).status_code == 404
    page = reverse("poa:modification", args=[modificacion.pk])
    assert client.get(page).status_code == 404
    approve = reverse("poa:modification-transition", args=[modificacion.pk, "aprobar"])
    assert client.post(approve).status_code == 404
    assert Modificacion.objects.get().state == State.SOLICITADA


def test_the_unit_reads_its_request_but_only_planeacion_decides(
    q2_authorized, client, capturista_201, aaron
):
    modificacion = pending(capturista_201)
    for user in (capturista_201, aaron):
        client.force_login(user)
        html = client.get(reverse("poa:modification", args=[modificacion.pk])).content.decode()
        assert MODIFICATION.transition("approve").label not in html
        assert MODIFICATION.state(State.SOLICITADA).waiting in html
        for slug in ("aprobar", "rechazar"):
            url = reverse("poa:modification-transition", args=[modificacion.pk, slug])
            assert client.post(url, {"comment": "Sí"}).status_code == 403
    assert Modificacion.objects.get().state == State.SOLICITADA


def test_only_planeacion_lists_the_requests(q2_authorized, client, capturista_201, aaron):
    for user in (capturista_201, aaron):
        client.force_login(user)
        assert client.get(reverse("poa:modifications")).status_code == 403


def test_an_unknown_decision_is_404(q2_authorized, client, capturista_201, planeacion):
    modificacion = pending(capturista_201)
    client.force_login(planeacion)
    url = reverse("poa:modification-transition", args=[modificacion.pk, "borrar"])
    assert client.post(url).status_code == 404


# Planeación decides --------------------------------------------------------------------------


def test_planeacion_sees_current_and_proposed_figures_with_the_differences_named(
    q2_authorized, client, capturista_201, planeacion
):
    modificacion = pending(capturista_201)
    client.force_login(planeacion)
    html = client.get(reverse("poa:modification", args=[modificacion.pk])).content.decode()
    rows = dict(
        (label, cells)
        for label, cells in re.findall(
            r'<th scope="row" class="small">(.*?)</th>(.*?)</tr>', html, re.S
        )
    )
    assert re.findall(r">([\d,]+)<", rows["Meta anual autorizada"]) == ["340", "360"]
    assert "<strong>Cambia</strong>" in rows["Meta anual autorizada"]
    assert "<strong>Cambia</strong>" in rows["Programado Jul-Sep"]
    assert "Sin cambio" in rows["Programado Abr-Jun"]
    assert MODIFICATION.transition("approve").label in html
    assert MODIFICATION.transition("reject").label in html


def test_planeacion_approves_from_the_request_page(
    q2_authorized, client, capturista_201, planeacion
):
    modificacion = pending(capturista_201)
    client.force_login(planeacion)
    url = reverse("poa:modification-transition", args=[modificacion.pk, "aprobar"])
    response = client.post(url, {"comment": ""}, follow=True)
    assert MODIFICATION.transition("approve").done in response.content.decode()
    assert Meta.objects.get(numero=305).meta_anual == 360
    assert Modificacion.objects.get().state == State.APROBADA


def test_a_rejection_without_reason_is_refused_next_to_the_comment(
    q2_authorized, client, capturista_201, planeacion
):
    modificacion = pending(capturista_201)
    client.force_login(planeacion)
    url = reverse("poa:modification-transition", args=[modificacion.pk, "rechazar"])
    response = client.post(url, {"comment": " "})
    assert response.status_code == 200
    assert "Escriba el motivo del rechazo." in response.content.decode()
    client.post(url, {"comment": "La feria no está confirmada."})
    assert Modificacion.objects.get().state == State.RECHAZADA
    assert Meta.objects.get(numero=305).meta_anual == 340


def test_an_approval_refused_by_the_rules_says_why(
    q2_authorized, client, capturista_201, planeacion, aaron
):
    modificacion = request(capturista_201, annual="340", programado=("70", "100", "70", "100"))
    authorize("201", 3, head=aaron, signer=aaron, planeacion=planeacion)
    client.force_login(planeacion)
    url = reverse("poa:modification-transition", args=[modificacion.pk, "aprobar"])
    html = client.post(url, follow=True).content.decode()
    assert "El informe de Jul-Sep ya está autorizado" in html
    assert Modificacion.objects.get().state == State.SOLICITADA


def test_the_list_puts_the_waiting_requests_first_and_filters_by_state(
    q2_authorized, client, capturista_201, planeacion
):
    rejected = pending(capturista_201)
    modifications.modification_reject(modificacion=rejected, user=planeacion, comment="No.")
    waiting = pending(capturista_201)
    client.force_login(planeacion)
    html = client.get(reverse("poa:modifications")).content.decode()
    links = re.findall(r'href="/planeacion/modificaciones/(\d+)/">(Decidir|Ver)<', html)
    assert links == [(str(waiting.pk), "Decidir"), (str(rejected.pk), "Ver")]
    filtered = client.get(reverse("poa:modifications"), {"state": "rechazada", "ramo": "59"})
    assert re.findall(r'href="/planeacion/modificaciones/(\d+)/"', filtered.content.decode()) == [
        str(rejected.pk)
    ]
    assert client.get(reverse("poa:modifications"), {"per_page": "-1"}).status_code == 200


def test_home_asks_planeacion_to_decide_the_pending_request(
    q2_authorized, client, capturista_201, planeacion
):
    modificacion = pending(capturista_201)
    task = MODIFICATION.transition("approve").task
    client.force_login(planeacion)
    html = client.get(reverse("poa:home")).content.decode()
    assert task in html
    assert reverse("poa:modification", args=[modificacion.pk]) in html
    client.force_login(capturista_201)
    assert task not in client.get(reverse("poa:home")).content.decode()


def test_the_grid_sends_a_quarter_after_a_cancellation_without_the_cancelled_meta(
    q2_authorized, client, capturista_201, planeacion, aaron
):
    cancel_305(capturista_201, planeacion, approved_on=date(2023, 7, 15))
    period_open(
        ejercicio=Ejercicio.objects.get(year=2023),
        quarter=4,
        deadline=timezone.now() + timedelta(days=1),
        user=planeacion,
    )
    client.force_login(aaron)
    data = grid_data(quarter=4, values={305: ("", "")}, send="1")
    response = client.post(reverse("poa:capture-grid", args=[2023, "59", "201", 4]), data)
    assert response.status_code == 302
    assert Report.objects.get(unidad_ejecutora=unit("201"), quarter=4).state == "enviado"
    assert QuarterlyProgress.objects.get(meta__numero=305, quarter=4).alcanzado is None


def test_the_meta_page_heads_with_its_number_and_unit_then_its_description(
    q2_authorized, client, capturista_201
):
    client.force_login(capturista_201)
    html = client.get(meta_url()).content.decode()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert heading.startswith("Meta 305 · UE 201 DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL")
    assert "Generar actividades de prospección" not in heading
    assert "305.- Generar actividades de prospección" in html


def test_a_meta_of_a_programming_still_in_draft_is_not_called_authorized(
    client, planeacion, capturista_201
):
    years.year_create_from(source=2023, year=2024, user=planeacion, copy_metas=True)
    meta = Meta.objects.get(numero=305, unidad_ejecutora__ramo__ejercicio__year=2024)
    client.force_login(capturista_201)
    html = client.get(reverse("poa:meta-detail", args=[meta.pk])).content.decode()
    assert "Programación sin aprobar" in html and "Meta anual programada" in html
    assert "Meta anual autorizada" not in html
    assert "la primera versión de la meta quedará aquí cuando planeación la apruebe" in html
    assert reverse("poa:programming", args=[2024, "59", "201"]) + "#meta-305" in html
