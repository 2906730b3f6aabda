"""`manage.py poa_backup` / `poa_restore`: one archive of everything, restored into an empty
database (SQLite or PostgreSQL, from either) gives back every figure, event, history record,
account, kept PDF and the text of every sheet; a database with data, a damaged archive or a
newer format are refused with a Spanish message, before anything is written."""

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from poa.models import (
    CapturePeriod,
    Ejercicio,
    Meta,
    ModificacionEvent,
    Report,
    ReportEvent,
    UnidadEjecutora,
)
from poa.services import backup as backup_module
from poa.services import batch, modifications, notifications, review
from poa.services.periods import exception_grant
from poa.services.transitions import transition_run
from tests.backup_fingerprint import fingerprint

ROOT = Path(__file__).resolve().parents[1]


def user(username):
    return get_user_model().objects.get(username=username)


def backup(path) -> str:
    out = io.StringIO()
    call_command("poa_backup", out=str(path), stdout=out)
    return out.getvalue()


def restore(path, **options) -> str:
    out = io.StringIO()
    call_command("poa_restore", str(path), stdout=out, **options)
    return out.getvalue()


def refusal(path) -> str:
    with pytest.raises(CommandError) as refused:
        restore(path, yes=True)
    return str(refused.value)


def use_storage(settings, folder):
    """The default storage in a folder of its own: a new server's, empty."""
    settings.MEDIA_ROOT = folder
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }


def empty_database():
    """What `migrate` leaves in a new database: content types and permissions (flush
    creates them again) and the CONAC catalog of migration 0002."""
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", "conac", verbosity=0)


def rewritten(source, target, *, drop=(), replace=None):
    """A copy of the archive without the members in `drop` and with `replace` {name: bytes}:
    a valid ZIP whose content no longer matches its manifest."""
    replace = replace or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name not in drop:
                new.writestr(name, replace.get(name, old.read(name)))
    return target


def manifest_of(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


# A year with everything: sign-offs, a modification, reminders, a ZIP, a generated year ------


def sign_off_everything():
    """The demo (reference 2023 year, Q1 and Q2 signed through the services, Q3 open) plus a
    modification approved, an extension, reminders, the ZIP of Q2 and a generated 2030; the
    PDFs of the authorized sheets are kept as the worker keeps them."""
    call_command("poa_demo", stdout=io.StringIO())
    planeacion = user("planeacion")
    meta_300 = Meta.objects.get(numero=300, unidad_ejecutora__ramo__ejercicio__year=2023)
    modificacion = modifications.modification_request(
        meta=meta_300,
        user=user("captura201"),
        justificacion="Se reprograma una empresa al cuarto trimestre.",
        change=modifications.ChangeRequest(
            descripcion=meta_300.descripcion,
            unidad_medida=meta_300.unidad_medida,
            meta_anual="15",
            programado=["4", "5", "3", "3"],
        ),
    )
    modifications.modification_approve(modificacion=modificacion, user=planeacion)
    period = CapturePeriod.objects.get(ejercicio__year=2023, quarter=3)
    exception_grant(
        period=period,
        unidad_ejecutora=UnidadEjecutora.objects.get(clave="102", ramo__ejercicio__year=2023),
        deadline=period.deadline + timedelta(days=5),
        reason="Cambio de titular.",
        user=planeacion,
    )
    notifications.send_reminders(period.deadline + timedelta(days=1))
    batch.sheet_export_request(
        ejercicio=Ejercicio.objects.get(year=2023), quarter=2, user=planeacion
    )
    call_command(
        "poa_generate",
        ramos=1,
        ues_por_ramo=2,
        metas_por_ue=3,
        seed=5,
        year=2030,
        stdout=io.StringIO(),
    )
    _permissions_with_ids_of_their_own(planeacion)


def _permissions_with_ids_of_their_own(planeacion):
    """The content type and permissions of Meta made again, so that their ids here are not the
    ones a new database gives them; a group, an account and the admin's log point at them."""
    ContentType.objects.get(app_label="poa", model="meta").delete()
    ContentType.objects.clear_cache()
    create_contenttypes(apps.get_app_config("poa"), verbosity=0)
    create_permissions(apps.get_app_config("poa"), verbosity=0)
    change_meta = Permission.objects.get(codename="change_meta")
    group = Group.objects.create(name="Correcciones de metas")
    group.permissions.add(change_meta)
    planeacion.user_permissions.add(Permission.objects.get(codename="view_meta"))
    meta = Meta.objects.get(numero=305, unidad_ejecutora__ramo__ejercicio__year=2023)
    LogEntry.objects.log_actions(
        user_id=user("admin").pk, queryset=[meta], action_flag=CHANGE, change_message="Revisión"
    )


@pytest.fixture
def catalog_back_afterwards(django_db_blocker):
    """A transactional test ends by emptying every table, the CONAC catalog included, which
    the tests after it expect. Requested before transactional_db, this is torn down after
    it and loads the catalog again."""
    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "conac", verbosity=0)


def test_a_restored_database_gives_back_every_figure_event_file_and_sheet(
    catalog_back_afterwards, transactional_db, settings, tmp_path
):
    sign_off_everything()
    before = fingerprint()
    change_meta = Permission.objects.get(codename="change_meta").pk
    archive = tmp_path / "poa.zip"
    summary = backup(archive)
    empty_database()
    use_storage(settings, tmp_path / "servidor-nuevo")

    damaged = rewritten(archive, tmp_path / "dañado.zip", replace={_last_table(archive): b"{}"})
    assert "está dañado" in refusal(damaged)
    assert not get_user_model().objects.exists()  # nothing written before the check

    restored = restore(archive, yes=True)
    after = fingerprint()
    for section in before:
        assert after[section] == before[section], section
    assert "Respaldo escrito en" in summary and "SHA-256 del archivo:" in summary
    assert "Respaldo restaurado:" in restored and "de una base " in restored
    # What was compared is there: signed quarters of both years, the modification, the kept
    # PDFs and the ZIP, history, the accounts.
    actions = {(event[0], event[3]) for event in after["events"]}
    assert ("reportevent", ReportEvent.Action.AUTHORIZE) in actions
    assert ("modificacionevent", ModificacionEvent.Action.APPROVE) in actions
    assert any(name.endswith(".zip") for name in after["files"])
    assert sum(name.endswith(".pdf") for name in after["files"]) >= 10
    assert after["history"]["poa.historicalquarterlyprogress"] > 0
    assert len(after["sheets"]) == 4 * UnidadEjecutora.objects.count()
    assert _figure(after, "201", 305, 2)[5:7] == ["100.00", "102.00"]
    for table in (
        "poa.metaversion",
        "poa.captureexception",
        "poa.remindersent",
        "poa.sheetexport",
        "admin.logentry",
        "auth.group_permissions",
    ):
        assert after["tables"][table], table
    # The group still holds "change meta", though that permission's id is another one here.
    assert Permission.objects.get(codename="change_meta").pk != change_meta


def _last_table(archive):
    return manifest_of(archive)["tables"][-1]["member"]


def _figure(fingerprint_, ue, numero, quarter):
    return next(
        row
        for row in fingerprint_["figures"]
        if row[0] == 2023 and row[2] == ue and row[3] == numero and row[4] == quarter
    )


def test_rows_made_after_a_restore_get_ids_after_the_restored_ones(
    catalog_back_afterwards, transactional_db, settings, tmp_path
):
    call_command("poa_demo", stdout=io.StringIO())
    last_event = ReportEvent.objects.order_by("pk").last().pk
    last_user = get_user_model().objects.order_by("pk").last().pk
    archive = tmp_path / "poa.zip"
    backup(archive)
    empty_database()
    restore(archive, yes=True)

    report = Report.objects.filter(state=Report.State.AUTORIZADO).first()
    event = transition_run(
        review.FLOW,
        subject=report,
        user=user("planeacion"),
        action=ReportEvent.Action.REOPEN,
        comment="Falta un anexo.",
    )
    assert event.pk > last_event
    assert get_user_model().objects.create_user("nueva").pk > last_user
    assert report.history.count() > 1


# Refusals -----------------------------------------------------------------------------------


@pytest.fixture
def archive(reference, tmp_path):
    """The reference year backed up."""
    path = tmp_path / "poa.zip"
    backup(path)
    return path


def test_the_archive_is_readable_only_by_its_owner(archive):
    # It holds every account's password hash.
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    manifest = manifest_of(archive)
    assert manifest["format_version"] == 1
    assert {"data/auth.user.jsonl", "data/poa.quarterlyprogress.jsonl"} <= set(manifest["members"])


def test_restore_refuses_a_database_with_data_and_writes_nothing(archive):
    metas = Meta.objects.count()
    message = refusal(archive)
    assert "La base de destino no está vacía" in message
    assert "1 ejercicio fiscal" in message
    assert "python manage.py migrate" in message
    assert Meta.objects.count() == metas


def test_restore_refuses_a_new_database_where_someone_created_an_account(db, tmp_path):
    path = tmp_path / "vacio.zip"
    backup(path)
    get_user_model().objects.create_superuser("root", "root@mexicali.example", "x-123456")
    message = refusal(path)
    assert "no está vacía (tiene 1 usuario)" in message


def test_restore_refuses_a_truncated_archive(archive, tmp_path):
    cut = tmp_path / "cortado.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "está incompleto o dañado" in refusal(cut)


def test_restore_refuses_a_member_whose_checksum_does_not_match(archive, tmp_path):
    member = "data/poa.quarterlyprogress.jsonl"
    with zipfile.ZipFile(archive) as original:
        content = bytearray(original.read(member))
    content[len(content) // 2] ^= 0x01  # one bit of one figure
    changed = rewritten(archive, tmp_path / "cambiado.zip", replace={member: bytes(content)})
    message = refusal(changed)
    assert f"la suma SHA-256 de {member} no coincide con la del manifiesto" in message


def test_restore_refuses_an_archive_with_a_flipped_byte(archive, tmp_path):
    content = bytearray(archive.read_bytes())
    content[len(content) // 3] ^= 0xFF
    flipped = tmp_path / "volteado.zip"
    flipped.write_bytes(bytes(content))
    message = refusal(flipped)
    assert "dañado" in message and "Copie de nuevo el archivo original" in message


def test_restore_refuses_an_archive_missing_a_member(archive, tmp_path):
    member = "data/poa.meta.jsonl"
    missing = rewritten(archive, tmp_path / "incompleto.zip", drop={member})
    assert f"Al respaldo {missing} le falta {member}: está incompleto" in refusal(missing)


def test_restore_refuses_an_archive_of_a_newer_format(archive, tmp_path):
    manifest = manifest_of(archive) | {"format_version": 2, "poa_version": "9.0.0"}
    newer = rewritten(
        archive, tmp_path / "nuevo.zip", replace={"manifest.json": json.dumps(manifest).encode()}
    )
    message = refusal(newer)
    assert "usa el formato 2 (de POA 9.0.0)" in message
    assert "lee hasta el formato 1: actualice POA" in message


def test_restore_refuses_a_file_that_is_not_an_archive(db, tmp_path):
    text = tmp_path / "respaldo.zip"
    text.write_text("año,ramo\n2023,59\n", encoding="utf-8")
    assert refusal(text) == f"{text} no es un respaldo de POA (no es un archivo ZIP)."
    other = tmp_path / "otro.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hojas/TMM-F004.pdf", b"%PDF-1.7")
    assert refusal(other) == f"{other} no es un respaldo de POA: no tiene manifest.json."


def test_restore_refuses_a_database_with_other_migrations(archive, tmp_path):
    manifest = manifest_of(archive)
    manifest["migrations"]["poa"] = manifest["migrations"]["poa"][:-1]
    older = rewritten(
        archive, tmp_path / "viejo.zip", replace={"manifest.json": json.dumps(manifest).encode()}
    )
    message = refusal(older)
    assert "Esta base tiene migraciones más nuevas que el respaldo" in message
    assert f"python manage.py migrate poa {manifest['migrations']['poa'][-1]}" in message


def test_restore_asks_before_writing_at_a_terminal(db, tmp_path, monkeypatch):
    path = tmp_path / "vacio.zip"
    backup(path)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda question: "n")
    assert "Restauración cancelada: no se escribió nada." in restore(path)
    monkeypatch.setattr("builtins.input", lambda question: "s")
    assert "Respaldo restaurado:" in restore(path)


def test_the_command_exits_with_a_message_and_no_traceback(archive, tmp_path):
    new_database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'nueva.sqlite3'}"}
    text = tmp_path / "notas.txt"
    text.write_text("no es un respaldo", encoding="utf-8")
    not_an_archive = _manage(new_database, "poa_restore", str(text))
    not_migrated = _manage(new_database, "poa_restore", str(archive), "--yes")
    for result in (not_an_archive, not_migrated):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
    assert "no es un respaldo de POA (no es un archivo ZIP)" in not_an_archive.stderr
    assert "La base de destino no tiene tablas: corra `python manage.py migrate`" in (
        not_migrated.stderr
    )


# Between SQLite and PostgreSQL ---------------------------------------------------------------


def _manage(env, *args, check=False):
    """manage.py in a process of its own, on the database and storage of `env`."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "EMAIL_HOST": "",
        **env,
    }
    result = subprocess.run(
        [sys.executable, *args] if args[0] == "-m" else [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode:
        pytest.fail(f"{' '.join(args)} falló:\n{result.stderr[-3000:]}")
    return result


def _fingerprint_of(env, path):
    _manage(env, "-m", "tests.backup_fingerprint", str(path), check=True)
    return json.loads(path.read_text(encoding="utf-8"))


def _postgres_server():
    """(url, explicit): the PostgreSQL to create the test's database in, from
    POA_TEST_POSTGRES_URL or else the DATABASE_URL of this run."""
    explicit = os.environ.get("POA_TEST_POSTGRES_URL", "")
    url = explicit or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None, False
    return url, bool(explicit)


@pytest.fixture
def postgres_database():
    """A new PostgreSQL database for the test, dropped afterwards."""
    import psycopg

    url, explicit = _postgres_server()
    if url is None:
        pytest.skip(
            "Sin PostgreSQL: defina POA_TEST_POSTGRES_URL=postgres://usuario:clave@host/base "
            "(un rol que pueda crear bases) para probar el respaldo entre SQLite y PostgreSQL."
        )
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_respaldo_{uuid.uuid4().hex[:8]}"
    try:
        server = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if explicit:
            pytest.fail(f"POA_TEST_POSTGRES_URL no responde: {error}")
        pytest.skip(f"PostgreSQL no responde en {parts.hostname}: {error}")
    with server:
        server.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_moves_from_sqlite_to_postgresql_and_back(postgres_database, tmp_path):
    sqlite = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'origen.sqlite3'}",
        "POA_MEDIA_ROOT": str(tmp_path / "archivos-sqlite"),
    }
    postgres = {
        "DATABASE_URL": postgres_database,
        "POA_MEDIA_ROOT": str(tmp_path / "archivos-postgresql"),
    }
    back = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'regreso.sqlite3'}",
        "POA_MEDIA_ROOT": str(tmp_path / "archivos-regreso"),
    }
    for env in (sqlite, postgres, back):
        _manage(env, "migrate", "--noinput", check=True)
    _manage(sqlite, "poa_demo", check=True)
    _manage(
        sqlite,
        "poa_generate",
        "--ramos=1",
        "--ues-por-ramo=2",
        "--metas-por-ue=3",
        "--seed=5",
        "--year=2030",
        check=True,
    )
    _manage(sqlite, "db_worker", "--batch", "--no-startup-delay", check=True)  # kept PDFs
    origin = _fingerprint_of(sqlite, tmp_path / "origen.json")
    assert origin["files"], "the worker kept the PDFs of the authorized sheets"

    _manage(sqlite, "poa_backup", f"--out={tmp_path / 'de-sqlite.zip'}", check=True)
    _manage(postgres, "poa_restore", str(tmp_path / "de-sqlite.zip"), "--yes", check=True)
    on_postgres = _fingerprint_of(postgres, tmp_path / "postgresql.json")
    for section in origin:
        assert on_postgres[section] == origin[section], f"SQLite → PostgreSQL: {section}"

    again = _manage(postgres, "poa_restore", str(tmp_path / "de-sqlite.zip"), "--yes")
    assert again.returncode == 1 and "La base de destino no está vacía" in again.stderr
    assert "Traceback" not in again.stderr

    _manage(postgres, "poa_backup", f"--out={tmp_path / 'de-postgresql.zip'}", check=True)
    _manage(back, "poa_restore", str(tmp_path / "de-postgresql.zip"), "--yes", check=True)
    on_sqlite = _fingerprint_of(back, tmp_path / "regreso.json")
    for section in origin:
        assert on_sqlite[section] == origin[section], f"PostgreSQL → SQLite: {section}"


# A crafted archive, its checksums made to match -----------------------------------------------


def forged(source, target, *, members=None, tables=(), files=()):
    """A copy of the archive with `members` {name: bytes} added or replaced, `tables` and
    `files` added to its manifest, and every checksum computed again, as an attacker would."""
    members = members or {}
    manifest = manifest_of(source)
    manifest["tables"] += list(tables)
    manifest["files"] += list(files)
    with zipfile.ZipFile(source) as old:
        contents = {name: old.read(name) for name in old.namelist() if name != "manifest.json"}
    contents.update(members)
    for table in manifest["tables"]:
        if table["member"] in members:
            table["rows"] = members[table["member"]].count(b"\n")
    manifest["members"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in contents.items()
    }
    manifest["checksum"] = backup_module.members_checksum(manifest["members"])
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in contents.items():
            new.writestr(name, data)
        new.writestr("manifest.json", json.dumps(manifest))
    return target


def jsonl(*rows):
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


@pytest.fixture
def empty_archive(db, tmp_path):
    """A backup of a database as `migrate` leaves it: it restores into this one."""
    path = tmp_path / "vacio.zip"
    backup(path)
    return path


INTRUDER = {
    "username": "intruso",
    "password": "!",
    "is_superuser": True,
    "is_staff": True,
    "is_active": True,
}


def test_restore_refuses_a_table_that_backups_never_write(empty_archive, tmp_path):
    from django.contrib.sessions.models import Session

    session = {"pk": "x" * 32, "fields": {"session_data": "e30", "expire_date": "2099-01-01"}}
    crafted = forged(
        empty_archive,
        tmp_path / "sesiones.zip",
        members={"data/sessions.session.jsonl": jsonl(session)},
        tables=[{"model": "sessions.session", "member": "data/sessions.session.jsonl", "rows": 1}],
    )

    message = refusal(crafted)

    assert "trae la tabla sessions.session, que poa_backup no escribe" in message
    assert not Session.objects.exists()


def test_restore_refuses_a_row_that_names_another_model(empty_archive, tmp_path):
    row = {"model": "auth.user", "pk": 99, "fields": INTRUDER}
    crafted = forged(
        empty_archive, tmp_path / "otro.zip", members={"data/auth.group.jsonl": jsonl(row)}
    )

    message = refusal(crafted)

    assert "data/auth.group.jsonl trae una fila de otro modelo (auth.user)" in message
    assert not get_user_model().objects.exists()


def test_restore_refuses_columns_that_backups_never_write(empty_archive, tmp_path):
    row = {"pk": 1, "fields": {"name": "Intrusos", "is_superuser": True}}
    crafted = forged(
        empty_archive, tmp_path / "columnas.zip", members={"data/auth.group.jsonl": jsonl(row)}
    )

    message = refusal(crafted)

    assert "trae columnas que poa_backup no escribe (is_superuser)" in message
    assert not Group.objects.exists()


def test_restore_refuses_a_member_past_the_size_cap(empty_archive, monkeypatch):
    monkeypatch.setattr(backup_module, "MAX_MEMBER_BYTES", 100)

    message = refusal(empty_archive)

    assert "tiene un miembro demasiado grande" in message
    assert "el máximo es 100 bytes" in message


def test_a_failed_restore_leaves_none_of_its_files_behind(empty_archive, tmp_path, settings):
    use_storage(settings, tmp_path / "nuevo")
    files = [
        {"name": "hojas/uno.pdf", "member": "files/hojas/uno.pdf"},
        {"name": "hojas/dos.pdf", "member": "files/hojas/dos.pdf", "storage": "otro"},
    ]
    crafted = forged(
        empty_archive,
        tmp_path / "archivos.zip",
        members={"files/hojas/uno.pdf": b"%PDF-1.7 uno", "files/hojas/dos.pdf": b"%PDF dos"},
        files=files,
    )

    message = refusal(crafted)

    assert "en un almacenamiento desconocido: otro" in message
    assert not (tmp_path / "nuevo" / "hojas" / "uno.pdf").exists()


def test_no_file_is_written_when_the_database_part_is_refused(empty_archive, tmp_path, settings):
    use_storage(settings, tmp_path / "nuevo")
    dangling = {"pk": 1, "fields": {"user": 4242, "group": 1}}
    crafted = forged(
        empty_archive,
        tmp_path / "roto.zip",
        members={
            "data/auth.user_groups.jsonl": jsonl(dangling),
            "files/hojas/uno.pdf": b"%PDF-1.7 uno",
        },
        files=[{"name": "hojas/uno.pdf", "member": "files/hojas/uno.pdf"}],
    )

    message = refusal(crafted)

    assert "no se escribió nada" in message
    assert not (tmp_path / "nuevo" / "hojas" / "uno.pdf").exists()
