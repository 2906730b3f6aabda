"""Loading the workbook of a whole year (poa.documents.yearbook) into the database.

Every row is checked with the rules of the screens and services (the model's own validation
for the catalog, poa.services.programming for the metas, poa.services.review for what was
achieved), and every
error is listed by sheet, row and column; nothing is saved unless every row is valid. The
rows are written in one transaction, in the order they depend on each other, through the
services (programming.programming_import, programming.programming_load_approved,
workflow.progress_import), and rolled back when anything was refused or for a dry run, which
therefore says exactly what an import would do.

Rows are matched by their natural keys (the year; the ramo's clave; the ramo and the clave of
a programa or unit; a persona's or a unit of measure's name; a línea's clave; the unit and
number of a meta): what exists is updated, what is missing created, nothing deleted, so the
same workbook imported twice changes nothing. A year whose programming is already sent or
approved in any unit is refused.

book.py reads the file, cells.py reads a cell, run.py holds one import's state, catalog.py and
plan.py load the sheets."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from poa.selectors import access
from poa.services import audit, statistics
from poa.services.imports import accounts, catalog, plan
from poa.services.imports.book import Problem, read_book
from poa.services.imports.run import Counts, ImportResult, Run

__all__ = ["Counts", "ImportResult", "Problem", "max_bytes", "year_import"]

logger = logging.getLogger("poa.imports")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    """The largest workbook accepted: settings.POA_IMPORT_MAX_BYTES, 10 MB by default."""
    return getattr(settings, "POA_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def year_import(*, path, user, approve=False, dry_run=False, progress=None) -> ImportResult:
    """Imports the workbook at `path` as planeación `user`: the year's catalog, its metas as
    draft programming and, with `approve`, approves the programming of every unit of the
    year (programming.programming_load_approved) and loads what was achieved. All or nothing;
    with `dry_run` everything is checked and counted, then rolled back. `progress(sheet,
    done, total)` hears how far a long import got. A bad file never raises: its problems are
    the result's errors."""
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación importa el libro del ejercicio.")
    book = read_book(path, max_bytes=max_bytes())
    run = Run(book, user, approve=approve, progress=progress)
    if book.fatal:
        return run.result(saved=False)
    with transaction.atomic():
        _load(run)
        saved = not run.errors and not dry_run
        if saved and run.result(saved=True).changes:
            _audit(run)
            statistics.refresh_after_commit()
        if not saved:
            transaction.set_rollback(True)
    result = run.result(saved=saved)
    if saved:
        logger.info(
            "Importación del ejercicio %s desde Excel: %s cambios",
            result.year,
            result.changes,
            extra={"user": user.username, "approved": result.approved},
        )
    return result


def _audit(run):
    result = run.result(saved=True)
    audit.audit_record(
        kind=audit.Kind.IMPORT,
        user=run.user,
        description="Importó el libro del ejercicio. " + " ".join(result.summary()),
        year=result.year,
    )


def _load(run):
    """The sheets in the order their rows depend on each other; a book of accounts alone
    loads them into its existing year, whatever the state of its programming."""
    if run.book.accounts_only:
        if catalog.find_ejercicio(run):
            accounts.load_cuentas(run)
        return
    if not catalog.load_ejercicio(run):
        return
    for stage in catalog.STAGES:
        stage(run)
    accounts.load_cuentas(run)
    plan.load_metas(run)
    if run.approve and not run.errors:
        plan.approve_programming(run)
    plan.load_avance(run)
