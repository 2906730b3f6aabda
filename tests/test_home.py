"""The home page: each user's pending reports one click away, planeación's overview, and
helpful empty states."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from poa.models import Report, UnidadEjecutora
from poa.services.review import report_get_or_create, report_return, report_send
from tests.conftest import approve_programming, complete_quarter, make_capturista, unit

HOME = "/"


def grid_url(clave, quarter=3):
    return reverse("poa:capture-grid", args=[2023, "59", clave, quarter])


def report_url(clave, quarter=3):
    return reverse("poa:report", args=[2023, "59", clave, quarter])


def report_of(clave, quarter=3):
    return Report.objects.get(unidad_ejecutora=unit(clave), quarter=quarter)


def test_capturista_sees_the_grid_to_fill_with_its_deadline(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    html = client.get(HOME).content.decode()
    assert "Capturar lo alcanzado" in html
    assert grid_url("201") in html and grid_url("102") not in html
    assert timezone.localtime(q3_open.deadline).strftime("%d/%m/%Y %H:%M") in html


def test_ue_head_is_asked_to_capture_and_send_then_program_head_to_review(q3_open, client, aaron):
    client.force_login(aaron)
    html = client.get(HOME).content.decode()
    assert "Capturar y enviar (firmar ELABORÓ)" in html
    assert grid_url("101") in html and grid_url("201") in html
    complete_quarter("201", 3)
    report_send(report=report_of("201"), user=aaron)
    html = client.get(HOME).content.decode()
    assert "Revisar (firmar REVISÓ)" in html and report_url("201") in html


def test_capturista_sees_a_returned_report_with_its_comment(q3_open, client, aaron, capturista_201):
    complete_quarter("201", 3)
    report_send(report=report_of("201"), user=aaron)
    report_return(report=report_of("201"), user=aaron, comment="Revise la meta 303.")
    client.force_login(capturista_201)
    html = client.get(HOME).content.decode()
    assert "Devuelto" in html and "Revise la meta 303." in html


def test_nothing_pending_before_a_quarter_is_opened(reference, client, capturista_201):
    client.force_login(capturista_201)
    assert "Está al día" in client.get(HOME).content.decode()


def test_a_user_without_units_is_told_whom_to_ask(client, outsider):
    client.force_login(outsider)
    assert "Su usuario aún no tiene unidades asignadas" in client.get(HOME).content.decode()


def test_planeacion_sees_every_report_of_the_open_periods(q3_open, client, planeacion):
    client.force_login(planeacion)
    html = client.get(HOME).content.decode()
    assert "Informes de los periodos abiertos" in html
    for clave in ("101", "102", "201"):
        assert report_url(clave) in html
    assert reverse("poa:periods") in html


def test_planeacion_is_invited_to_open_a_quarter_when_none_is_open(client, planeacion):
    client.force_login(planeacion)
    html = client.get(HOME).content.decode()
    assert "No hay ningún trimestre abierto para captura." in html


def test_other_users_do_not_get_the_overview(q3_open, client, capturista_201):
    client.force_login(capturista_201)
    html = client.get(HOME).content.decode()
    assert "Informes de los periodos abiertos" not in html
    assert reverse("poa:periods") not in html


def test_login_page_is_in_spanish_and_leads_home(client, capturista_201):
    html = client.get(reverse("login")).content.decode()
    assert "Inicie sesión" in html and "Contraseña" in html
    response = client.post(reverse("login"), {"username": "captura201", "password": "x-123456"})
    assert response.status_code == 302 and response["Location"] == reverse("poa:home")
    bad = client.post(reverse("login"), {"username": "captura201", "password": "mala"})
    assert "Por favor" in bad.content.decode() or "correctos" in bad.content.decode()


def add_units_headed_by_aaron(count, aaron, planeacion, first_clave=210):
    """More units of program 592 whose head is Aarón, each with its programming approved and
    its Q3 report."""
    base = unit("201")
    for clave in range(first_clave, first_clave + count):
        ue = UnidadEjecutora.objects.create(
            ramo=base.ramo,
            programa=base.programa,
            subfuncion=base.subfuncion,
            clave=str(clave),
            nombre=f"UNIDAD {clave}",
            responsable=base.responsable,
            cargo_responsable="JEFE DE UNIDAD",
        )
        approve_programming(ue, head=aaron, planeacion=planeacion)
        report_get_or_create(unidad_ejecutora=ue, quarter=3)


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    return len(queries), response.content.decode().count("Capturar y enviar (firmar ELABORÓ)")


def test_home_page_queries_do_not_grow_with_the_pending_reports(client, aaron, planeacion, q3_open):
    client.force_login(aaron)
    few_queries, few_tasks = home_queries(client)
    add_units_headed_by_aaron(4, aaron, planeacion)
    many_queries, many_tasks = home_queries(client)
    assert (few_tasks, many_tasks) == (2, 6)
    assert many_queries == few_queries


def test_a_unit_with_one_meta_reads_1_de_1_meta_capturada(q3_open, client, aaron, planeacion):
    base = unit("201")
    ue = UnidadEjecutora.objects.create(
        ramo=base.ramo,
        programa=base.programa,
        subfuncion=base.subfuncion,
        clave="290",
        nombre="UNIDAD DE UNA META",
        responsable=base.responsable,
        cargo_responsable="JEFE",
    )
    approve_programming(ue, head=aaron, planeacion=planeacion)
    report_get_or_create(unidad_ejecutora=ue, quarter=3)
    client.force_login(make_capturista("captura290", "290"))
    html = client.get(HOME).content.decode()
    assert "0 de 1 meta capturada" in html and "metas capturadas" not in html


def test_every_page_links_the_favicon_and_it_is_served(client, capturista_201):
    client.force_login(capturista_201)
    html = client.get(HOME).content.decode()
    assert '<link rel="icon" href="/static/poa/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/static/poa/favicon.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content)


def test_planeacion_sees_what_needs_attention_across_the_municipality(
    client, planeacion, aaron, q3_open
):
    complete_quarter("201", 3)
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=3)
    report_send(report=report, user=aaron)
    report_return(report=report, user=aaron, comment="Revise la meta 305.")
    client.force_login(planeacion)
    html = client.get(HOME).content.decode()
    assert "El municipio · 2023 T3" in html
    assert "Unidades sin enviar su informe" in html and "59-102 DEPARTAMENTO ADMINISTRATIVO" in html
    assert "Devueltos a la unidad" in html and "«Revise la meta 305.»" in html
    # 206 achieved one document with nothing programmed (the reference's slip) and Q3 has
    # no observation yet; 103, six meetings against two up to Q2, has none in Q3 either.
    attention = html.split("Sobrecumplimiento sin observación")[1].split("</div></div>")[0]
    assert "meta 206: Sobrecumplimiento" in attention and "meta 103: 300%" in attention


def test_a_head_sees_the_progress_of_the_units_they_head(client, aaron, q3_open):
    client.force_login(aaron)
    html = client.get(HOME).content.decode()
    assert "Avance de sus unidades · 2023 T3" in html
    for clave in ("59-101", "59-102", "59-201"):
        assert clave in html.split("overview-units")[1]


def test_a_capturista_sees_only_their_unit_in_the_overview(client, capturista_102, q3_open):
    client.force_login(capturista_102)
    table = client.get(HOME).content.decode().split("overview-units")[1]
    assert "59-102" in table and "59-201" not in table and "59-101" not in table


def test_an_uncaptured_quarter_is_judged_on_the_quarters_before_it(planeacion, q3_open):
    from poa.selectors import tracking

    data = tracking.build_tracking(
        tracking.metas_visible_to(planeacion, 2023), year=2023, quarter=3
    )
    row_305 = next(row for row in data.metas if row.meta.numero == 305)
    # Q3 not captured yet: 172 achieved against 170 programmed up to Q2, not 270
    assert (row_305.progress.programmed, row_305.progress.achieved) == (170, 172)
    assert row_305.progress.light == "verde"


def test_planeacion_with_a_request_to_decide_is_not_told_nothing_is_pending(
    client, planeacion, capturista_201, q3_open
):
    from tests.test_crawl import request_change

    client.force_login(planeacion)
    assert "Nada pendiente de su firma" in client.get(HOME).content.decode()
    request_change(305, capturista_201, annual=360, q3=120)
    html = client.get(HOME).content.decode()
    assert "Modificaciones programáticas por decidir" in html
    assert "Nada pendiente de su firma" not in html


def test_the_quarter_s_reports_have_their_own_heading_under_the_year_s_programming(
    client, aaron, q3_open
):
    client.force_login(aaron)
    html = client.get(HOME).content.decode()
    assert "Informes trimestrales" in html.split("pending-list")[0]
