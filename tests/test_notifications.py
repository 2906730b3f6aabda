"""Who is told by email when a report moves, and the reminders of capture deadlines."""

import io
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from poa.models import Ejercicio, Report
from poa.rules.states import WorkflowError
from poa.services import notifications
from poa.services.periods import exception_grant, period_close, period_open
from poa.services.review import (
    report_authorize,
    report_get_or_create,
    report_return,
    report_review,
    report_send,
)
from tests.conftest import complete_quarter, unit

State = Report.State
UE_102_PEOPLE = {"fabiola.leon@mexicali.example", "captura102@mexicali.example"}


@pytest.fixture
def people(capturista_102, head_102, aaron, capturista_201):
    return {"capturista_102": capturista_102, "head_102": head_102, "aaron": aaron}


@pytest.fixture
def report_102(people):
    complete_quarter("102", 2)
    return report_get_or_create(unidad_ejecutora=unit("102"), quarter=2)


def run(service, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        service(**kwargs)
    return mail.outbox[-1]


def test_sending_tells_the_program_head(
    report_102, people, django_capture_on_commit_callbacks, settings
):
    settings.POA_SITE_URL = "https://poa.mexicali.example/"
    email = run(
        report_send,
        django_capture_on_commit_callbacks,
        report=report_102,
        user=people["head_102"],
    )
    assert email.to == ["aaron.alvarez@mexicali.example"]
    assert email.subject == "POA 2023 · UE 102 · Abr-Jun: enviado para su revisión"
    assert "LIC. FABIOLA LEÓN HUERTA CABRERA (COORDINADOR ADMINISTRATIVO)" in email.body
    assert "https://poa.mexicali.example/tmm-f004/2023/59/102/2/" in email.body
    assert "https://poa.mexicali.example/captura/2023/59/102/2/" in email.body


def test_returning_tells_the_unit_head_and_capturistas_with_the_comment(
    report_102, people, django_capture_on_commit_callbacks
):
    report_send(report=report_102, user=people["head_102"])
    email = run(
        report_return,
        django_capture_on_commit_callbacks,
        report=report_102,
        user=people["aaron"],
        comment="Falta explicar la meta 206.",
    )
    assert set(email.to) == UE_102_PEOPLE
    assert "devuelto para corrección" in email.subject
    assert "Comentario: Falta explicar la meta 206." in email.body


def test_reviewing_tells_the_ramo_head(report_102, people, django_capture_on_commit_callbacks):
    report_send(report=report_102, user=people["head_102"])
    email = run(
        report_review,
        django_capture_on_commit_callbacks,
        report=report_102,
        user=people["aaron"],
    )
    assert email.to == ["aaron.alvarez@mexicali.example"]
    assert "pendiente de autorizar" in email.subject


def test_authorizing_tells_the_unit(report_102, people, django_capture_on_commit_callbacks):
    report_send(report=report_102, user=people["head_102"])
    report_review(report=report_102, user=people["aaron"])
    email = run(
        report_authorize,
        django_capture_on_commit_callbacks,
        report=report_102,
        user=people["aaron"],
    )
    assert set(email.to) == UE_102_PEOPLE
    assert email.subject.endswith(": autorizado")


def test_no_email_leaves_before_the_transaction_commits(report_102, people):
    report_send(report=report_102, user=people["head_102"])
    assert mail.outbox == []


def test_a_refused_transition_sends_nothing(report_102, people, django_capture_on_commit_callbacks):
    # Aaron heads the program, but the report was never sent: nothing to review yet.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError):
        report_review(report=report_102, user=people["aaron"])
    assert mail.outbox == []


# Reminders -------------------------------------------------------------------------------

DEADLINE = timezone.make_aware(datetime(2023, 7, 15, 23, 59))


@pytest.fixture
def q2_period(people, planeacion):
    return period_open(
        ejercicio=Ejercicio.objects.get(year=2023), quarter=2, deadline=DEADLINE, user=planeacion
    )


def at(day, hour=8):
    return timezone.make_aware(datetime(2023, 7, day, hour, 0))


def reminded_units(now):
    mail.outbox.clear()
    notifications.send_reminders(now)
    return sorted(email.subject.split(" · ")[1] for email in mail.outbox)


def test_units_are_reminded_two_days_before_the_deadline(q2_period):
    assert reminded_units(at(13)) == ["UE 101", "UE 102", "UE 201"]
    email = next(e for e in mail.outbox if "UE 102" in e.subject)
    assert set(email.to) == UE_102_PEOPLE
    assert email.subject == "POA 2023 · UE 102 · Abr-Jun: la captura cierra en 2 días"
    assert "15/07/2023 23:59" in email.body and "/captura/2023/59/102/2/" in email.body


@pytest.mark.parametrize("day", [10, 12, 14, 15])
def test_no_reminder_on_other_days_before_the_deadline(q2_period, day):
    assert reminded_units(at(day)) == []


@pytest.mark.parametrize("day", [16, 20])
def test_units_that_have_not_sent_are_told_after_the_deadline(q2_period, day):
    assert reminded_units(at(day)) == ["UE 101", "UE 102", "UE 201"]
    assert all(e.subject.endswith("captura vencida") for e in mail.outbox)


def test_a_unit_that_sent_its_report_is_not_reminded(q2_period, people):
    complete_quarter("102", 2)
    report = Report.objects.get(unidad_ejecutora=unit("102"), quarter=2)
    report_send(report=report, user=people["head_102"])
    assert reminded_units(at(13)) == ["UE 101", "UE 201"]
    assert reminded_units(at(16)) == ["UE 101", "UE 201"]


def test_an_exception_moves_the_reminders_of_its_unit(q2_period, planeacion, people):
    new_deadline = timezone.now() + timedelta(days=10)
    exception_grant(
        period=q2_period,
        unidad_ejecutora=unit("201"),
        deadline=new_deadline,
        reason="Prórroga.",
        user=planeacion,
    )
    assert reminded_units(at(16)) == ["UE 101", "UE 102"]
    reminded_units(new_deadline - timedelta(days=2))
    subjects = sorted(email.subject for email in mail.outbox)
    assert subjects == [
        "POA 2023 · UE 101 · Abr-Jun: captura vencida",
        "POA 2023 · UE 102 · Abr-Jun: captura vencida",
        "POA 2023 · UE 201 · Abr-Jun: la captura cierra en 2 días",
    ]


def test_a_closed_period_sends_no_reminders(q2_period, planeacion):
    period_close(period=q2_period, user=planeacion)
    assert reminded_units(at(16)) == []


def test_the_command_takes_the_date(q2_period):
    out = io.StringIO()
    call_command("poa_recordatorios", "--date", "2023-07-13", stdout=out)
    assert "Recordatorios enviados: 3." in out.getvalue()
    assert len(mail.outbox) == 3


def test_running_the_job_twice_the_same_day_sends_nothing_new(q2_period):
    assert reminded_units(at(16, hour=8)) == ["UE 101", "UE 102", "UE 201"]
    assert reminded_units(at(16, hour=18)) == []
    assert reminded_units(at(17)) == ["UE 101", "UE 102", "UE 201"]
    out = io.StringIO()
    call_command("poa_recordatorios", "--date", "2023-07-17", stdout=out)
    assert "Recordatorios enviados: 0." in out.getvalue()


def test_a_name_with_a_line_break_prints_on_one_line_in_the_email(
    report_102, people, django_capture_on_commit_callbacks
):
    persona = unit("102").responsable
    persona.nombre = "LIC. FABIOLA\r\nBcc: intruso@example.com"
    persona.save()  # as a row written before names were checked

    email = run(
        report_send,
        django_capture_on_commit_callbacks,
        report=report_102,
        user=people["head_102"],
    )

    assert "LIC. FABIOLA Bcc: intruso@example.com (COORDINADOR ADMINISTRATIVO)" in email.body
    assert not any(line.startswith("Bcc:") for line in email.body.splitlines())
