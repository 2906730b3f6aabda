"""Seguimiento: progress by ramo, programa, unit and meta with its semáforo, scoped to what
each user may see, filterable, exportable, in a fixed number of queries."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from poa.models import Meta, QuarterlyProgress
from poa.selectors import tracking
from poa.services import years
from poa.services.review import report_get_or_create, report_send
from tests.conftest import complete_quarter, unit


def url(year=2023, quarter=2, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("poa:tracking", args=[year, quarter]) + (f"?{query}" if query else "")


def set_achieved(numero, quarter, value, note="Explicación."):
    """Test data: what meta `numero` achieved in `quarter` (the reference year's figures
    otherwise)."""
    QuarterlyProgress.objects.filter(meta__numero=numero, quarter=quarter).update(
        alcanzado=Decimal(value), observaciones=note
    )


def meta_row(html, numero):
    return html.split(f">{numero}</a>.- ")[1].split("</tr>")[0]


def ramo_row(html):
    return html.split("tracking-table")[1].split(">59<")[1].split("</tr>")[0]


def test_planeacion_sees_the_ramo_with_the_mean_of_its_metas_and_semaforo(client, planeacion):
    client.force_login(planeacion)
    html = client.get(url()).content.decode()
    assert "59" in html and "COMISIÓN DE DESARROLLO INDUSTRIAL DE MEXICALI" in html
    # The reference year at Q2. Adding the metas' figures (349 programmed to date, 350
    # achieved) would read 100.3 %; the mean of the 18 metas with something programmed, each
    # capped at 100 % (103 achieved 300 %, 300 178 %, 305 101 %), reads 93.3 %.
    row = ramo_row(html)
    assert ">93.3%<" in row and "100.3%" not in html
    assert ">349<" not in row and ">350<" not in row
    assert "Verde" in row and "●" in row
    # 205 and 206 programmed nothing up to Q2: out of the mean, counted apart
    assert ">2<" in row and "Fuera del promedio: 2 metas sin programar" in html


def test_the_page_says_how_a_group_s_avance_is_computed(client, planeacion):
    client.force_login(planeacion)
    html = client.get(url()).content.decode()
    assert "es el promedio de los porcentajes de sus metas" in html
    assert "cada uno con un tope de 100%" in html


def test_the_cap_is_a_setting(client, planeacion, settings):
    settings.POA_AVANCE_CAP = 150
    client.force_login(planeacion)
    # 103 (300 %) and 300 (177.8 %) now count 150 % each, 305 its 101.2 %: 1,781.2 / 18 = 99.0
    assert ">99%<" in ramo_row(client.get(url()).content.decode())


def test_one_large_meta_no_longer_outweighs_the_others(client, planeacion):
    # 305 programs 12,500 personas up to Q2 and achieves them all; every other meta of 201
    # achieves nothing. Adding figures would read about 99 %; the mean reads 1 of 8 metas.
    QuarterlyProgress.objects.filter(meta__unidad_ejecutora__clave="201", quarter__lte=2).update(
        alcanzado=0
    )
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=2).update(
        programado=12430, alcanzado=12500
    )
    client.force_login(planeacion)
    html = client.get(url(nivel="ue")).content.decode()
    row = html.split("59-201 ")[1].split("</tr>")[0]
    assert ">12.5%<" in row and "Rojo" in row


def test_an_over_achieved_meta_keeps_its_own_mark(client, planeacion):
    client.force_login(planeacion)
    html = client.get(url(nivel="meta")).content.decode()
    row = meta_row(html, 103)
    assert ">300%<" in row and "Sobrecumplimiento" in row


@pytest.mark.parametrize(
    ("achieved", "percent", "light"),
    [
        ("69.9", "69.9%", "Rojo"),
        ("70", "70%", "Amarillo"),
        ("89.9", "89.9%", "Amarillo"),
        ("90", "90%", "Verde"),
        ("130", "130%", "Verde"),
        ("130.1", "130.1%", "Sobrecumplimiento"),
    ],
)
def test_semaforo_boundaries_on_the_meta_level(client, planeacion, achieved, percent, light):
    # Meta 305 counts prospects; a decimal unit lets the boundaries be typed exactly.
    meta = Meta.objects.get(numero=305)
    meta.unidad_medida.admite_decimales = True
    meta.unidad_medida.save()
    # 100 programmed up to Q1: Q1 achieves the percent itself
    QuarterlyProgress.objects.filter(meta=meta, quarter=1).update(programado=100)
    set_achieved(305, 1, achieved)
    client.force_login(planeacion)
    html = client.get(url(quarter=1, nivel="meta")).content.decode()
    row = meta_row(html, 305)
    assert f">{percent}<" in row and light in row


def test_capturista_of_102_sees_only_102(client, capturista_102):
    client.force_login(capturista_102)
    html = client.get(url(nivel="meta")).content.decode()
    assert ">200</a>" in html and ">305</a>" not in html and ">100</a>" not in html
    html = client.get(url(nivel="ue")).content.decode()
    assert "59-102" in html and "59-201" not in html


def test_outsider_gets_an_empty_state_and_anonymous_goes_to_login(client, outsider):
    assert client.get(url()).status_code == 302
    client.force_login(outsider)
    html = client.get(url()).content.decode()
    assert "No hay metas que mostrar" in html and "59-102" not in html


def test_an_unknown_year_is_404(client, planeacion):
    client.force_login(planeacion)
    assert client.get(url(year=2040)).status_code == 404
    assert client.get("/seguimiento/2023/5/").status_code == 404


def test_units_show_capture_progress_state_and_days_late(client, planeacion, q3_open):
    complete_quarter("201", 3)
    client.force_login(planeacion)
    html = client.get(url(quarter=3, nivel="ue")).content.decode()
    row_201 = html.split("59-201")[1].split("</tr>")[0]
    assert "8 de 8 metas capturadas" in row_201 and "Borrador" in row_201
    row_102 = html.split("59-102")[1].split("</tr>")[0]
    assert "0 de 8 metas capturadas" in row_102


def test_days_late_count_from_the_deadline_until_sent(planeacion, q3_open):
    from datetime import timedelta

    metas = tracking.metas_visible_to(planeacion, 2023)
    later = q3_open.deadline + timedelta(days=3, hours=1)
    data = tracking.build_tracking(metas, year=2023, quarter=3, now=later)
    assert {row.unidad_ejecutora.clave: row.days_late for row in data.units} == {
        "101": 3,
        "102": 3,
        "201": 3,
    }


def test_filters_by_semaforo_and_linea(client, planeacion):
    client.force_login(planeacion)
    html = client.get(url(nivel="meta", semaforo="rojo")).content.decode()
    # at Q2: 102 (1 of 3 sessions), 307 (4 of 6 companies) and 205 (nothing of 1... programmed 0)
    assert ">102</a>" in html and ">307</a>" in html and ">305</a>" not in html
    html = client.get(url(nivel="meta", linea="3.1.2")).content.decode()
    assert ">305</a>" in html and ">201</a>" not in html


def test_csv_and_xlsx_exports_read_back_as_the_page(client, planeacion):
    set_achieved(305, 2, "102", note='=HYPERLINK("http://x","y")')
    client.force_login(planeacion)
    response = client.get(url(nivel="meta", _export="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["UE", "Meta", "Unidad de medida"] and len(body) == 20
    row_305 = next(row for row in body if row[1].startswith("305.-"))
    assert row_305[header.index("Alcanzado a la fecha")] == "172.00"
    assert row_305[header.index("Observaciones")].startswith("'=HYPERLINK")
    response = client.get(url(nivel="meta", _export="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    cells = values[next(k for k in values if str(k).startswith("305.-"))]
    assert cells[header.index("Alcanzado a la fecha")].value == 172
    observation = cells[header.index("Observaciones")]
    assert observation.data_type == "s" and observation.value.startswith("=HYPERLINK")


def test_charts_and_their_tables_are_on_the_page(client, planeacion):
    client.force_login(planeacion)
    html = client.get(url()).content.decode()
    assert html.count("<svg") == 3
    assert "Ver los datos en tabla" in html and "511 GESTIÓN ADMINISTRATIVA" in html


def test_queries_do_not_grow_with_the_metas(planeacion, aaron, django_assert_num_queries):
    complete_quarter("101", 2)
    complete_quarter("201", 2)
    for clave in ("101", "201"):
        report = report_get_or_create(unidad_ejecutora=unit(clave), quarter=2)
        report_send(report=report, user=aaron)
    metas = tracking.metas_visible_to(planeacion, 2023)
    one_unit = metas.filter(unidad_ejecutora=unit("101"))
    # metas, avances, reports, capture periods (none open in Q2, so no exceptions to read)
    with django_assert_num_queries(4):
        small = tracking.build_tracking(one_unit, year=2023, quarter=2)
    with django_assert_num_queries(4):
        large = tracking.build_tracking(metas, year=2023, quarter=2)
    assert (len(small.metas), len(large.metas)) == (4, 20)


def test_a_page_costs_the_same_queries_for_one_unit_and_three(
    client, planeacion, capturista_102, django_assert_max_num_queries
):
    client.force_login(capturista_102)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url(nivel="meta"))
    client.force_login(planeacion)
    with CaptureQueriesContext(connection) as three:
        client.get(url(nivel="meta"))
    assert len(three) <= len(one) + 1  # planeación skips the visibility subquery's extra join


def test_reports_in_a_state_filter_the_units(client, planeacion, aaron, q3_open):
    complete_quarter("201", 3)
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=3)
    report_send(report=report, user=aaron)
    client.force_login(planeacion)
    html = client.get(url(quarter=3, nivel="ue", estado="enviado")).content.decode()
    assert "59-201" in html and "59-102" not in html


def test_the_navigation_leads_to_the_latest_quarter_opened(client, capturista_102, q3_open):
    client.force_login(capturista_102)
    response = client.get(reverse("poa:tracking-latest"))
    assert response["Location"] == url(quarter=3)
    assert reverse("poa:tracking-latest") in client.get("/").content.decode()


def test_a_new_year_not_yet_opened_does_not_hide_the_quarter_being_captured(
    client, planeacion, q3_open
):
    years.year_create_from(source=2023, year=2024, user=planeacion)
    client.force_login(planeacion)
    assert client.get(reverse("poa:tracking-latest"))["Location"] == url(quarter=3)


def test_before_any_quarter_is_opened_the_seguimiento_starts_at_the_first(client, planeacion):
    client.force_login(planeacion)
    assert client.get(reverse("poa:tracking-latest"))["Location"] == url(quarter=1)


def test_a_long_table_pages_in_spanish_and_scrolls_in_its_own_box(client, planeacion):
    client.force_login(planeacion)
    html = client.get(url(nivel="meta", per_page=10)).content.decode()
    assert 'aria-label="Páginas de la tabla"' in html and "Table navigation" not in html
    assert "siguiente <span" in html and "Página 1 de 2 · 20 registros" in html
    assert '<div class="table-container table-responsive">' in html


def test_a_programa_in_the_charts_is_named_with_its_ramo(client, planeacion):
    """Every ramo may have a 511 GESTIÓN ADMINISTRATIVA: the chart's legend tells them apart."""
    client.force_login(planeacion)
    charts = client.get(url()).content.decode().split("tracking-charts")[1]
    assert "59-511 GESTIÓN ADMINISTRATIVA" in charts
    assert "59-592 PROMOCIÓN Y ATRACCIÓN DE INVERSIONES SOSTENIBLES" in charts
    assert "59 COMISIÓN DE DESARROLLO INDUSTRIAL DE MEXICALI" in charts and "59-59 " not in charts
