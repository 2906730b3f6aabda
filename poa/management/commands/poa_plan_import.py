"""Reads the workbook of a year (poa.documents.yearbook's layout) and loads it through
poa.services.imports:
every error listed by sheet, row and column, and nothing saved unless every row is valid."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from poa.selectors import access
from poa.services import imports


class Command(BaseCommand):
    help = (
        "Importa un libro de Excel con el catálogo y la programación de un ejercicio; no guarda "
        "nada si alguna fila tiene errores."
    )

    def add_arguments(self, parser):
        parser.add_argument("archivo", help="El libro .xlsx.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Solo revisa y cuenta; no guarda nada."
        )
        parser.add_argument(
            "--aprobar",
            action="store_true",
            help="Marca como aprobada la programación de cada unidad del ejercicio y carga lo "
            "alcanzado (hoja «Avance»).",
        )
        parser.add_argument(
            "--usuario",
            help="Cuenta de planeación que importa (queda en el historial); basta omitirla "
            "cuando hay una sola o un solo superusuario.",
        )

    def handle(self, *args, **options):
        user = self.importer(options["usuario"])
        try:
            result = imports.year_import(
                path=options["archivo"],
                user=user,
                approve=options["aprobar"],
                dry_run=options["dry_run"],
                progress=self.progress if self.stdout.isatty() else None,
            )
        except FileNotFoundError as error:
            raise CommandError(f"No existe el archivo {options['archivo']}.") from error
        self.clear_progress()
        for warning in result.warnings:
            self.stdout.write(f"Aviso: {warning}")
        if result.errors:
            for problem in result.errors:
                self.stderr.write(str(problem))
            count = len(result.errors)
            raise CommandError(
                f"{count:,} {'error' if count == 1 else 'errores'}; no se importó nada."
            )
        self.report(result, options["dry_run"])

    def importer(self, username):
        users = list(access.planeacion_users())
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None or not access.is_planeacion(user):
                raise CommandError(f"«{username}» no es una cuenta activa de planeación.")
            return user
        if len(users) == 1:
            return users[0]
        superusers = [user for user in users if user.is_superuser]
        if len(superusers) == 1:
            return superusers[0]
        names = ", ".join(sorted(user.username for user in users)) or "ninguna"
        raise CommandError(
            "Indique con --usuario la cuenta de planeación que importa; puede nombrar "
            f"cualquiera de estas: --usuario {names}."
        )

    def report(self, result, dry_run):
        if dry_run:
            self.stdout.write(
                f"Revisión del ejercicio {result.year}: sin errores; no se guardó nada."
            )
        else:
            self.stdout.write(f"Ejercicio {result.year} importado.")
        for line in result.summary():
            self.stdout.write(line)
        if not result.changes:
            self.stdout.write("Sin cambios: la base ya tenía todo lo que contiene el libro.")

    def progress(self, sheet, done, total):
        self.stdout.write(f"\r{sheet}: {done:,} de {total:,}…   ", ending="")
        self.stdout.flush()
        self._progress_shown = True

    def clear_progress(self):
        if getattr(self, "_progress_shown", False):
            self.stdout.write("\r" + " " * 60 + "\r", ending="")
