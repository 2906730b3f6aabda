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
