"""Closing a capture period asks in the same in-page window as every transition, never with
the browser's own confirm()."""

import re
from pathlib import Path

from django.urls import reverse

from tests.conftest import open_q3

ROOT = Path(__file__).resolve().parents[1]


def test_closing_a_period_asks_in_an_in_page_window(client, planeacion):
    period = open_q3(planeacion)
    client.force_login(planeacion)
    html = client.get(reverse("poa:periods")).content.decode()
    assert "data-confirm" not in html
    assert f'data-bs-target="#modal-cerrar-{period.pk}"' in html
    modal = html.split(f'id="modal-cerrar-{period.pk}"')[1]
    action = reverse("poa:period-close", args=[period.pk])
    assert re.search(rf'<form class="modal-content" method="post" action="{action}">', modal)
    assert "Sí, cerrar la captura" in modal


def test_no_page_asks_with_the_browsers_confirm_before_a_change_of_state():
    templates = "".join(p.read_text() for p in (ROOT / "templates").rglob("*.html"))
    assert "data-confirm=" not in templates
    assert "data-confirm" not in (ROOT / "static/poa/js/app.js").read_text()


MODAL = re.compile(r'<div class="modal fade" id="modal-(?P<slug>[a-z]+)"')


def test_every_programming_transition_asks_in_a_window(
    client, ue_202, head_102, capturista_202, planeacion
):
    from poa.services import programming
    from tests.conftest import plan_row

    programacion = programming.programming_of(ue_202)
    programming.programming_save(
        programacion=programacion, user=capturista_202, version=0, rows=[plan_row(400)]
    )
    page_url = reverse("poa:programming", args=[2023, "59", "202"])
    client.force_login(capturista_202)
    assert set(MODAL.findall(client.get(page_url).content.decode())) == {"avisar"}
    client.force_login(head_102)
    html = client.get(page_url).content.decode()
    assert set(MODAL.findall(html)) == {"enviar"}
    assert re.search(r'<button type="submit"[^>]* form="programming-form" name="send"', html)
    programming.programming_send(programacion=programacion, user=head_102)
    client.force_login(planeacion)
    html = client.get(page_url).content.decode()
    assert set(MODAL.findall(html)) == {"aprobar", "devolver"}
    assert "data-confirm" not in html
