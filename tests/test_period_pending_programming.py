"""Opening a quarter while some units' programming is not approved: planeación is told which
units cannot capture yet before the quarter opens, and again once it is open."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from poa.models import CapturePeriod, Ejercicio

WARNING = "Estas unidades aún no tienen aprobada su programación y no podrán capturar"


def open_data(**extra):
    deadline = timezone.localtime(timezone.now() + timedelta(days=10))
    return {
        "ejercicio": Ejercicio.objects.get(year=2023).pk,
        "quarter": 3,
        "deadline": deadline.strftime("%d/%m/%Y %H:%M"),
        **extra,
    }


def test_it_lists_the_units_without_approved_programming_before_opening(client, planeacion, ue_202):
    client.force_login(planeacion)
    html = client.post(reverse("poa:periods"), open_data()).content.decode()
    assert WARNING in html
    assert "UE 202 DEPARTAMENTO DE VINCULACIÓN" in html
    assert "Abrir de todos modos" in html
    assert not CapturePeriod.objects.exists()


def test_confirmed_it_opens_and_names_the_units_that_cannot_capture(client, planeacion, ue_202):
    client.force_login(planeacion)
    data = open_data(confirm=Ejercicio.objects.get(year=2023).pk)
    html = client.post(reverse("poa:periods"), data, follow=True).content.decode()
    assert "Se abrió la captura de 2023 · Jul-Sep" in html
    assert "Aún no pueden capturar, porque su programación no está aprobada: UE 202" in html
    assert CapturePeriod.objects.filter(quarter=3).exists()


def test_it_opens_at_once_when_every_unit_is_approved(client, planeacion):
    client.force_login(planeacion)
    html = client.post(reverse("poa:periods"), open_data(), follow=True).content.decode()
    assert "Se abrió la captura de 2023 · Jul-Sep" in html
    assert "Aún no pueden capturar" not in html
