"""The quarterly journey in a real browser: UE 201 captures Q3 2023, its head sends, the
program head returns it, it is fixed and sent again, reviewed and authorized; the PDF then
carries the three signatures and the grid no longer takes input. The signer reads the figures,
the variance of 305 marked, before signing; the capturista tells the head the capture is
ready. Each step leaves a screenshot in test-artifacts/journey/."""

import io
import random
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from poa.models import Ejercicio, QuarterlyProgress, Report, ReportEvent
from poa.rules import dates, figures
from poa.services.periods import period_open
from tests.conftest import unit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "poa-demo-2023"
FIGURES_JS = Path(__file__).resolve().parents[2] / "static" / "poa" / "js" / "figures.js"
ARGS = [2023, "59", "201", 3]
AARON = "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"


class Journey:
    """One browser context per person, all on the same live server."""

    def __init__(self, live_server, new_context, folder, prefix):
        self.base, self.new_context, self.folder = live_server.url, new_context, folder
        self.prefix, self.pages, self.step = prefix, {}, 0
        for old in folder.glob(f"{prefix}-*.png"):
            old.unlink()

    def url(self, name, *args):
        return self.base + reverse(name, args=args)

    def as_user(self, username):
        if username not in self.pages:
            page = self.new_context().new_page()
            page.goto(self.base + reverse("login"))
            page.get_by_label("Usuario").fill(username)
            page.get_by_label("Contraseña").fill(PASSWORD)
            page.get_by_role("button", name="Entrar").click()
            expect(page.get_by_role("heading", name="Mis pendientes")).to_be_visible()
            self.pages[username] = page
        return self.pages[username]

    def shot(self, page, name, full_page=True):
        """full_page=False shows the window only, as a phone does with a modal open."""
        self.step += 1
        path = self.folder / f"{self.prefix}-{self.step:02d}-{name}.png"
        page.screenshot(path=path, full_page=full_page, animations="disabled")


@pytest.fixture
def journey(request, live_server, new_context, artifacts):
    call_command("poa_demo", stdout=io.StringIO())
    # Planeación opens the quarter with its own deadline, as it would from its page.
    period_open(
        ejercicio=Ejercicio.objects.get(year=2023),
        quarter=3,
        deadline=timezone.now() + timedelta(days=20),
        user=get_user_model().objects.get(username="planeacion"),
    )
    prefix = request.node.originalname.removeprefix("test_").split("_")[0]
    return Journey(live_server, new_context, artifacts, prefix)


def fill_on_plan(page):
    """Types A = P for every meta of the grid."""
    for row in page.locator("tr.capture-row").all():
        programado = Decimal(row.get_attribute("data-programado"))
        row.locator("input.figure-input").fill(figures.format_figure(programado))


def report_state():
    return Report.objects.get(unidad_ejecutora=unit("201"), quarter=3).state


def confirm_transition(page, label, comment=None):
    page.get_by_role("button", name=label, exact=True).click()
    modal = page.locator(".modal.show")
    expect(modal).to_be_visible()
    if comment is not None:
        modal.locator("textarea").fill(comment)
    return modal


def test_quarter_of_201_from_capture_to_authorized_pdf(journey):
    grid_url = journey.url("poa:capture-grid", *ARGS)
    report_url = journey.url("poa:report", *ARGS)

    # The capturista finds the grid on the home page
    capturista = journey.as_user("captura201")
    expect(capturista.get_by_text("Capturar lo alcanzado")).to_be_visible()
    journey.shot(capturista, "capturista-inicio")
    capturista.get_by_text("Capturar lo alcanzado").click()
    expect(capturista).to_have_url(grid_url)

    # ... types a variance without an observation; the row's figures follow as they type
    fill_on_plan(capturista)
    row_305 = capturista.locator("#meta-305")
    row_305.locator("input.figure-input").fill("90")
    expect(row_305.locator('[data-role="absolute"]')).to_have_text("262")
    expect(row_305.locator('[data-role="relative"]')).to_have_text("77%")
    expect(row_305.locator(".invalid-feedback")).to_have_text(
        "Explique por qué lo alcanzado (90) difiere de lo programado (100)."
    )
    journey.shot(capturista, "grid-tecleando")

    # ... the server refuses it next to the field and keeps what was typed
    capturista.get_by_role("button", name="Guardar").click()
    expect(row_305.locator(".invalid-feedback")).to_have_text(
        "Explique por qué lo alcanzado (90) difiere de lo programado (100)."
    )
    expect(row_305.locator("input.figure-input")).to_have_value("90")
    expect(row_305.locator('[data-role="relative"]')).to_have_text("77%")
    assert QuarterlyProgress.objects.get(meta__numero=305, quarter=3).alcanzado is None
    journey.shot(capturista, "grid-error")

    # ... explains it and saves
    row_305.locator("textarea").fill("Se pospusieron diez visitas de prospección.")
    capturista.get_by_role("button", name="Guardar").click()
    expect(capturista.get_by_text("Se guardaron las cifras de 8 metas.")).to_be_visible()
    expect(row_305.locator('[data-role="absolute"]')).to_have_text("262")
    journey.shot(capturista, "grid-guardado")

    # The head of the unit sends it, signing ELABORÓ
    head = journey.as_user("aaron.alvarez")
    head.goto(grid_url)
    modal = confirm_transition(head, "Enviar (firmar ELABORÓ)")
    expect(modal).to_contain_text("Se guardarán las cifras.")
    modal.get_by_role("button", name="Sí, enviar y firmar ELABORÓ").click()
    expect(head).to_have_url(report_url)
    expect(head.locator(".state-badge")).to_have_text("Enviado")
    assert report_state() == Report.State.ENVIADO
    journey.shot(head, "informe-enviado")

    # The program head (the same account here) returns it: the comment is required
    modal = confirm_transition(head, "Devolver")
    modal.get_by_role("button", name="Sí, devolver").click()
    expect(head.get_by_text("Escriba el motivo de la devolución.")).to_be_visible()
    assert report_state() == Report.State.ENVIADO
    journey.shot(head, "devolver-sin-motivo")
    head.locator("textarea[name=comment]").fill(
        "Detalle en la meta 305 qué visitas se pospusieron y para cuándo."
    )
    head.get_by_role("button", name="Sí, devolver").click()
    expect(head.locator(".state-badge")).to_have_text("Borrador")
    expect(head.locator(".timeline-comment").last).to_contain_text("qué visitas se pospusieron")
    journey.shot(head, "informe-devuelto")

    # The capturista sees why and fixes it
    capturista.goto(journey.base + "/")
    expect(capturista.get_by_text("Detalle en la meta 305")).to_be_visible()
    journey.shot(capturista, "capturista-devuelto")
    capturista.get_by_text("Capturar lo alcanzado").click()
    expect(capturista.locator(".returned-reason")).to_contain_text("Detalle en la meta 305")
    capturista.locator("#meta-305 textarea").fill(
        "Se pospusieron diez visitas de prospección a empresas de Asia para octubre."
    )
    journey.shot(capturista, "grid-corrigiendo")
    capturista.get_by_role("button", name="Guardar").click()
    expect(capturista.get_by_text("Se guardaron las cifras de 1 meta.")).to_be_visible()

    # The head sends again, the program head reviews, the ramo head authorizes
    head.goto(grid_url)
    modal = confirm_transition(head, "Enviar (firmar ELABORÓ)")
    modal.get_by_role("button", name="Sí, enviar y firmar ELABORÓ").click()
    expect(head.locator(".state-badge")).to_have_text("Enviado")
    confirm_transition(head, "Revisar (firmar REVISÓ)")
    head.get_by_role("button", name="Sí, revisar y firmar REVISÓ").click()
    expect(head.locator(".state-badge")).to_have_text("Revisado")
    journey.shot(head, "informe-revisado")
    confirm_transition(head, "Autorizar (firmar AUTORIZÓ)", "Conforme.")
    journey.shot(head, "autorizar-confirmacion")
    head.get_by_role("button", name="Sí, autorizar y firmar AUTORIZÓ").click()
    expect(head.locator(".state-badge")).to_have_text("Autorizado")
    assert report_state() == Report.State.AUTORIZADO
    journey.shot(head, "informe-autorizado")

    head.get_by_role("link", name="Hoja TMM-F004").click()
    expect(head.locator(".signature-blocks")).to_contain_text("AUTORIZÓ")
    journey.shot(head, "hoja-autorizada")

    # The PDF carries the three names, positions and dates
    response = head.request.get(journey.url("poa:sheet-pdf", *ARGS))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)
    signatures = text[text.rindex("ELABORÓ") :]
    assert signatures.count(AARON) == 3
    assert "COORDINADOR DE PROMOCIÓN" in signatures
    assert signatures.count("ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA") == 2
    today = dates.sheet_date(timezone.localtime().date())
    assert signatures.count(f"FECHA: {today}") == 3

    # ... and the capturista can no longer change anything
    capturista.goto(grid_url)
    expect(capturista.get_by_text("El informe está autorizado")).to_be_visible()
    assert capturista.locator("input.figure-input, textarea").count() == 0
    assert capturista.get_by_role("button", name="Guardar").count() == 0
    journey.shot(capturista, "grid-solo-lectura")

    # The history of meta 305 shows who changed what
    capturista.locator("#meta-305 a").first.click()
    expect(capturista.locator(".meta-history")).to_contain_text("captura201")
    journey.shot(capturista, "meta-305-historial")


SIGNER_OBSERVATION = "Se pospusieron diez visitas de prospección a empresas de Asia para octubre."


def test_signer_reads_the_figures_and_the_variance_of_305_before_reviewing(journey):
    grid_url = journey.url("poa:capture-grid", *ARGS)
    report_url = journey.url("poa:report", *ARGS)

    # The capturista captures the quarter, 305 below plan with its reason, and saves
    capturista = journey.as_user("captura201")
    capturista.goto(grid_url)
    fill_on_plan(capturista)
    capturista.locator("#meta-305 input.figure-input").fill("90")
    capturista.locator("#meta-305 textarea").fill(SIGNER_OBSERVATION)
    capturista.get_by_role("button", name="Guardar").click()
    expect(capturista.get_by_text("Se guardaron las cifras de 8 metas.")).to_be_visible()

    # ... and tells the head the capture is ready
    modal = confirm_transition(capturista, "Avisar al responsable: captura lista")
    expect(modal.locator(".modal-title")).to_have_text("Avisar al responsable: captura lista")
    assert modal.locator(".confirmation-table").count() == 0
    modal.get_by_role("button", name="Sí, avisar al responsable").click()
    expect(capturista).to_have_url(report_url)
    expect(
        capturista.get_by_text("Se avisó al responsable de la unidad que la captura está lista.")
    ).to_be_visible()
    assert ReportEvent.objects.filter(action="ready").count() == 1

    # The head finds it counted and announced on the home page
    head = journey.as_user("aaron.alvarez")
    task = head.locator(".pending-item", has_text="UE 201")
    expect(task.locator(".capture-count")).to_contain_text("8 de 8 metas capturadas")
    expect(task.locator(".capture-count")).to_contain_text("captura lista, avisó")
    journey.shot(head, "inicio-captura-lista")

    # ... sends it from the report page, reading the figures in the confirmation
    head.goto(report_url)
    modal = confirm_transition(head, "Enviar (firmar ELABORÓ)")
    expect(modal.locator('[data-meta="305"]')).to_contain_text("Difiere de lo programado")
    journey.shot(head, "enviar-confirmacion")
    modal.get_by_role("button", name="Sí, enviar y firmar ELABORÓ").click()
    expect(head.locator(".state-badge")).to_have_text("Enviado")

    # The program head (the same account) opens the review: 305 is marked, 304 is not
    modal = confirm_transition(head, "Revisar (firmar REVISÓ)")
    row_305 = modal.locator('[data-meta="305"]')
    expect(row_305.locator('[data-role="programmed"]')).to_have_text("100")
    expect(row_305.locator('[data-role="achieved"]')).to_have_text("90")
    expect(row_305.locator('[data-role="absolute"]')).to_have_text("262")
    expect(row_305.locator('[data-role="relative"]')).to_have_text("77%")
    expect(row_305.locator(".variance-mark")).to_have_text("≠ Difiere de lo programado")
    expect(row_305).to_contain_text(SIGNER_OBSERVATION)
    expect(modal.locator('[data-meta="304"] .variance-mark')).to_have_count(0)
    expect(modal.get_by_role("button", name="Sí, revisar y firmar REVISÓ")).to_be_visible()
    modal.get_by_role("link", name="305").click()  # the summary leads to the variance
    expect(row_305).to_be_in_viewport()
    journey.shot(head, "revisar-confirmacion")

    # ... on a phone the confirmation fills the screen and its body scrolls
    head.set_viewport_size({"width": 390, "height": 844})
    row_305.scroll_into_view_if_needed()
    expect(row_305).to_be_in_viewport()
    expect(modal.get_by_role("button", name="Sí, revisar y firmar REVISÓ")).to_be_in_viewport()
    journey.shot(head, "revisar-telefono", full_page=False)
    modal.get_by_role("button", name="Sí, revisar y firmar REVISÓ").click()
    expect(head.locator(".state-badge")).to_have_text("Revisado")
    assert report_state() == Report.State.REVISADO


def test_planeacion_sees_the_overview_and_the_periods(journey):
    planeacion = journey.as_user("planeacion")
    expect(
        planeacion.get_by_role("heading", name="Informes de los periodos abiertos")
    ).to_be_visible()
    expect(planeacion.locator(".reports-table tbody tr")).to_have_count(3)
    journey.shot(planeacion, "planeacion-inicio")
    planeacion.get_by_role("link", name="Administrar periodos de captura").click()
    expect(planeacion.locator(".periods-table")).to_contain_text("2023 · T3")
    # a deadline in the past is refused in Spanish
    planeacion.get_by_label("Trimestre").select_option("4")
    planeacion.get_by_label("Fecha límite de captura").fill("01/01/2020 10:00")
    planeacion.get_by_role("button", name="Abrir captura").click()
    expect(
        planeacion.get_by_text("La fecha límite debe ser posterior a este momento.")
    ).to_be_visible()
    journey.shot(planeacion, "planeacion-periodos")
    # a later deadline for one unit needs a reason
    t3 = planeacion.locator(".periods-table tr", has_text="2023 · T3")
    t3.get_by_role("link", name="Prórroga a una unidad").click()
    planeacion.get_by_label("Unidad ejecutora").select_option(
        label="201 DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL"
    )
    planeacion.get_by_role("button", name="Otorgar prórroga").click()
    expect(planeacion.get_by_text("Escriba el motivo de la prórroga.")).to_be_visible()
    journey.shot(planeacion, "prorroga-error")


def test_live_figures_round_exactly_like_the_server(page):
    """figures.js and poa.rules.figures.percent agree on every case, half-up and on decimals."""
    page.set_content("<!doctype html><title>x</title>")
    page.add_script_tag(path=str(FIGURES_JS))
    generator = random.Random(2023)
    cases = [("172", "340"), ("1", "6"), ("1", "8"), ("16", "15"), ("6", "4"), ("1", "200")]
    cases += [("0.5", "1"), ("2.5", "1000"), ("1,234", "2,468"), ("0", "7")]
    for _ in range(300):
        whole = generator.randint(1, 5000)
        cases.append((str(generator.randint(0, 2 * whole)), str(whole)))
        cases.append((f"{generator.randint(0, 99999) / 100:.2f}", f"{whole / 100:.2f}"))
    computed = page.evaluate(
        """cases => cases.map(([part, whole]) => {
             const c = window.poaFigures;
             const p = c.percent(c.hundredths(part), c.hundredths(whole));
             return [p === null ? null : p.toString(), c.formatFigure(c.hundredths(part))];
           })""",
        cases,
    )
    for (part, whole), (js_percent, js_figure) in zip(cases, computed, strict=True):
        part_value, whole_value = (Decimal(re.sub(",", "", v)) for v in (part, whole))
        assert js_percent == str(figures.percent(part_value, whole_value)), (part, whole)
        assert js_figure == figures.format_figure(part_value), part
