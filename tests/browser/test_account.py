"""Signing in, changing one's password and signing out, in Spanish, in a real browser."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_change_password_and_sign_out(live_server, page, artifacts):
    make_user("captura201", first_name="Jorge", last_name="Valdez Peña")
    page.goto(live_server.url + reverse("poa:home"))
    expect(page.get_by_text("Inicie sesión para capturar")).to_be_visible()
    page.get_by_label("Usuario").fill("captura201")
    page.get_by_label("Contraseña").fill("equivocada")
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator(".alert-danger")).to_contain_text("contraseña")
    page.screenshot(path=artifacts / "cuenta-01-entrar-error.png", full_page=True)

    page.get_by_label("Contraseña").fill("x-123456")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Mis pendientes")).to_be_visible()

    page.get_by_role("button", name="Jorge Valdez Peña").click()
    page.get_by_role("link", name="Cambiar contraseña").click()
    page.locator("#id_old_password").fill("otra")
    page.locator("#id_new_password1").fill("Prospecto-305-2023")
    page.locator("#id_new_password2").fill("Prospecto-305-2023")
    page.get_by_role("button", name="Guardar la nueva contraseña").click()
    expect(page.locator("main form")).to_contain_text(
        "La antigua contraseña introducida es incorrecta"
    )
    page.screenshot(path=artifacts / "cuenta-02-cambiar-error.png", full_page=True)

    page.locator("#id_old_password").fill("x-123456")
    page.locator("#id_new_password1").fill("Prospecto-305-2023")
    page.locator("#id_new_password2").fill("Prospecto-305-2023")
    page.get_by_role("button", name="Guardar la nueva contraseña").click()
    expect(page.get_by_text("Su contraseña se cambió correctamente.")).to_be_visible()

    page.get_by_role("button", name="Jorge Valdez Peña").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("button", name="Entrar")).to_be_visible()
    page.screenshot(path=artifacts / "cuenta-03-salir.png", full_page=True)
