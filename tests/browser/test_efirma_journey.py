"""The e.firma and the seal in a real browser: the head of UE 102 signs ELABORÓ of Q3 2023 with
her .cer and .key, the program head reviews, the ramo head authorizes with his .p12; then a
citizen, with no account, opens /verificar/<folio>/, reads what was authorized and uploads the
PDF: «Idéntico al documento autorizado». Screenshots in test-artifacts/journey/."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from poa.management.efirma_demo import make_authority, make_certificate
from poa.models import Report, Seal
from tests.conftest import complete_quarter, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "poa-demo-2023"
KEY_PASSWORD = "Prueba-efirma-2023"
FOLIO = "TMM-F004-2023-59-102-T3"


@pytest.fixture
def efirma(settings, tmp_path):
    """The demo year, and e.firma files of the heads from an authority of the test's own."""
    call_command("poa_demo", stdout=io.StringIO())
    authority = make_authority("AC DE PRUEBAS POA")
    (tmp_path / "raices").mkdir()
    (tmp_path / "raices" / "ac.cer").write_bytes(authority.cer)
    settings.POA_FIRMA_ELECTRONICA = True
    settings.POA_FIRMA_RAICES = str(tmp_path / "raices")
    settings.POA_SITE_URL = "http://poa.mexicali.example"
    fabiola = make_certificate(authority, name="FABIOLA LEON HUERTA CABRERA", rfc="LEHF800101CD2")
    aaron = make_certificate(authority, name="AARON ALEXIS ALVAREZ MARIN", rfc="AAMA800101AB1")
    files = {
        "fabiola.cer": fabiola.cer,
        "fabiola.key": fabiola.key_file(KEY_PASSWORD),
        "aaron.p12": aaron.p12(KEY_PASSWORD),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    complete_quarter("102", 3)
    return tmp_path


def log_in(page, base, username):
    page.goto(base + reverse("login"))
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Mis pendientes")).to_be_visible()


def sign_in_window(page, button, confirm, files, password, shot):
    page.get_by_role("button", name=button).click()
    window = page.locator(".modal.show")
    expect(window.get_by_text("Firma con su e.firma")).to_be_visible()
    for label, path in files.items():
        window.get_by_label(label).set_input_files(path)
    window.get_by_label("Contraseña de la llave privada").fill(password)
    page.screenshot(path=shot, full_page=True)
    window.get_by_role("button", name=confirm).click()


def test_signers_sign_with_their_files_and_a_citizen_verifies_the_pdf(
    live_server, new_context, efirma, artifacts
):
    folder, base = efirma, live_server.url
    report_url = base + reverse("poa:report", args=[2023, "59", "102", 3])

    head = new_context().new_page()
    log_in(head, base, "fabiola.leon")
    head.goto(report_url)
    sign_in_window(
        head,
        "Enviar (firmar ELABORÓ)",
        "Sí, enviar y firmar ELABORÓ",
        {
            "Certificado (.cer)": folder / "fabiola.cer",
            "Llave privada (.key)": folder / "fabiola.key",
        },
        KEY_PASSWORD,
        artifacts / "efirma-1-elaboro.png",
    )
    expect(head.get_by_text("Informe enviado a revisión.")).to_be_visible()
    report = Report.objects.get(unidad_ejecutora=unit("102"), quarter=3)
    assert report.state == Report.State.ENVIADO

    # Playwright drives the browser from an event loop in this thread: the services that
    # sign run in the live server's thread, through the pages.
    ramo_head = new_context().new_page()
    log_in(ramo_head, base, "aaron.alvarez")
    ramo_head.goto(report_url)
    p12 = {"O bien: archivo .p12/.pfx": folder / "aaron.p12"}
    sign_in_window(
        ramo_head,
        "Revisar (firmar REVISÓ)",
        "Sí, revisar y firmar REVISÓ",
        p12,
        KEY_PASSWORD,
        artifacts / "efirma-2-reviso.png",
    )
    expect(ramo_head.get_by_text("Informe revisado.")).to_be_visible()
    sign_in_window(
        ramo_head,
        "Autorizar (firmar AUTORIZÓ)",
        "Sí, autorizar y firmar AUTORIZÓ",
        p12,
        KEY_PASSWORD,
        artifacts / "efirma-3-autorizo.png",
    )
    expect(ramo_head.get_by_role("alert")).to_contain_text("Informe autorizado.")
    expect(ramo_head.locator(".seals")).to_contain_text(FOLIO)
    ramo_head.screenshot(path=artifacts / "efirma-4-historial.png", full_page=True)

    seal = Seal.objects.get(folio=FOLIO)
    sealed = folder / f"{FOLIO}.pdf"
    with default_storage.open(seal.file_name, "rb") as document:
        sealed.write_bytes(document.read())

    citizen = new_context().new_page()
    citizen.goto(f"{base}/verificar/{FOLIO}/")
    expect(
        citizen.get_by_role("heading", name="Verificación de la hoja TMM-F004 autorizada")
    ).to_be_visible()
    expect(citizen.locator("#signatures")).to_contain_text("emitido por AC DE PRUEBAS POA")
    expect(citizen.locator("#sha256")).to_have_text(seal.sha256)
    citizen.get_by_label("PDF a comprobar").set_input_files(sealed)
    citizen.get_by_role("button", name="Comprobar", exact=True).click()
    expect(citizen.locator("#answer")).to_contain_text("Idéntico al documento autorizado")
    citizen.screenshot(path=artifacts / "efirma-5-verificar.png", full_page=True)
