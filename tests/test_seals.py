"""The seal of an authorized sheet: a folio, the SHA-256 of the kept PDF and the time, recorded
on authorization; the folio, its address and its QR code on every page of a PDF/A-3b; a
reopening supersedes the seal (kept, listed in the report's history) and the next
authorization seals a new revision; a sealed file missing from the storage is a Spanish error,
never a new rendering under the old folio."""

import hashlib
import io
import logging
import shutil
import subprocess
from unittest import mock

import pytest
import segno
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from poa.documents import pdf
from poa.models import Seal
from poa.services.review import report_authorize, report_reopen
from tests.conftest import State, report_in_state, signer, unit

FOLIO = "TMM-F004-2023-59-102-T2"
URL = f"http://poa.mexicali.example/verificar/{FOLIO}/"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.POA_SITE_URL = "http://poa.mexicali.example"


@pytest.fixture
def drawing():
    with mock.patch.object(pdf, "write_pdf", wraps=pdf.write_pdf) as spy:
        yield spy


def authorize(report, capture):
    with capture(execute=True):
        report_authorize(report=report, user=signer(report.unidad_ejecutora.ramo.responsable))
    return Seal.objects.get(authorization__report=report, superseded_at=None)


def authorized(clave, capture, quarter=2):
    return authorize(report_in_state(clave, quarter, State.REVISADO), capture)


def kept(seal):
    with default_storage.open(seal.file_name, "rb") as document:
        return document.read()


def pages(content):
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def test_authorizing_seals_the_sheet_with_its_folio_hash_and_time(
    reference, django_capture_on_commit_callbacks
):
    seal = authorized("102", django_capture_on_commit_callbacks)
    assert seal.folio == FOLIO
    assert seal.sealed_at == seal.authorization.created_at
    content = kept(seal)
    assert seal.sha256 == hashlib.sha256(content).hexdigest()
    assert seal.size == len(content)


def test_every_page_prints_the_folio_and_the_verification_address(
    reference, django_capture_on_commit_callbacks
):
    seal = authorized("201", django_capture_on_commit_callbacks)
    texts = pages(kept(seal))
    assert len(texts) >= 1
    for text in texts:
        assert "FOLIO: TMM-F004-2023-59-201-T2" in text
        assert "http://poa.mexicali.example/verificar/TMM-F004-2023-59-201-T2/" in text


def test_the_sealed_pdf_is_pdf_a_3b(reference, django_capture_on_commit_callbacks):
    reader = PdfReader(io.BytesIO(kept(authorized("102", django_capture_on_commit_callbacks))))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3" pdfaid:conformance="B"' in xmp


def qr_modules(png, size):
    """The QR code drawn at the foot of the page, read back as a matrix of dark modules: the
    dark pixels of the page's lower left corner bound it; each module is sampled at its
    centre."""
    page = Image.open(png).convert("L")
    width, height = page.size
    mm = width / 279.4  # letter, landscape
    corner = page.crop((0, int(height - 17 * mm), int(24 * mm), height))
    dark = corner.point(lambda value: 255 if value < 128 else 0)
    left, top, right, bottom = dark.getbbox()
    step = (right - left) / size
    return [
        [
            corner.getpixel((int(left + (x + 0.5) * step), int(top + (y + 0.5) * step))) < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


@pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="Sin pdftoppm (apt-get install poppler-utils)."
)
def test_the_qr_code_encodes_exactly_the_verification_url(
    reference, django_capture_on_commit_callbacks, tmp_path
):
    document = tmp_path / "sealed.pdf"
    document.write_bytes(kept(authorized("102", django_capture_on_commit_callbacks)))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "300", "-f", "1", "-l", "1", document, tmp_path / "page"],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    expected = [[bool(bit) for bit in row] for row in segno.make(URL, error="m").matrix]
    assert qr_modules(png, len(expected)) == expected


def test_reopening_supersedes_the_seal_and_the_next_authorization_seals_r1(
    client, planeacion, django_capture_on_commit_callbacks
):
    first = authorized("102", django_capture_on_commit_callbacks)
    report = first.report
    report_reopen(report=report, user=planeacion, comment="Corregir la meta 201.")
    first.refresh_from_db()
    assert first.superseded_at is not None and first.superseded_by is None
    second = authorized("102", django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert second.folio == f"{FOLIO}-R1"
    assert first.superseded_by == second
    assert kept(first) != kept(second)  # both kept
    page = client.get(reverse("poa:verify", args=[FOLIO])).content.decode()
    assert f'Sustituido por <a href="/verificar/{FOLIO}-R1/">{FOLIO}-R1</a>' in page
    client.force_login(planeacion)
    history = client.get(report.get_absolute_url()).content.decode()
    assert f"{FOLIO}-R1" in history and f"Sustituido por {FOLIO}-R1" in history


def test_a_sealed_file_missing_is_a_spanish_error_and_a_log_line_never_a_new_pdf(
    client, planeacion, django_capture_on_commit_callbacks, drawing, caplog
):
    seal = authorized("102", django_capture_on_commit_callbacks)
    default_storage.delete(seal.file_name)
    drawing.reset_mock()
    client.force_login(planeacion)
    with caplog.at_level(logging.ERROR, logger="poa.documents"):
        response = client.get(reverse("poa:sheet-pdf", args=[2023, "59", "102", 2]))
    assert response.status_code == 500
    assert f"El PDF sellado con el folio {FOLIO} no está en el almacenamiento" in (
        response.content.decode()
    )
    assert drawing.call_count == 0
    assert not default_storage.exists(seal.file_name)
    assert any(getattr(record, "folio", None) == FOLIO for record in caplog.records)
    public = client.get(reverse("poa:verify-pdf", args=[FOLIO]))
    assert public.status_code == 500 and drawing.call_count == 0


def test_a_kept_file_changed_in_the_storage_is_refused_too(
    client, planeacion, django_capture_on_commit_callbacks
):
    seal = authorized("102", django_capture_on_commit_callbacks)
    content = kept(seal)
    middle = len(content) // 2
    altered = content[:middle] + bytes([content[middle] ^ 1]) + content[middle + 1 :]
    default_storage.delete(seal.file_name)
    default_storage.save(seal.file_name, ContentFile(altered))
    client.force_login(planeacion)
    response = client.get(reverse("poa:sheet-pdf", args=[2023, "59", "102", 2]))
    assert response.status_code == 500
    assert "no coincide con su huella SHA-256" in response.content.decode()


def test_an_authorized_sheet_not_rendered_yet_is_sealed_on_its_first_download(
    client, planeacion, drawing
):
    report_in_state("201", 2, State.AUTORIZADO)  # what waits for the commit did not run
    seal = Seal.objects.get(report__unidad_ejecutora=unit("201"), report__quarter=2)
    assert seal.sha256 == ""
    client.force_login(planeacion)
    url = reverse("poa:sheet-pdf", args=[2023, "59", "201", 2])
    first = client.get(url).content
    seal.refresh_from_db()
    assert seal.sha256 == hashlib.sha256(first).hexdigest()
    assert client.get(url).content == first
    assert drawing.call_count == 1
