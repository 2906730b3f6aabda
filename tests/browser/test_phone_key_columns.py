"""On a phone (390 px wide) the key columns of a wide table are reachable without losing the
row: the meta or unit stays at the left of its scroll box while Avance, Semáforo or the
period's actions scroll into view beside it. Screenshots in test-artifacts/phone-keys/."""

import io

import pytest
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_phone import PHONE, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# path, the row's identifying cell, the key cells that must show beside it
PAGES = {
    "seguimiento-meta": (
        "/seguimiento/2023/2/?nivel=meta",
        "tbody tr:first-child td.col-key",
        ["thead th.col-percent", "thead th.col-light"],
    ),
    "seguimiento-ue": (
        "/seguimiento/2023/2/?nivel=ue",
        "tbody tr:first-child td:first-child",
        ["thead th.col-percent", "thead th.col-light"],
    ),
    "periodos": (
        "/planeacion/periodos/",
        "tbody tr:first-child td:first-child",
        ["tbody tr:first-child .period-actions"],
    ),
}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def base(live_server):
    call_command("poa_demo", stdout=io.StringIO())
    return live_server.url


def on_screen(page, selector):
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= -1 and box["x"] + min(box["width"], 60) <= PHONE["width"]


@pytest.mark.parametrize("name", PAGES)
def test_the_row_stays_while_its_key_columns_scroll_into_view(base, new_context, name):
    folder = ARTIFACTS / "phone-keys"
    folder.mkdir(parents=True, exist_ok=True)
    path, row, keys = PAGES[name]
    page = signed_in(new_context, base, "planeacion")
    page.goto(base + path)
    box = page.locator(".table-responsive").filter(has=page.locator(row)).first
    box.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    box.scroll_into_view_if_needed()
    page.screenshot(path=folder / f"{name}.png")
    assert on_screen(page, row), "the row's meta or unit scrolled away"
    for key in keys:
        page.locator(key).first.scroll_into_view_if_needed()
        assert on_screen(page, key), f"{key} is off-screen"
    page.screenshot(path=folder / f"{name}-key.png")
    assert on_screen(page, row)
