"""The Content-Security-Policy in a real browser: Chromium reports every inline script,
inline style or foreign resource it refuses in the console. The main pages, with their
scripts at work (the grid's live figures, the report's confirmation modal, the admin's
forms), must leave no such report."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from poa.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "poa-demo-2023"


class Console:
    """What the browser complained about on a page: console errors and uncaught exceptions."""

    def __init__(self, page):
        self.messages = []
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))

    def console(self, message):
        if message.type in ("error", "warning"):
            self.messages.append(message.text)

    def violations(self):
        return [m for m in self.messages if "Content Security Policy" in m or "pageerror" in m]


def signed_in(new_context, base, username):
    page = new_context().new_page()
    console = Console(page)
    page.goto(f"{base}/cuenta/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Mis pendientes")).to_be_visible()
    return page, console


@pytest.fixture
def base(live_server):
    call_command("poa_demo", stdout=io.StringIO())
    return live_server.url


def test_the_account_pages_and_the_home_page_break_no_rule_of_the_policy(
    base, new_context, artifacts
):
    anonymous = new_context().new_page()
    anonymous_console = Console(anonymous)
    anonymous.goto(f"{base}/admin/login/")
    expect(anonymous.get_by_label("Contraseña")).to_be_visible()
    anonymous.goto(f"{base}/no-existe/")
    expect(anonymous.get_by_text("No encontramos lo que busca")).to_be_visible()
    page, console = signed_in(new_context, base, "captura201")
    page.screenshot(path=artifacts / "csp-inicio.png", full_page=True)
    page.goto(f"{base}/cuenta/password_change/")
    expect(page.locator("#id_old_password")).to_be_visible()
    page.get_by_role("button", name="Jorge Valdez Peña").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_text("Inicie sesión para capturar")).to_be_visible()
    assert anonymous_console.violations() == console.violations() == []


def test_the_capture_grid_computes_its_figures_under_the_policy(base, new_context, artifacts):
    page, console = signed_in(new_context, base, "captura201")
    page.goto(f"{base}/captura/2023/59/201/3/")
    row = page.locator("tr.capture-row").first
    row.locator("input.figure-input").fill("0")
    before = row.locator('[data-role="absolute"]').inner_text()
    row.locator("input.figure-input").fill("1,000")
    expect(row.locator('[data-role="absolute"]')).not_to_have_text(before)
    page.screenshot(path=artifacts / "csp-captura.png", full_page=True)
    assert console.violations() == []


def test_the_report_s_confirmation_modal_and_the_sheet_work_under_the_policy(
    base, new_context, artifacts, axe_audit
):
    page, console = signed_in(new_context, base, "planeacion")
    page.goto(f"{base}/informes/2023/59/201/2/")
    page.get_by_role("button", name="Reabrir", exact=True).click()
    expect(page.locator(".modal.show")).to_be_visible()
    page.screenshot(path=artifacts / "csp-informe-modal.png", full_page=True)
    page.goto(f"{base}/tmm-f004/2023/59/201/2/")
    expect(page.locator(".tmm-f004-sheet")).to_be_visible()
    axe_audit.settle(page)
    page.goto(f"{base}/planeacion/periodos/")
    page.get_by_role("button", name="Cerrar", exact=True).first.click()
    expect(page.locator(".modal.show")).to_contain_text("Cerrar la captura de 2023 · T3")
    page.locator(".modal.show").get_by_role("button", name="Cancelar").click()
    expect(page.locator(".modal.show")).to_have_count(0)
    expect(page).to_have_url(f"{base}/planeacion/periodos/")
    assert console.violations() == []


def test_the_admin_pages_break_no_rule_of_the_policy(base, new_context, artifacts, axe_audit):
    page, console = signed_in(new_context, base, "admin")
    for path in [
        "/admin/",
        "/admin/poa/meta/",
        "/admin/poa/meta/add/",
        "/admin/poa/report/",
        "/admin/auth/user/",
    ]:
        page.goto(base + path)
        expect(page.locator("#content")).to_be_visible()
        axe_audit.settle(page)
    report = Report.objects.filter(quarter=2).first()
    page.goto(f"{base}/admin/poa/report/{report.pk}/history/")
    expect(page.locator("#content")).to_be_visible()
    page.screenshot(path=artifacts / "csp-admin-historial.png", full_page=True)
    assert console.violations() == []


def test_the_seguimiento_and_its_charts_break_no_rule_of_the_policy(base, new_context, artifacts):
    page, console = signed_in(new_context, base, "planeacion")
    page.screenshot(path=artifacts / "csp-inicio-planeacion.png", full_page=True)
    page.goto(f"{base}/seguimiento/2023/2/")
    expect(page.locator(".tracking-charts svg")).to_have_count(3)
    page.get_by_text("Ver los datos en tabla").first.click()
    page.get_by_role("link", name="Metas", exact=True).click()
    expect(page.locator(".tracking-table")).to_contain_text("305")
    page.screenshot(path=artifacts / "csp-seguimiento.png", full_page=True)
    assert console.violations() == []
