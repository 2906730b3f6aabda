"""`manage.py poa_demo`: the accounts a visitor logs in with, the signed Q1 and Q2 and an open
Q3, and running it twice changes nothing."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.utils import timezone

from poa.jobs import DUMMY_BACKEND, default_task_backend
from poa.models import Persona, Report, ReportEvent
from poa.selectors import access
from poa.selectors.grid import capture_rows
from poa.selectors.locks import capture_window, is_editable
from poa.selectors.sheet import build_sheet
from tests.conftest import unit

State = Report.State
EMAIL_TASKS = {"transition_email", "modification_request_email"}
AARON = "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"
FABIOLA = "LIC. FABIOLA LEÓN HUERTA CABRERA"
USERNAMES = [
    "planeacion",
    "captura101",
    "captura102",
    "captura201",
    "aaron.alvarez",
    "fabiola.leon",
]


@pytest.fixture
def demo(db):
    call_command("poa_demo", stdout=io.StringIO())


def user(username):
    return get_user_model().objects.get(username=username)


def test_every_demo_account_logs_in_with_the_demo_password(demo):
    for username in ["admin", *USERNAMES]:
        assert authenticate(username=username, password="poa-demo-2023") == user(username)


def test_demo_accounts_have_names_and_example_emails(demo):
    aaron = user("aaron.alvarez")
    assert aaron.get_full_name() == "Aarón Alexis Álvarez Marín"
    assert aaron.email == "aaron.alvarez@mexicali.example"
    assert user("planeacion").email == "planeacion@mexicali.example"


def test_demo_roles_follow_the_reference(demo):
    assert access.is_planeacion(user("planeacion"))
    assert (
        Persona.objects.get(usuario=user("aaron.alvarez")).nombre
        == "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"
    )
    assert (
        Persona.objects.get(usuario=user("fabiola.leon")).nombre
        == "LIC. FABIOLA LEÓN HUERTA CABRERA"
    )
    for clave in ("101", "102", "201"):
        visible = access.units_visible_to(user(f"captura{clave}"))
        assert [ue.clave for ue in visible] == [clave]
        assert access.can_capture(user(f"captura{clave}"), unit(clave))
    aaron = user("aaron.alvarez")
    assert access.is_ue_head(aaron, unit("101")) and access.is_ue_head(aaron, unit("201"))
    assert access.is_ramo_head(aaron, unit("102").ramo)
    assert access.is_ue_head(user("fabiola.leon"), unit("102"))


def test_q1_and_q2_are_authorized_through_the_workflow(demo):
    reports = Report.objects.filter(quarter__in=[1, 2])
    assert sorted(r.unidad_ejecutora.clave for r in reports) == [
        "101",
        "101",
        "102",
        "102",
        "201",
        "201",
    ]
    assert {r.state for r in reports} == {State.AUTORIZADO}
    for report in reports:
        actions = list(report.events.values_list("action", flat=True))
        assert actions == [
            ReportEvent.Action.SEND,
            ReportEvent.Action.REVIEW,
            ReportEvent.Action.AUTHORIZE,
        ]


def test_q2_sheet_of_201_prints_three_signed_blocks(demo):
    sheet = build_sheet(unit("201"), 2)
    signed = [(s.label, s.name, s.position) for s in sheet.signatures if s.signed_on]
    director = "ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA"
    assert signed == [
        ("ELABORÓ", AARON, "COORDINADOR DE PROMOCIÓN"),
        ("REVISÓ", AARON, director),
        ("AUTORIZÓ", AARON, director),
    ]


def test_q2_sheet_of_102_is_elaborated_by_fabiola(demo):
    sheet = build_sheet(unit("102"), 2)
    assert sheet.signatures[0].name == FABIOLA
    assert sheet.signatures[0].position == "COORDINADOR ADMINISTRATIVO"
    assert all(s.signed_on for s in sheet.signatures)


def test_q3_is_open_for_capture_for_30_days(demo):
    for clave in ("101", "102", "201"):
        report = Report.objects.get(unidad_ejecutora=unit(clave), quarter=3)
        assert report.state == State.BORRADOR and is_editable(report)
    window = capture_window(unidad_ejecutora=unit("201"), quarter=3)
    days = (window.deadline - timezone.now()).days
    assert 29 <= days <= 30


def test_q2_figures_stay_as_the_reference_prints_them(demo):
    rows = {
        r.meta.numero: r
        for r in capture_rows(Report.objects.get(unidad_ejecutora=unit("201"), quarter=2))
    }
    assert rows[305].progress.alcanzado == 102
    assert rows[305].progress.observaciones.startswith("Debido al momento de oportunidad")


def test_running_the_demo_twice_changes_nothing(demo):
    counts = (
        get_user_model().objects.count(),
        Report.objects.count(),
        ReportEvent.objects.count(),
        Persona.objects.count(),
    )
    call_command("poa_demo", stdout=io.StringIO())
    assert counts == (
        get_user_model().objects.count(),
        Report.objects.count(),
        ReportEvent.objects.count(),
        Persona.objects.count(),
    )
    assert authenticate(username="captura201", password="poa-demo-2023")


def test_the_demo_queues_no_email(db, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": DUMMY_BACKEND}}

    with django_capture_on_commit_callbacks(execute=True):
        call_command("poa_demo", stdout=io.StringIO())

    queued = {result.task.name for result in default_task_backend.results}
    assert queued and not queued & EMAIL_TASKS  # the sealed sheets are still kept


@pytest.mark.skipif(shutil.which("make") is None, reason="Sin make.")
def test_make_run_links_the_demo_to_the_address_it_serves_on():
    root = Path(__file__).resolve().parents[1]
    commands = subprocess.run(
        ["make", "-n", "run", "HOST=10.0.0.5:9000"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    site = "POA_SITE_URL=${POA_SITE_URL:-http://10.0.0.5:9000}"
    lines = commands.splitlines()
    demo = next(line for line in lines if "poa_demo" in line)
    server = next(line for line in lines if line.startswith("export"))  # worker and server
    assert site in demo and site in server
