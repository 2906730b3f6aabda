"""Writes the workbook of a year: its catalog, metas and programming and, unless told
otherwise, what was achieved (the layout is poa.documents.yearbook's)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from poa.documents import yearbook
from poa.models import Ejercicio


class Command(BaseCommand):
    help = "Exporta a un libro de Excel el catálogo y la programación de un ejercicio."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, required=True, help="Año del ejercicio, p. ej. 2023."
        )
        parser.add_argument("--out", required=True, help="Archivo .xlsx que se escribe.")
        parser.add_argument(
            "--sin-avance",
            action="store_true",
            help="Sin lo alcanzado ni las observaciones (la hoja «Avance» queda vacía).",
        )

    def handle(self, *args, **options):
        ejercicio = Ejercicio.objects.filter(year=options["year"]).first()
        if ejercicio is None:
            raise CommandError(f"No existe el ejercicio {options['year']}.")
        _, _, content = yearbook.render_year(ejercicio, with_progress=not options["sin_avance"])
        out = Path(options["out"])
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"No se pudo escribir {out}: {error.strerror}.") from error
        self.stdout.write(f"Ejercicio {ejercicio.year} exportado a {out}.")
