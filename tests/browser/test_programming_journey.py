"""The annual programming in a real browser: the head of a new unit drafts two metas with
their quarterly split (the screen checks the figures as she types, with the server's rules and
words), proposes a unit of measure and sends; planeación returns it with a comment; she fixes
and sends again; planeación accepts the unit of measure and approves; the programming is then
read-only. Each step leaves a screenshot in test-artifacts/journey/. The live checks and the
server's are also compared on a table of typed figures."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.html import json_script
from playwright.sync_api import expect

from poa.models import Meta, Programacion, UnidadMedida
from poa.models.programming import QUARTER_FIELDS
from poa.rules import figures
from poa.rules.states import PROGRAMMING
from poa.services import programming
from tests.browser.test_journey import Journey, confirm_transition
from tests.conftest import make_unit, unit

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static" / "poa" / "js"
SEND, APPROVE, RETURN = (PROGRAMMING.transition(a) for a in ("send", "approve", "return"))
ARGS = [2023, "59", "202"]


@pytest.fixture
def journey(request, live_server, new_context, artifacts):
    call_command("poa_demo", stdout=io.StringIO())
    make_unit("202")  # headed by fabiola.leon, as UE 102
    prefix = "telefono-programacion" if "phone" in request.node.name else "programacion"
    return Journey(live_server, new_context, artifacts, prefix)


def fill_meta(card, *, descripcion, unidad, linea, annual, programado):
    card.get_by_label("Descripción", exact=True).fill(descripcion)
    card.get_by_label("Unidad de medida", exact=True).select_option(label=unidad)
    query, clave = linea
    search = card.get_by_role("combobox", name="Líneas de acción del PMD")
    search.fill(query)
    expect(card.locator(".lineas-options [role=option]").first).to_contain_text(clave)
    search.press("Enter")
    expect(card.locator(".linea-chip").last).to_contain_text(clave)
    card.get_by_label("Meta anual autorizada", exact=True).fill(annual)
    for label, value in zip(figures.QUARTER_LABELS.values(), programado, strict=True):
        card.get_by_label(f"P {label}", exact=True).fill(value)


def cards(page):
    return page.locator(".plan-row")


def shot_whole(journey, page, name):
    """A full-page screenshot with the page scrolled to its end, where the sticky bar of
    actions sits in its own place instead of over the metas."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    journey.shot(page, name)


def script_errors(page):
    """Uncaught errors of the page's scripts, filled as they happen."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


@pytest.mark.django_db(transaction=True)
def test_a_new_unit_drafts_sends_is_returned_and_gets_approved(journey):
    screen = journey.url("poa:programming", *ARGS)

    # The head of UE 202 finds the task on her home page
    head = journey.as_user("fabiola.leon")
    errors = script_errors(head)
    task = head.get_by_role("link", name=PROGRAMMING.initial.task)
    expect(task).to_be_visible()
    journey.shot(head, "inicio")
    task.click()
    expect(head).to_have_url(screen)
    first = cards(head).nth(0)
    expect(first.get_by_label("Número", exact=True)).to_have_value("400")

    # ... types the first meta; a fraction in a unit that counts whole reports is refused live
    fill_meta(
        first,
        descripcion="Informar trimestralmente al consejo de la vinculación con empresas",
        unidad="INFORME",
        linea=("vinculacion", "3.3.1"),
        annual="4",
        programado=["1", "1", "1", "1.5"],
    )
    quarter_4 = first.get_by_label("P Oct-Dic", exact=True)
    expect(quarter_4).to_have_class(re.compile("is-invalid"))
    expect(first.get_by_text("«INFORME» solo admite números enteros")).to_be_visible()
    quarter_4.fill("1")
    expect(first.locator('[data-role="sum"]')).to_have_text("Suma: 4 de 4")

    # ... proposes a unit of measure the catalog lacks and uses it in a second meta
    head.get_by_text("¿Falta una unidad de medida? Propóngala").click()
    head.get_by_label("Nombre de la unidad de medida", exact=True).fill("visita guiada")
    head.get_by_role("button", name="Proponer").click()
    expect(head.locator("#unit-propose-status")).to_contain_text("«VISITA GUIADA»")
    head.get_by_role("button", name="Agregar meta").click()
    second = cards(head).nth(1)
    expect(second.get_by_label("Número", exact=True)).to_have_value("401")
    fill_meta(
        second,
        descripcion="Realizar visitas guiadas de inversionistas a parques industriales",
        unidad="VISITA GUIADA (propuesta)",
        linea=("3.1", "3.1.1"),
        annual="12",
        programado=["3", "3", "3", "2"],
    )
    # ... the keyboard picks a second línea: ↓ to the second option, Enter
    search = second.get_by_role("combobox", name="Líneas de acción del PMD")
    search.fill("3.1")
    expect(second.locator(".lineas-options [role=option]").first).to_contain_text("3.1.2")
    search.press("ArrowDown")  # 3.1.1 is chosen already: 3.1.2 is the only option
    search.press("Enter")
    expect(second.locator(".linea-chip")).to_have_count(2)
    second.get_by_role("button", name="Quitar la línea 3.1.1").click()
    expect(second.locator(".linea-chip")).to_have_text(["3.1.2 PROMOCIÓN DE INVERSIONES×"])
    expect(second.locator('[data-role="sum"]')).to_have_text(
        figures.programmed_total_message(12, [3, 3, 3, 2])
    )
    shot_whole(journey, head, "redactando")
    second.get_by_label("P Oct-Dic", exact=True).fill("3")
    expect(second.locator('[data-role="sum"]')).to_have_text("Suma: 12 de 12")

    # ... and sends, confirming in the same window as every transition
    modal = confirm_transition(head, SEND.label)
    modal.get_by_role("button", name=SEND.confirm).click()
    expect(head.get_by_text(SEND.done)).to_be_visible()
    expect(head.locator(".programming-state-enviada").first).to_be_visible()
    journey.shot(head, "enviada")

    # Planeación finds it waiting, first in its overview, and returns it with a comment
    planeacion = journey.as_user("planeacion")
    planeacion.get_by_role("link", name="Programación", exact=True).click()
    expect(planeacion.locator(".programming-table tbody tr").first).to_contain_text("59-202")
    journey.shot(planeacion, "resumen")
    planeacion.get_by_role("link", name="Mis pendientes").first.click()
    planeacion.get_by_role("link", name=APPROVE.task).click()
    expect(planeacion).to_have_url(screen)
    expect(
        planeacion.get_by_text("Antes de aprobar, acepte las unidades de medida")
    ).to_be_visible()
    modal = confirm_transition(planeacion, RETURN.label, "Pase la meta 401 a la primera posición.")
    journey.shot(planeacion, "devolviendo")
    modal.get_by_role("button", name=RETURN.confirm).click()
    expect(planeacion.get_by_text(RETURN.done)).to_be_visible()

    # The head reads why, moves meta 401 up (the numbers swap) and sends again
    head.goto(screen)
    expect(head.get_by_text("«Pase la meta 401 a la primera posición.»")).to_be_visible()
    cards(head).nth(1).get_by_role("button", name="Subir la meta").click()
    expect(cards(head).nth(0).get_by_label("Número", exact=True)).to_have_value("400")
    expect(cards(head).nth(0).get_by_label("Descripción", exact=True)).to_have_value(
        "Realizar visitas guiadas de inversionistas a parques industriales"
    )
    # ... a meta added by mistake is removed, after a confirmation
    head.get_by_role("button", name="Agregar meta").click()
    third = cards(head).nth(2)
    expect(third.get_by_label("Número", exact=True)).to_have_value("402")
    head.once("dialog", lambda dialog: dialog.accept())
    third.get_by_label("Quitar esta meta").check()
    expect(third).to_have_class(re.compile("plan-row-deleted"))
    shot_whole(journey, head, "corrigiendo")
    modal = confirm_transition(head, SEND.label)
    modal.get_by_role("button", name=SEND.confirm).click()
    expect(head.get_by_text(SEND.done)).to_be_visible()

    # Planeación accepts the unit of measure and approves
    planeacion.goto(screen)
    planeacion.get_by_role("button", name="Aceptar").click()
    expect(planeacion.get_by_text("quedó aceptada en el catálogo")).to_be_visible()
    modal = confirm_transition(planeacion, APPROVE.label)
    modal.get_by_role("button", name=APPROVE.confirm).click()
    expect(planeacion.get_by_text(APPROVE.done)).to_be_visible()
    journey.shot(planeacion, "aprobada")

    # The approved programming reads as a table, for the head too
    head.goto(screen)
    expect(head.get_by_text(PROGRAMMING.state("aprobada").waiting)).to_be_visible()
    assert head.locator("#programming-form").count() == 0
    assert head.locator("main input:not([type=hidden]), main textarea, main select").count() == 0
    journey.shot(head, "solo-lectura")
    ue = unit("202")
    assert Programacion.objects.get(unidad_ejecutora=ue).state == "aprobada"
    metas = Meta.objects.filter(unidad_ejecutora=ue).order_by("numero")
    assert [(m.numero, m.unidad_medida.nombre, m.meta_anual) for m in metas] == [
        (400, "VISITA GUIADA", 12),
        (401, "INFORME", 4),
    ]
    assert UnidadMedida.objects.get(nombre="VISITA GUIADA").aceptada
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_the_screen_works_on_a_phone(journey):
    head = journey.as_user("fabiola.leon")
    head.set_viewport_size({"width": 390, "height": 844})
    head.goto(journey.url("poa:programming", *ARGS))
    card = cards(head).nth(0)
    fill_meta(
        card,
        descripcion="Informe trimestral al consejo",
        unidad="INFORME",
        linea=("4.6", "4.6.1"),
        annual="4",
        programado=["1", "1", "1", "1"],
    )
    expect(card.locator('[data-role="sum"]')).to_have_text("Suma: 4 de 4")
    assert head.evaluate("document.documentElement.scrollWidth") <= 390
    shot_whole(journey, head, "redactando")
    head.get_by_role("button", name="Guardar").click()
    expect(head.get_by_text("Se guardó 1 meta.")).to_be_visible()


# The live checks and the server's agree -------------------------------------------------------
# (figures.js reads a single figure as parse_figure does: tests/browser/test_grid.py)

ROWS = [
    ("4", ["1", "1", "1", "1"]),
    ("4", ["1", "1", "1", "2"]),
    ("6", ["2", "1", "1", "1"]),
    ("", ["1", "1", "1", "1"]),
    ("", ["", "", "", ""]),
    (" ", ["", "", "", ""]),
    ("4.5", ["1", "1", "1", "1.5"]),
    ("10.5", ["2.25", "2.25", "3", "3"]),
    ("10.5", ["2.25", "2.25", "3", "3.01"]),
    ("4", ["1", "", "1", "1"]),
    ("4", ["1", "x", "1", "1"]),
    ("1,000", ["250", "250", "250", "250"]),
    ("1,000", ["250", "250", "250", "249.5"]),
    ("1,000.75", ["250", "250", "250", "250.5"]),
    ("0", ["", "", "", ""]),
    ("12", ["3", "3", "3", "3.000"]),
    ("-4", ["1", "1", "1", "1"]),
    ("99999999999", ["1", "1", "1", "1"]),
    ("4", ["1,5", "1", "1", "1"]),
    ("340", ["70", "100", "100", "70"]),
    ("0.5", ["0.25", "0.25", "", ""]),
    ("4.001", ["1", "1", "1", "1.001"]),
    ("9999999999.99", ["9999999999.99", "", "", ""]),
    ("1,234", ["1,000", "234", "", ""]),
    ("12", ["\u00a03 ", "3", "3", "3"]),
    ("١٢", ["3", "3", "3", "3"]),
]
FIGURE_FIELDS = {"meta_anual", "programado", *QUARTER_FIELDS}


def server_row(annual, programado, unidad):
    row = programming.PlanRow(
        key="nueva-1",
        numero="400",
        descripcion="Meta",
        unidad_medida=unidad,
        meta_anual=annual,
        programado=programado,
    )
    _, errors = programming.validate_plan_row(row, ejercicio_id=None, unidad_ejecutora=None)
    return {name: message for name, message in errors.items() if name in FIGURE_FIELDS}


@pytest.fixture
def live_figures(page):
    """figures.js and programming.js in Chromium with the server's messages, handed over as
    the page hands them (no server and no database needed). Without the `db` fixture on
    purpose: a non-transactional test's connection is opened in one context and Playwright's
    sync API tears the session down in another, so on PostgreSQL the connection outlived the
    run and the test database could not be dropped («being accessed by other users»)."""
    page.set_content(
        "<!doctype html><title>programación</title>"
        + json_script(figures.FIGURE_MESSAGES, "figure-messages")
    )
    page.add_script_tag(path=str(STATIC / "figures.js"))
    page.add_script_tag(path=str(STATIC / "programming.js"))
    return page


def test_live_and_server_check_a_meta_alike(live_figures):
    """Every combination of typed annual target and quarters, in whole and decimal units: the
    same fields refused with the same words, the sum message included."""
    for decimales in (False, True):
        unidad = UnidadMedida(nombre="INFORME", admite_decimales=decimales)
        computed = live_figures.evaluate(
            """([rows, rules, required]) => rows.map(([annual, programado]) =>
                 window.poaProgramming.checkRow(annual, programado, rules, required).errors)""",
            [ROWS, {"wholeOnly": not decimales, "unidad": "INFORME"}, programming.ANNUAL_REQUIRED],
        )
        for (annual, programado), live in zip(ROWS, computed, strict=True):
            server = server_row(annual, programado, unidad)
            assert live == server, (annual, programado, decimales)
    assert any("programado" in server_row(a, p, unidad) for a, p in ROWS)


def test_sums_are_printed_as_the_sheet_prints_them(live_figures):
    cases = [("1,000.75", ["250", "250", "250", "250.5"]), ("4", ["1", "1", "1", "2"])]
    for annual, programado in cases:
        live = live_figures.evaluate(
            """([annual, programado]) => {
                 const read = t => window.poaFigures.parse(t).value || 0n;
                 return window.poaProgramming.totalMessage(read(annual), programado.map(read));
               }""",
            [annual, programado],
        )
        expected = figures.programmed_total_message(
            Decimal(annual.replace(",", "")), [Decimal(p) for p in programado]
        )
        assert live == expected
