"""The admin does not open a back door: staff without superuser rights cannot change what a
unit captured once its report is locked, whatever the POST says."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from poa import workflow
from poa.models import Meta, QuarterlyProgress, Report
from tests.conftest import make_user, meta_admin_data, unit

State = Report.State


@pytest.fixture
def staff_client(client, reference):
    user = make_user("catalogos", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_quarterlyprogress",
                "change_quarterlyprogress",
                "delete_quarterlyprogress",
                "view_meta",
                "change_meta",
            ]
        )
    )
    client.force_login(user)
    return client


@pytest.fixture
def root_client(client, reference, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.example", "x"))
    return client


def lock_q2_of_201(state=State.AUTORIZADO):
    report = workflow.report_get_or_create(unidad_ejecutora=unit("201"), quarter=2)
    Report.objects.filter(pk=report.pk).update(state=state)


def progress_305():
    return QuarterlyProgress.objects.get(meta__numero=305, quarter=2)


def post_progress(client, **changes):
    progress = progress_305()
    data = {
        "meta": progress.meta_id,
        "quarter": 2,
        "programado": "100",
        "alcanzado": "102",
        "observaciones": progress.observaciones,
        **changes,
    }
    url = reverse("admin:poa_quarterlyprogress_change", args=[progress.pk])
    return client.post(url, data)


@pytest.mark.parametrize("state", [State.ENVIADO, State.REVISADO, State.AUTORIZADO])
def test_staff_cannot_change_a_locked_figure_through_the_admin(staff_client, state):
    lock_q2_of_201(state)
    response = post_progress(staff_client, alcanzado="5", observaciones="Cambiado.")
    assert response.status_code in (200, 302)
    assert progress_305().alcanzado == 102
    assert progress_305().observaciones.startswith("Debido al momento")


def test_staff_cannot_delete_a_locked_figure(staff_client):
    lock_q2_of_201()
    url = reverse("admin:poa_quarterlyprogress_delete", args=[progress_305().pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert QuarterlyProgress.objects.filter(pk=progress_305().pk).exists()


def test_staff_still_fix_a_quarter_whose_report_has_not_started(staff_client):
    response = post_progress(staff_client, alcanzado="101")
    assert response.status_code == 302
    assert progress_305().alcanzado == 101


def test_a_superuser_may_correct_a_locked_figure(root_client):
    lock_q2_of_201()
    assert post_progress(root_client, alcanzado="101").status_code == 302
    assert progress_305().alcanzado == 101


def test_meta_inline_ignores_tampered_figures_of_a_locked_quarter(staff_client):
    lock_q2_of_201()
    meta = Meta.objects.get(numero=305)
    data = meta_admin_data(meta)
    data["avances-1-alcanzado"] = "7"
    data["avances-2-alcanzado"] = "50"
    response = staff_client.post(reverse("admin:poa_meta_change", args=[meta.pk]), data)
    assert response.status_code == 302
    assert progress_305().alcanzado == 102
    assert QuarterlyProgress.objects.get(meta=meta, quarter=3).alcanzado == 50


def test_report_admin_is_read_only(root_client, aaron):
    lock_q2_of_201()
    report = Report.objects.get(unidad_ejecutora=unit("201"), quarter=2)
    url = reverse("admin:poa_report_change", args=[report.pk])
    page = root_client.get(url)
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    root_client.post(url, {"state": State.BORRADOR})
    report.refresh_from_db()
    assert report.state == State.AUTORIZADO
    assert root_client.get(reverse("admin:poa_report_add")).status_code == 403


def test_opening_a_period_in_the_admin_gives_every_unit_its_draft(root_client):
    from poa.models import CapturePeriod, Ejercicio

    response = root_client.post(
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


def test_extensions_are_granted_on_the_periods_page_not_in_the_admin(reference, admin_client):
    assert admin_client.get(reverse("admin:poa_captureexception_add")).status_code == 403
    response = admin_client.post(reverse("admin:poa_captureexception_add"), {"reason": "x"})
    assert response.status_code == 403
