"""Public verification of an authorized sheet, without an account: /verificar/<folio>/ shows
what was authorized under the folio and compares an uploaded PDF with the sealed documents;
`poa_verify ARCHIVO.pdf` answers the same in the terminal. Only what was authorized is shown:
no comment, no e-mail address, nothing captured after a reopening."""

import io

import pytest
from django.core.files import uploadedfile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from poa.models import QuarterlyProgress, Seal
from poa.services.review import report_authorize, report_reopen
from poa.web.views import verification
from tests.conftest import State, report_in_state, signer, unit

FOLIO = "TMM-F004-2023-59-102-T2"
IDENTICAL = "Idéntico al documento autorizado"
NO_MATCH = "No coincide con ningún documento autorizado"


def authorized(clave, capture, comment=""):
    report = report_in_state(clave, 2, State.REVISADO)
    with capture(execute=True):
        report_authorize(
            report=report, user=signer(report.unidad_ejecutora.ramo.responsable), comment=comment
        )
    return Seal.objects.get(report=report, superseded_at=None)


def kept(seal):
    with default_storage.open(seal.file_name, "rb") as document:
        return document.read()


def one_byte_changed(content):
    middle = len(content) // 2
    return content[:middle] + bytes([content[middle] ^ 1]) + content[middle + 1 :]


def upload(client, folio, content, name="hoja.pdf"):
    document = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(reverse("poa:verify", args=[folio]), {"documento": document})


@pytest.fixture
def sealed(reference, django_capture_on_commit_callbacks):
    return authorized("102", django_capture_on_commit_callbacks, comment="Autorizo; ver el acta 7.")


def test_the_page_shows_the_authorized_sheet_without_login(client, sealed):
    response = client.get(f"/verificar/{FOLIO}/")
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        FOLIO,
        "102 DEPARTAMENTO ADMINISTRATIVO",
        "2 (Abr-Jun)",
        sealed.sha256,
        "ELABORÓ</strong>: LIC. FABIOLA LEÓN HUERTA CABRERA",
        "REVISÓ</strong>: LIC. AARÓN ALEXIS ÁLVAREZ MARÍN",
        "AUTORIZÓ</strong>: LIC. AARÓN ALEXIS ÁLVAREZ MARÍN",
        "Vigente.",
        "207.- Gestionar y administrar",
    ):
        assert expected in page, expected


def test_the_page_shows_no_comment_and_no_email_address(client, sealed):
    page = client.get(f"/verificar/{FOLIO}/").content.decode()
    assert "acta 7" not in page
    assert "@" not in page.replace("@media", "")


def test_an_unknown_folio_is_a_spanish_404(client, reference):
    response = client.get("/verificar/TMM-F004-2023-59-999-T2/")
    assert response.status_code == 404
    assert "Folio no encontrado" in response.content.decode()
    assert client.get("/verificar/TMM-F004-2023-59-999-T2/pdf/").status_code == 404


def test_the_sealed_pdf_uploaded_is_identical(client, sealed):
    page = upload(client, FOLIO, kept(sealed)).content.decode()
    assert IDENTICAL in page and NO_MATCH not in page


def test_one_byte_changed_matches_no_authorized_document(client, sealed):
    page = upload(client, FOLIO, one_byte_changed(kept(sealed))).content.decode()
    assert NO_MATCH in page and IDENTICAL not in page


def test_the_uploaded_pdf_is_never_stored(client, sealed, settings):
    before = sorted(path for path in settings.MEDIA_ROOT.rglob("*"))
    upload(client, FOLIO, one_byte_changed(kept(sealed)))
    upload(client, FOLIO, kept(sealed))
    assert sorted(path for path in settings.MEDIA_ROOT.rglob("*")) == before


@pytest.fixture
def no_temporary_files(monkeypatch):
    """Fails the test if Django writes an upload to a temporary file."""

    def refuse(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", refuse)


def test_a_pdf_larger_than_django_keeps_in_memory_is_still_read_in_memory(
    client, sealed, no_temporary_files
):
    page = upload(client, FOLIO, b"%PDF-" + b"x" * (3 * 1024 * 1024)).content.decode()
    assert NO_MATCH in page


def test_a_file_over_the_limit_is_refused_in_spanish(client, sealed, no_temporary_files):
    too_big = b"%PDF-" + b"x" * verification.VERIFY_MAX_BYTES
    response = upload(client, FOLIO, too_big)
    assert response.status_code == 200
    assert "El archivo pasa de 15 MB" in response.content.decode()


def test_after_a_reopening_the_old_folio_shows_only_what_was_authorized(client, sealed, planeacion):
    report = sealed.report
    report_reopen(report=report, user=planeacion, comment="Corregir la meta 207.")
    # what the unit types in its new draft (the grid's service needs an open window)
    QuarterlyProgress.objects.filter(
        meta__unidad_ejecutora=unit("102"), meta__numero=207, quarter=2
    ).update(alcanzado=9, observaciones="Borrador nuevo")
    page = client.get(f"/verificar/{FOLIO}/").content.decode()
    assert "Sustituido." in page
    assert "Borrador nuevo" not in page
    row = page[page.index("207.- Gestionar") :]
    row = row[: row.index("</tr>")]
    assert ">9<" not in row and ">3<" in row


def verify_command(path):
    out = io.StringIO()
    try:
        call_command("poa_verify", str(path), stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_poa_verify_exits_0_for_a_current_seal(sealed, tmp_path):
    path = tmp_path / "hoja.pdf"
    path.write_bytes(kept(sealed))
    code, output = verify_command(path)
    assert code == 0
    assert f"{IDENTICAL}: folio {FOLIO}." in output and "Vigente." in output


def test_poa_verify_says_no_match_for_one_byte_changed(sealed, tmp_path):
    path = tmp_path / "hoja.pdf"
    path.write_bytes(one_byte_changed(kept(sealed)))
    code, output = verify_command(path)
    assert code == 1
    assert f"{NO_MATCH}." in output


def test_poa_verify_exits_1_for_a_superseded_seal(
    sealed, planeacion, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "hoja.pdf"
    path.write_bytes(kept(sealed))
    report_reopen(report=sealed.report, user=planeacion, comment="Corregir.")
    authorized("102", django_capture_on_commit_callbacks)
    code, output = verify_command(path)
    assert code == 1
    assert f"Sustituido por {FOLIO}-R1" in output
