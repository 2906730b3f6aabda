"""Planeación asks for the ZIP of every sheet and keeps the page open: the page follows the
job while a worker makes it and offers the download when it is ready, under the
Content-Security-Policy."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from poa.jobs import DUMMY_BACKEND
from poa.models import SheetExport
from poa.services.batch import sheet_export
from tests.browser.test_csp import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_server, settings):
    """The demo, with the jobs queued: the worker is the test itself."""
    call_command("poa_demo", stdout=io.StringIO())
    settings.TASKS = {"default": {"BACKEND": DUMMY_BACKEND}}
    return live_server.url


def test_the_page_follows_the_zip_until_it_can_be_downloaded(base, new_context, artifacts):
    page, console = signed_in(new_context, base, "planeacion")
    page.goto(f"{base}/informes/")
    page.get_by_role("link", name="Descargar todas las hojas (ZIP)").click()
    page.get_by_label("Trimestre").select_option("2")
    page.get_by_role("button", name="Descargar todas las hojas (ZIP)").click()
    row = page.locator("tr.sheet-export").first
    expect(row).to_contain_text("En cola")
    expect(row.get_by_role("link", name="Descargar ZIP")).to_be_hidden()
    page.screenshot(path=artifacts / "zip-en-cola.png", full_page=True)

    sheet_export.call(SheetExport.objects.get().pk)  # as the worker would

    expect(row).to_contain_text("Listo: 3 hojas")
    page.screenshot(path=artifacts / "zip-listo.png", full_page=True)
    with page.expect_download() as download:
        row.get_by_role("link", name="Descargar ZIP").click()
    assert download.value.suggested_filename == "TMM-F004_2023_T2.zip"
    assert console.violations() == []
