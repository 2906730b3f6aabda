"""Planeación's home shows where the latest year's programming stands, so a year just created
with «Nuevo ejercicio» is visible there from the start."""

from django.urls import reverse

from poa.services import years
from tests.conftest import make_unit


def test_after_a_new_year_planeacion_sees_its_programming_status(client, planeacion):
    years.year_create_from(source=2023, year=2024, user=planeacion)
    client.force_login(planeacion)
    html = client.get("/").content.decode()
    status = html.split('class="programming-status')[1].split("</section>")[0]
    assert "Programación 2024" in status
    assert "3 en borrador" in status and "0 aprobadas" in status
    assert reverse("poa:programming-overview", args=[2024]) in status


def test_units_without_programming_are_counted_apart(client, planeacion):
    make_unit("202")
    client.force_login(planeacion)
    html = client.get("/").content.decode()
    status = html.split('class="programming-status')[1].split("</section>")[0]
    assert "Programación 2023" in status
    assert "3 aprobadas" in status and "1 sin empezar" in status


def test_others_do_not_see_the_years_status(client, capturista_102):
    client.force_login(capturista_102)
    assert "programming-status" not in client.get("/").content.decode()
