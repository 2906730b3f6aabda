"""Planeación downloads the ZIP of every unit's sheet from the web: asking queues a background
job and returns at once, the page follows its progress, and the ZIP holds one readable PDF
per unit. Only planeación may ask, follow or download."""

import io
import zipfile
from unittest import mock

import pytest
from django.urls import reverse
from pypdf import PdfReader

from poa.documents import pdf
from poa.jobs import DUMMY_BACKEND, default_task_backend
from poa.models import Ejercicio, SheetExport
from poa.services import batch

UNITS = ("101", "102", "201")


@pytest.fixture
def queued_only(settings):
    """Jobs are kept in the queue instead of running."""
    settings.TASKS = {"default": {"BACKEND": DUMMY_BACKEND}}


def ask(client, user, year=2023, quarter=2):
    client.force_login(user)
    ejercicio = Ejercicio.objects.get(year=year)
    return client.post(
        reverse("poa:sheet-exports"), {"ejercicio": ejercicio.pk, "quarter": quarter}
    )


def status(client, export):
    return client.get(reverse("poa:sheet-export-status", args=[export.pk])).json()


def unit_of(content):
    text = " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    return text.split("UNIDAD EJECUTORA: ")[1].split()[0]


def test_planeacion_asks_and_downloads_one_readable_pdf_per_unit(
    client, planeacion, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, planeacion)
    assert response.status_code == 302
    export = SheetExport.objects.get()
    assert status(client, export) | {"zip_url": None} == {
        "state": "LISTA",
        "state_label": "Lista",
        "done": 3,
        "total": 3,
        "percent": 100,
        "text": "Listo: 3 hojas",
        "zip_url": None,
    }
    download = client.get(status(client, export)["zip_url"])
    assert download.status_code == 200
    assert 'filename="TMM-F004_2023_T2.zip"' in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = archive.namelist()
        assert names == [f"TMM-F004_2023_59-{clave}_T2.pdf" for clave in UNITS]
        assert [unit_of(archive.read(name)) for name in names] == list(UNITS)


def test_the_progress_counts_every_sheet_up_to_the_total(
    client, planeacion, django_capture_on_commit_callbacks
):
    seen = []
    real = batch._record

    def record(export, **fields):
        real(export, **fields)
        seen.append(SheetExport.objects.values_list("state", "done", "total").get(pk=export.pk))

    with (
        mock.patch.object(batch, "_record", record),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ask(client, planeacion)
    assert seen == [
        ("EN_PROCESO", 0, 3),
        ("EN_PROCESO", 1, 3),
        ("EN_PROCESO", 2, 3),
        ("EN_PROCESO", 3, 3),
        ("LISTA", 3, 3),
    ]


def test_asking_queues_the_job_and_the_page_shows_it_waiting(
    client, planeacion, queued_only, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, planeacion, quarter=3)
    assert response.status_code == 302
    export = SheetExport.objects.get()
    assert export.state == "EN_COLA"
    (queued,) = default_task_backend.results
    assert queued.task.name == "sheet_export" and queued.args == [export.pk]
    page = client.get(response.url).content.decode()
    assert "Se están generando las hojas de 2023 T3" in page
    assert "En cola: empieza en cuanto el proceso de tareas la tome." in page
    assert reverse("poa:sheet-export-status", args=[export.pk]) in page
    assert status(client, export)["zip_url"] is None
    assert client.get(reverse("poa:sheet-export-zip", args=[export.pk])).status_code == 404


def test_asking_again_while_the_zip_is_being_made_does_not_queue_another(
    client, planeacion, queued_only, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, planeacion)
        ask(client, planeacion)
    assert SheetExport.objects.count() == 1
    assert len(default_task_backend.results) == 1


def test_a_failed_zip_says_why_in_spanish(client, planeacion, django_capture_on_commit_callbacks):
    real = pdf.render_sheet

    def render(sheet, fetcher=None):
        if sheet.unidad_ejecutora.clave == "102":
            raise ValueError("sin fuentes")
        return real(sheet, fetcher)

    with (
        mock.patch.object(pdf, "render_sheet", render),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ask(client, planeacion)
    export = SheetExport.objects.get()
    message = (
        "No se pudo generar el ZIP: la hoja de la UE 102 del ramo 59 no se pudo generar "
        "(ValueError). Vuelva a solicitarlo; si falla otra vez, avise al administrador del "
        "sistema."
    )
    assert export.state == "FALLIDA" and export.error == message
    assert status(client, export)["text"] == message
    assert message in client.get(reverse("poa:sheet-exports")).content.decode()


def test_the_form_refuses_a_missing_quarter_in_spanish(client, planeacion):
    client.force_login(planeacion)
    ejercicio = Ejercicio.objects.get(year=2023)
    response = client.post(reverse("poa:sheet-exports"), {"ejercicio": ejercicio.pk})
    assert response.status_code == 200
    assert "Elija el trimestre." in response.content.decode()
    assert not SheetExport.objects.exists()


def test_the_reports_list_offers_the_zip_to_planeacion_only(client, planeacion, capturista_102):
    client.force_login(planeacion)
    link = reverse("poa:sheet-exports")
    assert link in client.get(reverse("poa:reports")).content.decode()
    client.force_login(capturista_102)
    assert link not in client.get(reverse("poa:reports")).content.decode()


@pytest.mark.parametrize("persona", ["capturista_102", "head_102", "aaron", "outsider"])
def test_only_planeacion_may_ask_follow_or_download(
    client, planeacion, persona, request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, planeacion)
    export = SheetExport.objects.get()
    client.force_login(request.getfixturevalue(persona))
    for name, args in [
        ("poa:sheet-exports", []),
        ("poa:sheet-export-status", [export.pk]),
        ("poa:sheet-export-zip", [export.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403
    ejercicio = Ejercicio.objects.get(year=2023)
    data = {"ejercicio": ejercicio.pk, "quarter": 2}
    assert client.post(reverse("poa:sheet-exports"), data).status_code == 403
    assert SheetExport.objects.count() == 1


def test_a_new_zip_replaces_the_older_ones_of_its_quarter_and_their_files(
    client, planeacion, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, planeacion, quarter=2)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, planeacion, quarter=1)
    first_q2, q1 = SheetExport.objects.order_by("pk")
    old_file = first_q2.file.name
    assert first_q2.file.storage.exists(old_file)

    with django_capture_on_commit_callbacks(execute=True):
        ask(client, planeacion, quarter=2)
    latest = SheetExport.objects.filter(quarter=2).get()
    assert latest.pk != first_q2.pk and latest.state == SheetExport.State.LISTA
    assert not first_q2.file.storage.exists(old_file)
    assert client.get(reverse("poa:sheet-export-zip", args=[first_q2.pk])).status_code == 404
    assert client.get(status(client, latest)["zip_url"]).status_code == 200
    # another quarter keeps its ZIP
    assert SheetExport.objects.get(pk=q1.pk).file.storage.exists(q1.file.name)
    page = client.get(reverse("poa:sheet-exports")).content.decode()
    assert page.count("Descargar ZIP") == 2
