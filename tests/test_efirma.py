"""Electronic signature (e.firma): with POA_FIRMA_ELECTRONICA on, ELABORÓ, REVISÓ and AUTORIZÓ
each add one incremental PAdES signature to the sheet drawn once at ELABORÓ; the authorized PDF
carries the three, valid for pyHanko and for poppler's pdfsig, and is the one sealed. POA
refuses in Spanish, changing nothing, what cannot sign; keys and passwords end up nowhere.
The tests make their own certificate authority with `cryptography`."""

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from poa.management.efirma_demo import make_authority, make_certificate
from poa.models import Persona, Report, Seal
from poa.rules.states import WorkflowError
from poa.services.review import report_authorize, report_return, report_review, report_send
from tests.conftest import State, complete_quarter, report_get_or_create, signer, unit

PASSWORD = "Clave-de-prueba-2023"
FABIOLA = "LIC. FABIOLA LEÓN HUERTA CABRERA"
AARON = "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"
NEEDS_PDFSIG = pytest.mark.skipif(
    not shutil.which("pdfsig"), reason="Sin pdfsig (apt-get install poppler-utils)."
)


@pytest.fixture(scope="module")
def authority():
    return make_authority("AC DE PRUEBAS POA")


@pytest.fixture(scope="module")
def certificates(authority):
    return {
        FABIOLA: make_certificate(authority, name="FABIOLA LEON HUERTA CABRERA"),
        AARON: make_certificate(authority, name="AARON ALEXIS ALVAREZ MARIN", rfc="AAMA800101AB1"),
    }


@pytest.fixture(autouse=True)
def efirma_on(settings, tmp_path, authority):
    roots = tmp_path / "raices"
    roots.mkdir()
    (roots / "ac-pruebas.cer").write_bytes(authority.cer)
    settings.POA_FIRMA_ELECTRONICA = True
    settings.POA_FIRMA_RAICES = str(roots)


def files_of(issued, password=PASSWORD):
    return {"cer": issued.cer, "key": issued.key_file(password), "password": password}


def draft(clave="102"):
    complete_quarter(clave, 2)
    return report_get_or_create(unidad_ejecutora=unit(clave), quarter=2)


def sign_all(report, certificates, capture):
    ue = report.unidad_ejecutora
    report_send(
        report=report, user=signer(ue.responsable), credentials=files_of(certificates[FABIOLA])
    )
    report_review(
        report=report,
        user=signer(ue.programa.responsable),
        credentials=files_of(certificates[AARON]),
    )
    with capture(execute=True):
        report_authorize(
            report=report,
            user=signer(ue.ramo.responsable),
            credentials=files_of(certificates[AARON]),
        )
    return Seal.objects.get(report=report, superseded_at=None)


def kept(seal):
    with default_storage.open(seal.file_name, "rb") as document:
        return document.read()


def pdfsig(content, tmp_path):
    path = tmp_path / "firmado.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfsig", path], capture_output=True, text=True).stdout


@pytest.fixture
def signed(reference, certificates, django_capture_on_commit_callbacks):
    return sign_all(draft(), certificates, django_capture_on_commit_callbacks)


def test_the_authorized_pdf_carries_three_signatures_valid_for_pyhanko(signed, authority):
    reader = PdfFileReader(io.BytesIO(kept(signed)))
    signatures = reader.embedded_signatures
    assert [s.field_name for s in signatures] == ["ELABORO", "REVISO", "AUTORIZO"]
    root = asn1_x509.Certificate.load(authority.cer)
    for signature in signatures:
        status = validate_pdf_signature(
            signature, ValidationContext(trust_roots=[root], allow_fetching=False)
        )
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()


@NEEDS_PDFSIG
def test_pdfsig_lists_three_valid_signatures(signed, tmp_path):
    output = pdfsig(kept(signed), tmp_path)
    assert output.count("Signature Validation: Signature is Valid.") == 3
    assert "Signature Field Name: AUTORIZO" in output


@NEEDS_PDFSIG
def test_one_byte_changed_is_invalid_for_both_readers_and_matches_no_seal(
    signed, authority, tmp_path, client
):
    content = kept(signed)
    cut = content.index(b"/ByteRange") // 2  # inside the first revision, under every signature
    altered = content[:cut] + bytes([content[cut] ^ 1]) + content[cut + 1 :]
    assert "Signature is Valid." not in pdfsig(altered, tmp_path)
    root = asn1_x509.Certificate.load(authority.cer)
    for signature in PdfFileReader(io.BytesIO(altered)).embedded_signatures:
        status = validate_pdf_signature(
            signature, ValidationContext(trust_roots=[root], allow_fetching=False)
        )
        assert not status.intact
    document = SimpleUploadedFile("hoja.pdf", altered, content_type="application/pdf")
    page = client.post(reverse("poa:verify", args=[signed.folio]), {"documento": document})
    assert "No coincide con ningún documento autorizado" in page.content.decode()
    path = tmp_path / "alterado.pdf"
    path.write_bytes(altered)
    with pytest.raises(SystemExit) as exit:
        call_command("poa_verify", str(path), stdout=io.StringIO())
    assert exit.value.code == 1


def test_the_public_page_shows_each_certificate_serial_and_issuer(signed, client, certificates):
    page = client.get(reverse("poa:verify", args=[signed.folio])).content.decode()
    serial = signed.authorization.certificate_serial
    assert serial and f"certificado {serial}, emitido por AC DE PRUEBAS POA" in page
    assert page.count("emitido por AC DE PRUEBAS POA") == 3


def test_each_stamp_sits_above_its_own_signature_line(signed):
    """The three widgets, left to right ELABORÓ, REVISÓ, AUTORIZÓ, side by side in the lower
    part of the sheet's last page, where the blocks' signature lines are, each with its
    appearance."""
    reader = PdfFileReader(io.BytesIO(kept(signed)))
    signatures = reader.embedded_signatures
    rects = [
        [float(v) for v in s.sig_field["/Kids"][0]["/Rect"]]
        if "/Kids" in s.sig_field
        else [float(v) for v in s.sig_field["/Rect"]]
        for s in signatures
    ]
    assert all(
        "/AP" in (s.sig_field["/Kids"][0] if "/Kids" in s.sig_field else s.sig_field)
        for s in signatures
    )
    lefts = [rect[0] for rect in rects]
    assert lefts == sorted(lefts)
    assert all(rect[3] < 612 / 2 for rect in rects)  # the lower half of a landscape letter page
    # side by side, not overlapping
    assert all(a[2] < b[0] for a, b in zip(rects, rects[1:], strict=False))


# Refusals -----------------------------------------------------------------------------------


def media_files(settings):
    root = settings.MEDIA_ROOT
    return {path: path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def refused_send(credentials, settings):
    report = draft()
    before = media_files(settings)
    with pytest.raises(WorkflowError) as refusal:
        report_send(report=report, user=signer(unit("102").responsable), credentials=credentials)
    assert Report.objects.get(pk=report.pk).state == State.BORRADOR
    assert not report.events.exists()
    assert media_files(settings) == before
    return str(refusal.value)


def test_a_wrong_password_is_refused(reference, certificates, settings):
    credentials = {**files_of(certificates[FABIOLA]), "password": "otra"}
    assert "La contraseña no abre la llave privada" in refused_send(credentials, settings)


def test_a_key_of_another_certificate_is_refused(reference, certificates, settings):
    credentials = {**files_of(certificates[FABIOLA]), "key": certificates[AARON].key_file(PASSWORD)}
    assert "La llave privada no corresponde al certificado" in refused_send(credentials, settings)


def test_an_expired_certificate_is_refused(reference, authority, settings):
    past = datetime.now(UTC) - timedelta(days=400)
    expired = make_certificate(
        authority,
        name="FABIOLA LEON HUERTA CABRERA",
        valid_from=past,
        valid_until=past + timedelta(days=365),
    )
    assert "El certificado no está vigente" in refused_send(files_of(expired), settings)


def test_another_person_s_certificate_is_refused(reference, certificates, settings):
    message = refused_send(files_of(certificates[AARON]), settings)
    assert "El certificado es de AARON ALEXIS ALVAREZ MARIN, no de" in message


def test_a_certificate_whose_rfc_is_not_the_persona_s_is_refused(reference, authority, settings):
    Persona.objects.filter(nombre=FABIOLA).update(rfc="LEHF800101AB1")
    other = make_certificate(authority, name="FABIOLA LEON HUERTA CABRERA", rfc="XXXX800101AB1")
    assert "no de quien firma (RFC LEHF800101AB1)" in refused_send(files_of(other), settings)


def test_a_certificate_of_an_untrusted_authority_is_refused(reference, settings):
    stranger = make_certificate(
        make_authority("AC DESCONOCIDA"), name="FABIOLA LEON HUERTA CABRERA"
    )
    message = refused_send(files_of(stranger), settings)
    assert "no fue emitido por una autoridad de confianza" in message


def test_signing_without_the_e_firma_is_refused(reference, settings):
    assert "Firme con su e.firma" in refused_send(None, settings)


def test_a_return_drops_the_partly_signed_document(
    reference, certificates, settings, django_capture_on_commit_callbacks
):
    report = draft()
    ue = report.unidad_ejecutora
    report_send(
        report=report, user=signer(ue.responsable), credentials=files_of(certificates[FABIOLA])
    )
    assert any(path.suffix == ".pdf" for path in media_files(settings))
    with django_capture_on_commit_callbacks(execute=True):
        report_return(report=report, user=signer(ue.programa.responsable), comment="Corregir 207.")
    assert not any(path.suffix == ".pdf" for path in media_files(settings))


# Through the browser's form, and what is left behind -----------------------------------------


def post_signature(client, user, report, slug, issued, password=PASSWORD):
    client.force_login(user)
    data = {
        "comment": "",
        "efirma_cer": SimpleUploadedFile("firma.cer", issued.cer),
        "efirma_key": SimpleUploadedFile("firma.key", issued.key_file(password)),
        "efirma_password": password,
    }
    return client.post(report.url("poa:report-transition", slug), data)


def test_signing_through_the_page_leaves_the_key_and_password_nowhere(
    client, reference, certificates, settings, capsys, caplog, django_capture_on_commit_callbacks
):
    report = draft()
    ue = report.unidad_ejecutora
    issued = certificates[FABIOLA]
    key_file = issued.key_file(PASSWORD)
    response = post_signature(client, signer(ue.responsable), report, "enviar", issued)
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == State.ENVIADO
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    secrets = [PASSWORD.encode(), key_file, key_file.hex().encode()]
    import base64

    secrets.append(base64.b64encode(key_file))
    places = {
        "dump": dump.getvalue().encode(),
        "logs": (capsys.readouterr().out + caplog.text).encode(),
    }
    places |= {str(path): content for path, content in media_files(settings).items()}
    for place, content in places.items():
        for secret in secrets:
            assert secret not in content, place
    assert PASSWORD not in str(client.session.items())


def test_a_refusal_through_the_page_is_said_in_spanish(client, reference, certificates):
    report = draft()
    response = post_signature(
        client, signer(report.unidad_ejecutora.responsable), report, "enviar", certificates[AARON]
    )
    assert Report.objects.get(pk=report.pk).state == State.BORRADOR
    page = client.get(response["Location"]).content.decode()
    assert "No se firmó: El certificado es de AARON ALEXIS ALVAREZ MARIN" in page
