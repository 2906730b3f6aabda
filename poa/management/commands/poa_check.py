"""Lists every inconsistency of a year's data (poa.selectors.consistency), one line each, ramo by
ramo and unit by unit. Exit status 1 when it finds any and 0 when the year is clean, so that a
cron job can alert; 2 for a year that does not exist."""

from django.core.management.base import BaseCommand, CommandError

from poa.models import Ejercicio
from poa.rules import figures
from poa.selectors import consistency


class Command(BaseCommand):
    help = (
        "Revisa la congruencia de un ejercicio: programado contra meta anual, diferencias sin "
        "observación, avance sin informe o sin programar, metas sin línea de acción y "
        "firmantes sin cargo. Termina con estado 1 si encuentra alguna."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Ejercicio, p. ej. 2023.")
        parser.add_argument(
            "--quarter",
            type=int,
            choices=figures.QUARTERS,
            help="Revisa lo alcanzado solo hasta este trimestre (1 a 4).",
        )

    def handle(self, *args, year, quarter=None, **options):
        ejercicio = Ejercicio.objects.filter(year=year).first()
        if ejercicio is None:
            years = ", ".join(str(e.year) for e in Ejercicio.objects.order_by("year"))
            raise CommandError(
                f"No existe el ejercicio {year}. Ejercicios registrados: {years or 'ninguno'}.",
                returncode=2,
            )
        found = consistency.find_inconsistencies(ejercicio=ejercicio, quarter=quarter)
        for item in found:
            self.stdout.write(str(item))
        self.stdout.write(summary(found, year, quarter))
        if found:
            raise SystemExit(1)


def summary(found, year, quarter) -> str:
    """Sin inconsistencias en 2023. / 5 inconsistencias en 2023: 4 diferencia sin …"""
    scope = f" (lo alcanzado, hasta {figures.QUARTER_LABELS[quarter]})" if quarter else ""
    if not found:
        return f"Sin inconsistencias en {year}{scope}."
    counts = consistency.count_by_kind(found)
    kinds = "; ".join(f"{consistency.KINDS[kind]}: {n:,}" for kind, n in counts.items())
    noun = "inconsistencia" if len(found) == 1 else "inconsistencias"
    return f"{len(found):,} {noun} en {year}{scope}. {kinds}."
