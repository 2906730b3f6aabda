"""Checks a PDF against the seals of the authorized sheets, as /verificar/ does: prints whether
it is identical to an authorized document (its folio, unit, quarter, time and whether it was
superseded) or matches none. Exit 0 only for a document sealed and in force; 1 otherwise; 2
when the file cannot be read."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from poa.documents.seal import verification_url
from poa.selectors.seals import IDENTICAL, NO_MATCH, seal_of_content


class Command(BaseCommand):
    help = (
        "Comprueba si un PDF es idéntico a una hoja TMM-F004 autorizada y sellada; termina con "
        "0 solo si su sello está vigente."
    )

    def add_arguments(self, parser):
        parser.add_argument("archivo", help="el PDF a comprobar")

    def handle(self, *args, archivo, **options):
        try:
            with open(archivo, "rb") as document:
                content = document.read()
        except OSError as error:
            message = f"No se pudo leer {archivo}: {error.strerror}."
            raise CommandError(message, returncode=2) from None
        seal = seal_of_content(content)
        if seal is None:
            self.stdout.write(f"{NO_MATCH}.")
            raise SystemExit(1)
        self.describe(seal)
        if seal.superseded_at:
            raise SystemExit(1)

    def describe(self, seal):
        ue = seal.report.unidad_ejecutora
        sealed = timezone.localtime(seal.sealed_at).strftime("%d/%m/%Y %H:%M")
        self.stdout.write(f"{IDENTICAL}: folio {seal.folio}.")
        self.stdout.write(f"  Unidad ejecutora {ue.clave} {ue.nombre} (ramo {ue.ramo.clave})")
        self.stdout.write(f"  Trimestre {seal.report.quarter} de {ue.ramo.ejercicio.year}")
        self.stdout.write(f"  Sellado el {sealed} (hora de Mexicali) · SHA-256 {seal.sha256}")
        if seal.superseded_at:
            by = f" por {seal.superseded_by.folio}" if seal.superseded_by else ""
            self.stdout.write(f"  Sustituido{by}: el informe se reabrió; no está vigente.")
        else:
            self.stdout.write("  Vigente.")
        self.stdout.write(f"  {verification_url(seal.folio)}")
