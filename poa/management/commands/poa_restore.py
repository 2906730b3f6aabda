"""Restores a backup written by poa_backup into an empty database (poa.services.backup)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.utils.dateparse import parse_datetime

from poa.rules.localtime import short_datetime
from poa.services import backup, restore


class Command(BaseCommand):
    help = (
        "Restaura un respaldo de poa_backup en una base vacía (recién creada con migrate), "
        "SQLite o PostgreSQL, después de comprobar cada parte del archivo. Rechaza una base "
        "con datos, un archivo dañado o de un formato más nuevo."
    )

    def add_arguments(self, parser):
        parser.add_argument("archivo", metavar="ARCHIVO", help="El respaldo (.zip) a restaurar.")
        parser.add_argument(
            "--yes", action="store_true", help="No pedir confirmación en la terminal."
        )

    def handle(self, *args, **options):
        path = options["archivo"]
        confirm = None if options["yes"] or not sys.stdin.isatty() else self.confirm
        try:
            summary = restore.backup_restore(path=path, confirm=confirm)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"No se pudo restaurar: {error.strerror or error}.") from None
        except DatabaseError as error:
            raise CommandError(f"No se pudo restaurar: {error}. No se escribió nada.") from None
        if summary is None:
            self.stdout.write("Restauración cancelada: no se escribió nada.")
            return
        self.report(summary)

    def confirm(self, manifest):
        self.stdout.write(self.origin(manifest))
        database = connection.settings_dict["NAME"]
        try:
            answer = input(f"¿Restaurarlo en la base {database} ({connection.vendor})? [s/N] ")
        except (EOFError, KeyboardInterrupt):
            self.stdout.write("")
            return False
        return answer.strip().lower() in {"s", "si", "sí", "y", "yes"}

    def origin(self, manifest):
        made = parse_datetime(manifest["created_at"])
        return (
            f"Respaldo del {short_datetime(made)}, de una base {manifest['database']} con POA "
            f"{manifest['poa_version']}."
        )

    def report(self, summary):
        self.stdout.write(
            f"Respaldo restaurado: {summary.rows:,} registros de {summary.tables:,} tablas y "
            f"{summary.files:,} archivos. " + self.origin(summary.manifest)
        )
