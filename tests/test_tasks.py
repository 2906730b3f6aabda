"""The queue of background jobs: a signature or a planning decision only enqueues its email
(a slow mail server never slows it), an authorization enqueues keeping its sheet, and the
database worker (`manage.py db_worker`) runs what waits: the emails go out, the sheet is kept
and the ZIP planeación asked for is made."""

import io
import signal
import zipfile

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from poa.documents import stored
from poa.jobs import DATABASE_BACKEND, DUMMY_BACKEND, default_task_backend
from poa.models import Ejercicio, SheetExport
from poa.selectors.sheet import build_sheet
from poa.services import modifications
from poa.services.review import report_authorize, report_review, report_send
from tests.conftest import State, complete_quarter, report_in_state, signer, unit


@pytest.fixture
def database_queue(settings, monkeypatch):
    """The queue in the database, as in production; the worker runs inside the test's
    transaction, so it must not drop the connection between jobs as it normally does."""
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():  # the worker takes Ctrl+C for itself
        signal.signal(sig, handler)


def run_worker():
    """`manage.py db_worker --batch`: runs every job waiting, then stops."""
    call_command(
        "db_worker",
        batch=True,
        reload=False,
        startup_delay=False,
        interval=0,
        stdout=io.StringIO(),
    )


def waiting():
    return sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))


def test_a_signature_only_enqueues_its_email(
    reference, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": DUMMY_BACKEND}}
    report = report_in_state("102", 2, State.BORRADOR)
    complete_quarter("102", 2)
    with django_capture_on_commit_callbacks(execute=True):
        event = report_send(report=report, user=signer(unit("102").responsable))
    assert mail.outbox == []
    (queued,) = default_task_backend.results
    assert (queued.task.name, queued.args) == ("transition_email", ["informe", event.pk])


def test_a_planning_decision_only_enqueues_its_email(
    reference, settings, head_102, planeacion, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": DUMMY_BACKEND}}
    meta = unit("102").metas.order_by("numero").first()
    change = modifications.ChangeRequest(
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        meta_anual=str(meta.meta_anual),
        programado=[str(progress.programado) for progress in meta.avances.order_by("quarter")],
        cancelar=True,
    )
    modificacion = modifications.modification_request(
        meta=meta, user=head_102, justificacion="Ya no se hará.", change=change
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = modifications.modification_reject(
            modificacion=modificacion, user=planeacion, comment="Sigue siendo necesaria."
        )
    assert mail.outbox == []
    (queued,) = default_task_backend.results
    assert (queued.task.name, queued.args) == ("transition_email", ["modificacion", event.pk])


def test_a_modification_request_only_enqueues_its_email(
    reference, settings, head_102, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": DUMMY_BACKEND}}
    meta = unit("102").metas.order_by("numero").first()
    change = modifications.ChangeRequest(
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        meta_anual=str(meta.meta_anual),
        programado=[str(progress.programado) for progress in meta.avances.order_by("quarter")],
        cancelar=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        modificacion = modifications.modification_request(
            meta=meta, user=head_102, justificacion="Ya no se hará.", change=change
        )
    assert mail.outbox == []
    (queued,) = default_task_backend.results
    assert (queued.task.name, queued.args) == ("modification_request_email", [modificacion.pk])


def test_the_database_worker_sends_the_email_and_keeps_the_authorized_sheet(
    reference, database_queue, django_capture_on_commit_callbacks
):
    report = report_in_state("102", 2, State.REVISADO)
    with django_capture_on_commit_callbacks(execute=True):
        report_authorize(report=report, user=signer(unit("102").ramo.responsable))
    assert waiting() == [
        "poa.services.notifications.transition_email",
        "poa.services.seals.seal_store",
    ]
    assert mail.outbox == []
    name = stored.stored_name(build_sheet(unit("102"), 2))
    assert not default_storage.exists(name)

    run_worker()

    assert waiting() == []
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    (email,) = mail.outbox
    assert email.subject.startswith("POA 2023 · UE 102")
    assert default_storage.exists(name)


def test_the_database_worker_makes_the_zip_planeacion_asked_for(
    reference, client, planeacion, database_queue, django_capture_on_commit_callbacks
):
    client.force_login(planeacion)
    ejercicio = Ejercicio.objects.get(year=2023)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("poa:sheet-exports"), {"ejercicio": ejercicio.pk, "quarter": 2})
    export = SheetExport.objects.get()
    assert (export.state, waiting()) == ("EN_COLA", ["poa.services.batch.sheet_export"])

    run_worker()

    export.refresh_from_db()
    assert (export.state, export.done, export.total) == ("LISTA", 3, 3)
    response = client.get(reverse("poa:sheet-export-zip", args=[export.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert len(archive.namelist()) == 3


def test_the_worker_sends_the_emails_before_a_zip_asked_for_earlier(
    reference, client, planeacion, database_queue, django_capture_on_commit_callbacks
):
    client.force_login(planeacion)
    ejercicio = Ejercicio.objects.get(year=2023)
    report = report_in_state("102", 2, State.ENVIADO)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("poa:sheet-exports"), {"ejercicio": ejercicio.pk, "quarter": 2})
        report_review(report=report, user=signer(unit("102").programa.responsable))
    call_command(
        "db_worker",
        batch=True,
        reload=False,
        startup_delay=False,
        max_tasks=1,
        stdout=io.StringIO(),
    )
    assert len(mail.outbox) == 1
    assert waiting() == ["poa.services.batch.sheet_export"]
