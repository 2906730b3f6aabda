"""Background jobs, run by `manage.py db_worker` from the queue in the database (settings.TASKS):
the emails of the workflows, so a slow mail server never slows a signature; the PDF of a
sheet just authorized, kept once for every later download; and the ZIP of every sheet.

The services enqueue them when their transaction commits; each job receives primary keys
and reads what it needs afresh. A worker takes emails first and the ZIP, which keeps it busy
for minutes, last."""

from poa import batch, notifications
from poa.documents import stored
from poa.models import Report
from poa.sheet import build_sheet
from poa.tasks_compat import task

EMAIL_PRIORITY = 10
SHEET_PRIORITY = 0
ZIP_PRIORITY = -10


@task(priority=EMAIL_PRIORITY)
def report_event_email(event_pk):
    """Emails whoever acts next after a report's transition (poa.workflow)."""
    notifications.report_event_notify(event_pk)


@task(priority=EMAIL_PRIORITY)
def planning_event_email(kind, event_pk):
    """Emails whoever acts next after a programming or modification transition
    (poa.planning); `kind` is "programacion" or "modificacion"."""
    notifications.planning_event_notify(kind, event_pk)


@task(priority=SHEET_PRIORITY)
def sheet_store(report_pk):
    """Renders and keeps the PDF of a report just authorized (nothing when it was reopened
    meanwhile, or is kept already). Returns the stored file's name."""
    report = Report.objects.select_related("unidad_ejecutora").get(pk=report_pk)
    sheet = build_sheet(report.unidad_ejecutora, report.quarter)
    if sheet.authorization_id is not None:
        stored.sheet_pdf(sheet)
    return stored.stored_name(sheet)


@task(priority=ZIP_PRIORITY)
def sheet_export(export_pk):
    """Writes the ZIP of every sheet that planeación asked for (poa.batch)."""
    batch.sheet_export_run(export_pk=export_pk)
