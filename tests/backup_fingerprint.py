"""Everything a restore must give back, as plain JSON-like data, to compare the database a
backup came from with the one it was restored into (tests/test_backup.py):

  figures  every QuarterlyProgress: P, A and the observation of each meta and quarter
  events   every transition of reports, programmings and modifications: action, states,
           signer, position, comment and moment
  history  how many history records each tracked model has
  users    accounts with their password hash, groups and signatory
  files    the SHA-256 of every kept PDF and ZIP in the default storage
  sheets   the HTML text of the TMM-F004 of every unit and quarter
  tables   every row of every table the archive holds, ids included (content types and
           permissions, whose ids each database gives, by natural key)

`python -m tests.backup_fingerprint FILE` writes it for the database of DATABASE_URL."""

import hashlib
import json
import os
import sys


def fingerprint() -> dict:
    return {
        "figures": figures(),
        "events": events(),
        "history": history(),
        "users": users(),
        "files": files(),
        "sheets": sheets(),
        "tables": tables(),
    }


def _plain(value):
    """The same value read from SQLite or PostgreSQL, as JSON writes it."""
    from poa.services.backup import json_value

    return json.loads(json.dumps(value, default=json_value))


def _unit_address(ue):
    return [ue.ramo.ejercicio.year, ue.ramo.clave, ue.clave]


def figures():
    from poa.models import QuarterlyProgress

    rows = QuarterlyProgress.objects.select_related("meta__unidad_ejecutora__ramo__ejercicio")
    return _plain(
        sorted(
            [
                *_unit_address(p.meta.unidad_ejecutora),
                p.meta.numero,
                p.quarter,
                p.programado,
                p.alcanzado,
                p.observaciones,
            ]
            for p in rows
        )
    )


def events():
    from poa.models import ModificacionEvent, ProgramacionEvent, ReportEvent

    def report(event):
        return [*_unit_address(event.report.unidad_ejecutora), event.report.quarter]

    def programacion(event):
        return _unit_address(event.programacion.unidad_ejecutora)

    def modificacion(event):
        meta = event.modificacion.meta
        return [*_unit_address(meta.unidad_ejecutora), meta.numero]

    subjects = [
        (ReportEvent, "report__unidad_ejecutora__ramo__ejercicio", report),
        (ProgramacionEvent, "programacion__unidad_ejecutora__ramo__ejercicio", programacion),
        (ModificacionEvent, "modificacion__meta__unidad_ejecutora__ramo__ejercicio", modificacion),
    ]
    return _plain(
        [
            [
                model._meta.model_name,
                event.pk,
                address(event),
                event.action,
                event.from_state,
                event.to_state,
                event.user.username,
                event.signer_name,
                event.signer_position,
                event.comment,
                event.created_at,
            ]
            for model, path, address in subjects
            for event in model.objects.select_related(path, "user").order_by("pk")
        ]
    )


def history():
    from poa.services.backup import backup_models

    return {
        model._meta.label_lower: model._base_manager.count()
        for model in backup_models()
        if model._meta.model_name.startswith("historical")
    }


def users():
    from django.contrib.auth import get_user_model

    accounts = get_user_model().objects.prefetch_related("groups").order_by("username")
    personas = {p.usuario_id: p.nombre for p in _personas()}
    return _plain(
        [
            [
                user.username,
                user.password,
                user.email,
                user.first_name,
                user.last_name,
                user.is_active,
                user.is_staff,
                user.is_superuser,
                user.date_joined,
                user.last_login,
                sorted(group.name for group in user.groups.all()),
                personas.get(user.pk),
            ]
            for user in accounts
        ]
    )


def _personas():
    from poa.models import Persona

    return Persona.objects.exclude(usuario=None)


def files():
    from django.core.files.storage import default_storage

    from poa.services.backup import referenced_files

    kept = {}
    for name in referenced_files():
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as content:
                kept[name] = hashlib.sha256(content.read()).hexdigest()
    return kept


def sheets():
    from poa.documents import html
    from poa.models import UnidadEjecutora
    from poa.selectors.sheet import build_sheet

    texts = {}
    for ue in UnidadEjecutora.objects.select_related("ramo__ejercicio"):
        for quarter in (1, 2, 3, 4):
            _, _, content = html.render_sheet(build_sheet(ue, quarter))
            texts["/".join(map(str, [*_unit_address(ue), quarter]))] = content.decode()
    return texts


def tables():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from poa.services.backup import backup_models

    content_types = {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.all()}
    permissions = {
        p.pk: [*content_types[p.content_type_id], p.codename] for p in Permission.objects.all()
    }
    by_natural_key = {ContentType: content_types, Permission: permissions}
    dumped = {}
    for model in backup_models():
        if model in by_natural_key:
            dumped[model._meta.label_lower] = sorted(by_natural_key[model].values())
            continue
        translated = {
            f.attname: by_natural_key[f.related_model]
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in by_natural_key
        }
        rows = []
        for row in model._base_manager.order_by("pk").values():
            for column, keys in translated.items():
                row[column] = keys.get(row[column])
            rows.append(row)
        dumped[model._meta.label_lower] = _plain(rows)
    return dumped


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(fingerprint(), out, ensure_ascii=False)
