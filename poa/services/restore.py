"""Restores an archive of poa.services.backup into an empty database, SQLite or PostgreSQL whichever
wrote it (`manage.py poa_restore`).

Empty means what `migrate` leaves in a new database and nothing else: content types,
permissions and the CONAC catalog, with exactly the migrations the archive was written with.
Content types and permissions keep the ids this database gave them (the rows that point at
them are translated by natural key); the archive's CONAC catalog replaces the migration's.
Every member is checked against the manifest before anything is written; then every table is
loaded in one transaction, in the order of their foreign keys, with the archive's primary
keys, and the sequences continue after them."""

import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import File
from django.core.files.storage import storages
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction

from poa.models import EVIDENCE_STORAGE
from poa.services.backup import (
    CHUNK,
    DEFAULT_STORAGE,
    MANIFEST,
    BackupError,
    applied_migrations,
    backup_check,
    backup_models,
    batches,
    damaged,
    first_of,
    label,
)

# Rows `migrate` creates in every database with ids of its own: the archive's are matched to
# them by natural key, and the rows pointing at them follow.
MATCHED = ("contenttypes.contenttype", "auth.permission")
# The CONAC catalog loaded by migration 0002: the archive's rows (maybe corrected by an
# administrator) replace the migration's.
REPLACED = ("poa.finalidad", "poa.funcion", "poa.subfuncion")


@dataclass(frozen=True)
class RestoreSummary:
    manifest: dict
    rows: int
    files: int

    @property
    def tables(self) -> int:
        """The tables that had rows."""
        return sum(1 for table in self.manifest["tables"] if table["rows"])


def backup_restore(*, path, confirm: Callable[[dict], bool] | None = None):
    """Restores the archive at `path` into this (empty) database and its files into the
    default storage, all or nothing. Checks the archive and the database first; `confirm`
    (given the manifest) may still say no. Returns a RestoreSummary, or None when not
    confirmed; raises BackupError with the reason in Spanish when refused."""
    manifest = backup_check(path=path)
    _check_tables(manifest, path)
    refusal = restore_refusal(manifest)
    if refusal:
        raise BackupError(refusal)
    if confirm is not None and not confirm(manifest):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            rows = _load(archive, manifest, path)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise BackupError(damaged(path, "uno de sus miembros")) from None
    ContentType.objects.clear_cache()
    return RestoreSummary(manifest, rows, len(manifest["files"]))


# Only what a backup writes -------------------------------------------------------------------


def _check_tables(manifest, path):
    """Every table the manifest names is one poa_backup writes, under the member it writes."""
    written = {label(model) for model in backup_models()}
    seen = set()
    for table in manifest["tables"]:
        name = table.get("model") if isinstance(table, dict) else None
        if name not in written or name in seen:
            raise BackupError(
                f"El respaldo {path} trae la tabla {name}, que poa_backup no escribe: no se "
                "restaura un archivo alterado."
            )
        if table.get("member") != f"data/{name}.jsonl" or not isinstance(table.get("rows"), int):
            raise BackupError(damaged(path, MANIFEST))
        seen.add(name)


def _written_columns(model) -> set[str]:
    """The fields poa_backup writes for each row of the model (Django's serializer's)."""
    return {model_field.name for model_field in model._meta.local_fields if model_field.serialize}


# Can this database take it? -----------------------------------------------------------------


def restore_refusal(manifest) -> str | None:
    """Why this database cannot take the archive (other migrations, not empty); None when
    it can."""
    return _migrations_refusal(manifest) or _occupied_refusal()


def _migrations_refusal(manifest):
    archived = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    here = {(app, name) for app, names in applied_migrations().items() for name in names}
    if not here:
        return (
            "La base de destino no tiene tablas: corra `python manage.py migrate` en ella y "
            "restaure después."
        )
    missing = sorted(archived - here)
    if missing:
        return (
            f"El respaldo viene de una base con migraciones que esta no tiene "
            f"({first_of(['.'.join(pair) for pair in missing])}): instale POA "
            f"{manifest.get('poa_version', '')} o más nuevo y corra "
            "`python manage.py migrate` antes de restaurar."
        )
    newer = sorted(here - archived)
    if newer:
        steps = "; ".join(_migrate_back(app, manifest) for app in sorted({a for a, _ in newer}))
        return (
            f"Esta base tiene migraciones más nuevas que el respaldo "
            f"({first_of(['.'.join(pair) for pair in newer])}): restaure en una base nueva "
            f"migrada solo hasta las del respaldo ({steps}) y corra `python manage.py migrate` "
            "después de restaurar."
        )
    return None


def _migrate_back(app, manifest) -> str:
    names = manifest["migrations"].get(app) or ["zero"]
    return f"python manage.py migrate {app} {names[-1]}"


def _occupied_refusal():
    occupied = [
        (model, count)
        for model in backup_models()
        if label(model) not in MATCHED + REPLACED and (count := model._base_manager.count())
    ]
    if not occupied:
        return None
    what = ", ".join(_rows_of(model, count) for model, count in occupied[:3])
    if len(occupied) > 3:
        what += f" y datos en {len(occupied) - 3:,} tablas más"
    return (
        f"La base de destino no está vacía (tiene {what}): poa_restore solo escribe en una "
        "base recién creada con `python manage.py migrate`, sin usuarios ni datos. Cree una "
        "base nueva, apunte DATABASE_URL a ella, corra migrate y restaure ahí."
    )


def _rows_of(model, count) -> str:
    opts = model._meta
    if opts.auto_created:
        return f"{count:,} filas de {opts.db_table}"
    name = opts.verbose_name if count == 1 else opts.verbose_name_plural
    return f"{count:,} {name}"


# Loading ------------------------------------------------------------------------------------


@dataclass
class _Keys:
    """The ids `migrate` gave here to the archive's content types and permissions."""

    content_types: dict = field(default_factory=dict)
    permissions: dict = field(default_factory=dict)


def _load(archive, manifest, path) -> int:
    """The tables, then the files once the tables are loaded and checked, in one
    transaction; a file written before something failed is removed."""
    tables = manifest["tables"]
    loaded = [apps.get_model(table["model"]) for table in tables]
    written = []
    try:
        with transaction.atomic():
            _clear_replaced(tables)
            keys = _Keys()
            rows = sum(_load_table(archive, table, keys, path) for table in tables)
            connection.check_constraints(table_names=[m._meta.db_table for m in loaded])
            _reset_sequences(loaded)
            _restore_files(archive, manifest, written)
    except DatabaseError as error:
        _remove(written)
        raise BackupError(
            f"La base rechazó los datos del respaldo ({error}); no se escribió nada."
        ) from None
    except BaseException:
        _remove(written)
        raise
    return rows


def _remove(written):
    for storage, name in written:
        storage.delete(name)


def _clear_replaced(tables):
    present = {table["model"] for table in tables}
    for name in reversed(REPLACED):
        if name in present:
            apps.get_model(name)._base_manager.all().delete()


def _load_table(archive, table, keys, path) -> int:
    name, member = table["model"], table["member"]
    rows = _rows(archive, member, path, apps.get_model(name))
    try:
        if name == "contenttypes.contenttype":
            count = _match_content_types(rows, keys)
        elif name == "auth.permission":
            count = _match_permissions(rows, keys)
        else:
            count = _insert(apps.get_model(name), rows, keys)
    except (DeserializationError, ValidationError, KeyError, TypeError):
        raise BackupError(damaged(path, member)) from None
    if count != table["rows"]:
        raise BackupError(damaged(path, member))
    return count


# A row of the archive is a line of JSON; none of poa_backup's comes near this.
MAX_LINE_BYTES = 16 * 1024 * 1024


def _rows(archive, member, path, model) -> Iterator[dict]:
    """The member's rows, each as poa_backup writes it: its pk and the model's fields."""
    columns = _written_columns(model)
    with archive.open(member) as lines:
        while line := lines.readline(MAX_LINE_BYTES + 1):
            if len(line) > MAX_LINE_BYTES:
                raise BackupError(damaged(path, member))
            try:
                row = json.loads(line)
            except ValueError:
                raise BackupError(damaged(path, member)) from None
            yield _written_row(row, model, columns, f"{path}: {member}")


def _written_row(row, model, columns, where) -> dict:
    if not isinstance(row, dict) or "pk" not in row or not isinstance(row.get("fields"), dict):
        raise BackupError(f"El respaldo {where} trae una fila que poa_backup no escribe.")
    named = row.get("model", label(model))
    if named != label(model):
        raise BackupError(
            f"El respaldo {where} trae una fila de otro modelo ({named}): no se restaura un "
            "archivo alterado."
        )
    extra = sorted((set(row) - {"pk", "fields", "model"}) | (set(row["fields"]) - columns))
    if extra:
        raise BackupError(
            f"El respaldo {where} trae columnas que poa_backup no escribe "
            f"({', '.join(map(str, extra))}): no se restaura un archivo alterado."
        )
    return {"pk": row["pk"], "fields": row["fields"]}


def _match_content_types(rows, keys) -> int:
    for row in rows:
        fields = row["fields"]
        found, _ = ContentType.objects.get_or_create(
            app_label=fields["app_label"], model=fields["model"]
        )
        keys.content_types[row["pk"]] = found.pk
    return len(keys.content_types)


def _match_permissions(rows, keys) -> int:
    for row in rows:
        fields = row["fields"]
        found, _ = Permission.objects.get_or_create(
            content_type_id=keys.content_types[fields["content_type"]],
            codename=fields["codename"],
            defaults={"name": fields["name"]},
        )
        keys.permissions[row["pk"]] = found.pk
    return len(keys.permissions)


def _insert(model, rows, keys) -> int:
    """The rows as the archive has them, a batch per INSERT, without signals (no history is
    recorded twice: the archive has it)."""
    remap = _remapped_fields(model, keys)
    typed = ({"model": label(model), **_remapped(row, remap)} for row in rows)
    objects = (deserialized.object for deserialized in serializers.deserialize("python", typed))
    count = 0
    with _timestamps_as_archived(model):
        for batch in batches(objects, CHUNK):
            model._base_manager.bulk_create(batch)
            count += len(batch)
    return count


def _remapped_fields(model, keys) -> dict:
    targets = {ContentType: keys.content_types, Permission: keys.permissions}
    return {
        model_field.name: targets[model_field.related_model]
        for model_field in model._meta.concrete_fields
        if model_field.is_relation and model_field.related_model in targets
    }


def _remapped(row, remap) -> dict:
    fields = row["fields"]
    for name, ids in remap.items():
        if fields.get(name) is not None:
            fields[name] = ids[fields[name]]
    return row


@contextmanager
def _timestamps_as_archived(model):
    """auto_now fields keep the archive's moment instead of taking the restore's."""
    stamped = [
        model_field
        for model_field in model._meta.concrete_fields
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for model_field in stamped:
        model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def _reset_sequences(loaded):
    """New rows continue after the restored ids (PostgreSQL's sequences; SQLite follows the
    largest id by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), loaded)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _restore_files(archive, manifest, written):
    """Into their storage (the default one, or the evidence's) under their own names (an
    older copy of one is replaced); each written is added to `written` (storage, name)."""
    sizes = manifest["members"]
    for entry in manifest["files"]:
        name, member = entry["name"], entry["member"]
        storage = _storage(entry.get("storage", DEFAULT_STORAGE), name)
        try:
            if storage.exists(name):
                storage.delete(name)
            with archive.open(member) as source:
                content = File(source, name=name)
                content.size = sizes[member]["size"]
                saved = storage.save(name, content)
        except SuspiciousFileOperation:
            raise BackupError(f"El respaldo trae un nombre de archivo no válido: {name}.") from None
        written.append((storage, saved))
        if saved != name:
            raise BackupError(f"No se pudo guardar {name} con su nombre en el almacenamiento.")


def _storage(alias, name):
    if alias not in (DEFAULT_STORAGE, EVIDENCE_STORAGE):
        raise BackupError(f"El respaldo guarda {name} en un almacenamiento desconocido: {alias}.")
    return storages[alias]
