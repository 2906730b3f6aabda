"""Planeación's review page in a real browser: the reference year's slips listed with their
meta one click away, and a clean year's message. Screenshots in test-artifacts/review/."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from poa.models import QuarterlyProgress
from poa.selectors.access import PLANEACION_GROUP
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def folder(artifacts):
    path = artifacts.parent / "review"
    path.mkdir(exist_ok=True)
    return path


def sign_in(page, base):
    call_command("loaddata", "reference", verbosity=0)
    user = make_user("planeacion")
    user.groups.add(Group.objects.get_or_create(name=PLANEACION_GROUP)[0])
    page.goto(base + "/cuenta/login/")
    page.get_by_label("Usuario").fill("planeacion")
    page.get_by_label("Contraseña").fill("x-123456")
    page.get_by_role("button", name="Entrar").click()


def test_planeacion_reviews_the_reference_year_and_opens_meta_206(live_server, page, folder):
    sign_in(page, live_server.url)
    page.get_by_role("button", name="Planeación").click()
    page.get_by_role("link", name="Revisión de congruencia").click()
    expect(page.get_by_role("heading", name="Revisión de congruencia 2023")).to_be_visible()
    expect(page.locator(".consistency-table tbody tr")).to_have_count(5)
    page.screenshot(path=folder / "1-reference.png", full_page=True)
    page.get_by_label("Tipo").select_option("unprogrammed")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator(".consistency-table tbody tr")).to_have_count(1)
    page.screenshot(path=folder / "2-filtered.png", full_page=True)
    page.get_by_role("link", name="Ver meta").click()
    expect(page.get_by_text("206.-", exact=False).first).to_be_visible()


def test_a_clean_year_says_there_is_nothing_to_correct(live_server, page, folder):
    sign_in(page, live_server.url)
    for progress in QuarterlyProgress.objects.exclude(alcanzado=None):
        if progress.alcanzado != progress.programado and not progress.observaciones:
            progress.observaciones = "Explicación de la diferencia."
            progress.save()
    page.goto(live_server.url + "/planeacion/revision/2023/")
    expect(page.get_by_text("Sin inconsistencias en 2023.")).to_be_visible()
    page.screenshot(path=folder / "3-clean.png", full_page=True)
