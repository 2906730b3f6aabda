"""`poa_backup` / `poa_restore` carry the evidence files: their rows, their history and the
files themselves, restored byte for byte into the evidence storage of a new server."""

import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command

from poa.models import Evidencia, Meta
from poa.services.evidence import evidence_add, evidence_remove
from tests import evidence_files as files
from tests.conftest import make_capturista, make_user, open_q3
from tests.test_backup import (
    backup,
    catalog_back_afterwards,  # noqa: F401 (a fixture)
    empty_database,
    manifest_of,
    restore,
)


def use_new_server(settings, folder):
    """Both storages, the default one and the evidence's, in folders of a new server."""
    settings.MEDIA_ROOT = folder / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder / "media")},
        },
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder / "evidencias")},
        },
    }


def evidence_root(settings) -> Path:
    return Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])


def stored_bytes(settings) -> dict[str, bytes]:
    root = evidence_root(settings)
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def rows():
    return list(
        Evidencia.objects.order_by("pk").values(
            "pk", "meta_id", "quarter", "stored_name", "name", "kind", "size", "sha256",
            "uploaded_by_id", "uploaded_at",
        )
    )  # fmt: skip


def history():
    return list(Evidencia.history.order_by("history_id").values_list("history_type", "name"))


def attach_some(capturista):
    def meta(numero):
        return Meta.objects.get(numero=numero, unidad_ejecutora__ramo__ejercicio__year=2023)

    for numero, upload in [(305, files.pdf()), (305, files.image()), (300, files.docx())]:
        evidence_add(meta=meta(numero), quarter=3, upload=upload, user=capturista)
    removed = evidence_add(meta=meta(300), quarter=3, upload=files.xlsx(), user=capturista)
    evidence_remove(evidencia=removed, user=capturista)


def test_the_backup_round_trip_restores_every_evidence_file_byte_for_byte(
    catalog_back_afterwards,  # noqa: F811
    transactional_db,
    settings,
    tmp_path,
):
    call_command("loaddata", "reference", verbosity=0)
    planeacion = make_user("planeacion", is_superuser=True)
    open_q3(planeacion)
    attach_some(make_capturista("captura201", "201"))
    before_rows, before_files = rows(), stored_bytes(settings)
    before_history = history()
    assert len(before_rows) == 3 and len(before_files) == 3

    archive = tmp_path / "poa.zip"
    backup(archive)
    evidence_members = [f for f in manifest_of(archive)["files"] if f.get("storage") == "evidence"]
    assert len(evidence_members) == 3
    empty_database()
    use_new_server(settings, tmp_path / "servidor-nuevo")
    assert stored_bytes(settings) == {}

    restore(archive, yes=True)
    assert rows() == before_rows
    assert stored_bytes(settings) == before_files
    for row in rows():
        assert hashlib.sha256(before_files[row["stored_name"]]).hexdigest() == row["sha256"]
    assert history() == before_history and ("-", "asistencia.xlsx") in before_history
    assert get_user_model().objects.filter(username="captura201").exists()
