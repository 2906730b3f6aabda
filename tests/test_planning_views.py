"""Planeación's pages: opening and closing a quarter for capture, and a later deadline for one
unit. Nobody else may reach them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from poa import workflow
from poa.models import CaptureException, CapturePeriod, Ejercicio, Report
from tests.conftest import open_q3, unit


def local_input(moment):
    """A moment as the browser's datetime-local input sends it (local time of Mexicali)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("persona", ["capturista_201", "head_102", "aaron", "outsider"])
def test_only_planeacion_reaches_the_period_pages(request, client, planeacion, persona):
    period = open_q3(planeacion)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("poa:periods")).status_code == 403
    assert client.post(reverse("poa:period-close", args=[period.pk])).status_code == 403
    assert client.get(reverse("poa:exception-grant", args=[period.pk])).status_code == 403
    assert CapturePeriod.objects.get().closed_at is None


def test_periods_page_explains_when_nothing_was_opened(client, planeacion):
    client.force_login(planeacion)
    html = client.get(reverse("poa:periods")).content.decode()
    assert "Todavía no se ha abierto ningún trimestre." in html


def test_planeacion_opens_a_quarter_and_every_unit_gets_its_report(client, planeacion):
    client.force_login(planeacion)
    deadline = timezone.now() + timedelta(days=10)
    data = {
        "ejercicio": Ejercicio.objects.get(year=2023).pk,
        "quarter": 3,
        "deadline": local_input(deadline),
    }
    response = client.post(reverse("poa:periods"), data, follow=True)
    html = response.content.decode()
    assert "Se abrió la captura de 2023 · Jul-Sep" in html
    assert "3 en borrador" in html
    period = CapturePeriod.objects.get()
    assert period.quarter == 3 and abs(period.deadline - deadline) < timedelta(minutes=1)
    assert Report.objects.filter(quarter=3).count() == 3


def test_a_deadline_in_the_past_is_refused_in_spanish(client, planeacion):
    client.force_login(planeacion)
    data = {
        "ejercicio": Ejercicio.objects.get(year=2023).pk,
        "quarter": 3,
        "deadline": local_input(timezone.now() - timedelta(hours=1)),
    }
    response = client.post(reverse("poa:periods"), data)
    assert "La fecha límite debe ser posterior a este momento." in response.content.decode()
    assert not CapturePeriod.objects.exists()


def test_a_missing_deadline_is_refused_in_spanish(client, planeacion):
    client.force_login(planeacion)
    data = {"ejercicio": Ejercicio.objects.get(year=2023).pk, "quarter": 3, "deadline": ""}
    response = client.post(reverse("poa:periods"), data)
    assert "Indique la fecha y hora límite." in response.content.decode()


def test_closing_a_period_locks_the_grid(client, planeacion, capturista_201):
    period = open_q3(planeacion)
    client.force_login(planeacion)
    response = client.post(reverse("poa:period-close", args=[period.pk]), follow=True)
    assert "Se cerró la captura de 2023 · Jul-Sep." in response.content.decode()
    client.force_login(capturista_201)
    grid = client.get(reverse("poa:capture-grid", args=[2023, "59", "201", 3]))
    assert "La captura de este trimestre cerró el" in grid.content.decode()


def test_an_exception_needs_a_reason_and_a_future_deadline(client, planeacion):
    period = open_q3(planeacion)
    client.force_login(planeacion)
    url = reverse("poa:exception-grant", args=[period.pk])
    data = {
        "unidad_ejecutora": unit("201").pk,
        "deadline": local_input(timezone.now() - timedelta(days=1)),
        "reason": "  ",
    }
    html = client.post(url, data).content.decode()
    assert "Escriba el motivo de la prórroga." in html
    assert "La fecha límite debe ser posterior a este momento." in html
    assert not CaptureException.objects.exists()


def test_an_exception_reopens_capture_for_that_unit_only(client, planeacion, capturista_201):
    period = open_q3(planeacion)
    workflow.period_close(period=period, user=planeacion)
    client.force_login(planeacion)
    data = {
        "unidad_ejecutora": unit("201").pk,
        "deadline": local_input(timezone.now() + timedelta(days=3)),
        "reason": "Cambio de titular en la unidad.",
    }
    response = client.post(reverse("poa:exception-grant", args=[period.pk]), data, follow=True)
    html = response.content.decode()
    assert "Prórroga otorgada a la UE 201" in html and "Cambio de titular en la unidad." in html
    client.force_login(capturista_201)
    grid = client.get(reverse("poa:capture-grid", args=[2023, "59", "201", 3])).content.decode()
    assert "-alcanzado" in grid and "por prórroga: Cambio de titular en la unidad." in grid
