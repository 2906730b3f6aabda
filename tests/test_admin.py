"""Every model has a Spanish admin page that answers for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from poa.models import Meta, Persona
from tests.conftest import draft_meta_of_202, meta_admin_data


def poa_models():
    return [model for model in admin.site._registry if model._meta.app_label == "poa"]


def test_every_domain_model_is_in_the_admin():
    registered = {model.__name__ for model in poa_models()}
    assert {
        "Ejercicio",
        "Ramo",
        "Programa",
        "UnidadEjecutora",
        "Finalidad",
        "Funcion",
        "Subfuncion",
        "LineaAccion",
        "UnidadMedida",
        "Meta",
        "QuarterlyProgress",
        "Persona",
    } <= registered


@pytest.mark.parametrize("model", poa_models(), ids=lambda model: model.__name__)
def test_changelist_search_and_add_pages_answer_200(reference, superuser_client, model):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    changelist = reverse(f"{prefix}_changelist")
    assert superuser_client.get(changelist).status_code == 200
    assert superuser_client.get(changelist, {"q": "59"}).status_code == 200
    assert superuser_client.get(reverse(f"{prefix}_add")).status_code in (200, 403)
    first = model.objects.first()
    if first is not None:
        change = reverse(f"{prefix}_change", args=[first.pk])
        assert superuser_client.get(change).status_code == 200


def test_admin_speaks_spanish(reference, superuser_client):
    page = superuser_client.get(reverse("admin:index")).content.decode()
    assert "Unidades ejecutoras" in page and "Líneas de acción" in page
    # the apps POA installs from others are named in Spanish too
    assert "Bloqueos de inicio de sesión" in page and "Intentos de acceso fallidos" in page
    assert "Tareas en segundo plano" in page and "Resultados de tareas" in page
    for english in ("Axes", "Access attempts", "Access logs", "Tasks Database", "Task Results"):
        assert english not in page


def test_meta_page_shows_its_four_quarters_inline(reference, superuser_client):
    meta = Meta.objects.get(numero=305)
    page = superuser_client.get(reverse("admin:poa_meta_change", args=[meta.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Avances trimestrales" in html
    assert html.count('name="avances-') >= 4 * 4
    assert 'value="102.00"' in html or 'value="102"' in html


def test_meta_admin_refuses_quarters_that_do_not_add_up(reference, superuser_client):
    meta = draft_meta_of_202()  # an approved programming is read-only in the admin
    url = reverse("admin:poa_meta_change", args=[meta.pk])
    data = meta_admin_data(meta, **{"avances-0-programado": "99"})
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "no coincide con la meta anual autorizada (4): sobran 98." in response.content.decode()
    assert meta.avances.get(quarter=1).programado == 1


# Names hold no line break ------------------------------------------------------------------

BCC_NAME = "LIC. ANA RUIZ\r\nBcc: intruso@example.com"


def test_a_persona_name_with_a_line_break_is_refused(reference, superuser_client):
    url = reverse("admin:poa_persona_add")

    response = superuser_client.post(url, {"nombre": BCC_NAME, "email": "", "rfc": ""})

    assert response.status_code == 200
    assert "El nombre no puede llevar saltos de línea" in response.content.decode()
    assert not Persona.objects.filter(nombre__contains="Bcc").exists()


def test_an_account_name_with_a_line_break_is_refused(reference, superuser_client, superuser):
    url = reverse("admin:auth_user_change", args=[superuser.pk])
    data = {
        "username": superuser.username,
        "first_name": "Ana\nBcc: intruso@example.com",
        "last_name": "Ruiz",
        "email": superuser.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": "2023-01-01",
        "date_joined_1": "00:00:00",
    }

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert "El nombre no puede llevar saltos de línea" in response.content.decode()
    superuser.refresh_from_db()
    assert "Bcc" not in superuser.first_name
