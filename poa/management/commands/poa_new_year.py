"""Creates a new year from another one: `python manage.py poa_new_year --from 2023 --to 2024
[--copiar-metas] [--pmd "PLAN MUNICIPAL DE DESARROLLO 2025-2027"]`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from poa.rules.states import WorkflowError
from poa.selectors import access
from poa.services import years


class Command(BaseCommand):
    help = (
        "Crea un ejercicio a partir de otro: ramos, programas, unidades ejecutoras con sus "
        "responsables y capturistas, y las líneas de acción si el PMD es el mismo; con "
        "--copiar-metas, también las metas como borrador con la meta anual y lo programado "
        "en 0. El ejercicio de origen no cambia."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", type=int, required=True, help="Año de origen")
        parser.add_argument("--to", dest="year", type=int, required=True, help="Año nuevo")
        parser.add_argument(
            "--copiar-metas",
            dest="copy_metas",
            action="store_true",
            help="Copiar las metas como borrador (meta anual y lo programado en 0).",
        )
        parser.add_argument(
            "--pmd", default=None, help="PMD del año nuevo, si es distinto del de origen."
        )
        parser.add_argument(
            "--usuario",
            default=None,
            help="Cuenta de planeación que queda registrada (por omisión, la primera cuenta "
            "de administrador o de planeación).",
        )

    def handle(self, *args, **options):
        user = self.acting_user(options["usuario"])
        try:
            created = years.year_create_from(
                source=options["source"],
                year=options["year"],
                user=user,
                copy_metas=options["copy_metas"],
                pmd=options["pmd"],
            )
        except (WorkflowError, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        for line in created.summary:
            self.stdout.write(line)

    def acting_user(self, username):
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No existe el usuario «{username}».")
            return user
        user = access.planeacion_users().order_by("-is_superuser", "pk").first()
        if user is None:
            raise CommandError(
                "No hay ninguna cuenta de planeación ni de administrador: cree una o indique "
                "--usuario."
            )
        return user
