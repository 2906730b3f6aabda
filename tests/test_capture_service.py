"""Saving what a unit achieved: who may, when the figures are locked, no lost updates, all
rows or none, and the history of every change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from poa.models import Ejercicio, Meta, QuarterlyProgress, Report, UnidadMedida
from poa.rules.capture import CaptureValidationError, StaleVersionError, validate_capture_row
from poa.rules.states import WorkflowError
from poa.selectors import history
from poa.selectors.grid import capture_rows, capture_rows_at_version
from poa.selectors.locks import capture_window, is_editable
from poa.services.capture import capture_correct, capture_save
from poa.services.periods import exception_grant, period_close, period_open
from poa.services.review import report_get_or_create, report_send
from tests.conftest import open_q3, report_in_state, unit

State = Report.State


def q3_report(clave):
    return Report.objects.get(unidad_ejecutora=unit(clave), quarter=3)


def meta(numero):
    return Meta.objects.get(numero=numero)


def progress(numero, quarter=3):
    return QuarterlyProgress.objects.get(meta__numero=numero, quarter=quarter)


def row(alcanzado, observaciones=""):
    return {
        "alcanzado": None if alcanzado is None else Decimal(alcanzado),
        "observaciones": observaciones,
    }


def save(report, user, rows, version=None):
    version = report.version if version is None else version
    return capture_save(report=report, user=user, version=version, rows=rows).report


def test_capturista_of_201_saves_q3_and_the_version_moves_on(q3_open, capturista_201):
    report = q3_report("201")
    saved = save(report, capturista_201, {meta(305).pk: row(100), meta(300).pk: row(4)})
    assert progress(305).alcanzado == 100 and progress(300).alcanzado == 4
    assert saved.version == report.version + 1 == Report.objects.get(pk=report.pk).version


def test_head_of_the_unit_also_captures(q3_open, head_102):
    save(q3_report("102"), head_102, {meta(200).pk: row(1)})
    assert progress(200).alcanzado == 1


@pytest.mark.parametrize("persona", ["capturista_102", "planeacion", "outsider", "aaron"])
def test_who_does_not_capture_for_the_unit_cannot_save_its_figures(request, q3_open, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        save(q3_report("201" if persona == "capturista_102" else "102"), user, {})


def test_capturista_of_102_cannot_save_201_figures_through_the_102_report(q3_open, capturista_102):
    with pytest.raises(PermissionDenied):
        save(q3_report("102"), capturista_102, {meta(305).pk: row(1)})
    assert progress(305).alcanzado is None


@pytest.mark.parametrize("state", [State.ENVIADO, State.REVISADO, State.AUTORIZADO])
def test_a_report_past_borrador_refuses_any_save(q3_open, capturista_201, state):
    report_in_state("201", 3, state)
    before = progress(305).alcanzado
    with pytest.raises(WorkflowError):
        save(q3_report("201"), capturista_201, {meta(305).pk: row(1)})
    assert progress(305).alcanzado == before != 1


def test_authorized_message_says_only_planeacion_reopens(reference, capturista_201):
    report = report_in_state("201", 2, State.AUTORIZADO)
    with pytest.raises(WorkflowError, match="solo planeación puede reabrirlo"):
        save(report, capturista_201, {meta(305).pk: row(1, "x")})
    assert progress(305, quarter=2).alcanzado == 102


def test_a_quarter_never_opened_refuses_saving(capturista_201):
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=4)
    with pytest.raises(WorkflowError, match="no ha abierto"):
        save(report, capturista_201, {meta(305).pk: row(1)})


def test_a_closed_period_refuses_saving(q3_open, planeacion, capturista_201):
    period_close(period=q3_open, user=planeacion)
    with pytest.raises(WorkflowError, match="cerró"):
        save(q3_report("201"), capturista_201, {meta(305).pk: row(1)})


def test_after_the_deadline_the_window_closes_by_itself(planeacion, capturista_201):
    period = open_q3(planeacion, days=1)
    report = q3_report("201")
    assert is_editable(report)
    later = period.deadline + timedelta(minutes=1)
    assert not is_editable(report, now=later)
    assert not capture_window(unidad_ejecutora=unit("201"), quarter=3, now=later).is_open
    period.deadline = timezone.now() - timedelta(minutes=1)
    period.save()
    with pytest.raises(WorkflowError, match="cerró"):
        save(report, capturista_201, {meta(305).pk: row(1)})


def test_an_exception_extends_the_deadline_of_one_unit_only(
    planeacion, capturista_201, capturista_102
):
    period = open_q3(planeacion, days=1)
    new_deadline = timezone.now() + timedelta(days=5)
    granted = exception_grant(
        period=period,
        unidad_ejecutora=unit("201"),
        deadline=new_deadline,
        reason="Cambio de titular.",
        user=planeacion,
    )
    assert granted.granted_by == planeacion and granted.reason == "Cambio de titular."
    period.deadline = timezone.now() - timedelta(minutes=1)
    period.save()
    save(q3_report("201"), capturista_201, {meta(305).pk: row(100)})
    assert progress(305).alcanzado == 100
    window = capture_window(unidad_ejecutora=unit("201"), quarter=3)
    assert window.is_open and window.deadline == new_deadline and window.exception == granted
    with pytest.raises(WorkflowError):
        save(q3_report("102"), capturista_102, {meta(200).pk: row(1)})


def test_an_exception_after_closing_reopens_that_unit(q3_open, planeacion, capturista_201):
    period_close(period=q3_open, user=planeacion)
    exception_grant(
        period=q3_open,
        unidad_ejecutora=unit("201"),
        deadline=timezone.now() + timedelta(days=2),
        reason="Prórroga autorizada.",
        user=planeacion,
    )
    save(q3_report("201"), capturista_201, {meta(305).pk: row(100)})
    assert progress(305).alcanzado == 100
    assert not is_editable(q3_report("101"))


@pytest.mark.parametrize(
    ("reason", "days", "message"),
    [("", 3, "motivo"), ("Prórroga.", -1, "posterior")],
)
def test_an_exception_needs_a_reason_and_a_future_deadline(
    q3_open, planeacion, reason, days, message
):
    with pytest.raises(WorkflowError, match=message):
        exception_grant(
            period=q3_open,
            unidad_ejecutora=unit("201"),
            deadline=timezone.now() + timedelta(days=days),
            reason=reason,
            user=planeacion,
        )


def test_a_save_against_an_older_version_is_refused_with_what_changed(
    q3_open, capturista_201, aaron
):
    report = q3_report("201")
    opened_at = report.version
    save(report, capturista_201, {meta(305).pk: row(100)})
    save(q3_report("201"), capturista_201, {meta(305).pk: row(102, "Buena respuesta.")})
    with pytest.raises(StaleVersionError) as refused:
        save(report, aaron, {meta(305).pk: row(90, "Menos prospectos.")}, version=opened_at)
    changes = refused.value.changes
    assert len(changes) == 3
    assert changes[0].startswith("Meta 305, alcanzado: (vacío) → 100 (captura201, ")
    assert changes[1].startswith("Meta 305, alcanzado: 100 → 102 (captura201, ")
    assert changes[2].startswith("Meta 305, observaciones: (vacío) → Buena respuesta. (captura201")
    assert progress(305).alcanzado == 102


def test_a_stale_save_lists_old_values_of_figures_loaded_from_the_fixture(
    reference, planeacion, capturista_201, aaron
):
    period_open(
        ejercicio=Ejercicio.objects.get(year=2023),
        quarter=2,
        deadline=timezone.now() + timedelta(days=3),
        user=planeacion,
    )
    report = Report.objects.get(unidad_ejecutora=unit("201"), quarter=2)
    save(report, capturista_201, {meta(305).pk: row(101, "Ajuste.")})
    with pytest.raises(StaleVersionError) as refused:
        save(report, aaron, {meta(305).pk: row(99, "Otro.")}, version=0)
    assert refused.value.changes[0].startswith("Meta 305, alcanzado: 102 → 101 (captura201, ")


def test_one_bad_row_saves_nothing(q3_open, capturista_201):
    report = q3_report("201")
    with pytest.raises(CaptureValidationError) as refused:
        save(report, capturista_201, {meta(305).pk: row(100), meta(300).pk: row(-1)})
    assert refused.value.errors == {meta(300).pk: {"alcanzado": "La cifra no puede ser negativa."}}
    assert progress(305).alcanzado is None
    assert q3_report("201").version == report.version


def test_saving_the_same_figures_again_keeps_the_version(q3_open, capturista_201):
    report = save(q3_report("201"), capturista_201, {meta(305).pk: row(100)})
    again = save(report, capturista_201, {meta(305).pk: row(100)})
    assert again.version == report.version


def test_a_blank_figure_clears_a_draft_value(q3_open, capturista_201):
    report = save(q3_report("201"), capturista_201, {meta(305).pk: row(100)})
    save(report, capturista_201, {meta(305).pk: row(None)})
    assert progress(305).alcanzado is None


def test_history_records_who_changed_what_with_old_and_new_values(q3_open, capturista_201, aaron):
    report = save(q3_report("201"), capturista_201, {meta(305).pk: row(100)})
    save(report, aaron, {meta(305).pk: row(95, "Menos visitas.")})
    entries = history.meta_history(meta(305))
    assert [(e.user, e.quarter, e.field, e.old, e.new) for e in entries[:3]] == [
        (aaron, 3, "alcanzado", "100", "95"),
        (aaron, 3, "observaciones", "(vacío)", "Menos visitas."),
        (capturista_201, 3, "alcanzado", "(vacío)", "100"),
    ]
    latest = progress(305).history.first()
    assert latest.history_user == aaron


def test_meta_history_includes_the_state_changes_of_the_unit(aaron, reference):
    from tests.conftest import complete_quarter

    complete_quarter("201", 2)
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=2)
    report_send(report=report, user=aaron)
    entry = history.meta_history(meta(305))[0]
    assert (entry.user, entry.quarter, entry.field, entry.old, entry.new) == (
        aaron,
        2,
        "estado",
        "Borrador",
        "Enviado",
    )


# Validation of one row, shared with the form ------------------------------------------


def check(numero, alcanzado, observaciones="", sending=False, programado=None):
    m = meta(numero)
    if programado is None:
        programado = progress(numero).programado
    return validate_capture_row(
        meta=m,
        programado=programado,
        alcanzado=None if alcanzado is None else Decimal(alcanzado),
        observaciones=observaciones,
        sending=sending,
    )


def test_a_figure_on_plan_needs_nothing_else(reference):
    assert check(305, "100") == {}


def test_alcanzado_is_required_only_when_sending(reference):
    assert check(305, None) == {}
    assert check(305, None, sending=True) == {"alcanzado": "Capture lo alcanzado en el trimestre."}


def test_a_variance_needs_an_observation(reference):
    assert check(305, "102") == {
        "observaciones": "Explique por qué lo alcanzado (102) difiere de lo programado (100)."
    }
    assert check(305, "102", "Oportunidad económica.") == {}


def test_whole_units_refuse_fractions(reference):
    assert check(305, "100.5", "x") == {
        "alcanzado": "La unidad de medida «PROSPECTO» solo admite números enteros."
    }


def test_decimal_units_take_at_most_two_decimals(reference):
    UnidadMedida.objects.filter(nombre="PROSPECTO").update(admite_decimales=True)
    assert check(305, "100.25", "x") == {}
    assert check(305, "100.255", "x") == {"alcanzado": "Use como máximo dos decimales."}


def test_observaciones_take_at_most_1000_characters(reference):
    assert check(305, "102", "x" * 1001) == {
        "observaciones": "Las observaciones admiten como máximo 1,000 caracteres (lleva 1,001)."
    }


def test_a_figure_too_large_for_the_database_is_refused(reference):
    assert check(305, "10000000000") == {"alcanzado": "La cifra es demasiado grande."}


def test_the_observation_threshold_setting_is_honoured(reference, settings):
    settings.POA_OBSERVATION_THRESHOLD = 5
    assert check(305, "102") == {}
    assert "observaciones" in check(305, "106")


# What the grid shows -------------------------------------------------------------------


def test_capture_rows_carry_the_figures_of_the_sheet(reference):
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=2)
    rows = {r.meta.numero: r for r in capture_rows(report)}
    assert list(rows) == [300, 301, 302, 303, 304, 305, 306, 307]
    row305 = rows[305]
    assert row305.progress.quarter == 2 and row305.progress.alcanzado == 102
    assert row305.programmed == [70, 100, 100, 70]
    assert row305.achieved == [70, 102, None, None]
    assert (row305.figures.absolute, row305.figures.relative) == (172, 51)


def test_capture_rows_cost_two_queries_whatever_the_number_of_metas(
    reference, django_assert_num_queries
):
    small = report_get_or_create(unidad_ejecutora=unit("101"), quarter=2)
    large = report_get_or_create(unidad_ejecutora=unit("102"), quarter=2)
    with django_assert_num_queries(2):
        assert len(capture_rows(small)) == 4
    with django_assert_num_queries(2):
        assert len(capture_rows(large)) == 8


def test_the_grid_never_shows_figures_newer_than_the_version_it_saves_with(q3_open, capturista_201):
    shown = q3_report("201")  # the grid has read the report; another tab saves meanwhile
    save(q3_report("201"), capturista_201, {meta(305).pk: row(100, "Más prospectos.")})
    rows = {r.meta.numero: r for r in capture_rows_at_version(shown)}
    assert rows[305].progress.alcanzado == 100
    assert shown.version == q3_report("201").version


def test_saving_every_meta_costs_the_same_queries_for_4_or_8_metas(
    q3_open, aaron, head_102, django_assert_num_queries
):
    for clave, user, metas in [("101", aaron, 4), ("102", head_102, 8)]:
        report = q3_report(clave)
        rows = {
            m.pk: row(1, "Se adelantó.") for m in Meta.objects.filter(unidad_ejecutora=unit(clave))
        }
        with django_assert_num_queries(16):  # the audit trail writes one line
            assert (
                capture_save(report=report, user=user, version=report.version, rows=rows).changed
                == metas
            )


@pytest.mark.parametrize("version", ["", "abc", 99])
def test_a_tampered_version_is_refused_as_stale(q3_open, capturista_201, version):
    with pytest.raises(StaleVersionError) as refused:
        save(q3_report("201"), capturista_201, {meta(305).pk: row(1)}, version=version)
    assert refused.value.changes
    assert progress(305).alcanzado is None


def test_a_tampered_meta_key_is_refused(q3_open, capturista_201):
    with pytest.raises(PermissionDenied):
        save(q3_report("201"), capturista_201, {"x": row(1), meta(305).pk: row(1)})
    assert progress(305).alcanzado is None


def test_a_complete_report_can_still_be_sent_after_the_deadline(planeacion, aaron):
    # The deadline closes the capture, not the signing: what was captured in time is sent.
    period = open_q3(planeacion, days=1)
    for p in QuarterlyProgress.objects.filter(meta__unidad_ejecutora=unit("101"), quarter=3):
        p.alcanzado = p.programado
        p.save()
    period.deadline = timezone.now() - timedelta(minutes=1)
    period.save()
    report_send(report=q3_report("101"), user=aaron)
    assert q3_report("101").state == State.ENVIADO


def correct(progress_row, user, alcanzado, observaciones="", reason=""):
    return capture_correct(
        progress=progress_row,
        user=user,
        alcanzado=Decimal(alcanzado),
        observaciones=observaciones,
        reason=reason,
    )


def test_a_correction_outside_the_grid_moves_the_version_on(q3_open, superuser):
    report = q3_report("201")
    correct(progress(305), superuser, "100")
    assert progress(305).alcanzado == 100
    assert q3_report("201").version == report.version + 1
    correct(progress(305), superuser, "100")
    assert q3_report("201").version == report.version + 1


def test_only_who_administers_figures_corrects_them(q3_open, capturista_201):
    with pytest.raises(PermissionDenied):
        correct(progress(305), capturista_201, "100")
    assert progress(305).alcanzado is None


def test_a_figure_an_authorized_sheet_accumulates_is_never_corrected(reference, superuser):
    report_in_state("201", 2, State.AUTORIZADO)
    with pytest.raises(WorkflowError, match="Un informe posterior de la unidad"):
        correct(progress(305, quarter=1), superuser, "1", "Oficio.", reason="Oficio 12.")
    assert progress(305, quarter=1).alcanzado == 70
