"""Modificación programática: the unit asks to change an approved meta, planeación approves or
rejects it; authorized quarters never change, every approved version is kept and the sheet of
an authorized quarter keeps printing the figures it was authorized with."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone

from poa.models import (
    Ejercicio,
    Meta,
    MetaVersion,
    Modificacion,
    QuarterlyProgress,
    Report,
    UnidadMedida,
)
from poa.rules.capture import CaptureValidationError
from poa.rules.states import WorkflowError
from poa.selectors.grid import capture_required
from poa.selectors.sheet import build_sheet
from poa.services import modifications, programming
from poa.services.periods import period_open
from poa.services.review import report_authorize, report_get_or_create, report_review, report_send
from tests.conftest import complete_quarter, make_user, unit

State = Modificacion.State


def authorize(clave, quarter, *, head, signer, planeacion):
    """The quarter of the unit goes through the real sign-off: opened, completed, sent by its
    head, reviewed and authorized (Aarón holds both for UE 201)."""
    period_open(
        ejercicio=Ejercicio.objects.get(year=2023),
        quarter=quarter,
        deadline=timezone.now() + timedelta(days=1),
        user=planeacion,
    )
    complete_quarter(clave, quarter)
    report = report_get_or_create(unidad_ejecutora=unit(clave), quarter=quarter)
    report_send(report=report, user=head)
    report_review(report=report, user=signer)
    report_authorize(report=report, user=signer)
    return report


@pytest.fixture
def q1_authorized(aaron, planeacion):
    return authorize("201", 1, head=aaron, signer=aaron, planeacion=planeacion)


@pytest.fixture
def q2_authorized(q1_authorized, aaron, planeacion):
    return authorize("201", 2, head=aaron, signer=aaron, planeacion=planeacion)


def meta_305():
    return Meta.objects.select_related("unidad_ejecutora__ramo", "unidad_medida").get(numero=305)


def change(annual="340", programado=("70", "100", "100", "70"), cancelar=False, **fields):
    meta = meta_305()
    return modifications.ChangeRequest(
        descripcion=fields.get("descripcion", meta.descripcion),
        unidad_medida=fields.get("unidad_medida", meta.unidad_medida),
        meta_anual=annual,
        programado=list(programado),
        cancelar=cancelar,
    )


def request(user, justificacion="Se sumó una feria industrial en septiembre.", **kwargs):
    return modifications.modification_request(
        meta=meta_305(), user=user, justificacion=justificacion, change=change(**kwargs)
    )


def programmed_305():
    return [
        p.programado for p in QuarterlyProgress.objects.filter(meta__numero=305).order_by("quarter")
    ]


def test_an_approved_modification_changes_the_meta_and_keeps_both_versions(
    q2_authorized, capturista_201, planeacion
):
    modificacion = request(capturista_201, annual="360", programado=("70", "100", "120", "70"))
    assert modificacion.state == State.SOLICITADA
    assert meta_305().meta_anual == 340  # nothing changes until planeación decides

    modifications.modification_approve(modificacion=modificacion, user=planeacion)

    meta = meta_305()
    assert meta.meta_anual == 360
    assert programmed_305() == [70, 100, 120, 70]
    versions = list(meta.versions.order_by("numero"))
    assert [(v.numero, v.meta_anual, v.programmed) for v in versions] == [
        (1, 340, [70, 100, 100, 70]),
        (2, 360, [70, 100, 120, 70]),
    ]
    assert versions[0].modificacion is None and versions[0].note == ""
    # The original figures are in force since the programming was approved (fixture: January).
    assert timezone.localtime(versions[0].approved_at).date() == date(2023, 1, 31)
    assert versions[1].modificacion == modificacion
    day = formats.date_format(timezone.localtime(versions[1].approved_at), "SHORT_DATE_FORMAT")
    assert versions[1].note == (
        f"Meta modificada el {day}: Se sumó una feria industrial en septiembre."
    )


def test_changing_the_p_of_an_authorized_quarter_is_refused_at_the_request(
    q2_authorized, capturista_201
):
    with pytest.raises(programming.PlanValidationError) as refused:
        request(capturista_201, programado=("70", "90", "110", "70"))
    assert refused.value.errors == {
        "programado_2": "El informe de Abr-Jun ya está autorizado: lo programado en ese "
        "trimestre no cambia (100)."
    }
    assert not Modificacion.objects.exists()


def test_the_authorized_quarter_is_named_even_when_the_sum_is_also_wrong(
    q2_authorized, capturista_201
):
    with pytest.raises(programming.PlanValidationError) as refused:
        request(capturista_201, programado=("70", "0", "100", "70"))
    assert set(refused.value.errors) == {"programado_2", "programado"}


def test_a_quarter_authorized_after_the_request_refuses_its_approval(
    q1_authorized, aaron, capturista_201, planeacion
):
    modificacion = request(capturista_201, programado=("70", "90", "110", "70"))
    authorize("201", 2, head=aaron, signer=aaron, planeacion=planeacion)

    with pytest.raises(WorkflowError) as refused:
        modifications.modification_approve(modificacion=modificacion, user=planeacion)

    assert "El informe de Abr-Jun ya está autorizado" in str(refused.value)
    assert "Recházela" in str(refused.value)
    modificacion.refresh_from_db()
    assert modificacion.state == State.SOLICITADA
    assert programmed_305() == [70, 100, 100, 70]
    assert not MetaVersion.objects.exists()


def test_a_meta_has_one_pending_request_at_a_time(q2_authorized, capturista_201, aaron):
    request(capturista_201, annual="360", programado=("70", "100", "120", "70"))
    with pytest.raises(WorkflowError, match="ya tiene una solicitud de modificación"):
        request(aaron, annual="350", programado=("70", "100", "110", "70"))
    assert Modificacion.objects.count() == 1


def test_a_request_that_changes_nothing_is_refused(q2_authorized, capturista_201):
    with pytest.raises(programming.PlanValidationError) as refused:
        request(capturista_201, descripcion=" " + meta_305().descripcion + "\n")
    assert refused.value.errors["__all__"].startswith("La solicitud no cambia nada de la meta")


def test_the_quarters_must_add_up_to_the_annual_target(q2_authorized, capturista_201):
    with pytest.raises(programming.PlanValidationError) as refused:
        request(capturista_201, annual="400", programado=("70", "100", "120", "70"))
    assert refused.value.errors == {
        "programado": "La suma de lo programado por trimestre (360) no coincide con la meta "
        "anual autorizada (400): faltan 40."
    }


def test_a_whole_number_unit_refuses_fractions(q2_authorized, capturista_201):
    with pytest.raises(programming.PlanValidationError) as refused:
        request(capturista_201, annual="340.5", programado=("70", "100", "100.5", "70"))
    assert refused.value.errors["meta_anual"] == (
        "La unidad de medida «PROSPECTO» solo admite números enteros."
    )
    assert "programado_3" in refused.value.errors


def test_the_justification_is_required(q2_authorized, capturista_201):
    with pytest.raises(programming.PlanValidationError) as refused:
        request(
            capturista_201, justificacion="  ", annual="360", programado=("70", "100", "120", "70")
        )
    assert refused.value.errors == {"justificacion": "Escriba la justificación de la modificación."}


def test_a_unit_of_measure_planeacion_has_not_accepted_is_refused(q2_authorized, capturista_201):
    proposed = UnidadMedida.objects.create(
        nombre="VISITA", aceptada=False, propuesta_por=unit("201")
    )
    with pytest.raises(programming.PlanValidationError) as refused:
        request(capturista_201, unidad_medida=proposed)
    assert refused.value.errors == {
        "unidad_medida": "Elija una unidad de medida del catálogo aceptado por planeación."
    }


def test_a_whole_number_unit_is_refused_when_fractions_were_achieved(
    q2_authorized, capturista_201, planeacion
):
    hours = UnidadMedida.objects.create(nombre="HORA", admite_decimales=True)
    modifications.modification_approve(
        modificacion=request(capturista_201, unidad_medida=hours), user=planeacion
    )
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=3).update(alcanzado=Decimal("100.5"))
    with pytest.raises(programming.PlanValidationError) as refused:
        request(capturista_201, unidad_medida=UnidadMedida.objects.get(nombre="PROSPECTO"))
    assert refused.value.errors == {
        "unidad_medida": "Lo alcanzado en Jul-Sep tiene decimales y la unidad «PROSPECTO» solo "
        "admite números enteros."
    }


def test_approving_after_another_modification_of_the_meta_was_approved_is_refused(
    q2_authorized, capturista_201, planeacion
):
    first = request(capturista_201, annual="360", programado=("70", "100", "120", "70"))
    # A second request made against the same figures (before the first was decided).
    second = Modificacion.objects.create(
        meta=first.meta,
        justificacion="Otra razón.",
        descripcion=first.descripcion,
        unidad_medida=first.unidad_medida,
        meta_anual=350,
        programado_1=70,
        programado_2=100,
        programado_3=110,
        programado_4=70,
        base_version=first.base_version,
        requested_by=capturista_201,
    )
    modifications.modification_approve(modificacion=first, user=planeacion)

    with pytest.raises(WorkflowError, match="Otra modificación de esta meta se aprobó"):
        modifications.modification_approve(modificacion=second, user=planeacion)
    assert meta_305().meta_anual == 360


def test_only_planeacion_decides(q2_authorized, capturista_201, aaron, planeacion):
    modificacion = request(capturista_201, annual="360", programado=("70", "100", "120", "70"))
    for user in (aaron, capturista_201):
        with pytest.raises(PermissionDenied):
            modifications.modification_approve(modificacion=modificacion, user=user)
        with pytest.raises(PermissionDenied):
            modifications.modification_reject(modificacion=modificacion, user=user, comment="No.")
    assert Modificacion.objects.get().state == State.SOLICITADA


def test_a_rejection_needs_its_reason_and_leaves_the_meta_as_it_was(
    q2_authorized, capturista_201, planeacion
):
    modificacion = request(capturista_201, annual="360", programado=("70", "100", "120", "70"))
    with pytest.raises(WorkflowError, match="Escriba el motivo del rechazo."):
        modifications.modification_reject(modificacion=modificacion, user=planeacion)

    modifications.modification_reject(
        modificacion=modificacion, user=planeacion, comment="La feria no está confirmada."
    )

    assert Modificacion.objects.get().state == State.RECHAZADA
    assert meta_305().meta_anual == 340 and programmed_305() == [70, 100, 100, 70]
    assert not MetaVersion.objects.exists()
    request(capturista_201, annual="350", programado=("70", "100", "110", "70"))  # may ask again


def test_only_those_who_capture_for_the_unit_request(q2_authorized, capturista_102, planeacion):
    for user in (capturista_102, planeacion):
        with pytest.raises(PermissionDenied):
            request(user, annual="360", programado=("70", "100", "120", "70"))


def test_a_meta_whose_four_quarters_are_authorized_is_not_modified(
    q2_authorized, aaron, capturista_201, planeacion
):
    for quarter in (3, 4):
        authorize("201", quarter, head=aaron, signer=aaron, planeacion=planeacion)
    with pytest.raises(WorkflowError, match="Los cuatro trimestres"):
        request(capturista_201, descripcion="Otra descripción")


# The sheet ------------------------------------------------------------------------------------


def sheet_html(client, quarter):
    """The sheet page as the user reads it (the logout form's token changes every time)."""
    response = client.get(f"/tmm-f004/2023/59/201/{quarter}/")
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_sheet_of_an_authorized_quarter_is_unchanged_by_a_later_modification(
    q2_authorized, capturista_201, planeacion, client, aaron
):
    client.force_login(aaron)
    before_sheet, before_html = build_sheet(unit("201"), 2), sheet_html(client, 2)

    modificacion = request(
        capturista_201,
        annual="360",
        programado=("70", "100", "120", "70"),
        descripcion="Generar actividades de prospección (ampliada).",
    )
    modifications.modification_approve(modificacion=modificacion, user=planeacion)

    assert build_sheet(unit("201"), 2) == before_sheet
    assert sheet_html(client, 2) == before_html
    assert "Meta modificada" not in before_html


def test_the_open_quarter_sheet_prints_the_new_figures_and_the_note(
    q2_authorized, capturista_201, planeacion
):
    modificacion = request(capturista_201, annual="360", programado=("70", "100", "120", "70"))
    modifications.modification_approve(modificacion=modificacion, user=planeacion)

    row = next(r for r in build_sheet(unit("201"), 3).rows if r.numero == 305)
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert row.annual == 360 and row.programmed == (70, 100, 120, 70)
    assert row.observaciones == (
        f"Meta modificada el {today}: Se sumó una feria industrial en septiembre."
    )


# A cancelled meta -----------------------------------------------------------------------------


def cancel_305(capturista, planeacion, approved_on):
    modificacion = request(
        capturista,
        justificacion="El programa federal de prospección terminó.",
        annual="270",
        programado=("70", "100", "100", "0"),
        cancelar=True,
    )
    modifications.modification_approve(modificacion=modificacion, user=planeacion)
    # The approval is dated as if made on `approved_on`, inside the year it concerns.
    moment = timezone.make_aware(datetime.combine(approved_on, datetime.min.time()))
    MetaVersion.objects.filter(modificacion=modificacion).update(approved_at=moment)
    return modificacion


def send_refused_metas(clave, quarter, head):
    report = report_get_or_create(unidad_ejecutora=unit(clave), quarter=quarter)
    try:
        report_send(report=report, user=head)
    except CaptureValidationError as error:
        return set(Meta.objects.filter(pk__in=error.errors).values_list("numero", flat=True))
    return set()


def leave_305_uncaptured(quarter):
    complete_quarter("201", quarter)
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=quarter).update(
        alcanzado=None, observaciones=""
    )


def test_a_cancelled_meta_is_not_required_from_the_quarter_after_its_cancellation(
    q2_authorized, capturista_201, planeacion, aaron
):
    cancel_305(capturista_201, planeacion, approved_on=datetime(2023, 7, 15).date())
    assert meta_305().cancelada
    leave_305_uncaptured(3)
    leave_305_uncaptured(4)

    # Cancelled in July: July-September is still reported, October-December is not.
    assert send_refused_metas("201", 3, aaron) == {305}
    assert send_refused_metas("201", 4, aaron) == set()
    assert Report.objects.get(unidad_ejecutora=unit("201"), quarter=4).state == "enviado"


def test_a_cancelled_meta_stays_on_the_sheet_with_its_note(
    q2_authorized, capturista_201, planeacion
):
    cancel_305(capturista_201, planeacion, approved_on=datetime(2023, 7, 15).date())
    row = next(r for r in build_sheet(unit("201"), 4).rows if r.numero == 305)
    assert row.annual == 270
    assert row.observaciones == (
        "Meta cancelada el 15/07/2023: El programa federal de prospección terminó."
    )


def test_a_cancelled_meta_admits_no_further_modification(q2_authorized, capturista_201, planeacion):
    cancel_305(capturista_201, planeacion, approved_on=datetime(2023, 7, 15).date())
    with pytest.raises(WorkflowError, match="La meta está cancelada"):
        request(capturista_201, annual="270", programado=("70", "100", "50", "50"))


@pytest.mark.parametrize(
    ("cancelled_on", "required"),
    [
        ((2023, 3, 31), [True, False, False, False]),
        ((2023, 4, 1), [True, True, False, False]),
        ((2023, 12, 31), [True, True, True, True]),
        ((2022, 12, 20), [False, False, False, False]),
        ((2024, 1, 10), [True, True, True, True]),
    ],
)
def test_capture_is_required_up_to_the_quarter_of_the_cancellation(cancelled_on, required):
    meta = Meta(pk=1, cancelada=True)
    cancelled = {1: datetime(*cancelled_on).date()}
    assert [capture_required(meta, q, 2023, cancelled) for q in (1, 2, 3, 4)] == required


# Emails ---------------------------------------------------------------------------------------


def test_a_request_emails_planeacion_with_what_changes_and_why(
    q2_authorized, capturista_201, planeacion, django_capture_on_commit_callbacks, settings
):
    settings.POA_SITE_URL = "https://poa.mexicali.example"
    make_user("otra.planeacion", is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        modificacion = request(capturista_201, annual="360", programado=("70", "100", "120", "70"))
    email = mail.outbox[-1]
    assert sorted(email.to) == ["otra.planeacion@mexicali.example", "planeacion@mexicali.example"]
    assert email.subject == "POA 2023 · UE 201: solicitud de modificación de la meta 305"
    body = email.body
    assert "La unidad ejecutora 201 DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL solicita" in body
    assert "- Meta anual autorizada: 340 → 360" in body
    assert "- Programado Jul-Sep: 100 → 120" in body
    assert "Programado Abr-Jun" not in body  # only what changes
    assert "Justificación: Se sumó una feria industrial en septiembre." in body
    assert f"https://poa.mexicali.example/planeacion/modificaciones/{modificacion.pk}/" in body


def test_the_decision_emails_the_unit(
    q2_authorized, capturista_201, aaron, planeacion, django_capture_on_commit_callbacks
):
    modificacion = request(capturista_201, annual="360", programado=("70", "100", "120", "70"))
    with django_capture_on_commit_callbacks(execute=True):
        modifications.modification_reject(
            modificacion=modificacion, user=planeacion, comment="La feria no está confirmada."
        )
    email = mail.outbox[-1]
    assert sorted(email.to) == ["aaron.alvarez@mexicali.example", "captura201@mexicali.example"]
    assert email.subject == "POA 2023 · UE 201: modificación programática rechazada"
    assert email.body.startswith(
        "La solicitud de modificación de la meta 305 (2023) de la unidad ejecutora 201 "
        "DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL: modificación programática rechazada, por "
        "planeacion (PLANEACIÓN) el "
    )
    assert "Comentario: La feria no está confirmada." in email.body
    assert f"/metas/{modificacion.meta_id}/" in email.body
