"""Every unit's TMM-F004 of a year and quarter at once: one PDF per unit in a folder, then a
ZIP of them all. `manage.py poa_export_sheets` runs it with a process per core; planeación asks
for the same ZIP from the web (sheet_export_request) and a background job writes it into the
storage (sheet_export_run) while the page shows how far it got.

Only this process reads the database: it builds the sheets (poa.selectors.sheet, a fixed number of
queries per chunk of units) and hands each to a worker process, which renders the PDF and
writes it under a temporary name that becomes the final one once complete. A killed run
leaves no half file, and a rerun skips the finished ones. Authorized sheets are read from the
storage (poa.documents.stored) and rendered only the first time."""

import logging
import multiprocessing
import os
import tempfile
import zipfile
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from poa.documents import pdf, stored, worker
from poa.jobs import task
from poa.models import SheetExport, UnidadEjecutora
from poa.selectors import access
from poa.selectors.sheet import FORM_CODE, build_sheets
from poa.services import seals

logger = logging.getLogger(__name__)

# Units per call of the sheet selector: its queries are fixed per call.
CHUNK = 40
# Sheets waiting for each worker process: enough to keep it busy, few enough to stream.
WINDOW_PER_PROCESS = 3
PART = ".part"
# A job that has not moved for this long is taken as lost (its worker stopped).
STALE_AFTER = timedelta(minutes=15)


class SheetRenderError(Exception):
    """A unit's sheet could not be drawn; the message says which, in Spanish."""


@dataclass
class Progress:
    total: int
    done: int = 0
    skipped: int = 0  # already complete in the folder (a rerun)
    kept: int = 0  # authorized, read from the storage
    rendered: int = 0


@dataclass(frozen=True)
class Finished:
    sheet: object
    path: Path
    how: str  # "skipped", "kept" or "rendered"


def year_units(ejercicio):
    """Every unit of the year, of every ramo, in the order of the ZIP."""
    units = UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio)
    return units.order_by("ramo__clave", "clave")


def zip_name(year, quarter) -> str:
    """TMM-F004_2023_T2.zip"""
    return f"{FORM_CODE}_{year}_T{quarter}.zip"


def export_sheets(*, ejercicio, quarter, folder, processes=1, on_progress=None):
    """Writes every unit's PDF of the year and quarter into `folder` (those already there and
    complete are kept) with `processes` worker processes, then the ZIP of them all beside
    them. `on_progress(progress)` is called after each sheet. Returns (zip path, Progress)."""
    folder = Path(folder)
    paths, progress = write_sheets(
        units=year_units(ejercicio),
        quarter=quarter,
        folder=folder,
        processes=processes,
        on_progress=on_progress,
    )
    zip_path = folder / zip_name(ejercicio.year, quarter)
    zip_sheets(paths, zip_path)
    return zip_path, progress


def write_sheets(*, units, quarter, folder, processes=1, on_progress=None):
    """The PDF of each unit in `folder` (TMM-F004_2023_59-102_T2.pdf): returns their paths in
    the units' order and the Progress."""
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(f"*{PART}"):  # of a run that was killed
        leftover.unlink()
    progress = Progress(total=units.count())
    paths = []
    renderer = Renderer(processes)
    try:
        for sheet in _sheets(units, quarter):
            path = folder / f"{sheet.filename_stem}.pdf"
            paths.append(path)
            for finished in _write(sheet, path, renderer):
                _advance(progress, finished, on_progress)
        for finished in renderer.drain():
            _advance(progress, finished, on_progress)
    except BaseException:
        renderer.terminate()
        raise
    renderer.close()
    return paths, progress


def _sheets(units, quarter):
    pks = list(units.values_list("pk", flat=True))
    for start in range(0, len(pks), CHUNK):
        chunk = UnidadEjecutora.objects.filter(pk__in=pks[start : start + CHUNK])
        yield from build_sheets(chunk, quarter)


def _write(sheet, path, renderer):
    """Writes the sheet at once when it needs no drawing, or hands it to the renderer; yields
    every sheet finished meanwhile."""
    if is_complete(path):
        yield Finished(sheet, path, "skipped")
        return
    content = stored.read(sheet)
    if content is not None:
        write_atomically(path, content)
        yield Finished(sheet, path, "kept")
        return
    if sheet.authorization_id is not None:
        # Authorized, its sealed PDF not rendered yet: rendered here once, with its folio.
        write_atomically(path, seals.sheet_pdf(sheet)[2])
        yield Finished(sheet, path, "rendered")
        return
    yield from renderer.submit(sheet, path)


def _advance(progress, finished, on_progress):
    setattr(progress, finished.how, getattr(progress, finished.how) + 1)
    progress.done += 1
    if on_progress:
        on_progress(progress)


def is_complete(path) -> bool:
    """A PDF written to its end. Ours appear only when complete; this also refuses a file
    truncated or copied in by other means."""
    try:
        size = path.stat().st_size
        with path.open("rb") as document:
            if document.read(5) != b"%PDF-":
                return False
            document.seek(max(size - 1024, 0))
            return b"%%EOF" in document.read()
    except FileNotFoundError:
        return False


def write_atomically(path, content: bytes):
    """Writes under a temporary name, then renames: readers see the whole file or none."""
    part = path.with_name(path.name + PART)
    part.write_bytes(content)
    os.replace(part, path)


def zip_sheets(paths, zip_path):
    """The ZIP of the PDFs, written file by file (never the whole ZIP in memory), under a
    temporary name until complete."""
    part = zip_path.with_name(zip_path.name + PART)
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, arcname=path.name)
    os.replace(part, zip_path)


# Rendering, here or in worker processes ---------------------------------------------------


def render_to_file(sheet, path):
    """Draws one sheet into its file. Runs in a worker process: no database needed."""
    try:
        _, _, content = pdf.render_sheet(sheet)
    except Exception as error:
        logger.exception("No se pudo generar la hoja %s", sheet.filename_stem)
        raise SheetRenderError(
            f"la hoja de la UE {sheet.unidad_ejecutora.clave} del ramo {sheet.ramo.clave} "
            f"no se pudo generar ({type(error).__name__})"
        ) from None
    write_atomically(path, content)


class Renderer:
    """Draws sheets into their files: in this process when `processes` is 1, otherwise in a
    pool of worker processes fed a few sheets at a time, so this process never holds the
    whole year in memory. Forked where the system can (the workers start with Django and
    WeasyPrint already loaded) and never touching the database there."""

    def __init__(self, processes, method=None):
        self.pool = None
        self.pending = deque()
        self.window = WINDOW_PER_PROCESS * processes
        if processes > 1:
            if method is None:
                fork = "fork" in multiprocessing.get_all_start_methods()
                method = "fork" if fork else "spawn"
            context = multiprocessing.get_context(method)
            self.pool = context.Pool(processes, initializer=worker.start)

    def submit(self, sheet, path):
        """Yields the sheets finished meanwhile (this one, when drawn here)."""
        if self.pool is None:
            render_to_file(sheet, path)
            yield Finished(sheet, path, "rendered")
            return
        self.pending.append((sheet, path, self.pool.apply_async(render_to_file, (sheet, path))))
        while len(self.pending) >= self.window:
            yield self._next()

    def drain(self):
        while self.pending:
            yield self._next()

    def _next(self):
        sheet, path, result = self.pending.popleft()
        result.get()  # raises the worker's SheetRenderError here
        return Finished(sheet, path, "rendered")

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()

    def terminate(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


# The ZIP asked for from the web -----------------------------------------------------------


def sheet_export_request(*, ejercicio, quarter, user) -> SheetExport:
    """Planeación asks for the ZIP of every sheet of the year and quarter: a SheetExport is
    queued and a background job (poa.services.batch.sheet_export) writes it once this commits. While
    one for the same quarter is still moving, that one is returned instead."""
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación descarga las hojas de todas las unidades.")
    moving = SheetExport.objects.filter(
        ejercicio=ejercicio,
        quarter=quarter,
        state__in=[SheetExport.State.EN_COLA, SheetExport.State.EN_PROCESO],
        updated_at__gte=timezone.now() - STALE_AFTER,
    ).first()
    if moving:
        return moving
    with transaction.atomic():
        export = SheetExport.objects.create(ejercicio=ejercicio, quarter=quarter, requested_by=user)
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_pk):

    sheet_export.enqueue(export_pk)


def sheet_export_run(*, export_pk):
    """The background job: writes the ZIP of the export's year and quarter into the storage,
    recording on the SheetExport how many sheets are done, and then the file or, when it
    fails, the reason in Spanish."""
    export = SheetExport.objects.select_related("ejercicio").get(pk=export_pk)
    if export.state == SheetExport.State.LISTA:
        return
    total = year_units(export.ejercicio).count()
    _record(export, state=SheetExport.State.EN_PROCESO, total=total, done=0, error="")
    try:
        name = _write_zip(export)
    except Exception as error:
        logger.exception("No se pudo generar el ZIP de hojas %s", export.pk)
        _record(
            export,
            state=SheetExport.State.FALLIDA,
            error=failure_message(error),
            finished_at=timezone.now(),
        )
        raise
    _record(export, state=SheetExport.State.LISTA, file=name, finished_at=timezone.now())
    superseded_remove(export)


def superseded_remove(export):
    """Once a ZIP is ready, the finished ones asked for before it for the same year and
    quarter (ready or failed) go, files included: the new one holds the sheets as they are
    now, and the storage does not grow with every request."""
    older = SheetExport.objects.filter(
        ejercicio_id=export.ejercicio_id,
        quarter=export.quarter,
        state__in=[SheetExport.State.LISTA, SheetExport.State.FALLIDA],
        created_at__lte=export.created_at,
    ).exclude(pk=export.pk)
    for old in older:
        if old.file:
            old.file.delete(save=False)
        old.delete()


def _write_zip(export):
    with tempfile.TemporaryDirectory(prefix="poa-hojas-") as folder:
        zip_path, _ = export_sheets(
            ejercicio=export.ejercicio,
            quarter=export.quarter,
            folder=folder,
            on_progress=lambda progress: _record(export, done=progress.done),
        )
        stem = zip_path.name.removesuffix(".zip")
        with zip_path.open("rb") as archive:
            export.file.save(f"{stem}-{export.pk}.zip", File(archive), save=False)
    return export.file.name


def _record(export, **fields):
    fields["updated_at"] = timezone.now()
    SheetExport.objects.filter(pk=export.pk).update(**fields)


def failure_message(error) -> str:
    """What planeación reads when the ZIP could not be made."""
    if isinstance(error, SheetRenderError):
        reason = str(error)
    elif isinstance(error, OSError):
        reason = "no se pudo escribir el archivo (espacio o permisos del servidor)"
    else:
        reason = "ocurrió un error inesperado"
    return (
        f"No se pudo generar el ZIP: {reason}. Vuelva a solicitarlo; si falla otra vez, avise "
        "al administrador del sistema."
    )


ZIP_PRIORITY = -10


@task(priority=ZIP_PRIORITY)
def sheet_export(export_pk):
    """Writes the ZIP of every sheet that planeación asked for (poa.services.batch)."""
    sheet_export_run(export_pk=export_pk)
