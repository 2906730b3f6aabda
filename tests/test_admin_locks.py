"""The admin does not open a back door: a report moves and a captured figure changes only
through poa.services.review, a signed sheet never changes, and nobody restores an old version."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from poa.models import (
    CapturePeriod,
    Ejercicio,
    Meta,
    Programacion,
    QuarterlyProgress,
    Report,
    UnidadMedida,
)
from poa.rules.capture import StaleVersionError
from poa.selectors.sheet import build_sheet
from poa.services import programming
from poa.services.capture import capture_save
from poa.services.periods import period_close
from poa.services.review import report_reopen
from tests.conftest import (
    draft_meta_of_202,
    make_user,
    meta_admin_data,
    open_q3,
    report_in_state,
    unit,
)

State = Report.State
STAFF_PERMISSIONS = [
    "view_quarterlyprogress",
    "change_quarterlyprogress",
    "delete_quarterlyprogress",
    "view_meta",
    "change_meta",
]


@pytest.fixture
def staff_client(client, reference):
    user = make_user("catalogos", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=STAFF_PERMISSIONS))
    client.force_login(user)
    return client


def progress_305(quarter=2):
    return QuarterlyProgress.objects.get(meta__numero=305, quarter=quarter)


def post_progress(client, row=2, **changes):
    """The admin page of meta 305's quarter `row` posted as shown, with `changes` typed."""
    progress = progress_305(row)
    data = {
        "meta": progress.meta_id,
        "quarter": row,
        "programado": f"{progress.programado:f}",
        "alcanzado": "" if progress.alcanzado is None else f"{progress.alcanzado:f}",
        "observaciones": progress.observaciones,
        **changes,
    }
    url = reverse("admin:poa_quarterlyprogress_change", args=[progress.pk])
    return client.post(url, data)


def post_meta_305(client, **overrides):
    meta = Meta.objects.get(numero=305)
    url = reverse("admin:poa_meta_change", args=[meta.pk])
    return client.post(url, meta_admin_data(meta, **overrides))


def figures_of_201(quarter):
    """Everything the unit captured in the quarter, and the report's state and version."""
    report = Report.objects.get(unidad_ejecutora=unit("201"), quarter=quarter)
    rows = QuarterlyProgress.objects.filter(meta__unidad_ejecutora=unit("201"), quarter=quarter)
    captured = sorted(rows.values_list("meta__numero", "programado", "alcanzado", "observaciones"))
    return report.state, report.version, captured, list(report.events.values_list("pk"))


# Captured figures ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.ENVIADO, State.REVISADO, State.AUTORIZADO])
def test_staff_cannot_change_a_locked_figure_through_the_admin(staff_client, state):
    report_in_state("201", 2, state)
    response = post_progress(staff_client, alcanzado="5", observaciones="Cambiado.")
    assert response.status_code in (200, 302)
    assert progress_305().alcanzado == 102
    assert progress_305().observaciones.startswith("Debido al momento")


def test_staff_cannot_delete_a_locked_figure(staff_client):
    report_in_state("201", 2, State.AUTORIZADO)
    url = reverse("admin:poa_quarterlyprogress_delete", args=[progress_305().pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert QuarterlyProgress.objects.filter(pk=progress_305().pk).exists()


def test_staff_still_fix_a_quarter_whose_report_has_not_started(staff_client):
    response = post_progress(staff_client, alcanzado="101")
    assert response.status_code == 302
    assert progress_305().alcanzado == 101


@pytest.mark.parametrize("state", [State.ENVIADO, State.AUTORIZADO])
def test_not_even_a_superuser_changes_a_signed_figure(reference, superuser_client, state):
    report_in_state("201", 2, state)
    post_progress(superuser_client, alcanzado="101", motivo="Oficio 12/2023.")
    assert progress_305().alcanzado == 102


def test_a_superuser_corrects_a_closed_capture_only_with_a_reason(superuser_client, planeacion):
    period_close(period=open_q3(planeacion), user=planeacion)
    version = Report.objects.get(unidad_ejecutora=unit("201"), quarter=3).version
    response = post_progress(superuser_client, 3, alcanzado="100")
    assert "Escriba el motivo de la corrección." in response.content.decode()
    assert progress_305(3).alcanzado is None
    response = post_progress(superuser_client, 3, alcanzado="100", motivo="Oficio 12.")
    assert response.status_code == 302
    assert progress_305(3).alcanzado == 100
    latest = progress_305(3).history.first()
    assert latest.history_user.username == "root"
    assert latest.history_change_reason == "Corrección en administración: Oficio 12."
    assert Report.objects.get(unidad_ejecutora=unit("201"), quarter=3).version == version + 1


def test_staff_cannot_correct_a_closed_capture(staff_client, planeacion):
    period_close(period=open_q3(planeacion), user=planeacion)
    post_progress(staff_client, 3, alcanzado="100", motivo="Oficio 12.")
    assert progress_305(3).alcanzado is None


def test_an_authorized_figure_is_corrected_after_planeacion_reopens_it(
    superuser_client, planeacion
):
    report = report_in_state("201", 2, State.AUTORIZADO)
    report_reopen(report=report, user=planeacion, comment="Cifra mal capturada.")
    response = post_progress(superuser_client, alcanzado="101", motivo="Oficio 12/2023.")
    assert response.status_code == 302
    assert progress_305().alcanzado == 101


def test_a_correction_gets_the_grids_messages_next_to_the_field(staff_client, q3_open):
    response = post_progress(staff_client, 3, alcanzado="7")
    assert "Explique por qué lo alcanzado (7) difiere de lo programado (100)." in (
        response.content.decode()
    )
    assert progress_305(3).alcanzado is None


@pytest.mark.parametrize("door", ["progress", "meta"])
def test_a_grid_opened_before_an_admin_correction_cannot_overwrite_it(
    staff_client, q3_open, capturista_201, door
):
    report = Report.objects.get(unidad_ejecutora=unit("201"), quarter=3)
    opened_at = report.version
    if door == "progress":
        response = post_progress(staff_client, 3, alcanzado="7", observaciones="Oficio.")
    else:
        changes = {"avances-2-alcanzado": "7", "avances-2-observaciones": "Oficio."}
        response = post_meta_305(staff_client, **changes)
    assert response.status_code == 302
    assert progress_305(3).alcanzado == 7
    rows = {progress_305(3).meta_id: {"alcanzado": "4", "observaciones": "Faltaron citas."}}
    with pytest.raises(StaleVersionError, match="Otra persona guardó este informe"):
        capture_save(report=report, user=capturista_201, version=opened_at, rows=rows)
    assert progress_305(3).alcanzado == 7
    latest = progress_305(3).history.first()
    assert (latest.history_user.username, latest.history_change_reason) == (
        "catalogos",
        "Corrección en administración",
    )


def test_meta_inline_ignores_tampered_figures_of_a_locked_quarter(staff_client):
    report_in_state("201", 2, State.AUTORIZADO)
    changes = {
        "avances-1-alcanzado": "7",
        "avances-2-alcanzado": "50",
        "avances-2-observaciones": "Menos visitas.",
    }
    assert post_meta_305(staff_client, **changes).status_code == 302
    assert progress_305().alcanzado == 102
    assert progress_305(3).alcanzado == 50


# History ------------------------------------------------------------------------------------


def revert(client, obj, record):
    """What simple-history's "revert to this version" button would post."""
    model = obj._meta.model_name
    url = reverse(f"admin:poa_{model}_simple_history", args=[obj.pk, record.history_id])
    data = {
        name: getattr(record, name)
        for name in ("meta", "quarter", "programado", "alcanzado", "observaciones")
        if hasattr(record, name)
    }
    data = {name: "" if v is None else getattr(v, "pk", v) for name, v in data.items()}
    return client.post(url, data)


def test_a_history_version_cannot_be_restored(superuser_client, q3_open, capturista_201):
    report = Report.objects.get(unidad_ejecutora=unit("201"), quarter=3)
    rows = {progress_305(3).meta_id: {"alcanzado": "100", "observaciones": ""}}
    capture_save(report=report, user=capturista_201, version=0, rows=rows)
    report_in_state("201", 3, State.AUTORIZADO)
    before = figures_of_201(3)
    first_report = report.history.earliest("history_date")
    first_figure = progress_305(3).history.earliest("history_date")
    assert first_report.state == State.BORRADOR and first_figure.alcanzado is None
    page = superuser_client.get(
        reverse("admin:poa_report_simple_history", args=[report.pk, first_report.history_id])
    )
    assert page.status_code == 200 and "Revert" not in page.content.decode()
    assert revert(superuser_client, report, first_report).status_code == 403
    assert revert(superuser_client, progress_305(3), first_figure).status_code == 403
    assert figures_of_201(3) == before == (State.AUTORIZADO, 1, before[2], before[3])
    assert len(before[3]) == 3


# Programming of a signed sheet --------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff_client", "superuser_client"])
def test_a_tampered_post_leaves_the_authorized_sheet_unchanged(request, who, reference):
    client = request.getfixturevalue(who)
    report_in_state("201", 2, State.AUTORIZADO)
    before = build_sheet(unit("201"), 2)
    other_unit = UnidadMedida.objects.exclude(pk=progress_305().meta.unidad_medida_id).first()
    response = post_meta_305(
        client,
        numero="399",
        descripcion="Otra meta.",
        unidad_medida=other_unit.pk,
        meta_anual="400",
        **{
            "avances-0-alcanzado": "1",
            "avances-1-programado": "130",
            "avances-2-programado": "130",
        },
    )
    assert response.status_code in (200, 302)
    post_progress(client, 2, programado="160", quarter=1, meta=Meta.objects.get(numero=300).pk)
    post_progress(client, 2, programado="160")
    post_progress(client, 3, programado="40")
    assert build_sheet(unit("201"), 2) == before
    assert Meta.objects.get(pk=progress_305().meta_id).meta_anual == 340


def test_the_programming_of_a_sent_quarter_is_read_only(staff_client):
    report_in_state("201", 2, State.ENVIADO)
    changes = {"avances-1-programado": "90", "avances-2-programado": "110"}
    post_meta_305(staff_client, **changes)
    assert (progress_305(2).programado, progress_305(3).programado) == (100, 100)


def test_a_programming_still_in_draft_is_edited(staff_client):
    meta = draft_meta_of_202()
    changes = {"avances-1-programado": "0", "avances-2-programado": "2"}
    url = reverse("admin:poa_meta_change", args=[meta.pk])
    assert staff_client.post(url, meta_admin_data(meta, **changes)).status_code == 302
    assert [p.programado for p in meta.avances.order_by("quarter")] == [1, 0, 2, 1]


def test_an_admin_edit_of_a_draft_moves_the_programming_on(staff_client):
    meta = draft_meta_of_202()
    programacion = Programacion.objects.get(unidad_ejecutora=meta.unidad_ejecutora)
    version = programacion.version
    changes = {"avances-1-programado": "0", "avances-2-programado": "2"}
    url = reverse("admin:poa_meta_change", args=[meta.pk])
    assert staff_client.post(url, meta_admin_data(meta, **changes)).status_code == 302
    programacion.refresh_from_db()
    assert programacion.version == version + 1


def test_a_programming_sent_to_planeacion_is_not_changed_in_the_admin(staff_client):
    meta = draft_meta_of_202()
    ue = meta.unidad_ejecutora
    programacion = Programacion.objects.get(unidad_ejecutora=ue)
    programming.programming_send(programacion=programacion, user=ue.responsable.usuario)
    before = ([p.programado for p in meta.avances.order_by("quarter")], meta.meta_anual)
    changes = {"avances-1-programado": "0", "avances-2-programado": "2", "descripcion": "Otra"}
    url = reverse("admin:poa_meta_change", args=[meta.pk])
    page = staff_client.get(url).content.decode()
    assert "está enviada a planeación" in page
    staff_client.post(url, meta_admin_data(meta, **changes))
    progress = meta.avances.get(quarter=4)
    row = reverse("admin:poa_quarterlyprogress_change", args=[progress.pk])
    staff_client.post(row, {"meta": meta.pk, "quarter": 4, "programado": "3", "alcanzado": ""})
    meta.refresh_from_db()
    after = ([p.programado for p in meta.avances.order_by("quarter")], meta.meta_anual)
    assert after == before and meta.descripcion == "Meta 400 de prueba"
    delete = reverse("admin:poa_meta_delete", args=[meta.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Meta.objects.filter(pk=meta.pk).exists()


def test_metas_and_rows_of_an_authorized_sheet_cannot_be_deleted(reference, superuser_client):
    report_in_state("201", 2, State.AUTORIZADO)
    meta = Meta.objects.get(numero=305)
    delete_meta = reverse("admin:poa_meta_delete", args=[meta.pk])
    assert superuser_client.post(delete_meta, {"post": "yes"}).status_code == 403
    delete_row = reverse("admin:poa_quarterlyprogress_delete", args=[progress_305(4).pk])
    assert superuser_client.post(delete_row, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:poa_meta_changelist")
    bulk = {"action": "delete_selected", "_selected_action": [meta.pk], "post": "yes"}
    assert superuser_client.post(changelist, bulk).status_code == 403
    assert QuarterlyProgress.objects.filter(meta=meta).count() == 4


def test_no_new_meta_joins_an_authorized_sheet(reference, superuser_client):
    report_in_state("201", 2, State.AUTORIZADO)
    meta = Meta.objects.get(numero=305)
    data = meta_admin_data(meta, numero="399", **{"avances-INITIAL_FORMS": "0"})
    data = {key: value for key, value in data.items() if not key.endswith(("-id", "-meta"))}
    response = superuser_client.post(reverse("admin:poa_meta_add"), data)
    assert "tiene un trimestre autorizado" in response.content.decode()
    assert not Meta.objects.filter(numero=399).exists()


# Reports and periods ------------------------------------------------------------------------


def test_report_admin_is_read_only(reference, superuser_client):
    report = report_in_state("201", 2, State.AUTORIZADO)
    url = reverse("admin:poa_report_change", args=[report.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    history = report.history.count()
    tampered = {
        "state": State.BORRADOR,
        "version": "9",
        "events-TOTAL_FORMS": "3",
        "events-INITIAL_FORMS": "3",
        "events-0-id": report.events.first().pk,
        "events-0-DELETE": "on",
    }
    assert superuser_client.post(url, tampered).status_code == 403
    report.refresh_from_db()
    assert (report.state, report.version, report.events.count()) == (State.AUTORIZADO, 0, 3)
    assert report.history.count() == history
    assert superuser_client.get(reverse("admin:poa_report_add")).status_code == 403


def test_opening_a_period_in_the_admin_gives_every_unit_its_draft(reference, superuser_client):
    response = superuser_client.post(
        reverse("admin:poa_captureperiod_add"),
        {
            "ejercicio": Ejercicio.objects.get(year=2023).pk,
            "quarter": 3,
            "deadline_0": "2030-01-31",
            "deadline_1": "23:59:00",
        },
    )
    assert response.status_code == 302
    assert CapturePeriod.objects.get(quarter=3).opened_by.username == "root"
    assert Report.objects.filter(quarter=3, state=State.BORRADOR).count() == 3


def test_a_period_is_not_opened_in_the_admin_with_a_past_deadline(reference, superuser_client):
    response = superuser_client.post(
        reverse("admin:poa_captureperiod_add"),
        {
            "ejercicio": Ejercicio.objects.get(year=2023).pk,
            "quarter": 3,
            "deadline_0": "2020-01-31",
            "deadline_1": "23:59:00",
        },
    )
    assert "La fecha límite debe ser posterior a este momento." in response.content.decode()
    assert not CapturePeriod.objects.exists()


def test_an_open_period_is_changed_on_the_periods_page_not_in_the_admin(superuser_client, q3_open):
    url = reverse("admin:poa_captureperiod_change", args=[q3_open.pk])
    assert superuser_client.get(url).status_code == 200
    yesterday = timezone.localtime() - timedelta(days=1)
    response = superuser_client.post(
        url,
        {
            "ejercicio": q3_open.ejercicio_id,
            "quarter": 3,
            "deadline_0": yesterday.strftime("%Y-%m-%d"),
            "deadline_1": "12:00:00",
            "closed_at_0": yesterday.strftime("%Y-%m-%d"),
            "closed_at_1": "12:00:00",
        },
    )
    assert response.status_code == 403
    period = CapturePeriod.objects.get()
    assert (period.deadline, period.closed_at) == (q3_open.deadline, None)
    delete = reverse("admin:poa_captureperiod_delete", args=[q3_open.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403


def test_extensions_are_granted_on_the_periods_page_not_in_the_admin(reference, superuser_client):
    assert superuser_client.get(reverse("admin:poa_captureexception_add")).status_code == 403
    response = superuser_client.post(reverse("admin:poa_captureexception_add"), {"reason": "x"})
    assert response.status_code == 403
