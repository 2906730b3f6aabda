"""Evidence in a real browser: the capturista of UE 201 attaches a photo and a PDF to meta 305
on the capture grid, the head of the unit sees both in the confirmation while signing ELABORÓ
and opens the PDF from there, the files then stay fixed with the report, and the contraloría
opens both from the report's page and finds its downloads on the Auditoría page. Each person's
part is a step function over the same EvidenceJourney, so that another reader of the files
adds their step after the signature. Screenshots go to test-artifacts/journey/."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from poa.models import Ejercicio, Evidencia, Report
from poa.services.periods import period_open
from tests.browser.test_journey import ARGS, Journey, confirm_transition, fill_on_plan
from tests.conftest import unit
from tests.evidence_files import PDF

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


class EvidenceJourney(Journey):
    """A Journey with the files the capturista attaches, on disk, by name."""

    def __init__(self, *args, folder, **kwargs):
        super().__init__(*args, **kwargs)
        photo = io.BytesIO()
        Image.new("RGB", (640, 480), (30, 110, 160)).save(photo, "JPEG")
        self.files = {"foto-evento.jpg": photo.getvalue(), "lista-asistencia.pdf": PDF}
        self.paths = []
        for name, content in self.files.items():
            path = folder / name
            path.write_bytes(content)
            self.paths.append(path)


@pytest.fixture
def evidence_journey(request, live_server, new_context, artifacts, tmp_path):
    call_command("poa_demo", stdout=io.StringIO())
    period_open(
        ejercicio=Ejercicio.objects.get(year=2023),
        quarter=3,
        deadline=timezone.now() + timedelta(days=20),
        user=get_user_model().objects.get(username="planeacion"),
    )
    return EvidenceJourney(live_server, new_context, artifacts, "evidencias", folder=tmp_path)


def capturista_attaches_a_photo_and_a_pdf(journey):
    """On the grid of Q3, after saving the figures, in the row of meta 305."""
    capturista = journey.as_user("captura201")
    capturista.goto(journey.url("poa:capture-grid", *ARGS))
    fill_on_plan(capturista)
    capturista.get_by_role("button", name="Guardar").click()
    expect(capturista.get_by_text("Se guardaron las cifras de 8 metas.")).to_be_visible()

    row = capturista.locator("#meta-305")
    row.get_by_label("Archivos de evidencia de la meta 305").set_input_files(journey.paths)
    journey.shot(capturista, "grid-eligiendo")
    row.get_by_role("button", name="Adjuntar").click()
    expect(
        capturista.get_by_text("Se adjuntaron 2 archivos a la meta 305 (Jul-Sep).")
    ).to_be_visible()
    for name in journey.files:
        expect(row.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert sorted(Evidencia.objects.values_list("name", flat=True)) == sorted(journey.files)
    journey.shot(capturista, "grid-adjuntadas")

    # The meta's page lists them by quarter, with who may still remove them
    row.get_by_role("link", name="305", exact=True).click()
    quarter = capturista.locator("#evidencias-t3")
    expect(quarter.get_by_role("link", name="Quitar foto-evento.jpg")).to_be_visible()
    expect(capturista.locator(".meta-history")).to_contain_text("«foto-evento.jpg» adjuntada")
    journey.shot(capturista, "meta-305-evidencias")


def head_sees_them_while_signing(journey):
    """The head opens the PDF from the confirmation, then signs ELABORÓ."""
    head = journey.as_user("aaron.alvarez")
    head.goto(journey.url("poa:report", *ARGS))
    modal = confirm_transition(head, "Enviar (firmar ELABORÓ)")
    cell = modal.locator('[data-meta="305"] [data-role="evidence"]')
    for name in journey.files:
        expect(cell.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(modal.locator(".evidence-summary")).to_have_text("2 archivos de evidencia.")
    journey.shot(head, "enviar-con-evidencias", full_page=False)
    with head.expect_download() as opened:
        cell.get_by_role("link", name="lista-asistencia.pdf", exact=True).click()
    download = opened.value
    assert download.suggested_filename == "lista-asistencia.pdf"
    assert Path(download.path()).read_bytes() == journey.files["lista-asistencia.pdf"]

    modal.get_by_role("button", name="Sí, enviar y firmar ELABORÓ").click()
    expect(head.locator(".state-badge")).to_have_text("Enviado")
    card = head.locator("#evidencias")
    for name in journey.files:
        expect(card.get_by_role("link", name=name, exact=True)).to_be_visible()
    journey.shot(head, "informe-enviado-evidencias")

    # The sheet's PDF counts the files under the meta's observations
    response = head.request.get(journey.url("poa:sheet-pdf", *ARGS))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)
    assert text.count("Evidencias: 2 archivos") == 1
    (journey.folder / "evidencias-hoja.pdf").write_bytes(response.body())


def files_stay_fixed_after_elaboro(journey):
    capturista = journey.as_user("captura201")
    capturista.goto(journey.url("poa:capture-grid", *ARGS))
    row = capturista.locator("#meta-305")
    expect(row.get_by_role("link", name="foto-evento.jpg", exact=True)).to_be_visible()
    assert row.get_by_role("button", name="Adjuntar").count() == 0
    assert row.get_by_role("link", name="Quitar").count() == 0
    journey.shot(capturista, "grid-evidencias-fijas")


def contraloria_opens_them(journey):
    """The auditor reads the report's files, is offered no signature, and its downloads are
    events of the year."""
    auditor = journey.as_user("contraloria")
    auditor.goto(journey.url("poa:report", *ARGS))
    card = auditor.locator("#evidencias")
    for name, content in journey.files.items():
        with auditor.expect_download() as opened:
            card.get_by_role("link", name=name, exact=True).click()
        assert Path(opened.value.path()).read_bytes() == content
    assert auditor.get_by_role("button", name="Revisar (firmar REVISÓ)").count() == 0
    journey.shot(auditor, "contraloria-informe")

    auditor.get_by_role("link", name="Auditoría").click()
    auditor.get_by_label("Persona").fill("contraloria")
    auditor.get_by_label("Tipo").select_option(label="Evidencia")
    auditor.get_by_role("button", name="Filtrar").click()
    table = auditor.locator(".audit-table")
    for name in journey.files:
        expect(table).to_contain_text(f"Descargó la evidencia «{name}»")
    journey.shot(auditor, "contraloria-auditoria")


def test_a_photo_and_a_pdf_attached_on_the_grid_are_read_by_the_signer(evidence_journey):
    capturista_attaches_a_photo_and_a_pdf(evidence_journey)
    head_sees_them_while_signing(evidence_journey)
    assert Report.objects.get(unidad_ejecutora=unit("201"), quarter=3).state == "enviado"
    files_stay_fixed_after_elaboro(evidence_journey)
    contraloria_opens_them(evidence_journey)
