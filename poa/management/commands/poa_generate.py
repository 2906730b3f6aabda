"""Generates a synthetic municipality for one year through the app's services
(poa.services.generate): catalog, annual programming, three quarters captured and signed off."""

import time

from django.core.management.base import BaseCommand, CommandError

from poa.models import Report
from poa.services import generate

STATE_LABELS = dict(Report.State.choices)


class Command(BaseCommand):
    help = (
        "Genera un municipio sintético de un ejercicio con los servicios de la aplicación: "
        "ramos, programas, unidades ejecutoras con sus firmantes y capturistas, metas "
        "programadas y aprobadas, tres trimestres capturados y firmados; el mismo resultado "
        "para la misma semilla."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ramos", type=int, required=True, help="Número de ramos.")
        parser.add_argument(
            "--ues-por-ramo", type=int, required=True, help="Unidades ejecutoras por ramo."
        )
        parser.add_argument(
            "--metas-por-ue", type=int, required=True, help="Metas por unidad ejecutora."
        )
        parser.add_argument("--seed", type=int, required=True, help="Semilla (entero).")
        parser.add_argument(
            "--year",
            type=int,
            help=f"Ejercicio a crear; el primer año libre desde {generate.FIRST_YEAR} si se omite.",
        )
        parser.add_argument(
            "--password",
            help="Contraseña de todas las cuentas generadas; sin ella no pueden iniciar sesión.",
        )
        parser.add_argument(
            "--con-inconsistencias",
            action="store_true",
            dest="inconsistencies",
            help="Siembra a propósito una inconsistencia de cada tipo que revisa poa_check.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            generated = generate.generate_year(
                ramos=options["ramos"],
                ues_por_ramo=options["ues_por_ramo"],
                metas_por_ue=options["metas_por_ue"],
                seed=options["seed"],
                year=options["year"],
                password=options["password"],
                inconsistencies=options["inconsistencies"],
                progress=self.progress if self.stdout.isatty() else None,
            )
        except generate.GenerationError as error:
            raise CommandError(str(error)) from error
        self.report(generated, options, time.monotonic() - started)

    def progress(self, stage, done, total):
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done == total else ""
        self.stdout.write(f"\r{stage:<13} [{bar}] {done:,}/{total:,}", ending=end)
        self.stdout.flush()

    def report(self, generated, options, seconds):
        year = generated.ejercicio.year
        self.stdout.write(
            f"Ejercicio {year} generado con la semilla {options['seed']} en {seconds:,.1f} s: "
            f"{options['ramos']:,} ramos, {generated.units:,} unidades ejecutoras, "
            f"{generated.metas:,} metas."
        )
        for quarter in (1, 2, 3):
            states = [
                f"{STATE_LABELS[state].lower()} {count:,}"
                for (q, state), count in generated.report_states.items()
                if q == quarter
            ]
            self.stdout.write(f"  Trimestre {quarter}: {', '.join(states)}.")
        self.stdout.write("  Trimestre 4: sin abrir.")
        self.stdout.write(
            f"Cuentas: {generate.PLANEACION_USERNAME} (planeación), cap-<ramo>-<ue> "
            "(capturistas) y la de cada responsable"
            + ("." if options["password"] else "; sin contraseña: use --password para entrar.")
        )
        for kind, ramo, ue, meta in generated.planted:
            where = f"Ramo {ramo} · UE {ue}" + (f" · Meta {meta}" if meta is not None else "")
            self.stdout.write(f"Inconsistencia sembrada ({kind}): {where}")
