"""Accounts for a whole municipality: the «Cuentas» sheet of the year's workbook (row errors,
all or nothing, a re-import changes nothing), planeación's page, the invitation whose link
sets a password once and then expires, and deactivating every account of a unit, which logs
its people out."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from poa.models import AuditEvent, Persona
from poa.selectors.access import CONTRALORIA_GROUP, PLANEACION_GROUP
from poa.services import accounts
from tests.conftest import unit
from tests.plan_books import ANA, book
from tests.test_plan_excel import poa_dump, run_import

User = get_user_model()
CUENTAS = [
    ["ana.ruiz", ANA, "ana.ruiz@mexicali.example", "Responsable", ""],
    ["luis.captura", "Luis Pérez Soto", "luis@mexicali.example", "capturista", "60-101"],
    ["oic", "Marta Díaz", "oic@mexicali.example", "contraloria", ""],
    ["nueva.planeacion", "Rosa Gil", "rosa@mexicali.example", "planeación", ""],
]


@pytest.fixture
def staff(db):
    from tests.conftest import make_user

    user = make_user("planeacion")
    user.groups.add(Group.objects.get_or_create(name=PLANEACION_GROUP)[0])
    return user


def invitation_link(message):
    return re.search(r"http://\S+/cuenta/reset/\S+/", message.body).group(0)


# The «Cuentas» sheet ----------------------------------------------------------------------


def test_the_sheet_creates_each_role_and_invites_each_account_once(
    tmp_path, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(tmp_path, staff, book(Cuentas=CUENTAS))
    assert result.saved and not result.errors
    assert result.counts["Cuentas"].created == 4
    assert Persona.objects.get(nombre=ANA).usuario.username == "ana.ruiz"
    luis = User.objects.get(username="luis.captura")
    assert [ue.clave for ue in luis.unidades_captura.all()] == ["101"]
    assert not luis.has_usable_password()
    assert User.objects.get(username="oic").groups.filter(name=CONTRALORIA_GROUP).exists()
    assert (
        User.objects.get(username="nueva.planeacion").groups.filter(name=PLANEACION_GROUP).exists()
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(row[2] for row in CUENTAS)
    assert all("contraseña" not in m.body.split("\n")[0] for m in mail.outbox)


def test_row_errors_are_listed_by_row_and_column_and_nothing_is_saved(tmp_path, staff):
    rows = [
        *CUENTAS,
        ["con espacio", "Alguien", "alguien@mexicali.example", "capturista", "60-101"],
        ["sin.correo", "Alguien", "no-es-correo", "capturista", "60-101"],
        ["rol.raro", "Alguien", "raro@mexicali.example", "director", ""],
        ["sin.unidad", "Alguien", "su@mexicali.example", "capturista", "60-999"],
        ["luis.captura", "Otra vez", "luis@mexicali.example", "capturista", "60-101"],
    ]
    result = run_import(tmp_path, staff, book(Cuentas=rows))
    errors = [str(problem) for problem in result.errors]
    assert not result.saved
    assert "Hoja «Cuentas», fila 6, columna «Usuario»: Use solo letras" in " ".join(errors)
    assert any(e.startswith("Hoja «Cuentas», fila 7, columna «Correo»:") for e in errors)
    assert any(e.startswith("Hoja «Cuentas», fila 8, columna «Rol»:") for e in errors)
    assert any("fila 9, columna «Unidades»: No existe la unidad 60-999" in e for e in errors)
    assert any("fila 10" in e and "«luis.captura» ya aparece en la fila 3" in e for e in errors)
    assert not User.objects.filter(username__in=[row[0] for row in CUENTAS]).exists()
    assert mail.outbox == []


def test_a_re_import_changes_nothing_and_invites_nobody(
    tmp_path, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_import(tmp_path, staff, book(Cuentas=CUENTAS))
    before, users, sent = poa_dump(), list(User.objects.order_by("pk").values()), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = run_import(tmp_path, staff, book(Cuentas=CUENTAS))
    assert again.saved and again.changes == 0
    assert again.counts["Cuentas"].unchanged == 4
    assert poa_dump() == before
    assert list(User.objects.order_by("pk").values()) == users
    assert len(mail.outbox) == sent


def test_a_dry_run_invites_nobody(tmp_path, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(tmp_path, staff, book(Cuentas=CUENTAS), dry_run=True)
    assert result.counts["Cuentas"].created == 4 and not result.saved
    assert not User.objects.filter(username="oic").exists()
    assert mail.outbox == []


def test_the_exported_year_lists_its_accounts_and_imports_back_unchanged(
    reference, capturista_102, head_102, contraloria, planeacion, tmp_path
):
    from poa.documents import yearbook
    from poa.models import Ejercicio

    _, _, content = yearbook.render_year(Ejercicio.objects.get(year=2023))
    path = tmp_path / "POA_2023.xlsx"
    path.write_bytes(content)
    sheet = load_workbook(path)["Cuentas"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["captura102"][3:] == ("capturista", "59-102")
    assert rows["fabiola.leon"][1:4] == (
        "LIC. FABIOLA LEÓN HUERTA CABRERA",
        "fabiola.leon@mexicali.example",
        "responsable",
    )
    assert rows["contraloria"][3] == "contraloría"


# The invitation ---------------------------------------------------------------------------


@pytest.fixture
def invited(reference, planeacion, django_capture_on_commit_callbacks):
    spec = accounts.AccountSpec(
        username="nuevo.capturista",
        nombre="Nuevo Capturista",
        correo="nuevo@mexicali.example",
        rol=accounts.CAPTURISTA,
        unidades=[unit("102")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        account, outcome = accounts.account_save(spec=spec, user=planeacion)
    assert outcome == "created"
    (message,) = mail.outbox
    return account, message


def test_the_invitation_is_spanish_styled_and_carries_no_password(invited):
    account, message = invited
    assert message.subject == "POA · Su cuenta del Programa Operativo Anual"
    assert "Su usuario: nuevo.capturista" in message.body
    assert "vence en 3 días" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Elegir mi contraseña" in html
    assert invitation_link(message) in html


def test_the_link_sets_a_password_once_and_then_expires(invited, client):
    account, message = invited
    confirm = client.get(invitation_link(message), follow=True)
    assert "Elija su contraseña" in confirm.content.decode()
    password = "Ciruela-Azul-2024"
    response = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )
    assert "Su contraseña quedó guardada" in response.content.decode()
    assert client.login(username="nuevo.capturista", password=password)
    client.logout()
    again = client.get(invitation_link(message), follow=True)
    assert "El enlace ya no es válido" in again.content.decode()


def test_the_link_expires_after_three_days(invited, client, settings):
    from django.contrib.auth.tokens import default_token_generator

    account, message = invited
    token = invitation_link(message).rstrip("/").rsplit("/", 1)[1]
    assert default_token_generator.check_token(account, token)
    later = timezone.now() + timedelta(days=3, minutes=1)
    default_token_generator._now = lambda: later.replace(tzinfo=None)
    try:
        assert not default_token_generator.check_token(account, token)
    finally:
        del default_token_generator._now
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 3600


# Planeación's page ------------------------------------------------------------------------


def test_planeacion_creates_an_account_from_its_page(
    reference, planeacion, client, django_capture_on_commit_callbacks
):
    client.force_login(planeacion)
    data = {
        "usuario": "oic.2",
        "nombre": "Auditora Dos",
        "correo": "oic2@mexicali.example",
        "rol": accounts.CONTRALORIA,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("poa:accounts"), data, follow=True)
    assert "Se creó la cuenta «oic.2»" in response.content.decode()
    assert User.objects.get(username="oic.2").groups.filter(name=CONTRALORIA_GROUP).exists()
    assert mail.outbox[0].to == ["oic2@mexicali.example"]


def test_a_capturista_without_units_is_refused_next_to_the_field(reference, planeacion, client):
    client.force_login(planeacion)
    data = {"usuario": "x", "nombre": "X", "correo": "x@mexicali.example", "rol": "capturista"}
    response = client.post(reverse("poa:accounts"), data)
    assert response.status_code == 200
    assert "Escriba las unidades que captura" in response.content.decode()
    assert 'value="x@mexicali.example"' in response.content.decode()
    assert not User.objects.filter(username="x").exists()


def test_only_planeacion_opens_the_accounts_page(reference, client, capturista_102):
    client.force_login(capturista_102)
    assert client.get(reverse("poa:accounts")).status_code == 403


# Deactivating a unit ----------------------------------------------------------------------


def test_deactivating_a_unit_logs_its_people_out_after_a_confirmation(
    reference, planeacion, capturista_102, head_102, capturista_201, client
):
    from django.test import Client

    sessions = {}
    for user in (capturista_102, head_102, capturista_201):
        sessions[user.username] = Client()
        sessions[user.username].force_login(user)
    url = reverse("poa:unit-deactivate", args=[unit("102").pk])
    client.force_login(planeacion)
    page = client.get(url).content.decode()
    assert "captura102" in page and "fabiola.leon" in page and "captura201" not in page
    response = client.post(url, follow=True)
    assert (
        "Cuentas desactivadas de la UE 102: captura102, fabiola.leon." in response.content.decode()
    )
    home = reverse("poa:home")
    assert sessions["captura102"].get(home).status_code == 302
    assert sessions["fabiola.leon"].get(home).status_code == 302
    assert sessions["captura201"].get(home).status_code == 200
    assert not User.objects.get(username="captura102").is_active
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT, unidad_ejecutora=unit("102"))


def test_the_exported_accounts_import_back_into_the_same_year_unchanged(
    reference, capturista_102, head_102, contraloria, planeacion, tmp_path
):
    from poa.documents import yearbook
    from poa.models import Ejercicio
    from poa.services import imports

    path = tmp_path / "POA_2023.xlsx"
    path.write_bytes(yearbook.render_year(Ejercicio.objects.get(year=2023))[2])
    workbook = load_workbook(path)
    for name in workbook.sheetnames:
        if name not in ("Ejercicio", "Cuentas"):
            del workbook[name]  # the accounts alone load into a year already approved
    workbook.save(path)
    users = list(User.objects.order_by("pk").values())
    result = imports.year_import(path=path, user=planeacion)
    assert result.saved and not result.errors
    assert result.counts["Cuentas"].created == 0 and result.counts["Cuentas"].updated == 0
    assert list(User.objects.order_by("pk").values()) == users


def test_a_book_of_accounts_alone_adds_them_to_an_approved_year(
    reference, planeacion, tmp_path, django_capture_on_commit_callbacks
):
    from tests.plan_books import save_book

    rows = [["nuevo.201", "Nuevo", "nuevo201@mexicali.example", "capturista", "59-201"]]
    path = save_book(tmp_path / "cuentas.xlsx", {"Ejercicio": [[2023, "", ""]], "Cuentas": rows})
    from poa.services import imports

    with django_capture_on_commit_callbacks(execute=True):
        result = imports.year_import(path=path, user=planeacion)
    assert result.saved and result.counts["Cuentas"].created == 1
    assert [ue.clave for ue in User.objects.get(username="nuevo.201").unidades_captura.all()] == [
        "201"
    ]
    assert mail.outbox[0].to == ["nuevo201@mexicali.example"]


def test_a_head_needs_the_persona_they_sign_as(reference, planeacion, client):
    client.force_login(planeacion)
    data = {"usuario": "jefe", "nombre": "Jefe", "correo": "j@mexicali.example"}
    data["rol"] = "responsable"
    response = client.post(reverse("poa:accounts"), data)
    assert "Elija la persona con la que firma el responsable." in response.content.decode()
    persona = Persona.objects.get(nombre="LIC. FABIOLA LEÓN HUERTA CABRERA")
    client.post(reverse("poa:accounts"), data | {"persona": persona.pk})
    persona.refresh_from_db()
    assert persona.usuario.username == "jefe"
