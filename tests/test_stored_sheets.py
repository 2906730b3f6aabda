"""An authorized sheet is rendered once and kept: its PDF is stored on authorization, every
later download reads it without drawing it again, and a report reopened and authorized again
gets a new file. Sheets not authorized are drawn on every download and never kept."""

import io
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from poa.documents import pdf, stored
from poa.selectors.sheet import build_sheet
from poa.services.review import report_authorize, report_reopen
from tests.conftest import State, report_in_state, signer, unit


@pytest.fixture
def drawing():
    """Counts the PDFs WeasyPrint draws (they are still drawn)."""
    with mock.patch.object(pdf, "write_pdf", wraps=pdf.write_pdf) as spy:
        yield spy


def authorize(report, django_capture_on_commit_callbacks):
    """The head of the ramo authorizes; what waits for the commit (the email, keeping the
    sheet) runs."""
    with django_capture_on_commit_callbacks(execute=True):
        report_authorize(report=report, user=signer(report.unidad_ejecutora.ramo.responsable))


def kept_name(clave, quarter=2):
    return stored.stored_name(build_sheet(unit(clave), quarter))


def download(client, user, clave, quarter=2):
    client.force_login(user)
    response = client.get(reverse("poa:sheet-pdf", args=[2023, "59", clave, quarter]))
    assert response.status_code == 200
    return response.content


def text_of(content):
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def test_authorizing_keeps_the_sheet_pdf_in_the_storage(
    reference, django_capture_on_commit_callbacks
):
    report = report_in_state("102", 2, State.REVISADO)
    authorize(report, django_capture_on_commit_callbacks)
    name = kept_name("102")
    assert name.startswith("tmm-f004/2023/59/102/T2-")
    with default_storage.open(name, "rb") as kept:
        text = text_of(kept.read())
    assert "UNIDAD EJECUTORA: 102" in text
    assert "AUTORIZÓ" in text


def test_downloading_an_authorized_sheet_reads_the_kept_pdf_without_drawing_it(
    client, planeacion, django_capture_on_commit_callbacks, drawing
):
    authorize(report_in_state("102", 2, State.REVISADO), django_capture_on_commit_callbacks)
    drawing.reset_mock()
    content = download(client, planeacion, "102")
    assert drawing.call_count == 0
    with default_storage.open(kept_name("102"), "rb") as kept:
        assert content == kept.read()


def test_an_authorized_sheet_not_kept_yet_is_drawn_once_then_read(client, planeacion, drawing):
    # authorized without running what waits for the commit: nothing kept yet
    report_in_state("201", 2, State.AUTORIZADO)
    assert not default_storage.exists(kept_name("201"))
    first = download(client, planeacion, "201")
    assert drawing.call_count == 1
    assert default_storage.exists(kept_name("201"))
    assert download(client, planeacion, "201") == first
    assert drawing.call_count == 1


def test_reopening_and_authorizing_again_keeps_a_new_file(
    client, planeacion, django_capture_on_commit_callbacks, drawing
):
    report = report_in_state("102", 2, State.REVISADO)
    authorize(report, django_capture_on_commit_callbacks)
    first = kept_name("102")
    report_reopen(report=report, user=planeacion, comment="Corregir la meta 101.")
    assert kept_name("102") is None
    report = report_in_state("102", 2, State.REVISADO)
    authorize(report, django_capture_on_commit_callbacks)
    second = kept_name("102")
    assert second != first
    assert default_storage.exists(first) and default_storage.exists(second)
    # The download reads the new file: without the old one nothing is drawn either.
    default_storage.delete(first)
    drawing.reset_mock()
    with default_storage.open(second, "rb") as kept:
        assert download(client, planeacion, "102") == kept.read()
    assert drawing.call_count == 0


def test_a_sheet_not_authorized_is_drawn_on_every_download_and_never_kept(
    client, planeacion, drawing, settings
):
    report_in_state("101", 2, State.REVISADO)
    download(client, planeacion, "101")
    download(client, planeacion, "101")
    assert drawing.call_count == 2
    assert kept_name("101") is None
    assert not (settings.MEDIA_ROOT / "tmm-f004").exists()
