"""The capture grid as its users live it, in Chromium: what it refuses while they type is
what the server refuses, with the same Spanish message; Enter does not save; an expired
session gives back what was typed; a phone can capture. Screenshots go to
test-artifacts/journey/grid-*.png."""

import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils.html import json_script
from playwright.sync_api import expect

from poa.models import CapturePeriod, QuarterlyProgress, Report, UnidadMedida
from poa.rules import figures
from poa.services.capture import capture_save
from poa.services.periods import period_close
from tests.conftest import make_capturista, open_q3, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIGURES_JS = Path(__file__).resolve().parents[2] / "static" / "poa" / "js" / "figures.js"
PASSWORD = "x-123456"
GRID = reverse("poa:capture-grid", args=[2023, "59", "201", 3])
EXPIRED = "Su sesión expiró; inicie sesión de nuevo y se recuperará lo que capturó."
BANNER = "Hay cifras sin guardar de su sesión anterior:"

# What people type, and what they might paste; each is read for a whole and a decimal unit.
TYPED = [
    "", "   ", " 12 ", "12", "0", "00012", "7.5", "7.50", "7.25", "7.00", "7.125", "1,5",
    "1,50", "0,5", "12,00", "1,500", "1,500.5", "1,234.56", "1,234.567", "1,000,000",
    "999,999,999.99", "12,3456", "1,5000", "1,23,456", "12.345", "-3", "-1,500", "-0", "-1,5",
    "- 3", "−3", "--3", "\u0661\u0662", "\uff11\uff12", "1_000", "1e3", "1.5e2", "0x10", "+5",
    ".5", "5.", "1.", "1.2.3", "1 000", "abc", "12a", "NaN", "Infinity", "9999999999",
    "9999999999.99", "9999999999.999", "10000000000", "10,000,000,000",
    "123456789012345678901234567890", "0.001", "0.00", "1.000", "3.14159", "\u00a012\u00a0",
    "\ufeff12", "\t7\n", "12\u200b",
]  # fmt: skip
UNITS = [(True, "EMPRESA"), (False, "HORA")]


def server_reading(text, whole_only, unidad):
    """[hundredths or None, message or None], as parse_figure reads `text`."""
    try:
        value = figures.parse_figure(text, whole_only=whole_only, measure=unidad)
    except figures.FigureError as error:
        return [None, str(error)]
    return [None if value is None else str(int(value * 100)), None]


def test_figures_js_accepts_and_refuses_what_the_server_does(page):
    page.set_content(
        "<!doctype html><title>cifras</title>"
        + json_script(figures.FIGURE_MESSAGES, "figure-messages")
    )
    page.add_script_tag(path=str(FIGURES_JS))
    cases = [(text, whole, unidad) for text in TYPED for whole, unidad in UNITS]
    browser = page.evaluate(
        """cases => cases.map(([text, wholeOnly, unidad]) => {
             const read = window.poaFigures.parse(text, {wholeOnly, unidad});
             return [read.value === null ? null : read.value.toString(), read.error];
           })""",
        cases,
    )
    for case, js in zip(cases, browser, strict=True):
        assert js == server_reading(*case), case
    # the table exercises every message and both outcomes
    seen = {message for _, message in browser}
    assert {figures.FIGURE_MESSAGES[key] for key in ("invalid", "decimal_comma")} <= seen
    assert figures.whole_number_message("EMPRESA") in seen
    assert sum(value is not None for value, _ in browser) >= 20


def test_figures_js_asks_for_an_observation_when_the_server_does(page):
    page.set_content("<!doctype html><title>cifras</title>")
    page.add_script_tag(path=str(FIGURES_JS))
    generator = random.Random(305)
    cases = [("100", "90", "0"), ("100", "100", "0"), ("0", "1", "10"), ("100", "", "0")]
    cases += [("100", "110", "10"), ("100", "110.01", "10"), ("3", "2", "33.3"), ("3", "2", "34")]
    for _ in range(200):
        programmed = generator.randint(0, 400)
        achieved = generator.choice([programmed, generator.randint(0, 500), ""])
        threshold = generator.choice(["0", "5", "10", "12.5", "33.33", "0.001"])
        cases.append((str(programmed), str(achieved), threshold))
    browser = page.evaluate(
        """cases => cases.map(([programmed, achieved, threshold]) => {
             const f = window.poaFigures;
             const typed = achieved === "" ? null : f.hundredths(achieved);
             return f.needsObservation(f.hundredths(programmed), typed, threshold);
           })""",
        cases,
    )
    for (programmed, achieved, threshold), js in zip(cases, browser, strict=True):
        typed = Decimal(achieved) if achieved else None
        expected = figures.needs_observation(Decimal(programmed), typed, float(threshold))
        assert js == expected, (programmed, achieved, threshold)


# --- on the grid ------------------------------------------------------------------------


@pytest.fixture
def grid(live_server, planeacion):
    """UE 201's third quarter open; PROSPECTO (meta 305) counts in decimals, EMPRESA (300)
    in whole companies."""
    open_q3(planeacion)
    UnidadMedida.objects.filter(nombre="PROSPECTO").update(admite_decimales=True)
    make_capturista("captura201", "201")
    return live_server.url + GRID


def log_in(page, base, username="captura201"):
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()


def open_grid(page, grid):
    page.goto(grid)
    log_in(page, grid)
    expect(page).to_have_url(grid)
    page.wait_for_load_state()


def achieved(numero):
    return QuarterlyProgress.objects.get(meta__numero=numero, quarter=3).alcanzado


def test_the_grid_refuses_live_what_the_server_refuses_with_its_message(grid, page, artifacts):
    open_grid(page, grid)
    expect(page.locator(".grid-legend")).to_have_text("P: programado · A: alcanzado")
    row_300, row_305 = page.locator("#meta-300"), page.locator("#meta-305")
    a_300 = row_300.locator("input.figure-input")
    whole = "La unidad de medida «EMPRESA» solo admite números enteros."

    a_300.fill("7.5")
    expect(row_300.locator(".invalid-feedback")).to_have_text(whole)
    expect(a_300).to_have_class(re.compile(r"\bis-invalid\b"))
    # a refused figure computes nothing
    expect(row_300.locator('[data-role="absolute"]')).to_have_text("—")
    expect(row_300.locator('[data-role="relative"]')).to_have_text("—")

    row_305.locator("input.figure-input").fill("1,5")
    expect(row_305.locator(".invalid-feedback")).to_have_text(
        "Use punto decimal, no coma: por ejemplo 1.5."
    )
    row_305.locator("input.figure-input").fill("99.5")
    expect(row_305.locator('[data-role="absolute"]')).to_have_text("271.5")
    expect(row_305.locator('[data-role="relative"]')).to_have_text("80%")
    live_notes = "Explique por qué lo alcanzado (99.5) difiere de lo programado (100)."
    expect(row_305.locator(".invalid-feedback")).to_have_text(live_notes)
    expect(row_305.locator("textarea")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=artifacts / "grid-01-en-vivo.png", full_page=True)

    page.get_by_role("button", name="Guardar").click()
    # the server refuses the same two fields with the same words, and saves nothing
    expect(row_300.locator(".invalid-feedback")).to_have_text(whole)
    expect(row_305.locator(".invalid-feedback")).to_have_text(live_notes)
    expect(row_305.locator('[data-role="absolute"]')).to_have_text("271.5")
    assert achieved(300) is None and achieved(305) is None

    a_300.fill("4")
    expect(row_300.locator(".invalid-feedback")).to_have_count(0)
    expect(a_300).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(row_300.locator('[data-role="absolute"]')).to_have_text("20")
    row_305.locator("textarea").fill("Se pospusieron visitas.")
    expect(row_305.locator(".invalid-feedback")).to_have_count(0)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se guardaron las cifras de 2 metas.")).to_be_visible()
    assert achieved(300) == 4 and achieved(305) == Decimal("99.5")


def test_observations_too_long_once_sent_are_refused_live_with_the_server_words(grid, page):
    """The browser counts a line break as one character, the form sends two (CR LF)."""
    open_grid(page, grid)
    row = page.locator("#meta-305")
    row.locator("input.figure-input").fill("90")
    row.locator("textarea").fill(("a" * 98 + "\n") * 10 + "b" * 10)
    message = "Las observaciones admiten como máximo 1,000 caracteres (lleva 1,010)."
    expect(row.locator(".invalid-feedback")).to_have_text(message)
    page.get_by_role("button", name="Guardar").click()
    expect(row.locator(".invalid-feedback")).to_have_text(message)
    assert achieved(305) is None


def test_enter_in_a_figure_moves_to_the_next_one_and_saves_nothing(grid, page):
    open_grid(page, grid)
    inputs = page.locator("input.figure-input")
    inputs.nth(0).fill("4")
    inputs.nth(0).press("Enter")
    expect(inputs.nth(1)).to_be_focused()
    inputs.nth(1).fill("5")
    inputs.nth(1).press("Enter")
    expect(inputs.nth(2)).to_be_focused()
    inputs.last.focus()
    inputs.last.press("Enter")
    expect(inputs.last).to_be_focused()
    expect(page).to_have_url(grid)
    expect(page.locator(".alert-success")).to_have_count(0)
    expect(inputs.nth(0)).to_have_value("4")
    assert (
        achieved(300) is None
        and Report.objects.get(unidad_ejecutora=unit("201"), quarter=3).version == 0
    )


def type_a_variance(page):
    page.locator("#meta-305 input.figure-input").fill("90")
    page.locator("#meta-305 textarea").fill("Se pospusieron diez visitas.")
    page.locator("#meta-300 input.figure-input").fill("4")


def expire_and_save(page, grid, artifacts, name):
    """The session ends on the server while the page is open; Guardar then lands on login."""
    Session.objects.all().delete()
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".session-expired")).to_have_text(EXPIRED)
    assert f"next={GRID}" in page.url
    page.screenshot(path=artifacts / f"grid-{name}.png", full_page=True)
    log_in(page, grid)
    expect(page).to_have_url(grid)


def test_an_expired_session_gives_back_what_was_typed_without_saving_it(grid, page, artifacts):
    open_grid(page, grid)
    type_a_variance(page)
    expire_and_save(page, grid, artifacts, "02-sesion-expirada")
    assert achieved(305) is None and achieved(300) is None

    banner = page.locator("#draft-banner")
    expect(banner).to_contain_text(BANNER)
    expect(banner.locator(".draft-stale")).to_be_hidden()
    expect(page.locator("#meta-305 input.figure-input")).to_have_value("")
    page.screenshot(path=artifacts / "grid-03-restaurar.png", full_page=True)
    banner.get_by_role("button", name="Restaurar").click()
    expect(banner).to_be_hidden()
    expect(page.locator("#meta-305 input.figure-input")).to_have_value("90")
    expect(page.locator("#meta-305 textarea")).to_have_value("Se pospusieron diez visitas.")
    expect(page.locator("#meta-300 input.figure-input")).to_have_value("4")
    expect(page.locator("#meta-305 [data-role=absolute]")).to_have_text("262")
    assert achieved(305) is None and achieved(300) is None

    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se guardaron las cifras de 2 metas.")).to_be_visible()
    assert achieved(305) == 90 and achieved(300) == 4
    # saved: the draft is gone and nothing is offered again
    page.reload()
    expect(page.locator("#meta-305 input.figure-input")).to_have_value("90")
    expect(banner).to_be_hidden()
    assert page.evaluate("window.localStorage.length") == 0


def test_a_discarded_draft_is_not_offered_again(grid, page, artifacts):
    open_grid(page, grid)
    type_a_variance(page)
    expire_and_save(page, grid, artifacts, "04-sesion-expirada")
    page.locator("#draft-banner").get_by_role("button", name="Descartar").click()
    expect(page.locator("#draft-banner")).to_be_hidden()
    expect(page.locator("#meta-305 input.figure-input")).to_have_value("")
    page.reload()
    expect(page.locator("#meta-305 input.figure-input")).to_be_visible()
    expect(page.locator("#draft-banner")).to_be_hidden()


def test_a_draft_older_than_a_save_warns_and_does_not_overwrite_it(grid, page, aaron):
    open_grid(page, grid)
    type_a_variance(page)
    Session.objects.all().delete()
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".session-expired")).to_be_visible()
    # meanwhile the head of the unit saves meta 305
    report = Report.objects.get(unidad_ejecutora=unit("201"), quarter=3)
    meta_305 = QuarterlyProgress.objects.get(meta__numero=305, quarter=3).meta_id
    capture_save(
        report=report,
        user=aaron,
        version=0,
        rows={meta_305: {"alcanzado": "100", "observaciones": ""}},
    )
    log_in(page, grid)
    banner = page.locator("#draft-banner")
    expect(banner.locator(".draft-stale")).to_be_visible()
    expect(page.locator("#meta-305 input.figure-input")).to_have_value("100")
    banner.get_by_role("button", name="Restaurar").click()
    expect(page.locator("#meta-305 input.figure-input")).to_have_value("90")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".stale-changes")).to_be_visible()
    assert achieved(305) == 100
    # saving again is a deliberate choice
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se guardaron las cifras de 2 metas.")).to_be_visible()
    assert achieved(305) == 90


def test_a_draft_is_not_offered_on_a_grid_that_became_read_only(grid, page, planeacion):
    open_grid(page, grid)
    type_a_variance(page)
    Session.objects.all().delete()
    period_close(period=CapturePeriod.objects.get(quarter=3), user=planeacion)
    page.get_by_role("button", name="Guardar").click()
    log_in(page, grid)
    expect(page.locator(".capture-locked")).to_be_visible()
    expect(page.locator("#draft-banner")).to_have_count(0)
    assert page.locator("input.figure-input, textarea").count() == 0
    assert achieved(305) is None


def log_out(page, answer):
    """Cerrar sesión from the user's menu; `answer` the question, if any (None: none asked)."""
    asked = []

    def respond(dialog):
        asked.append(dialog.message)
        dialog.accept() if answer else dialog.dismiss()

    page.on("dialog", respond)
    page.locator(".navbar .dropdown-toggle").last.click()
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_load_state()
    page.remove_listener("dialog", respond)
    return asked


def test_logging_out_asks_before_dropping_unsaved_figures_and_forgets_them(grid, page):
    """On a shared computer the next person finds no figures typed by the previous one."""
    open_grid(page, grid)
    type_a_variance(page)
    asked = log_out(page, answer=False)
    assert asked and "sin guardar" in asked[0]
    expect(page).to_have_url(grid)
    expect(page.locator("#meta-305 input.figure-input")).to_have_value("90")

    assert log_out(page, answer=True)
    expect(page.get_by_label("Usuario")).to_be_visible()
    assert page.evaluate("Object.keys(window.localStorage)") == []
    page.goto(grid)
    log_in(page, grid)
    expect(page).to_have_url(grid)
    expect(page.locator("#meta-305 input.figure-input")).to_have_value("")
    expect(page.locator("#draft-banner")).to_be_hidden()
    assert achieved(305) is None


def test_logging_out_of_a_saved_grid_asks_nothing(grid, page):
    open_grid(page, grid)
    type_a_variance(page)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se guardaron las cifras de 2 metas.")).to_be_visible()
    assert log_out(page, answer=False) == []
    expect(page.get_by_label("Usuario")).to_be_visible()


@pytest.fixture
def phone(browser, axe_audit):
    """A page 390 px wide, touched rather than clicked."""
    context = browser.new_context(
        locale="es-MX", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.on("page", axe_audit.watch)
    yield context.new_page()
    context.close()


def test_a_phone_keeps_the_meta_in_view_while_its_figures_are_typed(grid, phone, artifacts):
    page = phone
    open_grid(page, grid)
    expect(page.locator(".grid-legend")).to_be_visible()
    page.screenshot(path=artifacts / "grid-05-telefono.png", animations="disabled")
    page.screenshot(path=artifacts / "grid-06-telefono-todo.png", full_page=True)

    row = page.locator("#meta-301")
    figure, notes = row.locator("input.figure-input"), row.locator("textarea")
    figure.tap()
    figure.fill("12")
    expect(row.locator(".invalid-feedback")).to_have_text(
        "Explique por qué lo alcanzado (12) difiere de lo programado (13)."
    )
    notes.tap()
    notes.fill("Una baja en la plantilla.")
    # the row lies within the screen's width: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for field in (figure, notes):
        box = field.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # with the observation at the top of the screen and the card's top scrolled away, the
    # meta's number and unit stay above it
    notes.evaluate("element => element.scrollIntoView({block: 'start', behavior: 'instant'})")
    header = row.locator("td.col-meta")
    card, head, typed = row.bounding_box(), header.bounding_box(), notes.bounding_box()
    assert card["y"] < 0 <= head["y"] < 1
    assert head["y"] + head["height"] <= typed["y"]
    expect(header.get_by_role("link", name="301")).to_be_in_viewport()
    expect(header.locator(".meta-unit")).to_have_text("NÓMINA")
    page.screenshot(path=artifacts / "grid-07-telefono-observacion.png", animations="disabled")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se guardaron las cifras de 1 meta.")).to_be_visible()
    assert achieved(301) == 12


FOCUSED = """() => {
  const element = document.activeElement, style = getComputedStyle(element);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none";
  const row = element.closest("tr.capture-row");
  return {
    figure: element.matches("input.figure-input"), row: row ? row.id : null, ring: ring,
    save: element.matches("button") && element.textContent.trim() === "Guardar",
    tag: element.tagName, text: (element.textContent || element.name || "").trim().slice(0, 40),
  };
}"""


def tab(page):
    page.keyboard.press("Tab")
    here = page.evaluate(FOCUSED)
    assert here["ring"], f"no visible focus on {here}"
    return here


def test_a_capturista_captures_the_quarter_with_the_keyboard_alone(grid, page):
    """Tab reaches every figure in the grid's order, each stop shows where the focus is, a
    refused figure is tied to its message for a screen reader, and Enter on Guardar saves."""
    open_grid(page, grid)
    rows = page.locator("tr.capture-row")
    planned = {row.get_attribute("id"): row.get_attribute("data-programado") for row in rows.all()}
    reached, here = [], tab(page)
    for _ in range(200):
        if here["save"]:
            break
        if here["figure"]:
            reached.append(here["row"])
            type_figure(page, here["row"], planned[here["row"]])
        here = tab(page)
    assert here["save"], "Tab never reached Guardar"
    assert reached == list(planned)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Se guardaron las cifras de {len(planned)} metas.")).to_be_visible()
    assert achieved(300) == Decimal(planned["meta-300"])


def type_figure(page, row_id, programado):
    """On meta 300 (whole companies) a half is typed first: the field says it is invalid and
    points at the message that says why; then the planned figure replaces it."""
    field = page.locator(f"#{row_id} input.figure-input")
    if row_id == "meta-300":
        page.keyboard.type("7.5")
        expect(field).to_have_attribute("aria-invalid", "true")
        message = page.locator(f"#{field.get_attribute('aria-describedby')}")
        expect(message).to_have_text("La unidad de medida «EMPRESA» solo admite números enteros.")
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
    page.keyboard.type(figures.format_figure(Decimal(programado)))
    expect(field).not_to_have_attribute("aria-invalid", "true")
