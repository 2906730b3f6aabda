"""Planeación's Excel page in a real browser: the template downloads, a book with an error is
refused with the error's sheet, row and column, the corrected book is previewed and then
imported. Screenshots in test-artifacts/journey/excel-*.png."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from poa.models import Meta
from tests.browser.test_journey import Journey
from tests.plan_books import YEAR, book, save_book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey(live_server, new_context, artifacts):
    call_command("poa_demo", stdout=io.StringIO())
    return Journey(live_server, new_context, artifacts, "excel")


def test_excel_planeacion_previews_corrects_and_imports_a_year(journey, tmp_path):
    page = journey.as_user("planeacion")
    page.get_by_role("button", name="Planeación").click()
    page.get_by_role("link", name="Excel del año").click()
    expect(page.get_by_role("heading", name="Libro de Excel del ejercicio")).to_be_visible()
    journey.shot(page, "pagina")

    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar la plantilla").click()
    template = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert template.sheetnames[0] == "Instrucciones"

    wrong = save_book(tmp_path / "con-error.xlsx", book(Metas={(2, "P Oct-Dic"): 2}))
    page.get_by_label("Libro de Excel (.xlsx)").set_input_files(wrong)
    page.get_by_role("button", name="Revisar el libro").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("La suma de lo programado por trimestre (5)")
    expect(page.get_by_role("button", name="Confirmar importación")).to_have_count(0)
    journey.shot(page, "errores")

    page.get_by_role("button", name="Descartar el libro").click()
    right = save_book(tmp_path / "correcto.xlsx", book())
    page.get_by_label("Libro de Excel (.xlsx)").set_input_files(right)
    page.get_by_role("button", name="Revisar el libro").click()
    expect(page.locator("#import-counts")).to_contain_text("Metas")
    journey.shot(page, "revision")

    page.get_by_role("button", name="Confirmar importación").click()
    expect(page.get_by_role("alert")).to_contain_text("Ejercicio 2025 importado: 10 registros")
    journey.shot(page, "importado")
    assert Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=YEAR).count() == 2
