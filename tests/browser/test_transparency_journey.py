"""A citizen on a phone (390 px) follows the transparency portal without an account: the
quarter, a ramo, a meta, its authorized sheet and the verification of its sealed folio; every
page of the way is never wider than the screen (and, as every page a browser test loads, has no
serious or critical accessibility violation: the axe_audit fixture of conftest.py)."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def base(live_server):
    call_command("poa_demo", stdout=io.StringIO())  # quarters 1 and 2 of 2023 authorized
    return live_server.url


def check(page, artifacts, name):
    """Nothing wider than the phone; a screenshot."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)
    page.screenshot(path=artifacts / f"transparencia-{name}.png", full_page=True)


def test_a_citizen_follows_a_meta_to_its_verified_sheet(base, page, artifacts):
    page.goto(f"{base}/transparencia/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Metas y avances")
    check(page, artifacts, "1-portal")

    page.get_by_role("link", name="2023 · T2 (Abr-Jun)").click()
    page.get_by_role("link", name="59 COMISIÓN DE DESARROLLO INDUSTRIAL DE MEXICALI").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ramo 59")
    check(page, artifacts, "2-ramo")

    page.get_by_role("link", name="305.- ", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meta 305")
    expect(page.get_by_text("340 PROSPECTO")).to_be_visible()
    check(page, artifacts, "3-meta")

    page.get_by_role("link", name="Ver la hoja TMM-F004 autorizada").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("UE 201")
    check(page, artifacts, "4-hoja")

    page.get_by_role("link", name="Verificar el folio TMM-F004-2023-59-201-T2").click()
    expect(page.locator("#folio")).to_have_text("TMM-F004-2023-59-201-T2")
    expect(page.locator("#current")).to_contain_text("Vigente")
    check(page, artifacts, "5-verificacion")
