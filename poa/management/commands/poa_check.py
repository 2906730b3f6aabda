"""Lists every inconsistency of a year's data (poa.selectors.consistency), one line each, ramo by
ramo and unit by unit. Exit status 1 when it finds any and 0 when the year is clean, so that a
cron job can alert; 2 for a year that does not exist."""

from django.core.management.base import BaseCommand, CommandError

from poa.models import Ejercicio, Meta
from poa.rules import figures
from poa.selectors import consistency, tracking


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
        parser.add_argument(
            "--avance",
            action="store_true",
            help="Escribe también el avance de cada ramo y del ejercicio al cierre del "
            "trimestre (--quarter; el cuarto si se omite), como lo muestra el seguimiento.",
        )

    def handle(self, *args, year, quarter=None, avance=False, **options):
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
        if avance:
            self.stdout.write("\n".join(avance_lines(ejercicio, quarter or figures.QUARTERS[-1])))
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


def avance_lines(ejercicio, quarter) -> list[str]:
    """The avance of each ramo and of the year, from the same selector as the seguimiento."""
    metas = Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio, cancelada=False)
    data = tracking.build_tracking(metas, year=ejercicio.year, quarter=quarter)
    label = figures.QUARTER_LABELS[quarter]
    lines = [
        f"Avance del ramo {ramo.clave} al cierre de {label}: {_avance(ramo.progress)}"
        for ramo in data.ramos
    ]
    lines.append(
        f"Avance del ejercicio {ejercicio.year} al cierre de {label}: {_avance(data.total)}"
    )
    return [*lines, data.method]


def _avance(progress) -> str:
    """93.3% (18 metas promediadas; 2 metas sin programar a la fecha, fuera del promedio)."""
    text = f"{figures.format_percent(progress.percent) or 'sin avance'} "
    text += f"({progress.avance.averaged:,} metas promediadas"
    if progress.unprogrammed:
        text += f"; {progress.unprogrammed_label} a la fecha, fuera del promedio"
    return text + ")."
