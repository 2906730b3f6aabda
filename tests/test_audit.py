"""The Auditoría page: every event of a year (transitions, captures, corrections, periods,
evidence downloads, logins), filtered, paginated and exported as CSV and XLSX for planeación
and the contraloría, and nobody else."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from poa.models import AuditEvent, Report
from poa.services import audit
from poa.services.capture import capture_correct, capture_save
from poa.services.review import report_get_or_create, report_return, report_send
from tests.conftest import complete_quarter, unit
from tests.test_evidence import attach

Kind = AuditEvent.Kind
URL = reverse("poa:audit", args=[2023])


@pytest.fixture
def year_of_events(q3_open, capturista_201, aaron, client, contraloria):
    """Planeación opened Q3; the capturista saved 305; the head sent; the contraloría signed
    in with its password and downloaded a file."""
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=3)
    meta_305 = report.unidad_ejecutora.metas.get(numero=305)
    rows = {meta_305.pk: {"alcanzado": "100", "observaciones": ""}}
    capture_save(report=report, user=capturista_201, version=report.version, rows=rows)
    complete_quarter("201", 3)
    report.refresh_from_db()
    evidencia = attach(capturista_201)
    report_send(report=report, user=aaron)
    contraloria.set_password("x-123456")
    contraloria.save()
    assert client.login(username="contraloria", password="x-123456")
    client.get(reverse("poa:evidence-download", args=[evidencia.pk]))
    return evidencia


def exported(client, export_format, url=URL, **filters):
    response = client.get(url, {**filters, "_export": export_format})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    if export_format == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell if cell is not None else "" for cell in row] for row in sheet.values]


def test_the_export_re_read_lists_the_events_of_the_test(year_of_events, client):
    for export_format in ("csv", "xlsx"):
        rows = exported(client, export_format)
        assert rows[0][:4] == ["Fecha y hora", "Tipo", "Persona", "Unidad ejecutora"]
        kinds = {(row[1], row[2]) for row in rows[1:]}
        assert ("Periodo de captura", "planeacion") in kinds
        assert ("Captura", "captura201") in kinds
        assert ("Transición", "aaron.alvarez") in kinds
        downloads = [row for row in rows if row[1] == "Evidencia" and row[2] == "contraloria"]
        assert len(downloads) == 1
        assert "Descargó la evidencia «" in downloads[0][5]
        assert downloads[0][3] == "59-201 DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL"


def test_logins_are_events_of_the_calendar_year(year_of_events, client):
    this_year = reverse("poa:audit", args=[timezone.localtime().year])
    response = client.get(this_year, {"kind": Kind.LOGIN, "_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row[1], row[2]) for row in rows[1:]] == [("Inicio de sesión", "contraloria")]


def test_the_filters_narrow_by_unit_person_kind_and_date(year_of_events, client):
    rows = exported(client, "csv", kind=Kind.CAPTURE)
    assert [(row[1], row[2]) for row in rows[1:]] == [("Captura", "captura201")]
    assert "metas 305" in rows[1][5]
    people = {row[2] for row in exported(client, "csv", persona="AARON.alvarez")[1:]}
    assert people == {"aaron.alvarez"}
    units = {row[3] for row in exported(client, "csv", unidad="201")[1:]}
    assert units == {"59-201 DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL"}
    assert len(exported(client, "csv", desde="2023-01-01", hasta="2023-12-31")) == 1


def test_the_page_is_paginated_and_shows_the_events(year_of_events, client):
    for number in range(10):
        audit.audit_record(kind=Kind.IMPORT, user=None, description=f"Libro {number}", year=2023)
    page = client.get(URL, {"per_page": 10})
    html = page.content.decode()
    assert "Auditoría del ejercicio 2023" in html
    assert "Libro 9" in html and "Abrió la captura hasta el" not in html  # newest first
    assert (
        "Abrió la captura hasta el" in client.get(URL, {"per_page": 10, "page": 2}).content.decode()
    )
    assert page.context["table"].paginator.count == AuditEvent.objects.filter(year=2023).count()
    assert page.context["table"].paginator.num_pages > 1


def test_planeacion_reads_it_and_nobody_else(year_of_events, client, planeacion, request):
    client.force_login(planeacion)
    assert client.get(reverse("poa:audit-latest"))["Location"] == URL  # the newest year
    assert client.get(URL).status_code == 200
    for who in ("capturista_201", "aaron", "outsider"):
        client.force_login(request.getfixturevalue(who))
        response = client.get(URL)
        assert response.status_code == 403
        assert (
            "Solo planeación y la contraloría consultan la auditoría." in response.content.decode()
        )


def test_a_correction_and_a_return_are_events_of_their_unit(q3_open, superuser, aaron, planeacion):
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=3)
    complete_quarter("201", 3)
    report.refresh_from_db()
    report_send(report=report, user=aaron)
    report_return(report=report, user=aaron, comment="Falta la lista de asistencia.")
    progress = report.unidad_ejecutora.metas.get(numero=305).avances.get(quarter=3)
    capture_correct(
        progress=progress, user=superuser, alcanzado="90", observaciones="Feria.", reason="Acta"
    )
    events = AuditEvent.objects.filter(unidad_ejecutora=unit("201"), quarter=3)
    descriptions = [e.description for e in events.order_by("id")]
    assert any("Devuelto" in d and "Falta la lista de asistencia." in d for d in descriptions)
    correction = events.get(kind=Kind.CORRECTION)
    assert correction.username == "root" and "Acta" in correction.description


def test_the_admin_shows_the_trail_read_only(year_of_events, superuser_client):
    admin = "/" + settings.POA_ADMIN_PATH + "poa/auditevent/"
    assert superuser_client.get(admin).status_code == 200
    assert superuser_client.get(admin + "add/").status_code == 403
    event = AuditEvent.objects.first()
    response = superuser_client.post(admin + f"{event.pk}/change/", {"description": "borrado"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).description != "borrado"
    assert Report.objects.exists()
