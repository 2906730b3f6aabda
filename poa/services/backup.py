"""Backup and restore of everything POA keeps, in one file that any database reads back
(`manage.py poa_backup` and `poa_restore`; SQLite to PostgreSQL and back).

The archive is a ZIP:
  manifest.json             what it holds: the format and its version, the POA and Django
                            versions, when and from which database it was made, the migrations
                            applied, each table with its row count, each file, the SHA-256 of
                            every member and one checksum over all of them
  data/<app>.<model>.jsonl  one row a line: its primary key and its fields as JSON
  files/<name>              the files of the default storage the rows refer to: the PDF kept
                            for each authorization of a report, the ZIPs planeación asked for
  evidence/<name>           the evidence files of the metas (STORAGES["evidence"])

Every table of every installed app is copied with its primary keys (the catalog, the
programming, figures, reports, events, the history of every change, accounts with their
password hashes, the admin's log), except three kinds of rows nobody needs back: sessions
(everyone logs in again), django-axes' records of login attempts, and the queue of background
jobs (django-tasks-db). A job still waiting when the backup was made does not run after a
restore: an email not yet sent is not sent, and a ZIP being made stays "Generando" until it
counts as stale and planeación asks for it again.

poa.services.restore reads it back into an empty database."""

import hashlib
import json
import logging
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from importlib import metadata
from itertools import islice
from pathlib import Path
from uuid import UUID

import django
from django.apps import apps
from django.core.files.storage import default_storage, storages
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from poa.documents import stored
from poa.models import EVIDENCE_STORAGE, Evidencia, ReportEvent

FORMAT = "poa-respaldo"
# Raised when a change of the layout would mislead an older POA; a restore refuses newer ones.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# What a manifest of this format holds, and of which JSON type.
MANIFEST_KEYS = {
    "poa_version": str,
    "django_version": str,
    "created_at": str,
    "database": str,
    "migrations": dict,
    "tables": list,
    "files": list,
    "members": dict,
    "checksum": str,
}
CHUNK = 2000
DEFAULT_STORAGE = "default"
logger = logging.getLogger("poa.backup")
COPY_BUFFER = 1024 * 1024
# The largest member an archive may hold, checked before any is read: a table of millions of
# rows or an evidence file fits; a member that unzips to terabytes does not.
MAX_MEMBER_BYTES = 4 * 1024**3

# Sessions, login attempts and the job queue (see above).
SKIPPED_APPS = frozenset({"sessions", "axes", "django_tasks", "django_tasks_database"})


class BackupError(Exception):
    """Why an archive could not be written or restored, in Spanish."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    manifest: dict
    size: int
    sha256: str

    @property
    def rows(self) -> int:
        return sum(table["rows"] for table in self.manifest["tables"])


# Which tables, in which order ---------------------------------------------------------------


def backup_models() -> list[type[models.Model]]:
    """Every table the archive holds, each after the tables it points to (the rows of a cycle,
    such as a meta's version and its modification, wait for the deferred foreign keys)."""
    candidates = sorted(
        (
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label not in SKIPPED_APPS
            and model._meta.managed
            and not model._meta.proxy
        ),
        key=lambda model: model._meta.label_lower,
    )
    return _after_dependencies(candidates)


def _after_dependencies(candidates):
    pending = {model: _dependencies(model) & set(candidates) for model in candidates}
    ordered = []
    while pending:
        done = set(ordered)
        ready = [model for model, needs in pending.items() if needs <= done]
        for model in ready or [next(iter(pending))]:
            ordered.append(model)
            del pending[model]
    return ordered


def _dependencies(model):
    return {
        field.related_model._meta.concrete_model
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None
    } - {model}


def label(model) -> str:
    return model._meta.label_lower


# Writing ------------------------------------------------------------------------------------


class _RowSerializer(PythonSerializer):
    """Django's field values of each row; many-to-many links go in their own tables."""

    def handle_m2m_field(self, obj, field):
        pass


class _Digest:
    """Writes through to a member while counting its bytes and hashing them."""

    def __init__(self, raw):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        self.raw.write(data)

    @property
    def entry(self):
        return {"sha256": self.sha256.hexdigest(), "size": self.size}


def backup_create(*, path) -> BackupSummary:
    """Writes the archive of the whole database and its files to `path`; the file appears
    there only once complete (a failed backup leaves no half archive behind)."""
    path = Path(path)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        manifest = _write_archive(Path(partial))
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return BackupSummary(path, manifest, path.stat().st_size, file_sha256(path))


def _write_archive(partial: Path) -> dict:
    members = {}
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with _snapshot():
            tables = [_write_table(archive, model, members) for model in backup_models()]
            names = list(dict.fromkeys(referenced_files()))
            evidence = list(_evidence_files())
        # Kept files never change under the same name: they are read after the snapshot.
        files = [_write_file(archive, name, members) for name in names if _kept(name)]
        files += [_write_file(archive, name, members, EVIDENCE_STORAGE) for name in evidence]
        manifest = _manifest(tables, files, members)
        archive.writestr(_entry(MANIFEST), json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


@contextmanager
def _snapshot():
    """One state of the database for every table: a read-only REPEATABLE READ transaction in
    PostgreSQL, where the application keeps writing meanwhile; in SQLite the transaction
    (IMMEDIATE, as every one here) makes a save wait the seconds the tables take to read."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _write_table(archive, model, members) -> dict:
    member = f"data/{label(model)}.jsonl"
    rows = 0
    with archive.open(_entry(member), "w", force_zip64=True) as raw:
        out = _Digest(raw)
        queryset = model._base_manager.order_by("pk").iterator(chunk_size=CHUNK)
        for chunk in batches(queryset, CHUNK):
            for row in _RowSerializer().serialize(chunk):
                out.write(_json_line({"pk": row["pk"], "fields": row["fields"]}))
                rows += 1
    members[member] = out.entry
    return {"model": label(model), "member": member, "rows": rows}


def _entry(member) -> zipfile.ZipInfo:
    """A compressed member dated now (local time, as `unzip -l` shows it)."""
    entry = zipfile.ZipInfo(member, date_time=timezone.localtime().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def _json_line(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, default=json_value) + "\n").encode()


def json_value(value):
    # Whole microseconds and every decimal digit: DjangoJSONEncoder would cut both.
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} no se puede escribir en el respaldo")


def batches(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def referenced_files() -> Iterator[str]:
    """The names in the default storage the rows refer to: the PDF of every authorization of
    a report (kept on authorization, poa.documents.stored) and every FileField's file."""
    authorizations = (
        ReportEvent.objects.filter(action=ReportEvent.Action.AUTHORIZE)
        .order_by("pk")
        .values_list(
            "report__unidad_ejecutora__ramo__ejercicio__year",
            "report__unidad_ejecutora__ramo__clave",
            "report__unidad_ejecutora__clave",
            "report__quarter",
            "report_id",
            "pk",
        )
    )
    for year, ramo, ue, quarter, report_id, pk in authorizations.iterator(chunk_size=CHUNK):
        yield stored.kept_name(
            year=year, ramo=ramo, ue=ue, quarter=quarter, report_id=report_id, authorization_id=pk
        )
    for model in backup_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names = model._base_manager.exclude(**{field.name: ""}).order_by("pk")
                yield from names.values_list(field.name, flat=True).iterator(chunk_size=CHUNK)


def _kept(name) -> bool:
    # A PDF is kept once the worker rendered it; one not kept yet is drawn again on demand.
    return bool(name) and default_storage.exists(name)


def _evidence_files() -> Iterator[str]:
    """The evidence files' names in their storage; one missing there (removed by hand) is
    left out and logged, so that the rest is still backed up."""
    storage = storages[EVIDENCE_STORAGE]
    names = Evidencia.objects.order_by("pk").values_list("stored_name", flat=True)
    for name in names.iterator(chunk_size=CHUNK):
        if storage.exists(name):
            yield name
        else:
            logger.warning("Respaldo sin un archivo de evidencia perdido", extra={"name": name})


def _write_file(archive, name, members, storage=DEFAULT_STORAGE) -> dict:
    """A file of the storage named `storage` (an alias of settings.STORAGES)."""
    member = f"files/{name}" if storage == DEFAULT_STORAGE else f"{storage}/{name}"
    with storages[storage].open(name, "rb") as source, archive.open(_entry(member), "w") as raw:
        out = _Digest(raw)
        while chunk := source.read(COPY_BUFFER):
            out.write(chunk)
    members[member] = out.entry
    entry = {"name": name, "member": member}
    return entry if storage == DEFAULT_STORAGE else {**entry, "storage": storage}


def _manifest(tables, files, members) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "poa_version": poa_version(),
        "django_version": django.get_version(),
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": applied_migrations(),
        "tables": tables,
        "files": files,
        "members": members,
        "checksum": members_checksum(members),
    }


def poa_version() -> str:
    try:
        return metadata.version("poa")
    except metadata.PackageNotFoundError:
        return "desconocida"


def applied_migrations() -> dict[str, list[str]]:
    """{app: [migration, …]} of the apps whose tables the archive holds."""
    wanted = {model._meta.app_label for model in backup_models()}
    applied = MigrationRecorder(connection).applied_migrations()
    by_app = {app: [] for app in sorted(wanted)}
    for app, name in sorted(applied):
        if app in wanted:
            by_app[app].append(name)
    return by_app


def members_checksum(members: dict) -> str:
    """One SHA-256 over every member's name and SHA-256: the archive's as a whole."""
    lines = "".join(f"{name} {members[name]['sha256']}\n" for name in sorted(members))
    return hashlib.sha256(lines.encode()).hexdigest()


def file_sha256(path) -> str:
    """As `sha256sum` prints it: to compare a copy with the original."""
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(COPY_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


# Checking an archive ------------------------------------------------------------------------


def backup_check(*, path) -> dict:
    """The manifest of the archive at `path` once every member matches it; BackupError with
    what is wrong otherwise (not an archive, incomplete, damaged, newer format)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, path)
            _check_members(archive, manifest, path)
    except FileNotFoundError:
        raise BackupError(f"No existe el archivo {path}.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} es una carpeta, no un respaldo de POA.") from None
    except zipfile.BadZipFile:
        raise BackupError(_unreadable(path)) from None
    except OSError as error:
        raise BackupError(f"No se pudo leer {path}: {error.strerror or error}.") from None
    return manifest


def _unreadable(path) -> str:
    with open(path, "rb") as source:
        zip_like = source.read(4) == b"PK\x03\x04"
    if zip_like:
        return (
            f"El respaldo {path} está incompleto o dañado: no se puede leer como ZIP. "
            "Copie de nuevo el archivo original."
        )
    return f"{path} no es un respaldo de POA (no es un archivo ZIP)."


def _read_manifest(archive, path) -> dict:
    try:
        manifest = json.loads(_read_member(archive, MANIFEST, path))
    except KeyError:
        raise BackupError(f"{path} no es un respaldo de POA: no tiene {MANIFEST}.") from None
    except ValueError:
        raise BackupError(damaged(path, MANIFEST)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} no es un respaldo de POA: su {MANIFEST} es de otra cosa.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise BackupError(damaged(path, MANIFEST))
    if version > FORMAT_VERSION:
        raise BackupError(
            f"El respaldo {path} usa el formato {version} (de POA "
            f"{manifest.get('poa_version', 'más nuevo')}) y esta instalación lee hasta el "
            f"formato {FORMAT_VERSION}: actualice POA antes de restaurarlo."
        )
    if any(not isinstance(manifest.get(key), kind) for key, kind in MANIFEST_KEYS.items()):
        raise BackupError(damaged(path, MANIFEST))
    return manifest


def _read_member(archive, name, path) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise BackupError(damaged(path, name)) from None


def damaged(path, member) -> str:
    return (
        f"El respaldo {path} está dañado: {member} no coincide con lo que se escribió. "
        "Copie de nuevo el archivo original."
    )


def _check_members(archive, manifest, path):
    try:
        listed = manifest["members"]
        expected = [t["member"] for t in manifest["tables"]] + [
            f["member"] for f in manifest["files"]
        ]
        checksum = manifest["checksum"]
        digests = {name: entry["sha256"] for name, entry in listed.items()}
    except (KeyError, TypeError, AttributeError):
        raise BackupError(damaged(path, MANIFEST)) from None
    if set(expected) != set(listed) or members_checksum(listed) != checksum:
        raise BackupError(damaged(path, MANIFEST))
    present = set(archive.namelist()) - {MANIFEST}
    missing = sorted(set(listed) - present)
    if missing:
        raise BackupError(
            f"Al respaldo {path} le falta {first_of(missing)}: está incompleto. "
            "Copie de nuevo el archivo original."
        )
    extra = sorted(present - set(listed))
    if extra:
        raise BackupError(
            f"El respaldo {path} contiene {first_of(extra)}, que su manifiesto no registra: "
            "no se restaura un archivo alterado."
        )
    _check_sizes(archive, listed, path)
    for name in sorted(listed):
        if _member_sha256(archive, name, path) != digests[name]:
            raise BackupError(
                f"El respaldo {path} está dañado: la suma SHA-256 de {name} no coincide con "
                "la del manifiesto. Copie de nuevo el archivo original."
            )


def _check_sizes(archive, listed, path):
    """Every member unzips to the size its manifest says, and to no more than the cap."""
    for name in sorted(listed):
        size = archive.getinfo(name).file_size
        if size > MAX_MEMBER_BYTES:
            raise BackupError(
                f"El respaldo {path} tiene un miembro demasiado grande ({name}, "
                f"{size_text(size)}; el máximo es {size_text(MAX_MEMBER_BYTES)}): no se "
                "restaura."
            )
        if size != listed[name].get("size"):
            raise BackupError(damaged(path, name))


def first_of(names) -> str:
    more = len(names) - 1
    return names[0] + (f" (y {more:,} más)" if more else "")


def _member_sha256(archive, name, path) -> str:
    digest = hashlib.sha256()
    try:
        with archive.open(name) as member:
            while chunk := member.read(COPY_BUFFER):
                digest.update(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise BackupError(damaged(path, name)) from None
    return digest.hexdigest()


def size_text(size: int) -> str:
    """1.2 MB, 850 KB, 12 bytes."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size:,} bytes"
