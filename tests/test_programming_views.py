"""The screens of the annual programming: the unit drafts its metas on one page (errors next
to each field, nothing typed is lost), its head sends, planeación returns or approves, the
approved programming reads as a table; nobody sees another unit's programming."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from poa.models import Ejercicio, LineaAccion, Meta, Programacion, ProgramacionEvent, UnidadMedida
from poa.rules.states import PROGRAMMING
from poa.services import programming
from tests.conftest import plan_row, unit

State = Programacion.State
Action = ProgramacionEvent.Action
SEND, APPROVE, RETURN = (PROGRAMMING.transition(a) for a in ("send", "approve", "return"))


def url(clave="202", *extra, name="poa:programming", year=2023):
    return reverse(name, args=[year, "59", clave, *extra])


def row_data(key, numero, annual="4", programado=("1", "1", "1", "1"), **fields):
    """The POST of one meta of the screen."""
    measure = UnidadMedida.objects.get(nombre=fields.pop("measure", "INFORME"))
    lineas = fields.pop("lineas", ("2.3.1",))
    data = {
        "numero": str(numero),
        "descripcion": fields.pop("descripcion", f"Meta {numero} de prueba"),
        "unidad_medida": str(measure.pk),
        "lineas": [str(LineaAccion.objects.get(clave=c).pk) for c in lineas],
        "meta_anual": annual,
        **{f"programado_{q}": p for q, p in enumerate(programado, start=1)},
        **fields,
    }
    return {f"meta-{key}-{name}": value for name, value in data.items()}


def post_rows(client, rows, version=0, clave="202", **extra):
    data = {"version": str(version), "row": [key for key, _ in rows], **extra}
    for _, fields in rows:
        data |= fields
    return client.post(url(clave), data)


def stored_row(meta, **changes):
    """A stored meta as the screen posts it back."""
    progress = {p.quarter: p.programado for p in meta.avances.all()}
    return str(meta.pk), row_data(
        meta.pk,
        changes.pop("numero", meta.numero),
        changes.pop("annual", str(meta.meta_anual)),
        changes.pop("programado", [str(progress[q]) for q in (1, 2, 3, 4)]),
        unidad=meta.unidad_medida.nombre,
        lineas=[linea.clave for linea in meta.lineas_accion.all()],
        descripcion=meta.descripcion,
        **changes,
    )


def two_metas(client):
    rows = [
        ("nueva-1", row_data("nueva-1", 400)),
        ("nueva-2", row_data("nueva-2", 401, "12", ("3", "3", "3", "3"))),
    ]
    return post_rows(client, rows)


def html(response):
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# Drafting ------------------------------------------------------------------------------------


def test_a_new_unit_starts_with_one_blank_meta_numbered_in_its_series(client, ue_202, head_102):
    client.force_login(head_102)
    page = html(client.get(url()))
    assert 'name="row" value="nueva-1"' in page
    assert re.search(r'name="meta-nueva-1-numero"[^>]*value="400"', page)
    assert 'id="plan-row-template"' in page and "meta-__KEY__-numero" in page
    assert SEND.label in page
    assert not Programacion.objects.filter(unidad_ejecutora=ue_202).exists()  # looking is free


def test_the_head_drafts_two_metas_on_the_screen(client, ue_202, head_102):
    client.force_login(head_102)
    response = two_metas(client)
    assert response.status_code == 302 and response["Location"] == url()
    page = client.get(url())
    assert "Se guardaron 2 metas." in messages_of(page)
    metas = Meta.objects.filter(unidad_ejecutora=ue_202).order_by("numero")
    assert [(m.numero, m.meta_anual) for m in metas] == [(400, 4), (401, 12)]
    assert 'name="version" value="1"' in html(page)


def test_a_capturista_drafts_but_does_not_send(client, ue_202, capturista_202):
    client.force_login(capturista_202)
    page = html(client.get(url()))
    assert SEND.label not in page and "Envía la programación a planeación" in page
    assert two_metas(client).status_code == 302
    rows = [("nueva-3", row_data("nueva-3", 402))]
    assert post_rows(client, rows, version=1, send="1").status_code == 403
    assert programming.programming_of(ue_202).state == State.BORRADOR
    assert not Meta.objects.filter(numero=402).exists()


def test_errors_appear_next_to_each_field_and_what_was_typed_stays(client, ue_202, head_102):
    client.force_login(head_102)
    rows = [
        ("nueva-1", row_data("nueva-1", 400, "4.5", ("1", "1", "1", "1.5"), descripcion="Mía")),
        ("nueva-2", row_data("nueva-2", "", "12", ("3", "3", "3", "2"), descripcion="")),
    ]
    response = post_rows(client, rows)
    page = html(response)
    assert response.status_code == 200
    assert "Revise las metas marcadas; no se guardó ningún cambio." in messages_of(response)
    assert page.count("La unidad de medida «INFORME» solo admite números enteros.") == 2
    assert re.search(r'value="4.5"\s+class="[^"]*is-invalid', page)
    assert "Escriba el número de la meta" in page and "Escriba la descripción de la meta." in page
    assert "no coincide con la meta anual autorizada (12): falta 1." in page
    assert ">Mía</textarea>" in page and 'value="1.5"' in page
    assert not Meta.objects.filter(unidad_ejecutora=ue_202).exists()


def test_two_metas_with_the_same_number_are_refused_next_to_the_number(client, ue_202, head_102):
    client.force_login(head_102)
    rows = [("nueva-1", row_data("nueva-1", 400)), ("nueva-2", row_data("nueva-2", 400))]
    page = html(post_rows(client, rows))
    assert "El número 400 ya lo usa otra meta de la unidad." in page
    assert not Meta.objects.filter(unidad_ejecutora=ue_202).exists()


def test_metas_are_added_reordered_and_removed_in_one_save(client, ue_202, head_102):
    client.force_login(head_102)
    two_metas(client)
    m400, m401 = Meta.objects.filter(unidad_ejecutora=ue_202).order_by("numero")
    rows = [
        stored_row(m401, numero=400),  # ↑: the two metas swap their numbers
        stored_row(m400, numero=401, delete="on"),
        ("nueva-1", row_data("nueva-1", 402, "2", ("0", "1", "0", "1"))),
    ]
    response = post_rows(client, rows, version=1)
    assert response.status_code == 302
    metas = Meta.objects.filter(unidad_ejecutora=ue_202).order_by("numero")
    assert [(m.pk, m.numero) for m in metas] == [(m401.pk, 400), (metas[1].pk, 402)]
    assert "Se guardaron 3 metas." in messages_of(client.get(url()))


def test_the_screen_shows_metas_by_number_with_their_lineas(client, ue_202, head_102):
    client.force_login(head_102)
    two_metas(client)
    page = html(client.get(url()))
    assert page.index('value="400"') < page.index('value="401"')
    assert "SENSIBILIZACIÓN EN MATERIA DE GÉNERO Y DIVERSIDAD" in page
    assert 'aria-label="Quitar la línea 2.3.1"' in page


def test_a_stale_save_keeps_what_was_typed_and_says_why(client, ue_202, head_102, capturista_202):
    client.force_login(capturista_202)
    two_metas(client)
    m400, m401 = Meta.objects.filter(unidad_ejecutora=ue_202).order_by("numero")
    # The head opened the screen at version 1 and types; meanwhile the capturista removes 401
    rows = [stored_row(m400, annual="8", programado=("2", "2", "2", "2")), stored_row(m401)]
    opened_at = 1
    post_rows(client, [stored_row(m401, delete="on")], version=1)
    client.force_login(head_102)
    response = post_rows(client, rows, version=opened_at)
    page = html(response)
    assert response.status_code == 200
    assert "Otra persona guardó esta programación mientras usted la editaba" in page
    assert re.search(r'name="meta-\d+-meta_anual"[^>]*value="8"', page)
    assert "Otra persona quitó las metas 401" in page
    assert 'name="row" value="nueva-1"' in page  # 401 comes back as a new meta
    assert 'name="version" value="2"' in page
    assert Meta.objects.get(pk=m400.pk).meta_anual == 4
    # Saving again is a deliberate choice, and works
    again = [
        stored_row(m400, annual="8", programado=("2", "2", "2", "2")),
        ("nueva-1", row_data("nueva-1", 401, "12", ("3", "3", "3", "3"))),
    ]
    assert post_rows(client, again, version=2).status_code == 302
    metas = Meta.objects.filter(unidad_ejecutora=ue_202).order_by("numero")
    assert [(m.numero, m.meta_anual) for m in metas] == [(400, 8), (401, 12)]


def test_a_refused_send_says_it_was_not_sent_and_keeps_the_metas_typed(client, ue_202, head_102):
    client.force_login(head_102)
    rows = [("nueva-1", row_data("nueva-1", 400, lineas=(), descripcion="Sin línea"))]
    response = post_rows(client, rows, send="1")
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("La programación no se envió y no se guardó ningún cambio.")
    assert "faltan en las metas 400" in message
    assert ">Sin línea</textarea>" in html(response)
    assert programming.programming_of(ue_202).state == State.BORRADOR
    assert not Meta.objects.filter(unidad_ejecutora=ue_202).exists()


def test_the_head_saves_and_sends_in_one_step(client, ue_202, head_102):
    client.force_login(head_102)
    response = post_rows(client, [("nueva-1", row_data("nueva-1", 400))], send="1")
    assert response.status_code == 302
    assert programming.programming_of(ue_202).state == State.ENVIADA
    page = client.get(url())
    assert f"Se guardó 1 meta. {SEND.done}" in messages_of(page)
    assert "Solo lectura." in html(page) and 'name="row"' not in html(page)


def test_a_broken_page_is_refused_without_a_500(client, ue_202, head_102):
    client.force_login(head_102)
    response = client.post(url(), {"version": "x", "row": ["nueva-1"]})
    assert response.status_code == 302
    response = client.post(url(), {"version": "0", "row": ["<script>"]})
    assert response.status_code == 302
    assert "llegó incompleta" in messages_of(client.get(url()))[-1]


# Who sees what -------------------------------------------------------------------------------

PAGES_OF_201 = [
    ("get", (), "poa:programming"),
    ("post", (), "poa:programming"),
    ("get", ("enviar",), "poa:programming-transition"),
    ("post", ("aprobar",), "poa:programming-transition"),
    ("get", (), "poa:programming-lineas"),
    ("post", (), "poa:unit-propose"),
]


@pytest.mark.parametrize(("method", "extra", "name"), PAGES_OF_201)
@pytest.mark.parametrize("persona", ["capturista_102", "head_102", "outsider"])
def test_a_unit_never_reaches_another_units_programming(
    request, client, persona, method, extra, name
):
    client.force_login(request.getfixturevalue(persona))
    response = getattr(client, method)(url("201", *extra, name=name), {"version": "0"})
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "extra", "name"), PAGES_OF_201)
def test_anonymous_visitors_are_sent_to_the_login(client, reference, method, extra, name):
    response = getattr(client, method)(url("201", *extra, name=name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_program_head_reads_a_draft_but_does_not_edit_it(client, ue_202, head_102, aaron):
    client.force_login(head_102)
    two_metas(client)
    client.force_login(aaron)
    page = html(client.get(url()))
    assert "Usted puede consultar esta programación" in page and 'name="row"' not in page
    assert "Meta 400 de prueba" in page
    assert post_rows(client, [("nueva-1", row_data("nueva-1", 402))], 1).status_code == 403


def test_an_approved_programming_reads_as_a_table_and_refuses_saves(client, capturista_102):
    client.force_login(capturista_102)
    response = client.get(url("102"))
    page = html(response)
    assert "Solo lectura." in page and PROGRAMMING.state("aprobada").waiting in page
    assert 'name="row"' not in page and "programming-table-readonly" in page
    meta_205 = Meta.objects.get(unidad_ejecutora=unit("102"), numero=205)
    # each meta opens its page, where a modificación programática is requested
    assert re.search(rf'href="/metas/{meta_205.pk}/">205</a>\.- .*PROYECTO', page, re.S)
    assert "Para cambiar una meta, abra su número" in page
    meta = Meta.objects.get(unidad_ejecutora=unit("102"), numero=200)
    response = post_rows(client, [stored_row(meta, annual="40")], clave="102")
    assert response.status_code == 302
    assert Meta.objects.get(pk=meta.pk).meta_anual == 4
    [message] = messages_of(client.get(url("102")))
    assert message == f"No se guardó ningún cambio. {PROGRAMMING.state('aprobada').waiting}"


# Approval ------------------------------------------------------------------------------------


def sent(client, head):
    client.force_login(head)
    post_rows(client, [("nueva-1", row_data("nueva-1", 400))], send="1")


@pytest.mark.parametrize(
    ("persona", "slug"),
    [
        ("capturista_202", "enviar"),
        ("planeacion", "enviar"),
        ("head_102", "aprobar"),
        ("head_102", "devolver"),
        ("aaron", "aprobar"),
    ],
)
def test_each_transition_is_refused_to_whom_it_does_not_belong(
    request, client, ue_202, head_102, persona, slug
):
    client.force_login(head_102)
    post_rows(client, [("nueva-1", row_data("nueva-1", 400))])
    if slug != "enviar":
        programming.programming_send(programacion=programming.programming_of(ue_202), user=head_102)
    state = programming.programming_of(ue_202).state
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("202", slug, name="poa:programming-transition")).status_code == 403
    response = client.post(url("202", slug, name="poa:programming-transition"), {"comment": "x"})
    assert response.status_code == 403
    assert programming.programming_of(ue_202).state == state


def test_the_head_sees_no_approval_buttons_and_planeacion_no_send(
    client, ue_202, head_102, planeacion
):
    sent(client, head_102)
    assert APPROVE.label not in html(client.get(url()))
    client.force_login(planeacion)
    page = html(client.get(url()))
    assert APPROVE.label in page and RETURN.label in page and SEND.label not in page


def test_planeacion_returns_with_a_comment_that_the_unit_reads(
    client, ue_202, head_102, planeacion
):
    sent(client, head_102)
    client.force_login(planeacion)
    devolver = url("202", "devolver", name="poa:programming-transition")
    refused = client.post(devolver, {"comment": " "})
    assert refused.status_code == 200 and RETURN.comment_required in html(refused)
    assert programming.programming_of(ue_202).state == State.ENVIADA
    response = client.post(devolver, {"comment": "Divida la meta 400 por trimestre."})
    assert response.status_code == 302 and response["Location"] == url()
    client.force_login(head_102)
    page = html(client.get(url()))
    assert "«Divida la meta 400 por trimestre.»" in page and 'name="row"' in page
    home = html(client.get(reverse("poa:home")))
    assert PROGRAMMING.initial.task in home and "Divida la meta 400 por trimestre." in home


def test_planeacion_accepts_the_proposed_unit_then_approves(client, ue_202, head_102, planeacion):
    proposed = programming.measure_propose(unidad_ejecutora=ue_202, user=head_102, nombre="VISITA")
    client.force_login(head_102)
    post_rows(client, [("nueva-1", row_data("nueva-1", 400, measure="VISITA"))], send="1")
    client.force_login(planeacion)
    aprobar = url("202", "aprobar", name="poa:programming-transition")
    client.post(aprobar, {"comment": ""})
    message = messages_of(client.get(url()))[-1]
    assert "Acepte primero las unidades de medida propuestas por la unidad: «VISITA»" in message
    page = html(client.get(url()))
    assert "Antes de aprobar, acepte las unidades de medida" in page
    accept = reverse("poa:unit-accept", args=[proposed.pk])
    assert client.post(accept, {"next": url()})["Location"] == url()
    client.post(aprobar, {"comment": ""})
    assert programming.programming_of(ue_202).state == State.APROBADA
    page = client.get(url())
    assert APPROVE.done in messages_of(page)
    assert "Solo lectura." in html(page) and "programming-table-readonly" in html(page)
    timeline = html(page).split("Historial de la programación")[1]
    assert timeline.index(SEND.event) < timeline.index(APPROVE.event)


def test_only_planeacion_accepts_units_of_measure(client, ue_202, head_102):
    proposed = programming.measure_propose(unidad_ejecutora=ue_202, user=head_102, nombre="VISITA")
    client.force_login(head_102)
    assert client.post(reverse("poa:unit-accept", args=[proposed.pk])).status_code == 403
    assert not UnidadMedida.objects.get(pk=proposed.pk).aceptada


def test_accepting_never_redirects_away_from_the_site(client, ue_202, head_102, planeacion):
    proposed = programming.measure_propose(unidad_ejecutora=ue_202, user=head_102, nombre="VISITA")
    client.force_login(planeacion)
    response = client.post(
        reverse("poa:unit-accept", args=[proposed.pk]), {"next": "https://ejemplo.com/"}
    )
    assert response["Location"] == reverse("poa:programming-index")


# Líneas de acción and units of measure from the screen ---------------------------------------


def lineas(client, query, clave="202"):
    response = client.get(url(clave, name="poa:programming-lineas"), {"q": query})
    return [linea["clave"] for linea in response.json()["results"]]


def test_lineas_are_found_by_clave_or_name_without_accents_or_case(client, ue_202, head_102):
    client.force_login(head_102)
    assert lineas(client, "promocion") == ["3.1.2"]
    assert lineas(client, "3.1") == ["3.1.1", "3.1.2"]
    assert lineas(client, "  Recursos   PÚBLICOS ") == ["4.6.1"]
    assert lineas(client, "nada parecido") == []
    assert len(lineas(client, "")) == 9


def test_lineas_are_those_of_the_units_year(client, ue_202, head_102):
    other = Ejercicio.objects.create(year=2024, municipio="MEXICALI")
    LineaAccion.objects.create(ejercicio=other, clave="3.1.9", nombre="PROMOCIÓN 2024")
    client.force_login(head_102)
    assert lineas(client, "promoción") == ["3.1.2"]


def propose(client, nombre, clave="202", json_answer=True, **extra):
    headers = {"Accept": "application/json"} if json_answer else {}
    return client.post(
        url(clave, name="poa:unit-propose"), {"nombre": nombre, **extra}, headers=headers
    )


def test_a_unit_proposes_a_unit_of_measure_from_the_screen(client, ue_202, capturista_202):
    client.force_login(capturista_202)
    answer = propose(client, "visita guiada", admite_decimales="on").json()
    assert answer["nombre"] == "VISITA GUIADA" and answer["admite_decimales"] is True
    assert "Ya puede elegirla" in answer["message"]
    assert propose(client, "Informe").json() == {
        "error": "La unidad de medida «INFORME» ya existe: elíjala de la lista."
    }
    assert propose(client, "").status_code == 400
    page = html(client.get(url()))
    assert "VISITA GUIADA (propuesta)" in page
    response = propose(client, "otra", json_answer=False)
    assert response.status_code == 302
    assert "«OTRA»" in messages_of(client.get(url()))[-1]


def test_no_proposal_once_the_programming_was_sent(client, ue_202, head_102, aaron):
    sent(client, head_102)
    response = propose(client, "VISITA")
    assert response.status_code == 400 and "En espera de la aprobación" in response.json()["error"]
    client.force_login(aaron)
    assert propose(client, "VISITA").status_code == 403


# Overview, home page, navigation and capture ------------------------------------------------


def overview(client, **query):
    return client.get(reverse("poa:programming-overview", args=[2023]), query)


def test_planeacion_sees_the_units_without_programming_first(client, ue_202, planeacion):
    client.force_login(planeacion)
    response = overview(client)
    units = [record.clave for record in response.context["table"].page.object_list.data]
    assert units == ["202", "101", "102", "201"]
    page = html(response)
    assert page.index("Sin programación") < page.index("Aprobada")
    filtered = overview(client, state="sin")
    assert [r.clave for r in filtered.context["table"].page.object_list.data] == ["202"]


@pytest.mark.parametrize(
    "query", [{"per_page": "-1"}, {"per_page": "0"}, {"page": "99"}, {"page": "x", "sort": "-last"}]
)
def test_odd_page_sizes_and_pages_show_a_page_instead_of_failing(client, ue_202, planeacion, query):
    client.force_login(planeacion)
    assert overview(client, **query).status_code == 200
    assert client.get(reverse("poa:reports"), query).status_code == 200


def test_the_overview_lists_states_metas_and_last_move(client, ue_202, head_102, planeacion):
    sent(client, head_102)
    client.force_login(planeacion)
    page = html(overview(client, unidad="vinculación"))
    assert "59-202 DEPARTAMENTO DE VINCULACIÓN" in page and "Enviada" in page
    assert SEND.event in page and "LIC. FABIOLA LEÓN HUERTA CABRERA" in page
    assert "59-101" not in page


def test_planeacion_accepts_proposed_units_from_the_overview(
    client, ue_202, capturista_202, planeacion
):
    proposed = programming.measure_propose(
        unidad_ejecutora=ue_202, user=capturista_202, nombre="VISITA"
    )
    client.force_login(planeacion)
    page = html(overview(client))
    assert "Unidades de medida propuestas por las unidades" in page and "UE 59-202" in page
    client.post(reverse("poa:unit-accept", args=[proposed.pk]))
    assert UnidadMedida.objects.get(pk=proposed.pk).aceptada
    assert "Unidades de medida propuestas" not in html(overview(client))


def test_a_unit_sees_only_its_own_programming_in_the_overview(client, ue_202, capturista_102):
    client.force_login(capturista_102)
    response = overview(client)
    assert [r.clave for r in response.context["table"].page.object_list.data] == ["102"]
    assert "Unidades de medida propuestas" not in html(response)


def test_the_navigation_leads_to_the_latest_year(client, ue_202, planeacion):
    Ejercicio.objects.create(year=2024, municipio="MEXICALI")
    client.force_login(planeacion)
    home = html(client.get(reverse("poa:home")))
    assert f'href="{reverse("poa:programming-index")}">Programación</a>' in home
    response = client.get(reverse("poa:programming-index"))
    assert response["Location"] == reverse("poa:programming-overview", args=[2024])


def test_home_asks_the_unit_to_program_and_planeacion_to_approve(
    client, ue_202, head_102, capturista_202, capturista_102, planeacion
):
    for user in (head_102, capturista_202):
        client.force_login(user)
        assert PROGRAMMING.initial.task in html(client.get(reverse("poa:home")))
    client.force_login(capturista_102)
    assert PROGRAMMING.initial.task not in html(client.get(reverse("poa:home")))
    client.force_login(planeacion)
    assert APPROVE.task not in html(client.get(reverse("poa:home")))
    sent(client, head_102)
    assert PROGRAMMING.initial.task not in html(client.get(reverse("poa:home")))
    client.force_login(planeacion)
    page = html(client.get(reverse("poa:home")))
    assert APPROVE.task in page and f'href="{url()}"' in page


def test_capture_of_the_unit_waits_for_its_approved_programming(
    client, ue_202, capturista_202, q3_open
):
    client.force_login(capturista_202)
    grid = html(client.get(reverse("poa:capture-grid", args=[2023, "59", "202", 3])))
    assert "La programación anual de la unidad aún no está aprobada por planeación" in grid
    assert 'class="form-control form-control-sm figure-input' not in grid


def test_demo_accounts_find_their_approved_programming(client, db):
    call_command("poa_demo", stdout=io.StringIO())
    client.login(username="captura102", password="poa-demo-2023")
    page = html(client.get(url("102")))
    assert "Aprobada" in page and "programming-table-readonly" in page
    assert client.get(url("201")).status_code == 404
    client.login(username="planeacion", password="poa-demo-2023")
    response = overview(client)
    states = [r.programming_state for r in response.context["table"].page.object_list.data]
    assert states == ["aprobada"] * 3
    assert PROGRAMMING.initial.task not in html(client.get(reverse("poa:home")))


# Administration --------------------------------------------------------------------------------


@pytest.fixture
def root(client, reference, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.example", "x"))
    return client


def approved_202(head, planeacion):
    from tests.conftest import approve_programming

    return approve_programming(unit("202"), head=head, planeacion=planeacion)


ADMIN_MODELS = ["programacion", "programacionevent", "metaversion"]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_the_admin_shows_the_programming_but_changes_nothing(
    root, ue_202, head_102, planeacion, model
):
    approved_202(head_102, planeacion)
    obj = {
        "programacion": lambda: Programacion.objects.get(unidad_ejecutora=ue_202),
        "programacionevent": lambda: ProgramacionEvent.objects.filter(action="approve").get(),
        "metaversion": lambda: Meta.objects.get(unidad_ejecutora=ue_202).versions.get(),
    }[model]()
    change = reverse(f"admin:poa_{model}_change", args=[obj.pk])
    assert root.get(reverse(f"admin:poa_{model}_changelist")).status_code == 200
    page = root.get(change)
    assert page.status_code == 200 and 'name="_save"' not in html(page)
    assert root.get(reverse(f"admin:poa_{model}_add")).status_code == 403
    assert root.post(change, {"state": "borrador", "meta_anual": "99"}).status_code == 403
    assert root.post(reverse(f"admin:poa_{model}_delete", args=[obj.pk])).status_code == 403
    assert Programacion.objects.get(unidad_ejecutora=ue_202).state == State.APROBADA
    assert Meta.objects.get(unidad_ejecutora=ue_202).versions.get().meta_anual == 4


def test_the_admin_shows_a_programmings_events_inline(root, ue_202, head_102, planeacion):
    programacion = approved_202(head_102, planeacion)
    page = html(root.get(reverse("admin:poa_programacion_change", args=[programacion.pk])))
    assert SEND.event in page and APPROVE.event in page
    assert "LIC. FABIOLA LEÓN HUERTA CABRERA" in page


def test_the_admin_shows_proposed_units_and_accepts_them_through_the_service(
    root, ue_202, capturista_202
):
    proposed = programming.measure_propose(
        unidad_ejecutora=ue_202, user=capturista_202, nombre="VISITA"
    )
    changelist = reverse("admin:poa_unidadmedida_changelist")
    assert "202 DEPARTAMENTO DE VINCULACIÓN" in html(root.get(changelist, {"aceptada__exact": "0"}))
    change = reverse("admin:poa_unidadmedida_change", args=[proposed.pk])
    root.post(change, {"nombre": "VISITA", "aceptada": "on"})
    assert not UnidadMedida.objects.get(pk=proposed.pk).aceptada
    root.post(changelist, {"action": "accept", "_selected_action": [proposed.pk]})
    assert UnidadMedida.objects.get(pk=proposed.pk).aceptada


def test_the_demo_approves_through_the_services_a_programming_it_lacks(db):
    call_command("loaddata", "reference", verbosity=0)
    Programacion.objects.filter(unidad_ejecutora__clave="201").delete()
    call_command("poa_demo", stdout=io.StringIO())
    programacion = Programacion.objects.get(unidad_ejecutora__clave="201")
    assert programacion.state == State.APROBADA
    assert [e.action for e in programacion.events.all()] == [Action.SEND, Action.APPROVE]
    assert Programacion.objects.filter(state=State.APROBADA).count() == 3


@pytest.mark.parametrize("model", ["modificacion", "modificacionevent"])
def test_the_admin_adds_no_modification(root, model):
    assert root.get(reverse(f"admin:poa_{model}_changelist")).status_code == 200
    assert root.get(reverse(f"admin:poa_{model}_add")).status_code == 403


# Queries do not grow with the units ------------------------------------------------------------


def queries_of(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def more_units_headed_by_fabiola(count, head, first=210, sent=False):
    from tests.conftest import make_unit

    for clave in range(first, first + count):
        ue = make_unit(str(clave), nombre=f"UNIDAD {clave}")
        programacion = programming.programming_of(ue)
        programming.programming_save(
            programacion=programacion, user=head, version=0, rows=[plan_row(1)]
        )
        if sent:
            programming.programming_send(programacion=programacion, user=head)


def test_home_and_overview_queries_do_not_grow_with_the_units(client, ue_202, head_102, planeacion):
    sent(client, head_102)  # a sent programming, and a draft
    more_units_headed_by_fabiola(1, head_102, first=230)
    few_home = queries_of(client, reverse("poa:home"))
    client.force_login(planeacion)
    few_overview = queries_of(client, reverse("poa:programming-overview", args=[2023]))
    few_planeacion_home = queries_of(client, reverse("poa:home"))
    more_units_headed_by_fabiola(2, head_102)
    more_units_headed_by_fabiola(2, head_102, first=220, sent=True)
    client.force_login(head_102)
    assert queries_of(client, reverse("poa:home")) == few_home
    client.force_login(planeacion)
    assert queries_of(client, reverse("poa:programming-overview", args=[2023])) == few_overview
    assert queries_of(client, reverse("poa:home")) == few_planeacion_home


def test_an_approved_programmings_metas_do_not_change_through_the_admin(root, reference):
    meta = Meta.objects.get(numero=305)  # UE 201: programming approved, no report signed
    change = reverse("admin:poa_meta_change", args=[meta.pk])
    from tests.conftest import meta_admin_data

    data = meta_admin_data(meta, meta_anual="400", **{"avances-0-programado": "130"})
    root.post(change, data)
    meta.refresh_from_db()
    assert (meta.meta_anual, meta.avances.get(quarter=1).programado) == (340, 70)
    progress = meta.avances.get(quarter=2)
    row = reverse("admin:poa_quarterlyprogress_change", args=[progress.pk])
    root.post(row, {"meta": meta.pk, "quarter": 2, "programado": "1", "observaciones": ""})
    assert meta.avances.get(quarter=2).programado == 100
    assert root.post(reverse("admin:poa_meta_delete", args=[meta.pk])).status_code == 403
    data = meta_admin_data(meta, numero="399", **{"avances-INITIAL_FORMS": "0"})
    data = {key: value for key, value in data.items() if not key.endswith(("-id", "-meta"))}
    response = root.post(reverse("admin:poa_meta_add"), data)
    assert "La programación anual de la unidad ejecutora está aprobada" in html(response)
    assert not Meta.objects.filter(numero=399).exists()
