"""The auditor's seat: a member of «Contraloría» reads every unit, report, sheet, history,
evidence file and seguimiento of every year and changes nothing; every POST is refused with
the Spanish 403, the admin included."""

import pytest
from django.conf import settings
from django.urls import reverse

from poa.models import AuditEvent, CapturePeriod, Meta, Modificacion, Report, UnidadMedida
from poa.selectors import access
from poa.services.modifications import ChangeRequest, modification_request
from poa.web.middleware import READ_ONLY_MESSAGE
from tests import backup_fingerprint
from tests.conftest import report_in_state, unit
from tests.test_evidence import attach

State = Report.State
ADMIN = "/" + settings.POA_ADMIN_PATH
UNITS = ["101", "102", "201"]
# Tables a reader may add to: the audit trail records the auditor's logins and downloads.
READER_TABLES = {"poa.auditevent"}


def unit_quarter(clave, quarter):
    return [2023, "59", clave, quarter]


@pytest.fixture
def scene(q3_open, capturista_201, aaron, head_102, planeacion):
    """A year with a report in each state, an evidence file and a pending modificación."""
    report_in_state("102", 2, State.ENVIADO)
    report_in_state("201", 2, State.AUTORIZADO)
    report_in_state("101", 2, State.REVISADO)
    evidencia = attach(capturista_201)
    meta = Meta.objects.get(numero=305, unidad_ejecutora__ramo__ejercicio__year=2023)
    change = ChangeRequest(
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        meta_anual="360",
        programado=["70", "100", "120", "70"],
    )
    modificacion = modification_request(
        meta=meta, user=capturista_201, justificacion="Más prospectos.", change=change
    )
    proposed = UnidadMedida.objects.create(nombre="FERIA", aceptada=False)
    return {"evidencia": evidencia, "modificacion": modificacion, "meta": meta, "unit": proposed}


def readable_pages(scene):
    pages = [
        reverse("poa:home"),
        reverse("poa:reports"),
        reverse("poa:tracking", args=[2023, 2]),
        reverse("poa:programming-overview", args=[2023]),
        reverse("poa:evidence-download", args=[scene["evidencia"].pk]),
        reverse("poa:audit", args=[2023]),
    ]
    for clave in UNITS:
        for quarter in (2, 3):
            for name in ("capture-grid", "report", "sheet", "sheet-xlsx"):
                pages.append(reverse(f"poa:{name}", args=unit_quarter(clave, quarter)))
        pages.append(reverse("poa:programming", args=[2023, "59", clave]))
        meta = Meta.objects.filter(unidad_ejecutora=unit(clave)).first()
        pages.append(reverse("poa:meta-detail", args=[meta.pk]))
    return pages


def posts(scene):
    """Every door that changes something, with what its form would send."""
    period = CapturePeriod.objects.get(quarter=3)
    meta = scene["meta"]
    grid = reverse("poa:capture-grid", args=unit_quarter("201", 3))
    doors = [
        (grid, {"version": "0", f"alcanzado_{meta.pk}": "5"}),
        (reverse("poa:periods"), {"quarter": "4", "deadline": "31/12/2023 18:00"}),
        (reverse("poa:period-close", args=[period.pk]), {}),
        (reverse("poa:exception-grant", args=[period.pk]), {"reason": "Porque sí."}),
        (reverse("poa:modification-request", args=[meta.pk]), {"justificacion": "x"}),
        (reverse("poa:evidence-upload", args=[meta.pk, 3]), {}),
        (reverse("poa:evidence-remove", args=[scene["evidencia"].pk]), {}),
        (reverse("poa:excel"), {}),
        (reverse("poa:excel-confirm"), {}),
        (reverse("poa:year-new"), {"source": "2023", "year": "2024"}),
        (reverse("poa:sheet-exports"), {"year": "2023", "quarter": "2"}),
        (reverse("poa:unit-accept", args=[scene["unit"].pk]), {}),
        (reverse("poa:modification-transition", args=[scene["modificacion"].pk, "aprobar"]), {}),
        (ADMIN + f"poa/meta/{meta.pk}/change/", {}),
        (ADMIN + f"poa/meta/{meta.pk}/delete/", {"post": "yes"}),
        (ADMIN + "auth/user/add/", {"username": "nuevo", "password1": "x", "password2": "x"}),
    ]
    for clave in UNITS:
        for quarter in (2, 3):
            for slug in ("enviar", "revisar", "autorizar", "devolver", "reabrir", "avisar"):
                url = reverse("poa:report-transition", args=[*unit_quarter(clave, quarter), slug])
                doors.append((url, {"comment": "Auditoría."}))
        for slug in ("enviar", "aprobar", "devolver"):
            url = reverse("poa:programming-transition", args=[2023, "59", clave, slug])
            doors.append((url, {"comment": "Auditoría."}))
    return doors


def database():
    tables = backup_fingerprint.tables()
    return {name: rows for name, rows in tables.items() if name not in READER_TABLES}


def test_contraloria_sees_every_unit_and_is_not_planeacion(contraloria):
    assert sorted(ue.clave for ue in access.units_visible_to(contraloria)) == UNITS
    assert all(access.can_view_unit(contraloria, unit(clave)) for clave in UNITS)
    assert not access.is_planeacion(contraloria)
    assert not any(access.can_capture(contraloria, unit(clave)) for clave in UNITS)


def test_the_matrix_as_contraloria_reads_everything_and_changes_nothing(scene, client, contraloria):
    client.force_login(contraloria)
    for url in readable_pages(scene):
        assert client.get(url).status_code == 200, url
    before = database()
    for url, data in posts(scene):
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert READ_ONLY_MESSAGE in response.content.decode(), url
    assert database() == before
    assert Modificacion.objects.get().state == Modificacion.State.SOLICITADA


def test_the_admin_refuses_a_superuser_of_contraloria_but_lets_them_read(
    scene, client, contraloria
):
    contraloria.is_staff = contraloria.is_superuser = True
    contraloria.save()
    client.force_login(contraloria)
    meta = scene["meta"]
    assert client.get(ADMIN + f"poa/meta/{meta.pk}/change/").status_code == 200
    before = database()
    response = client.post(
        ADMIN + f"poa/ejercicio/{meta.unidad_ejecutora.ramo.ejercicio_id}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert "La contraloría consulta todo y no cambia nada" in response.content.decode()
    assert database() == before


def test_contraloria_signs_out_and_its_downloads_are_recorded(scene, client, contraloria):
    client.force_login(contraloria)
    client.get(reverse("poa:evidence-download", args=[scene["evidencia"].pk]))
    downloads = AuditEvent.objects.filter(username="contraloria", kind=AuditEvent.Kind.EVIDENCE)
    assert [e.description for e in downloads] == [
        f"Meta 305: Descargó la evidencia «{scene['evidencia'].name}»."
    ]
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("poa:home")).status_code == 302  # back to the login page


def test_the_menu_offers_auditoria_to_contraloria_and_not_planeacions_pages(
    scene, client, contraloria
):
    client.force_login(contraloria)
    html = client.get(reverse("poa:home")).content.decode()
    assert reverse("poa:audit-latest") in html
    assert reverse("poa:periods") not in html
    assert client.get(reverse("poa:periods")).status_code == 403
