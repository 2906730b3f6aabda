"""Writes the backup of everything POA keeps into one archive (poa.services.backup)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from poa.services import backup


class Command(BaseCommand):
    help = (
        "Escribe en un solo archivo ZIP todo lo que guarda POA (catálogo, programación, cifras, "
        "informes, movimientos, historial, usuarios y las hojas autorizadas guardadas), con la "
        "suma SHA-256 de cada parte; `poa_restore` lo restaura en SQLite o PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, metavar="ARCHIVO", help="Archivo a escribir, p. ej. poa.zip."
        )

    def handle(self, *args, **options):
        path = options["out"]
        try:
            summary = backup.backup_create(path=path)
        except FileNotFoundError:
            raise CommandError(f"No existe la carpeta de {path}: créela o elija otra.") from None
        except PermissionError:
            raise CommandError(f"POA no tiene permiso de escribir {path}.") from None
        except OSError as error:
            raise CommandError(f"No se pudo escribir {path}: {error.strerror or error}.") from None
        except DatabaseError as error:
            raise CommandError(f"No se pudo leer la base de datos: {error}") from None
        self.report(summary)

    def report(self, summary):
        manifest = summary.manifest
        tables = sorted(
            (table for table in manifest["tables"] if table["rows"]), key=lambda t: t["model"]
        )
        self.stdout.write(
            f"Respaldo escrito en {summary.path} ({backup.size_text(summary.size)}): "
            f"{summary.rows:,} registros de {len(tables):,} tablas y "
            f"{len(manifest['files']):,} archivos."
        )
        self.stdout.write(f"SHA-256 del archivo: {summary.sha256}")
        self.stdout.write("Registros por tabla:")
        for table in tables:
            self.stdout.write(f"  {table['rows']:>10,}  {table['model']}")
