"""Emails telling whoever must act next that a report moved, and the reminders of capture
deadlines sent by `manage.py poa_recordatorios`. Spanish, plain text, with the addresses of
the capture grid and of the sheet (under settings.POA_SITE_URL)."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from poa.jobs import task
from poa.models import (
    CapturePeriod,
    Modificacion,
    ModificacionEvent,
    ProgramacionEvent,
    ReminderSent,
    Report,
    ReportEvent,
    UnidadEjecutora,
)
from poa.rules import figures, states
from poa.rules.localtime import short_datetime
from poa.rules.text import one_line
from poa.selectors import access
from poa.selectors.access import signer_name
from poa.services.versions import modification_changes

REMIND_DAYS_BEFORE = 2
# Set by emails_off(): what runs inside queues no email (the demo, a generated year).
_EMAILS_OFF = ContextVar("poa_emails_off", default=False)


@contextmanager
def emails_off():
    """Nothing done inside queues an email: the demo and a generated municipality sign
    hundreds of reports for people who do not exist."""
    token = _EMAILS_OFF.set(True)
    try:
        yield
    finally:
        _EMAILS_OFF.reset(token)


def email_enqueue(email_task, *args):
    """Queues the email job `email_task(*args)` for when the current transaction commits
    (a job of the queue: a slow or absent mail server never fails the step that sends it);
    nothing inside emails_off()."""
    if not _EMAILS_OFF.get():
        transaction.on_commit(partial(email_task.enqueue, *args))


def _absolute(name, ue, quarter):
    path = reverse(name, args=[ue.ramo.ejercicio.year, ue.ramo.clave, ue.clave, quarter])
    return settings.POA_SITE_URL.rstrip("/") + path


def grid_path(ue, quarter):
    return _absolute("poa:capture-grid", ue, quarter)


def sheet_path(ue, quarter):
    return _absolute("poa:sheet", ue, quarter)


def persona_email(persona):
    if persona is None:
        return ""
    if persona.email:
        return persona.email
    return persona.usuario.email if persona.usuario_id else ""


def unit_recipients(ue):
    """The head of the unit and its capturistas."""
    return _unique(role_emails(states.UE_HEAD, ue) + role_emails(states.CAPTURISTA, ue))


def role_emails(role, ue) -> list[str]:
    """The addresses of whoever holds `role` (poa.rules.states) on the unit."""
    if role == states.CAPTURISTA:
        return [user.email for user in ue.capturistas.all()]
    if role == states.PLANEACION:
        return [user.email for user in access.planeacion_users()]
    return [persona_email(access.signatory(role, ue).responsable)]


def _unique(emails):
    return list(dict.fromkeys(email for email in emails if email))


def event_recipients(event):
    ue = event.report.unidad_ejecutora
    return _unique([email for role in event.transition.notify for email in role_emails(role, ue)])


def _signer(event):
    """Who signed the event, as an email prints it: on one line whatever the name holds."""
    signer = one_line(event.signer_name)
    if event.signer_position:
        signer += f" ({one_line(event.signer_position)})"
    return signer


def _title(ue, quarter):
    return f"POA {ue.ramo.ejercicio.year} · UE {ue.clave} · {figures.QUARTER_LABELS[quarter]}"


def event_message(event) -> EmailMessage | None:
    report, transition = event.report, event.transition
    ue = report.unidad_ejecutora
    to = event_recipients(event)
    if not to:
        return None
    signer = _signer(event)
    lines = [
        f"El informe del {figures.QUARTER_NAMES[report.quarter]} trimestre "
        f"({figures.QUARTER_LABELS[report.quarter]}) {ue.ramo.ejercicio.year} de la unidad "
        f"ejecutora {ue.clave} {one_line(ue.nombre)} fue {transition.subject} por {signer} el "
        f"{short_datetime(event.created_at)}.",
    ]
    if event.comment:
        lines += ["", f"Comentario: {event.comment}"]
    lines += [
        "",
        transition.next_step,
        "",
        f"Captura: {grid_path(ue, report.quarter)}",
        f"Hoja TMM-F004: {sheet_path(ue, report.quarter)}",
    ]
    subject = f"{_title(ue, report.quarter)}: {transition.subject}"
    return EmailMessage(subject, "\n".join(lines), to=to)


def report_event_notify(event_pk):
    """Emails whoever must act after the event; called by the services on commit."""
    event = (
        ReportEvent.objects.select_related(
            "report__unidad_ejecutora__ramo__ejercicio",
            "report__unidad_ejecutora__ramo__responsable__usuario",
            "report__unidad_ejecutora__programa__responsable__usuario",
            "report__unidad_ejecutora__responsable__usuario",
        )
        .prefetch_related("report__unidad_ejecutora__capturistas")
        .get(pk=event_pk)
    )
    message = event_message(event)
    if message:
        message.send()


# Reminders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    report: Report
    deadline: object
    overdue: bool

    @property
    def unidad_ejecutora(self):
        return self.report.unidad_ejecutora

    @property
    def quarter(self):
        return self.report.quarter


def due_reminders(now=None) -> list[Reminder]:
    """Units whose report of an open period is still in BORRADOR, on the day two days before
    their deadline (their exception's, when they have one) and every day after it until they
    send it or planeación closes the period."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    reminders = []
    periods = CapturePeriod.objects.filter(closed_at__isnull=True).prefetch_related("exceptions")
    for period in periods:
        exceptions = {e.unidad_ejecutora_id: e.deadline for e in period.exceptions.all()}
        reports = Report.objects.filter(
            unidad_ejecutora__ramo__ejercicio_id=period.ejercicio_id,
            quarter=period.quarter,
            state=Report.State.BORRADOR,
        ).select_related("unidad_ejecutora")
        for report in reports:
            ue = report.unidad_ejecutora
            deadline = exceptions.get(ue.pk, period.deadline)
            days_left = (timezone.localtime(deadline).date() - today).days
            if now > deadline or days_left == REMIND_DAYS_BEFORE:
                reminders.append(Reminder(report, deadline, now > deadline))
    return reminders


def reminder_message(reminder) -> EmailMessage | None:
    ue = UnidadEjecutora.objects.select_related("ramo__ejercicio", "responsable__usuario").get(
        pk=reminder.unidad_ejecutora.pk
    )
    to = unit_recipients(ue)
    if not to:
        return None
    when = short_datetime(reminder.deadline)
    quarter = f"{figures.QUARTER_NAMES[reminder.quarter]} trimestre"
    if reminder.overdue:
        subject = f"{_title(ue, reminder.quarter)}: captura vencida"
        first = (
            f"La captura del {quarter} de la unidad ejecutora {ue.clave} {one_line(ue.nombre)} "
            f"venció el {when} y el informe no se ha enviado. Si está completo, el responsable "
            "de la unidad puede enviarlo; si falta capturar, solicite una prórroga a planeación."
        )
    else:
        subject = f"{_title(ue, reminder.quarter)}: la captura cierra en 2 días"
        first = (
            f"La captura del {quarter} de la unidad ejecutora {ue.clave} {one_line(ue.nombre)} "
            f"cierra el {when}. Capture lo alcanzado y envíe el informe antes de esa fecha."
        )
    body = "\n".join(
        [
            first,
            "",
            f"Captura: {grid_path(ue, reminder.quarter)}",
            f"Hoja TMM-F004: {sheet_path(ue, reminder.quarter)}",
        ]
    )
    return EmailMessage(subject, body, to=to)


def send_reminders(now=None) -> int:
    """Sends the reminders due at `now` that the unit has not had yet that day; returns how
    many emails went out. Running the daily job twice sends nothing new."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    already = set(ReminderSent.objects.filter(day=today).values_list("report_id", flat=True))
    sent = 0
    for reminder in due_reminders(now):
        if reminder.report.pk in already:
            continue
        message = reminder_message(reminder)
        if message:
            message.send()
            ReminderSent.objects.create(
                report=reminder.report, day=today, overdue=reminder.overdue, sent_at=now
            )
            sent += 1
    return sent


# The annual programming -------------------------------------------------------------------


def planning_event_notify(kind, event_pk):
    """Emails whoever acts next after a transition of a programming ("programacion") or of a
    modification ("modificacion"); called by poa.services.programming on commit."""
    if kind == "programacion":
        event = ProgramacionEvent.objects.select_related(
            "programacion__unidad_ejecutora__ramo__ejercicio",
            "programacion__unidad_ejecutora__responsable__usuario",
        ).get(pk=event_pk)
        ue = event.programacion.unidad_ejecutora
        what = f"La programación anual {ue.ramo.ejercicio.year}"
        path = programming_path(event.programacion)
    else:
        event = ModificacionEvent.objects.select_related(
            "modificacion__meta__unidad_ejecutora__ramo__ejercicio",
            "modificacion__meta__unidad_ejecutora__responsable__usuario",
        ).get(pk=event_pk)
        meta = event.modificacion.meta
        ue = meta.unidad_ejecutora
        what = f"La solicitud de modificación de la meta {meta.numero} ({ue.ramo.ejercicio.year})"
        path = _site(reverse("poa:meta-detail", args=[meta.pk]))
    message = planning_message(event, ue, what, path)
    if message:
        message.send()


def _site(path):
    return settings.POA_SITE_URL.rstrip("/") + path


def programming_path(programacion):
    return _site(programacion.get_absolute_url())


def planning_message(event, ue, what, path) -> EmailMessage | None:
    transition = event.transition
    to = _unique([email for role in transition.notify for email in role_emails(role, ue)])
    if not to:
        return None
    signer = _signer(event)
    lines = [
        f"{what} de la unidad ejecutora {ue.clave} {one_line(ue.nombre)}: "
        f"{transition.subject}, por {signer} el {short_datetime(event.created_at)}.",
    ]
    if event.comment:
        lines += ["", f"Comentario: {event.comment}"]
    lines += ["", transition.next_step, "", f"Consúltela en: {path}"]
    subject = f"POA {ue.ramo.ejercicio.year} · UE {ue.clave}: {transition.subject}"
    return EmailMessage(subject, "\n".join(lines), to=to)


def modification_request_message(modificacion) -> EmailMessage | None:
    """Planeación is told that a unit asks to change a meta: what changes and why."""

    to = _unique(role_emails(states.PLANEACION, modificacion.meta.unidad_ejecutora))
    if not to:
        return None
    meta = modificacion.meta
    ue, year = meta.unidad_ejecutora, meta.unidad_ejecutora.ramo.ejercicio.year
    requester = one_line(signer_name(modificacion.requested_by))
    lines = [
        f"La unidad ejecutora {ue.clave} {one_line(ue.nombre)} solicita una modificación "
        "programática "
        f"de la meta {meta.numero} del ejercicio {year} ({requester}, "
        f"{short_datetime(modificacion.requested_at)}).",
        "",
        "Cambios solicitados:",
    ]
    lines += [
        f"- {change.label}: {change.before} → {change.after}"
        for change in modification_changes(modificacion)
        if change.changed
    ]
    lines += [
        "",
        f"Justificación: {modificacion.justificacion}",
        "",
        "Apruébela o recházela con un comentario en:",
        _site(reverse("poa:modification", args=[modificacion.pk])),
    ]
    subject = f"POA {year} · UE {ue.clave}: solicitud de modificación de la meta {meta.numero}"
    return EmailMessage(subject, "\n".join(lines), to=to)


def modification_request_notify(modificacion_pk):
    """Emails planeación a new request of modificación programática (the job
    modification_request_email runs it)."""
    modificacion = Modificacion.objects.select_related(
        "meta__unidad_ejecutora__ramo__ejercicio", "meta__unidad_medida", "unidad_medida"
    ).get(pk=modificacion_pk)
    message = modification_request_message(modificacion)
    if message:
        message.send()


EMAIL_PRIORITY = 10


@task(priority=EMAIL_PRIORITY)
def transition_email(machine, event_pk):
    """Emails whoever acts next after a transition (poa.services.transitions) of the machine
    named `machine` (informe, programacion or modificacion)."""
    if machine == states.REPORT.name:
        report_event_notify(event_pk)
    else:
        planning_event_notify(machine, event_pk)


@task(priority=EMAIL_PRIORITY)
def modification_request_email(modificacion_pk):
    """Emails planeación a new request of modificación programática; queued by
    poa.services.modifications when the request commits, so a mail server down never fails
    the request."""
    modification_request_notify(modificacion_pk)
