"""Writes every unit's TMM-F004 of a year and quarter as PDF into a folder, then a ZIP of them
all (poa.services.batch), with one worker process per core. A rerun skips the PDFs already
complete, so
a run that was stopped goes on where it was; authorized sheets are read from the storage.

    python manage.py poa_export_sheets --year 2023 --quarter 2 --out hojas/"""

import os
import shutil
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from poa.models import Ejercicio
from poa.services import batch

BAR_FORMAT = "Hojas {n_fmt} de {total_fmt} |{bar}| {percentage:3.0f}% · faltan {remaining}"


class Command(BaseCommand):
    help = (
        "Escribe en una carpeta la hoja TMM-F004 en PDF de cada unidad ejecutora del año y "
        "trimestre, y un ZIP con todas; al repetirlo se saltan las hojas ya escritas."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Ejercicio, p. ej. 2023.")
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        parser.add_argument("--out", type=Path, required=True, help="Carpeta de las hojas.")
        parser.add_argument(
            "--procesos",
            type=int,
            default=os.cpu_count() or 1,
            help="Procesos que dibujan hojas a la vez (uno por núcleo si se omite).",
        )

    def handle(self, *args, year, quarter, out, procesos, **options):
        ejercicio = Ejercicio.objects.filter(year=year).first()
        if ejercicio is None:
            raise CommandError(f"No existe el ejercicio {year}.")
        total = batch.year_units(ejercicio).count()
        if total == 0:
            raise CommandError(f"El ejercicio {year} no tiene unidades ejecutoras.")
        if procesos < 1:
            raise CommandError("--procesos debe ser 1 o más.")
        report = Bar(self.stdout, total) if self.stdout.isatty() else Lines(self.stdout, total)
        try:
            zip_path, progress = batch.export_sheets(
                ejercicio=ejercicio,
                quarter=quarter,
                folder=out,
                processes=min(procesos, total),
                on_progress=report,
            )
        except batch.SheetRenderError as error:
            raise CommandError(
                f"Se detuvo: {error}. Las hojas ya escritas se conservan; al repetir el comando "
                "se continúa desde ahí."
            ) from error
        finally:
            report.close()
        self.stdout.write(summary(progress, out, zip_path))


def summary(progress, out, zip_path):
    parts = [f"{progress.rendered:,} generada{'' if progress.rendered == 1 else 's'}"]
    if progress.kept:
        parts.append(f"{progress.kept:,} autorizadas tomadas de las guardadas")
    if progress.skipped:
        parts.append(f"{progress.skipped:,} ya estaban")
    return f"{progress.done:,} hojas en {out} ({', '.join(parts)}).\nZIP: {zip_path}"


class Bar:
    """A progress bar with the time left, on a terminal."""

    def __init__(self, stdout, total):
        # The raw stream: Django's wrapper would end every redraw with a new line.
        self.bar = tqdm(
            total=total,
            file=stdout._out,
            bar_format=BAR_FORMAT,
            smoothing=0.1,
            # Some terminals report no width; tqdm would then draw nothing.
            ncols=shutil.get_terminal_size().columns,
        )

    def __call__(self, progress):
        self.bar.update(progress.done - self.bar.n)

    def close(self):
        self.bar.close()


class Lines:
    """Plain lines, about every 5 %, for a log: how many and the time left."""

    STEPS = 20

    def __init__(self, stdout, total):
        self.stdout, self.total = stdout, total
        self.started = time.monotonic()
        self.step = -1
        self.skipped_at_start = 0

    def __call__(self, progress):
        if progress.done == progress.skipped:  # a rerun's finished files do not count for the ETA
            self.started, self.skipped_at_start = time.monotonic(), progress.done
        step = progress.done * self.STEPS // self.total
        if step == self.step and progress.done < self.total:
            return
        self.step = step
        line = f"Hojas {progress.done:,} de {self.total:,} ({100 * progress.done // self.total}%)"
        left = self.seconds_left(progress.done)
        if left is not None and progress.done < self.total:
            line += f", faltan ~{minutes(left)}"
        self.stdout.write(line)

    def seconds_left(self, done):
        drawn = done - self.skipped_at_start
        if drawn <= 0:
            return None
        return (time.monotonic() - self.started) / drawn * (self.total - done)

    def close(self):
        pass


def minutes(seconds):
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"
