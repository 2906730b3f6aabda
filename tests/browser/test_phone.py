"""On a phone (390 px wide) no page is wider than the screen: wide tables and the TMM-F004
scroll sideways inside their own box, so the page itself never has to be dragged to reach a
button or a column. Each page leaves a screenshot in test-artifacts/phone/."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "poa-demo-2023"
PHONE = {"width": 390, "height": 844}
PAGES = {
    "planeacion": [
        "/",
        "/informes/",
        "/programacion/2023/",
        "/planeacion/periodos/",
        "/planeacion/modificaciones/",
        "/planeacion/revision/2023/",
        "/seguimiento/2023/2/?nivel=ue",
        "/seguimiento/2023/2/?nivel=meta",
    ],
    "captura102": [
        "/",
        "/captura/2023/59/102/3/",
        "/informes/2023/59/102/2/",
        "/metas/5/",
        "/tmm-f004/2023/59/102/2/",
        "/programacion/2023/59/102/",
    ],
}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def base(live_server):
    call_command("poa_demo", stdout=io.StringIO())
    return live_server.url


def signed_in(new_context, base, username):
    page = new_context().new_page()
    page.goto(f"{base}/cuenta/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Mis pendientes")).to_be_visible()
    return page


@pytest.mark.parametrize("username", PAGES)
def test_no_page_is_wider_than_a_phone(base, new_context, axe_audit, username):
    folder = ARTIFACTS / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    page = signed_in(new_context, base, username)
    wider = {}
    for path in PAGES[username]:
        page.goto(base + path)
        axe_audit.settle(page)
        name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "inicio"
        page.screenshot(path=folder / f"{username}-{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wider[path] = width
    assert wider == {}


PUBLIC = [
    "/transparencia/",
    "/transparencia/2023/2/",
    "/transparencia/2023/2/59/",
    "/transparencia/2023/2/59/201/",
    "/transparencia/2023/2/59/201/meta/305/",
    "/verificar/TMM-F004-2023-59-201-T2/",
]


@pytest.mark.parametrize("username", [*PAGES, "anonimo"])
def test_the_phone_tour_has_no_accessibility_violation_on_a_desktop(
    base, new_context, axe_audit, username
):
    """The same pages at 1440 px: axe_audit (conftest.py) fails the test on any serious or
    critical WCAG 2.1 AA violation; the 390 px pass is test_no_page_is_wider_than_a_phone."""
    signed = username in PAGES
    page = signed_in(new_context, base, username) if signed else new_context().new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    for path in PAGES.get(username, PUBLIC):
        page.goto(base + path)
        axe_audit.settle(page)
    assert len(axe_audit.checked) >= len(PAGES.get(username, PUBLIC))
