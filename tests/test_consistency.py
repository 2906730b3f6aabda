"""The review of a year's data (poa.selectors.consistency, `manage.py poa_check` and planeación's
page): each kind of inconsistency is named with its unit and meta, the reference year's own slips
are found, a year signed off through the services is clean, and the exit status tells cron."""

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from poa.models import Ejercicio, Meta, MetaVersion, QuarterlyProgress, UnidadEjecutora
from poa.selectors import consistency
from poa.selectors.consistency import find_inconsistencies
from poa.services import generate
from poa.services.capture import capture_save
from poa.services.periods import period_open
from poa.services.review import report_get_or_create
from tests.conftest import make_capturista, unit

# What the reference year holds as loaded: the sheet of Q2 prints no Q1 observations and an
# achievement of meta 206 that nothing programmed.
REFERENCE_SLIPS = [
    ("variance", "59", "101", 102, 1),
    ("variance", "59", "101", 103, 1),
    ("unprogrammed", "59", "102", 206, 2),
    ("variance", "59", "201", 300, 1),
    ("variance", "59", "201", 307, 1),
]


def year(value=2023):
    return Ejercicio.objects.get(year=value)


def places(found):
    return [(f.kind, f.ramo, f.ue, f.meta, f.quarter) for f in found]


def progress(numero, quarter):
    return QuarterlyProgress.objects.get(meta__numero=numero, quarter=quarter)


def set_progress(numero, quarter, **values):
    row = progress(numero, quarter)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()


def explain_reference_slips():
    """The reference with an observation wherever A differs from P, as its unit would write."""
    for *_, numero, quarter in REFERENCE_SLIPS:
        set_progress(numero, quarter, observaciones="Explicación de la diferencia.")


def check(**options):
    """(exit status, output) of poa_check."""
    out = io.StringIO()
    try:
        call_command("poa_check", stdout=out, **options)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


# The reference year -------------------------------------------------------------------------


def test_the_reference_names_206_and_the_q1_variances_it_prints_without_observation(reference):
    assert places(find_inconsistencies(ejercicio=year())) == REFERENCE_SLIPS


def test_meta_206_is_named_as_an_achievement_nothing_programmed(reference):
    [item] = [f for f in find_inconsistencies(ejercicio=year()) if f.meta == 206]
    assert str(item) == (
        "Ramo 59 · UE 102 · Meta 206: Lo alcanzado en Abr-Jun (1) no estaba programado (0) y "
        "no tiene explicación."
    )


def test_meta_205_as_the_sheet_prints_it_is_named_for_its_programmed_total(reference):
    # The fixture reconstructs 205's P as 0,0,0,1; the sheet prints 0 in every quarter against
    # an annual target of 1. The programming services refuse such a meta, so the printed
    # figures are written with the ORM, as an import of the sheet would have.
    set_progress(205, 4, programado=0)
    [item] = [f for f in find_inconsistencies(ejercicio=year()) if f.meta == 205]
    assert item.kind == consistency.PROGRAMMED_TOTAL
    assert str(item) == (
        "Ramo 59 · UE 102 · Meta 205: La suma de lo programado por trimestre (0) no coincide "
        "con la meta anual autorizada (1): falta 1."
    )


def test_the_reference_signed_off_by_the_demo_through_the_services_is_clean(db):
    call_command("poa_demo", stdout=io.StringIO())
    assert find_inconsistencies(ejercicio=year()) == []


def test_the_reference_with_its_variances_explained_is_clean(reference):
    explain_reference_slips()
    assert find_inconsistencies(ejercicio=year()) == []


# Each kind on crafted data -----------------------------------------------------------------


def test_a_variance_saved_under_a_tolerant_threshold_is_named_once_it_drops(
    reference, settings, capturista_102, q3_open
):
    explain_reference_slips()
    settings.POA_OBSERVATION_THRESHOLD = 50
    report = report_get_or_create(unidad_ejecutora=unit("102"), quarter=3)
    meta = Meta.objects.get(numero=207)  # P = 3 in Jul-Sep
    capture_save(report=report, user=capturista_102, version=0, rows={meta.pk: {"alcanzado": "2"}})
    assert find_inconsistencies(ejercicio=year()) == []
    settings.POA_OBSERVATION_THRESHOLD = 0
    [item] = find_inconsistencies(ejercicio=year())
    assert places([item]) == [("variance", "59", "102", 207, 3)]
    assert item.message == (
        "En Jul-Sep lo alcanzado (2) difiere de lo programado (3) y no tiene observación."
    )


def test_an_achievement_nothing_programmed_is_named_unless_explained(reference):
    # The capture refuses an unexplained achievement; this one came in with the data.
    explain_reference_slips()
    set_progress(204, 1, alcanzado=Decimal(2))  # P = 0 in Ene-Mar
    [item] = find_inconsistencies(ejercicio=year())
    assert places([item]) == [("unprogrammed", "59", "102", 204, 1)]
    assert item.message == (
        "Lo alcanzado en Ene-Mar (2) no estaba programado (0) y no tiene explicación."
    )
    set_progress(204, 1, observaciones="Solicitud extraordinaria.")
    assert find_inconsistencies(ejercicio=year()) == []


def test_a_programmed_total_that_misses_the_annual_target_says_by_how_much(reference):
    explain_reference_slips()
    set_progress(305, 4, programado=Decimal(80))  # 70 → 80: the four P add up to 350, not 340
    [item] = find_inconsistencies(ejercicio=year())
    assert places([item]) == [("total", "59", "201", 305, None)]
    assert item.message.endswith("(350) no coincide con la meta anual autorizada (340): sobran 10.")


def test_capture_in_a_quarter_after_the_last_report_is_named(reference, planeacion):
    explain_reference_slips()
    # Planeación opened Q1 and Q2 only; an A of Q3 cannot come through the capture, whose
    # window is closed: it is typed past it here.
    for quarter in (1, 2):
        period_open(
            ejercicio=year(),
            quarter=quarter,
            deadline=timezone.now() + timedelta(days=1),
            user=planeacion,
        )
    set_progress(301, 3, alcanzado=Decimal(13))
    [item] = find_inconsistencies(ejercicio=year())
    assert places([item]) == [("after-report", "59", "201", 301, 3)]
    assert item.message == "Hay avance capturado en Jul-Sep, posterior al último informe (Abr-Jun)."


def test_capture_in_an_open_quarter_is_not_after_the_last_report(
    reference, capturista_201, q3_open
):
    explain_reference_slips()
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=3)
    meta = Meta.objects.get(numero=301)
    capture_save(report=report, user=capturista_201, version=0, rows={meta.pk: {"alcanzado": "13"}})
    assert find_inconsistencies(ejercicio=year()) == []


def test_a_year_loaded_from_its_sheets_has_no_calendar_to_compare_captures_with(reference):
    # No period was ever opened for 2023 in the fixture: its Q1 and Q2 figures are not
    # "after the last report".
    explain_reference_slips()
    set_progress(301, 3, alcanzado=Decimal(13))
    assert find_inconsistencies(ejercicio=year()) == []


def test_a_meta_without_linea_de_accion_is_named(reference):
    # Sending a programming refuses such a meta; this one lost its línea afterwards.
    explain_reference_slips()
    Meta.objects.get(numero=302).lineas_accion.clear()
    [item] = find_inconsistencies(ejercicio=year())
    assert str(item) == "Ramo 59 · UE 201 · Meta 302: La meta no tiene línea de acción."


def test_a_unit_without_head_or_position_is_named_with_the_signature_it_lacks(reference):
    # The catalog is edited in the administration, which has no service to refuse this.
    explain_reference_slips()
    UnidadEjecutora.objects.filter(clave="101").update(responsable=None)
    UnidadEjecutora.objects.filter(clave="102").update(cargo_responsable=" ")
    found = find_inconsistencies(ejercicio=year())
    assert [str(item) for item in found] == [
        "Ramo 59 · UE 101: La unidad no tiene responsable que firme ELABORÓ.",
        "Ramo 59 · UE 102: Falta el cargo con el que firma ELABORÓ el responsable de la "
        "unidad, LIC. FABIOLA LEÓN HUERTA CABRERA.",
    ]
    assert {item.kind for item in found} == {"signatory"}


def test_a_programa_and_a_ramo_without_signatory_are_named_once(reference):
    explain_reference_slips()
    ue = unit("101")
    type(ue.programa).objects.filter(pk=ue.programa_id).update(cargo_responsable="")
    type(ue.ramo).objects.filter(pk=ue.ramo_id).update(responsable=None)
    assert [str(item) for item in find_inconsistencies(ejercicio=year())] == [
        "Ramo 59: El ramo 59 no tiene responsable que firme AUTORIZÓ.",
        "Ramo 59 · Programa 511: Falta el cargo con el que firma REVISÓ el responsable del "
        "programa 511, LIC. AARÓN ALEXIS ÁLVAREZ MARÍN.",
    ]


def test_quarter_limits_the_checks_of_what_was_achieved_and_not_the_others(reference):
    set_progress(205, 4, programado=0)
    up_to_q1 = places(find_inconsistencies(ejercicio=year(), quarter=1))
    assert ("unprogrammed", "59", "102", 206, 2) not in up_to_q1
    assert ("variance", "59", "101", 102, 1) in up_to_q1
    assert ("total", "59", "102", 205, None) in up_to_q1


def test_a_cancelled_meta_is_exempt_from_the_quarter_it_was_cancelled_on(reference, planeacion):
    # Cancelled on 15 May 2023 (Abr-Jun): its Ene-Mar slip stays, Abr-Jun on is exempt.
    meta = Meta.objects.get(numero=206)
    set_progress(206, 1, alcanzado=Decimal(1))
    meta.cancelada = True
    meta.save()
    MetaVersion.objects.create(
        meta=meta,
        numero=1,
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        meta_anual=meta.meta_anual,
        cancelada=True,
        approved_at=timezone.make_aware(datetime(2023, 5, 15, 12)),
        approved_by=planeacion,
    )
    found = [f for f in find_inconsistencies(ejercicio=year()) if f.meta == 206]
    assert places(found) == [("unprogrammed", "59", "102", 206, 1)]


@pytest.mark.parametrize("size", [(1, 1, 2), (2, 3, 4)])
def test_the_review_takes_five_queries_however_big_the_year(db, size, django_assert_num_queries):
    ramos, ues, metas = size
    generated = generate.generate_year(ramos=ramos, ues_por_ramo=ues, metas_por_ue=metas, seed=3)
    assert generated.metas == ramos * ues * metas
    with django_assert_num_queries(5):
        find_inconsistencies(ejercicio=generated.ejercicio, quarter=2)


# poa_check ----------------------------------------------------------------------------------


def test_poa_check_lists_the_reference_slips_and_exits_1(reference):
    status, output = check(year=2023)
    assert status == 1
    lines = output.splitlines()
    assert lines[2] == (
        "Ramo 59 · UE 102 · Meta 206: Lo alcanzado en Abr-Jun (1) no estaba programado (0) y "
        "no tiene explicación."
    )
    assert lines[-1] == (
        "5 inconsistencias en 2023. Diferencia sin observación: 4; Alcanzado sin programar: 1."
    )


def test_poa_check_exits_0_on_a_clean_year(reference):
    explain_reference_slips()
    assert check(year=2023) == (0, "Sin inconsistencias en 2023.\n")


def test_poa_check_up_to_a_quarter_says_so(reference):
    explain_reference_slips()
    assert check(year=2023, quarter=1) == (
        0,
        "Sin inconsistencias en 2023 (lo alcanzado, hasta Ene-Mar).\n",
    )


def test_poa_check_of_an_unknown_year_fails_with_status_2(reference):
    with pytest.raises(CommandError, match="No existe el ejercicio 2099") as error:
        call_command("poa_check", year=2099)
    assert error.value.returncode == 2


# The page -----------------------------------------------------------------------------------

PAGE = "/planeacion/revision/2023/"


def test_planeacion_sees_each_inconsistency_with_its_meta_linked(reference, client, planeacion):
    client.force_login(planeacion)
    html = client.get(PAGE).content.decode()
    assert "5 inconsistencias" in html
    assert "Lo alcanzado en Abr-Jun (1) no estaba programado (0) y no tiene explicación." in html
    assert f'href="/metas/{Meta.objects.get(numero=206).pk}/"' in html


def test_the_page_filters_by_kind_ramo_and_unit(reference, client, planeacion):
    client.force_login(planeacion)
    by_kind = client.get(PAGE, {"kind": "unprogrammed"}).context["shown"]
    assert places(by_kind) == [("unprogrammed", "59", "102", 206, 2)]
    assert len(client.get(PAGE, {"ue": "201"}).context["shown"]) == 2
    assert len(client.get(PAGE, {"ramo": "59"}).context["shown"]) == 5
    html = client.get(PAGE, {"ue": "999"}).content.decode()
    assert "Ninguna inconsistencia coincide con los filtros." in html


def test_a_unit_finding_links_to_the_unit_grid(reference, client, planeacion):
    UnidadEjecutora.objects.filter(clave="101").update(responsable=None)
    client.force_login(planeacion)
    html = client.get(PAGE, {"kind": "signatory"}).content.decode()
    assert 'href="/captura/2023/59/101/1/"' in html


def test_a_clean_year_says_so(reference, client, planeacion):
    explain_reference_slips()
    client.force_login(planeacion)
    html = client.get(PAGE).content.decode()
    assert "Sin inconsistencias en 2023." in html
    assert "consistency-table" not in html


def test_the_page_downloads_as_a_spreadsheet(reference, client, planeacion):
    client.force_login(planeacion)
    response = client.get(PAGE, {"_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "no estaba programado" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("persona", ["capturista_102", "head_102", "aaron", "outsider"])
def test_only_planeacion_opens_the_review(reference, client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.get("/planeacion/revision/").status_code == 403


def test_the_review_asks_a_stranger_to_sign_in(reference, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/cuenta/login/" in response["Location"]


def test_an_unknown_year_is_404(reference, client, planeacion):
    client.force_login(planeacion)
    assert client.get("/planeacion/revision/2099/").status_code == 404


def test_the_menu_offers_the_review_to_planeacion_only(reference, client, planeacion):
    client.force_login(planeacion)
    assert client.get("/planeacion/revision/").url == PAGE
    assert 'href="/planeacion/revision/">Revisión' in client.get("/").content.decode()
    client.force_login(make_capturista("captura999", "101"))
    assert "Revisión</a>" not in client.get("/").content.decode()


def test_poa_check_writes_the_avance_as_the_seguimiento_computes_it(reference):
    explain_reference_slips()
    status, output = check(year=2023, quarter=2, avance=True)
    assert status == 0
    assert (
        "Avance del ramo 59 al cierre de Abr-Jun: 93.3% (18 metas promediadas; 2 metas sin "
        "programar a la fecha, fuera del promedio)."
    ) in output.splitlines()
    assert "es el promedio de los porcentajes de sus metas" in output
