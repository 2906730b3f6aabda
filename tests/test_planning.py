"""The services of the annual programming: a unit drafts its metas (add, change, remove,
renumber, every meta or none), its head sends them, planeación returns or approves them; who
may do each, from which state, and what is recorded and emailed."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from poa.models import (
    Ejercicio,
    LineaAccion,
    Meta,
    Programacion,
    ProgramacionEvent,
    QuarterlyProgress,
    UnidadMedida,
)
from poa.rules.states import PROGRAMMING, WorkflowError
from poa.selectors.locks import lock_reason
from poa.services import programming
from poa.services.review import report_get_or_create
from poa.services.transitions import transition_run
from tests.conftest import plan_row, unit

State = Programacion.State
Action = ProgramacionEvent.Action
FABIOLA = "LIC. FABIOLA LEÓN HUERTA CABRERA"


def save(ue, user, rows, version=None, **options):
    programacion = programming.programming_of(ue)
    version = programacion.version if version is None else version
    return programming.programming_save(
        programacion=programacion, user=user, version=version, rows=rows, **options
    )


def stored(ue):
    """{numero: (meta_anual, [P1..P4], unit, [líneas])} as saved."""
    return {
        meta.numero: (
            meta.meta_anual,
            [p.programado for p in meta.avances.order_by("quarter")],
            meta.unidad_medida.nombre,
            sorted(linea.clave for linea in meta.lineas_accion.all()),
        )
        for meta in Meta.objects.filter(unidad_ejecutora=ue)
    }


def as_row(meta, **changes):
    """A stored meta as the screen posts it back, with `changes`."""
    row = programming.PlanRow(
        key=str(meta.pk),
        numero=str(meta.numero),
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        lineas=list(meta.lineas_accion.all()),
        meta_anual=str(meta.meta_anual),
        programado=[str(p.programado) for p in meta.avances.order_by("quarter")],
    )
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def sent_202(head, rows=None):
    save(unit("202"), head, rows or [plan_row(400), plan_row(401, "12", ("3", "3", "3", "3"))])
    programacion = programming.programming_of(unit("202"))
    programming.programming_send(programacion=programacion, user=head)
    return programacion


# Drafting ------------------------------------------------------------------------------------


def test_a_new_unit_numbers_its_metas_in_its_own_hundred(ue_202):
    assert programming.suggested_numero(ue_202) == 400
    assert programming.suggested_numero(unit("102")) == 208
    assert programming.suggested_numero(ue_202, taken=[400, 401]) == 402


def test_the_head_drafts_two_metas_with_their_quarters(ue_202, head_102):
    result = save(ue_202, head_102, [plan_row(400), plan_row(401, "12", ("3", "3", "3", "3"))])
    assert result.changed == 2 and result.sent is None
    assert stored(ue_202) == {
        400: (Decimal(4), [Decimal(1)] * 4, "INFORME", ["2.3.1"]),
        401: (Decimal(12), [Decimal(3)] * 4, "INFORME", ["2.3.1"]),
    }
    programacion = Programacion.objects.get(unidad_ejecutora=ue_202)
    assert (programacion.state, programacion.version) == (State.BORRADOR, 1)


def test_saving_what_is_stored_changes_nothing(ue_202, capturista_202):
    save(ue_202, capturista_202, [plan_row(400)])
    meta = Meta.objects.get(unidad_ejecutora=ue_202)
    result = save(ue_202, capturista_202, [as_row(meta, meta_anual="4.00")])
    assert result.changed == 0
    assert Programacion.objects.get(unidad_ejecutora=ue_202).version == 1


@pytest.mark.parametrize("persona", ["capturista_102", "aaron", "planeacion", "outsider"])
def test_only_the_units_capturistas_and_head_draft_its_metas(request, ue_202, persona):
    with pytest.raises(PermissionDenied):
        save(ue_202, request.getfixturevalue(persona), [plan_row(400)])
    assert not Meta.objects.filter(unidad_ejecutora=ue_202).exists()


def test_one_wrong_meta_saves_none_and_says_which(ue_202, head_102):
    good, bad = plan_row(400), plan_row(401, "4", ("1", "1", "1", "2"))
    with pytest.raises(programming.PlanValidationError) as refused:
        save(ue_202, head_102, [good, bad])
    assert refused.value.errors == {
        "nueva-401": {
            "programado": "La suma de lo programado por trimestre (5) no coincide con la meta "
            "anual autorizada (4): sobra 1."
        }
    }
    assert str(refused.value) == "Revise las metas marcadas; no se guardó ningún cambio."
    assert not Meta.objects.filter(unidad_ejecutora=ue_202).exists()


@pytest.mark.parametrize(
    ("annual", "programado", "field", "message"),
    [
        ("", ("", "", "", ""), "meta_anual", "Escriba la meta anual."),
        ("4.5", ("1", "1", "1", "1.5"), "meta_anual", "«INFORME» solo admite números enteros."),
        ("4", ("1", "1,5", "1", "1"), "programado_2", "Use punto decimal, no coma"),
        ("4", ("1", "-1", "1", "1"), "programado_2", "no puede ser negativa"),
        ("4", ("1", "uno", "1", "1"), "programado_2", "Escriba un número"),
        ("6", ("2", "1", "1", "1"), "programado", "falta 1."),
    ],
)
def test_figures_follow_the_rules_of_the_sheet(
    ue_202, head_102, annual, programado, field, message
):
    with pytest.raises(programming.PlanValidationError) as refused:
        save(ue_202, head_102, [plan_row(400, annual, programado)])
    assert message in refused.value.errors["nueva-400"][field]


def test_a_unit_that_counts_fractions_takes_two_decimals(ue_202, head_102):
    UnidadMedida.objects.create(nombre="KILÓMETRO", admite_decimales=True)
    save(ue_202, head_102, [plan_row(400, "10.5", ("2.25", "2.25", "3", "3"), measure="KILÓMETRO")])
    assert stored(ue_202)[400][:2] == (Decimal("10.5"), [Decimal("2.25"), Decimal("2.25"), 3, 3])


def test_two_metas_with_one_number_are_refused(ue_202, head_102):
    with pytest.raises(programming.PlanValidationError) as refused:
        save(ue_202, head_102, [plan_row(400), plan_row(400)])
    assert refused.value.errors["nueva-400"]["numero"] == (
        "El número 400 ya lo usa otra meta de la unidad."
    )


def test_a_new_meta_cannot_take_the_number_of_one_not_on_screen(ue_202, head_102):
    save(ue_202, head_102, [plan_row(400)])
    with pytest.raises(programming.PlanValidationError) as refused:
        save(ue_202, head_102, [plan_row(400)])
    assert "ya lo usa otra meta" in refused.value.errors["nueva-400"]["numero"]


def test_metas_change_remove_and_swap_numbers_in_one_save(ue_202, head_102):
    save(ue_202, head_102, [plan_row(400), plan_row(401), plan_row(402)])
    m400, m401, m402 = Meta.objects.filter(unidad_ejecutora=ue_202).order_by("numero")
    result = save(
        ue_202,
        head_102,
        [
            as_row(m400, numero="401"),
            as_row(m401, numero="400", meta_anual="8", programado=["2", "2", "2", "2"]),
            as_row(m402, delete=True),
        ],
    )
    assert result.changed == 3
    assert Meta.objects.get(pk=m400.pk).numero == 401
    changed = Meta.objects.get(pk=m401.pk)
    assert (changed.numero, changed.meta_anual) == (400, 8)
    assert not Meta.objects.filter(pk=m402.pk).exists()
    assert QuarterlyProgress.objects.filter(meta__unidad_ejecutora=ue_202).count() == 8


def test_a_meta_of_another_unit_cannot_be_posted(ue_202, head_102):
    other = Meta.objects.get(unidad_ejecutora=unit("102"), numero=200)
    with pytest.raises(PermissionDenied):
        save(ue_202, head_102, [as_row(other, numero="400")])
    assert Meta.objects.get(pk=other.pk).unidad_ejecutora == unit("102")


def test_a_save_against_an_older_version_is_refused(ue_202, head_102, capturista_202):
    save(ue_202, capturista_202, [plan_row(400)])
    with pytest.raises(programming.StaleProgrammingError) as refused:
        save(ue_202, head_102, [plan_row(401)], version=0)
    assert "Otra persona guardó esta programación" in str(refused.value)
    assert list(stored(ue_202)) == [400]


def test_lineas_of_another_year_are_refused(ue_202, head_102):
    other_year = Ejercicio.objects.create(year=2024, municipio="MEXICALI")
    linea = LineaAccion.objects.create(ejercicio=other_year, clave="1.1.1", nombre="OTRA")
    with pytest.raises(programming.PlanValidationError) as refused:
        save(ue_202, head_102, [plan_row(400, lineas=[linea])])
    assert refused.value.errors["nueva-400"]["lineas"] == (
        "Use solo líneas de acción del plan de este ejercicio."
    )


# Units of measure proposed by a unit ---------------------------------------------------------


def test_a_unit_proposes_a_unit_of_measure_it_uses_at_once(ue_202, capturista_202):
    proposed = programming.measure_propose(
        unidad_ejecutora=ue_202, user=capturista_202, nombre="  visita   guiada "
    )
    assert (proposed.nombre, proposed.aceptada, proposed.propuesta_por) == (
        "VISITA GUIADA",
        False,
        ue_202,
    )
    save(ue_202, capturista_202, [plan_row(400, measure="VISITA GUIADA")])
    assert stored(ue_202)[400][2] == "VISITA GUIADA"


def test_another_unit_cannot_use_a_proposal_before_it_is_accepted(ue_202, head_102, planeacion):
    programming.measure_propose(unidad_ejecutora=unit("102"), user=head_102, nombre="VISITA")
    with pytest.raises(programming.PlanValidationError) as refused:
        save(ue_202, head_102, [plan_row(400, measure="VISITA")])
    assert refused.value.errors["nueva-400"]["unidad_medida"] == (
        "Esa unidad de medida aún no está aceptada por planeación."
    )
    programming.measure_accept(measure=UnidadMedida.objects.get(nombre="VISITA"), user=planeacion)
    save(ue_202, head_102, [plan_row(400, measure="VISITA")])


def test_a_unit_of_measure_is_proposed_once_and_accepted_by_planeacion(
    ue_202, capturista_202, head_102
):
    with pytest.raises(WorkflowError, match="«INFORME» ya existe"):
        programming.measure_propose(unidad_ejecutora=ue_202, user=capturista_202, nombre="informe")
    with pytest.raises(PermissionDenied):
        programming.measure_propose(unidad_ejecutora=unit("201"), user=capturista_202, nombre="X")
    proposed = programming.measure_propose(unidad_ejecutora=ue_202, user=capturista_202, nombre="X")
    with pytest.raises(PermissionDenied):
        programming.measure_accept(measure=proposed, user=head_102)


# Sending, returning, approving ---------------------------------------------------------------


def test_the_head_sends_the_programming_to_planeacion_who_is_emailed(
    ue_202, head_102, planeacion, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        programacion = sent_202(head_102)
    programacion.refresh_from_db()
    assert programacion.state == State.ENVIADA
    event = programacion.events.get()
    assert (event.action, event.signer_name, event.signer_position) == (
        Action.SEND,
        FABIOLA,
        "JEFA DEL DEPARTAMENTO DE VINCULACIÓN",
    )
    [email] = mailoutbox
    assert email.to == ["planeacion@mexicali.example"]
    assert PROGRAMMING.transition(Action.SEND).subject in email.subject
    assert "/programacion/2023/59/202/" in email.body


@pytest.mark.parametrize("persona", ["capturista_202", "aaron", "planeacion"])
def test_only_the_unit_head_sends(request, ue_202, head_102, persona):
    save(ue_202, head_102, [plan_row(400)])
    with pytest.raises(PermissionDenied, match="Solo el responsable de la unidad ejecutora"):
        programming.programming_send(
            programacion=programming.programming_of(ue_202), user=request.getfixturevalue(persona)
        )
    assert programming.programming_of(ue_202).state == State.BORRADOR


def test_a_programming_is_sent_with_metas_and_their_lineas(ue_202, head_102):
    programacion = programming.programming_of(ue_202)
    with pytest.raises(WorkflowError, match="Registre al menos una meta"):
        programming.programming_send(programacion=programacion, user=head_102)
    save(ue_202, head_102, [plan_row(400, lineas=[]), plan_row(401, lineas=[])])
    with pytest.raises(WorkflowError, match="faltan en las metas 400, 401"):
        programming.programming_send(programacion=programacion, user=head_102)


def test_save_and_send_go_together(ue_202, head_102):
    result = save(ue_202, head_102, [plan_row(400)], send=True)
    assert result.changed == 1 and result.sent.action == Action.SEND
    assert programming.programming_of(ue_202).state == State.ENVIADA


def test_a_refused_send_saves_nothing_either(ue_202, head_102):
    with pytest.raises(WorkflowError, match="línea de acción"):
        save(ue_202, head_102, [plan_row(400, lineas=[])], send=True)
    with pytest.raises(programming.PlanValidationError) as refused:
        save(ue_202, head_102, [plan_row(400, "5")], send=True)
    assert "la programación no se envió y no se guardó ningún cambio" in str(refused.value)
    assert not Meta.objects.filter(unidad_ejecutora=ue_202).exists()
    assert programming.programming_of(ue_202).state == State.BORRADOR


def test_a_capturista_cannot_save_and_send(ue_202, capturista_202):
    with pytest.raises(PermissionDenied):
        save(ue_202, capturista_202, [plan_row(400)], send=True)
    assert not Meta.objects.filter(unidad_ejecutora=ue_202).exists()


def test_a_sent_programming_is_no_longer_edited(ue_202, head_102):
    sent_202(head_102)
    with pytest.raises(WorkflowError, match="En espera de la aprobación de planeación"):
        save(ue_202, head_102, [plan_row(402)])


def test_planeacion_returns_with_a_comment_and_the_unit_is_told(
    ue_202, head_102, capturista_202, planeacion, mailoutbox, django_capture_on_commit_callbacks
):
    programacion = sent_202(head_102)
    with pytest.raises(WorkflowError, match="Escriba el motivo de la devolución"):
        programming.programming_return(programacion=programacion, user=planeacion, comment="  ")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        programming.programming_return(
            programacion=programacion, user=planeacion, comment="Desglose la meta 401."
        )
    assert programming.programming_of(ue_202).state == State.BORRADOR
    [email] = mailoutbox
    assert sorted(email.to) == ["captura202@mexicali.example", "fabiola.leon@mexicali.example"]
    assert "Comentario: Desglose la meta 401." in email.body
    save(ue_202, head_102, [plan_row(402)])  # editable again


@pytest.mark.parametrize("persona", ["head_102", "capturista_202", "aaron"])
def test_only_planeacion_approves_or_returns(request, ue_202, head_102, persona):
    programacion = sent_202(head_102)
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied, match="Solo planeación"):
        programming.programming_approve(programacion=programacion, user=user)
    with pytest.raises(PermissionDenied, match="Solo planeación"):
        programming.programming_return(programacion=programacion, user=user, comment="No.")
    assert programming.programming_of(ue_202).state == State.ENVIADA


def test_a_draft_is_neither_approved_nor_returned(ue_202, head_102, planeacion):
    save(ue_202, head_102, [plan_row(400)])
    programacion = programming.programming_of(ue_202)
    with pytest.raises(WorkflowError, match="No se puede aprobar una programación en estado"):
        programming.programming_approve(programacion=programacion, user=planeacion)


def test_approval_waits_for_the_proposed_units_of_measure(ue_202, head_102, planeacion):
    proposed = programming.measure_propose(unidad_ejecutora=ue_202, user=head_102, nombre="VISITA")
    programacion = sent_202(head_102, [plan_row(400, measure="VISITA")])
    with pytest.raises(WorkflowError, match="Acepte primero .*«VISITA»"):
        programming.programming_approve(programacion=programacion, user=planeacion)
    programming.measure_accept(measure=proposed, user=planeacion)
    programming.programming_approve(programacion=programacion, user=planeacion)
    assert programming.programming_of(ue_202).state == State.APROBADA


def test_approval_locks_the_metas_and_records_their_first_version(
    ue_202, head_102, planeacion, mailoutbox, django_capture_on_commit_callbacks
):
    programacion = sent_202(head_102)
    with django_capture_on_commit_callbacks(execute=True):
        programming.programming_approve(programacion=programacion, user=planeacion)
    assert [(v.meta.numero, v.numero, v.meta_anual) for v in _versions(ue_202)] == [
        (400, 1, 4),
        (401, 1, 12),
    ]
    with pytest.raises(WorkflowError, match="solo cambia por modificación programática"):
        save(ue_202, head_102, [plan_row(402)])
    assert "programación aprobada" in mailoutbox[-1].subject
    assert [e.action for e in programacion.events.all()] == [Action.SEND, Action.APPROVE]


def _versions(ue):
    from poa.models import MetaVersion

    return MetaVersion.objects.filter(meta__unidad_ejecutora=ue).order_by("meta__numero")


def test_capture_waits_for_the_approved_programming(ue_202, head_102, planeacion, q3_open):
    report = report_get_or_create(unidad_ejecutora=ue_202, quarter=3)
    assert "programación anual de la unidad aún no está aprobada" in lock_reason(report)
    programacion = sent_202(head_102)
    assert "aún no está aprobada" in lock_reason(report)
    programming.programming_approve(programacion=programacion, user=planeacion)
    report = report_get_or_create(unidad_ejecutora=ue_202, quarter=3)
    assert lock_reason(report) is None


def test_the_runner_makes_a_transition_of_the_programming_flow(ue_202, head_102, planeacion):
    programacion = sent_202(head_102)
    transition_run(
        programming.FLOW,
        subject=programacion,
        user=planeacion,
        action=Action.RETURN,
        comment="Corrija.",
    )
    assert programming.programming_of(ue_202).state == State.BORRADOR
