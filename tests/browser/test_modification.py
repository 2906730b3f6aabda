"""A modificación programática in a real browser: with Q1 and Q2 of 2023 authorized, the head
of UE 201 asks to raise meta 305 in July-September, planeación finds the request on its home
page, compares the figures and approves it, and the meta page then lists both versions. Each
step leaves a screenshot in test-artifacts/journey/."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from poa.models import Meta, Modificacion
from poa.rules.states import MODIFICATION
from tests.browser.test_journey import Journey, confirm_transition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def journey(live_server, new_context, artifacts):
    call_command("poa_demo", stdout=io.StringIO())  # Q1 and Q2 authorized through the services
    return Journey(live_server, new_context, artifacts, "modificacion")


def test_head_of_201_asks_to_raise_meta_305_and_planeacion_approves(journey):
    meta = Meta.objects.get(numero=305)
    meta_url = journey.url("poa:meta-detail", meta.pk)
    approve = MODIFICATION.transition("approve")

    head = journey.as_user("aaron.alvarez")
    head.goto(meta_url)
    form = head.locator("form", has=head.get_by_role("heading", name="Solicitar modificación"))
    expect(form.get_by_label("Programado Abr-Jun")).to_have_attribute("readonly", "")
    expect(form.get_by_text("Informe de Abr-Jun autorizado: no cambia.")).to_be_visible()

    # A first try that does not add up is refused next to the quarters, keeping what was typed
    form.get_by_label("Meta anual").fill("360")
    form.get_by_label("Justificación").fill(
        "Se confirmó la participación en la feria industrial de septiembre."
    )
    form.get_by_role("button", name="Enviar la solicitud a planeación").click()
    expect(head.locator(".sum-error")).to_contain_text("faltan 20")
    expect(head.get_by_label("Meta anual")).to_have_value("360")
    journey.shot(head, "solicitud-error")

    head.get_by_label("Programado Jul-Sep").fill("120")
    head.get_by_role("button", name="Enviar la solicitud a planeación").click()
    expect(head.get_by_text("Solicitud enviada a planeación")).to_be_visible()
    expect(head.locator(".meta-modification .modification-state")).to_have_text("Solicitada")
    journey.shot(head, "solicitud-enviada")

    # Planeación finds it on its home page and compares the figures
    planeacion = journey.as_user("planeacion")
    expect(planeacion.get_by_text(approve.task)).to_be_visible()
    journey.shot(planeacion, "planeacion-inicio")
    planeacion.get_by_text(approve.task).click()
    compare = planeacion.locator(".modification-compare")
    expect(compare.locator("tr.change-row")).to_have_count(2)
    expect(compare.locator("tr", has_text="Meta anual")).to_contain_text("Cambia")
    journey.shot(planeacion, "planeacion-compara")
    modal = confirm_transition(planeacion, approve.label)
    modal.get_by_role("button", name=approve.confirm).click()
    expect(planeacion.get_by_text(approve.done)).to_be_visible()
    assert Modificacion.objects.get().state == "aprobada"
    journey.shot(planeacion, "planeacion-aprobada")

    # The meta page shows the original version and the modified one, in order
    head.goto(meta_url)
    versions = head.locator("tr.meta-version")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("340")
    expect(versions.nth(1)).to_contain_text("360")
    expect(versions.nth(1)).to_contain_text("feria industrial de septiembre")
    journey.shot(head, "meta-versiones")

    # The open quarter's sheet prints the new target with the note
    head.goto(journey.url("poa:sheet", 2023, "59", "201", 3))
    expect(head.locator("#meta-305")).to_contain_text("Meta modificada el")
    journey.shot(head, "hoja-t3-nota")
