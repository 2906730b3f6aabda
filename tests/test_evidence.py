"""Evidence files of a meta's quarter: what a unit may attach (judged by content, never by
name), who may download them, that they freeze with the report at ELABORÓ, the setting that
asks for them before sending, and where signers and the sheet show them."""

import hashlib
import io
import tracemalloc
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test.client import ClientHandler, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from poa.checks import evidence_types_are_known
from poa.documents import xlsx
from poa.models import Evidencia, Meta, QuarterlyProgress, Report, Seal
from poa.rules.evidence import EvidenceRefused
from poa.rules.states import WorkflowError
from poa.selectors import history
from poa.selectors.evidence import evidence_manifest
from poa.selectors.sheet import build_sheet
from poa.services.evidence import evidence_add, evidence_remove
from poa.services.review import report_return, report_send
from tests import evidence_files as files
from tests.conftest import SIGNING_PATH, complete_quarter, signer, unit

State = Report.State
MB = 1024 * 1024


def meta(numero):
    return Meta.objects.select_related("unidad_ejecutora__ramo__ejercicio").get(
        numero=numero, unidad_ejecutora__ramo__ejercicio__year=2023
    )


def upload_url(numero, quarter=3, back=None):
    url = reverse("poa:evidence-upload", args=[meta(numero).pk, quarter])
    return f"{url}?volver={back}" if back else url


def report_of(clave="201", quarter=3):
    return Report.objects.get(unidad_ejecutora=unit(clave), quarter=quarter)


def stored_files(settings):
    root = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def attach(user, numero=305, upload=None, quarter=3):
    return evidence_add(meta=meta(numero), quarter=quarter, upload=upload or files.pdf(), user=user)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def capturista(client, q3_open, capturista_201):
    client.force_login(capturista_201)
    return client


# What may be attached -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(files.MALICIOUS))
def test_each_malicious_file_is_refused_in_spanish_and_nothing_is_stored(
    capturista, settings, kind
):
    make, words = files.MALICIOUS[kind]
    response = capturista.post(upload_url(305), {"archivos": make()}, follow=True)
    [message] = messages_of(response)
    assert words in message and "No se guardó" in message
    assert not Evidencia.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("upload", "name", "kind"),
    [
        (files.pdf("Informe final.PDF"), "Informe final.pdf", "pdf"),
        (files.image("foto.jpeg"), "foto.jpeg", "jpg"),
        (files.image("captura.png", "PNG"), "captura.png", "png"),
        # A PNG sent under a .jpg name is kept as what it is.
        (files.image("evento.jpg", "PNG"), "evento.jpg.png", "png"),
        (files.xlsx(), "asistencia.xlsx", "xlsx"),
        (files.docx(), "minuta.docx", "docx"),
    ],
)
def test_the_five_kinds_are_kept_by_their_content(
    q3_open, capturista_201, settings, upload, name, kind
):
    content = upload.read()
    evidencia = attach(capturista_201, upload=upload)
    assert (evidencia.name, evidencia.kind, evidencia.size) == (name, kind, len(content))
    assert evidencia.sha256 == hashlib.sha256(content).hexdigest()
    [stored] = stored_files(settings)
    assert stored.read_bytes() == content
    assert stored.suffix == f".{kind}" and "2023/59-201/T3/" in stored.as_posix()


def test_the_admitted_kinds_are_a_setting(q3_open, capturista_201, settings):
    settings.POA_EVIDENCE_TYPES = ["pdf"]
    with pytest.raises(EvidenceRefused) as refused:
        attach(capturista_201, upload=files.image("foto.jpg"))
    assert str(refused.value) == (
        "«foto.jpg» es una imagen JPG, que no se admite como evidencia; se admiten archivos "
        "PDF. No se guardó."
    )


def test_a_file_over_the_limit_is_dropped_while_it_arrives(capturista, settings):
    settings.POA_EVIDENCE_FILE_BYTES = 100 * 1024
    big = files.upload("escaneo.pdf", files.PDF + b"0" * 200 * 1024)
    response = capturista.post(upload_url(305), {"archivos": [big, files.pdf()]}, follow=True)
    assert messages_of(response) == [
        "Se adjuntó «informe.pdf» a la meta 305 (Jul-Sep).",
        "«escaneo.pdf» pesa más de 100.0\xa0KB, el máximo por archivo de evidencia. No se guardó.",
    ]
    assert list(Evidencia.objects.values_list("name", flat=True)) == ["informe.pdf"]


def test_a_report_holds_at_most_the_report_limit(q3_open, capturista_201, settings):
    settings.POA_EVIDENCE_REPORT_BYTES = 300 * 1024
    content = files.PDF + b"0" * 200 * 1024
    attach(capturista_201, 305, files.upload("uno.pdf", content))
    with pytest.raises(EvidenceRefused) as refused:
        attach(capturista_201, 300, files.upload("dos.pdf", content))
    assert "las evidencias del informe sumarían 400.2\xa0KB; el máximo por informe es 300.0" in (
        str(refused.value)
    )
    assert Evidencia.objects.count() == 1 and len(stored_files(settings)) == 1


def test_a_10_mb_upload_streams_to_disk_and_keeps_memory_flat(
    capturista, capturista_201, settings, tmp_path
):
    """The request's body is read from a file, as a server reads its socket; the worker's
    allocations while it handles the upload stay a small fraction of the file."""
    content_length, environ = _multipart_on_disk(tmp_path, size=10 * MB, path=upload_url(305))
    environ["HTTP_COOKIE"] = f"sessionid={capturista.cookies['sessionid'].value}"
    handler = ClientHandler(enforce_csrf_checks=False)
    with open(tmp_path / "body", "rb") as body:
        environ["wsgi.input"] = body
        tracemalloc.start()
        response = handler(environ)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert response.status_code == 302
    evidencia = Evidencia.objects.get()
    assert evidencia.size == 10 * MB and content_length > 10 * MB
    print(f"tracemalloc peak for a 10 MB upload: {peak / MB:.2f} MB")
    assert peak < 2 * MB


def _multipart_on_disk(folder, *, size, path):
    boundary = "----evidencia"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="archivos"; '
        f'filename="escaneo.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    with open(folder / "body", "wb") as body:
        body.write(head + files.PDF)
        block = b"0" * MB
        left = size - len(files.PDF)
        while left:
            body.write(block[: min(left, MB)])
            left -= min(left, MB)
        body.write(tail)
    length = (folder / "body").stat().st_size
    environ = RequestFactory()._base_environ(
        PATH_INFO=path.split("?")[0],
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(length),
    )
    return length, environ


# Who may attach, remove and download ------------------------------------------------------------


def test_another_units_capturista_cannot_attach(client, q3_open, capturista_102, settings):
    client.force_login(capturista_102)
    response = client.post(upload_url(305), {"archivos": files.pdf()})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        attach(capturista_102)
    assert stored_files(settings) == []


@pytest.fixture
def evidencia_305(q3_open, capturista_201):
    return attach(capturista_201, upload=files.pdf("lista de asistencia.pdf"))


def test_the_download_is_an_attachment_with_nosniff(evidencia_305, client, capturista_201):
    client.force_login(capturista_201)
    response = client.get(reverse("poa:evidence-download", args=[evidencia_305.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="lista de asistencia.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["capturista_102", "head_102", "outsider"])
def test_strangers_and_anonymous_visitors_get_403_on_the_download(
    evidencia_305, client, request, who
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("poa:evidence-download", args=[evidencia_305.pk])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who", ["aaron", "planeacion"])
def test_signers_of_the_unit_and_planeacion_download(evidencia_305, client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("poa:evidence-download", args=[evidencia_305.pk]))
    assert response.status_code == 200


def test_a_file_is_removed_after_a_confirmation_and_the_history_keeps_it(
    evidencia_305, client, capturista_201, settings, django_capture_on_commit_callbacks
):
    client.force_login(capturista_201)
    url = reverse("poa:evidence-remove", args=[evidencia_305.pk]) + "?volver=captura"
    page = client.get(url).content.decode()
    assert "Quitar la evidencia" in page and "lista de asistencia.pdf" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.url.endswith("/captura/2023/59/201/3/#meta-305")
    assert not Evidencia.objects.exists() and stored_files(settings) == []
    changes = [
        (entry.field, entry.old, entry.new, entry.user_name)
        for entry in history.meta_history(meta(305))
        if entry.field == "evidencia"
    ]
    assert changes == [
        ("evidencia", "«lista de asistencia.pdf»", "quitada", "captura201"),
        ("evidencia", "", "«lista de asistencia.pdf» adjuntada", "captura201"),
    ]


def test_a_signer_of_another_unit_cannot_remove(evidencia_305, client, head_102):
    client.force_login(head_102)
    url = reverse("poa:evidence-remove", args=[evidencia_305.pk])
    assert client.post(url).status_code == 403
    assert Evidencia.objects.count() == 1


# Frozen from ELABORÓ on ---------------------------------------------------------------------


def test_files_freeze_when_the_report_is_sent_and_thaw_when_it_returns(
    evidencia_305, client, capturista_201, aaron, settings
):
    complete_quarter("201", 3)
    report_send(report=report_of(), user=aaron)
    with pytest.raises(WorkflowError) as refused:
        attach(capturista_201, upload=files.image())
    assert "sus evidencias quedaron fijas al firmarse ELABORÓ" in str(refused.value)
    with pytest.raises(WorkflowError):
        evidence_remove(evidencia=Evidencia.objects.get(), user=capturista_201)

    client.force_login(capturista_201)
    response = client.post(
        upload_url(305, back="captura"), {"archivos": files.image()}, follow=True
    )
    assert "sus evidencias quedaron fijas" in messages_of(response)[0]
    grid = response.content.decode()
    assert "lista de asistencia.pdf" in grid and "Adjuntar" not in grid and "Quitar" not in grid
    client.post(reverse("poa:evidence-remove", args=[evidencia_305.pk]))
    assert Evidencia.objects.count() == 1 and len(stored_files(settings)) == 1

    report_return(report=report_of(), user=aaron, comment="Falta la fotografía del evento.")
    attach(capturista_201, upload=files.image())
    assert Evidencia.objects.count() == 2


def test_the_admin_removes_only_while_the_report_may_change(
    evidencia_305, client, aaron, superuser
):
    client.force_login(superuser)
    url = reverse("admin:poa_evidencia_delete", args=[evidencia_305.pk])
    complete_quarter("201", 3)
    report_send(report=report_of(), user=aaron)
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Evidencia.objects.count() == 1
    report_return(report=report_of(), user=aaron, comment="Cambie la evidencia.")
    client.post(url, {"post": "yes"})
    assert not Evidencia.objects.exists()
    assert Evidencia.history.filter(history_type="-", history_user=superuser).exists()


# Required before ELABORÓ ------------------------------------------------------------------


def test_the_required_evidence_setting_blocks_elaboro_naming_the_metas(
    q3_open, client, capturista_201, aaron, settings
):
    settings.POA_EVIDENCE_REQUIRED = True
    complete_quarter("201", 3)
    QuarterlyProgress.objects.filter(meta=meta(302), quarter=3).update(
        alcanzado=0, observaciones="Se pospuso al cuarto trimestre."
    )
    attach(capturista_201, 305)
    achieved = sorted(
        QuarterlyProgress.objects.filter(
            meta__unidad_ejecutora=unit("201"), quarter=3, alcanzado__gt=0
        ).values_list("meta__numero", flat=True)
    )
    lacking = [numero for numero in achieved if numero != 305]
    client.force_login(aaron)
    action = reverse("poa:report-transition", args=[2023, "59", "201", 3, "enviar"])
    response = client.post(action, {"comment": ""}, follow=True)
    message = messages_of(response)[0]
    assert message.startswith(
        f"Falta evidencia: las metas {', '.join(map(str, lacking))} reportan un avance en "
        "Jul-Sep sin un archivo que lo respalde."
    )
    assert "302" not in message and "305" not in message
    assert report_of().state == State.BORRADOR

    for numero in lacking:
        attach(capturista_201, numero)
    report_send(report=report_of(), user=aaron)
    assert report_of().state == State.ENVIADO


def test_without_the_setting_a_report_is_sent_without_evidence(q3_open, aaron, settings):
    settings.POA_EVIDENCE_REQUIRED = False
    complete_quarter("201", 3)
    report_send(report=report_of(), user=aaron)
    assert report_of().state == State.ENVIADO


# Where the files are shown ----------------------------------------------------------------


def test_the_grid_and_the_meta_page_offer_to_attach(capturista, evidencia_305):
    grid = capturista.get(reverse("poa:capture-grid", args=[2023, "59", "201", 3]))
    html = grid.content.decode()
    row = html[html.index('id="meta-305"') :].split("</tr>")[0]
    assert "lista de asistencia.pdf" in row and 'form="evidencia-' in row
    assert f'action="{upload_url(305, back="captura")}"' in html
    page = capturista.get(reverse("poa:meta-detail", args=[meta(305).pk])).content.decode()
    section = page[page.index('id="evidencias-t3"') :]
    assert "lista de asistencia.pdf" in section and f'action="{upload_url(305)}"' in section
    # Q2 is authorized: its files can no longer change, so it offers no form.
    assert f'action="{upload_url(305, quarter=2)}"' not in page


def test_the_signer_sees_the_files_in_the_confirmation_and_on_the_report_page(
    evidencia_305, client, aaron
):
    complete_quarter("201", 3)
    client.force_login(aaron)
    html = client.get(reverse("poa:report", args=[2023, "59", "201", 3])).content.decode()
    download = reverse("poa:evidence-download", args=[evidencia_305.pk])
    confirmation = html[html.index('id="modal-enviar"') :]
    row = confirmation[confirmation.index('data-meta="305"') :].split("</tr>")[0]
    assert download in row and "lista de asistencia.pdf" in row
    assert "1 archivo de evidencia." in confirmation
    card = html[html.index('id="evidencias"') :]
    assert download in card and 'id="evidencias-meta-305"' in card


def test_the_sheet_counts_each_metas_files_in_html_and_xlsx(evidencia_305, capturista_201, client):
    attach(capturista_201, 305, files.image())
    attach(capturista_201, 300, files.docx())
    sheet = build_sheet(unit("201"), 3)
    notes = {row.numero: row.evidence_note for row in sheet.rows}
    assert notes[305] == "Evidencias: 2 archivos" and notes[300] == "Evidencias: 1 archivo"
    assert notes[301] == ""
    client.force_login(capturista_201)
    html = client.get(reverse("poa:sheet", args=[2023, "59", "201", 3])).content.decode()
    assert '<div class="evidencias">Evidencias: 2 archivos</div>' in html
    _, _, content = xlsx.render_sheet(sheet)
    cells = [
        cell.value for row in load_workbook(io.BytesIO(content)).active.iter_rows() for cell in row
    ]
    assert any(isinstance(v, str) and v.endswith("Evidencias: 2 archivos") for v in cells)


def test_the_manifest_gives_each_files_name_and_sha256_for_the_seal(evidencia_305, capturista_201):
    photo = files.image()
    content = photo.read()
    attach(capturista_201, 300, photo)
    assert evidence_manifest(report_of()) == [
        ("foto.jpg", hashlib.sha256(content).hexdigest()),
        ("lista de asistencia.pdf", hashlib.sha256(files.PDF).hexdigest()),
    ]


def test_an_unknown_kind_in_the_setting_stops_the_system_checks(settings):
    settings.POA_EVIDENCE_TYPES = ["pdf", "exe"]
    [error] = evidence_types_are_known(None)
    assert error.id == "poa.E002" and "exe" in error.msg
    settings.POA_EVIDENCE_TYPES = ["pdf", "docx"]
    assert evidence_types_are_known(None) == []


def test_the_seal_records_each_files_hash_and_the_public_page_shows_names_not_files(
    evidencia_305, client, django_capture_on_commit_callbacks
):
    report = Report.objects.get(unidad_ejecutora=unit("201"), quarter=3)
    complete_quarter("201", 3)
    for step in SIGNING_PATH:
        service, holder = step
        with django_capture_on_commit_callbacks(execute=True):
            service(report=report, user=signer(holder(report.unidad_ejecutora)))
    seal = Seal.objects.get(report=report, superseded_at=None)
    assert seal.evidence == [["lista de asistencia.pdf", evidencia_305.sha256]]
    page = client.get(reverse("poa:verify", args=[seal.folio])).content.decode()
    assert "lista de asistencia.pdf" in page and evidencia_305.sha256 in page
    assert reverse("poa:evidence-download", args=[evidencia_305.pk]) not in page
