"""Who sees which unit and who may move a report: the server-side rules every screen uses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from poa.models import Report, ReportEvent
from poa.rules.states import REPORT
from poa.selectors import access
from poa.services.review import report_review, report_send
from tests.conftest import report_in_state, unit

Action = ReportEvent.Action
State = Report.State


def claves(units):
    return sorted(ue.clave for ue in units)


def test_planeacion_sees_every_unit(planeacion):
    assert access.is_planeacion(planeacion)
    assert claves(access.units_visible_to(planeacion)) == ["101", "102", "201"]


def test_superuser_counts_as_planeacion(reference, superuser):
    assert access.is_planeacion(superuser)


def test_capturista_sees_only_the_unit_they_capture(capturista_102):
    assert claves(access.units_visible_to(capturista_102)) == ["102"]
    assert not access.is_planeacion(capturista_102)


def test_head_of_102_sees_only_102(head_102):
    assert claves(access.units_visible_to(head_102)) == ["102"]


def test_head_of_programs_and_ramo_sees_every_unit_below(aaron):
    assert claves(access.units_visible_to(aaron)) == ["101", "102", "201"]


def test_outsider_and_anonymous_see_nothing(outsider):
    assert claves(access.units_visible_to(outsider)) == []
    assert claves(access.units_visible_to(AnonymousUser())) == []
    assert not access.can_view_unit(AnonymousUser(), unit("101"))


def test_capturista_of_102_cannot_view_or_capture_201(capturista_102):
    assert access.can_view_unit(capturista_102, unit("102"))
    assert access.can_capture(capturista_102, unit("102"))
    assert not access.can_view_unit(capturista_102, unit("201"))
    assert not access.can_capture(capturista_102, unit("201"))


def test_ue_head_captures_but_program_head_of_another_unit_does_not(aaron, head_102):
    assert access.can_capture(head_102, unit("102"))
    assert access.can_capture(aaron, unit("101"))
    assert not access.can_capture(aaron, unit("102"))
    assert access.can_view_unit(aaron, unit("102"))


def test_planeacion_views_but_does_not_capture(planeacion):
    assert access.can_view_unit(planeacion, unit("201"))
    assert not access.can_capture(planeacion, unit("201"))


def test_roles_follow_the_persona_linked_to_the_account(aaron, head_102):
    ue = unit("102")
    assert access.is_ue_head(head_102, ue) and not access.is_ue_head(aaron, ue)
    assert access.is_program_head(aaron, ue.programa)
    assert not access.is_program_head(head_102, ue.programa)
    assert access.is_ramo_head(aaron, ue.ramo) and not access.is_ramo_head(head_102, ue.ramo)


def test_get_unit_or_404_returns_a_visible_unit(capturista_201):
    ue = access.get_unit_or_404(capturista_201, 2023, "59", "201")
    assert ue.nombre == "DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL"


def test_capturista_of_102_gets_404_on_the_unit_201(capturista_102):
    with pytest.raises(Http404):
        access.get_unit_or_404(capturista_102, 2023, "59", "201")


@pytest.mark.parametrize("address", [(2022, "59", "102"), (2023, "60", "102"), (2023, "59", "9")])
def test_get_unit_or_404_on_a_unit_that_does_not_exist(planeacion, address):
    with pytest.raises(Http404):
        access.get_unit_or_404(planeacion, *address)


def test_get_unit_or_404_costs_a_fixed_number_of_queries(head_102, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        ue = access.get_unit_or_404(head_102, 2023, "59", "102")
        assert ue.ramo.ejercicio.year == 2023 and ue.programa.clave == "511"


@pytest.mark.parametrize(
    ("state", "persona", "expected"),
    [
        (State.BORRADOR, "head_102", [Action.SEND]),
        (State.BORRADOR, "aaron", []),
        (State.BORRADOR, "capturista_102", [Action.READY]),
        (State.ENVIADO, "aaron", [Action.REVIEW, Action.RETURN]),
        (State.ENVIADO, "head_102", []),
        (State.REVISADO, "aaron", [Action.AUTHORIZE, Action.RETURN]),
        (State.REVISADO, "head_102", []),
        (State.AUTORIZADO, "aaron", []),
        (State.AUTORIZADO, "planeacion", [Action.REOPEN]),
        (State.ENVIADO, "planeacion", []),
        (State.BORRADOR, "outsider", []),
    ],
)
def test_allowed_actions_on_the_report_of_102(request, state, persona, expected):
    user = request.getfixturevalue(persona)
    report = report_in_state("102", 2, state)
    assert allowed(user, report) == expected


def allowed(user, report):
    return [t.action for t in access.allowed_transitions(user, report, REPORT)]


def test_aaron_sends_101_as_head_of_the_unit(aaron):
    assert allowed(aaron, report_in_state("101", 2)) == [Action.SEND]


def test_signer_positions_are_the_cargo_of_each_role(aaron, head_102):
    report = report_in_state("201", 2)
    ue = report.unidad_ejecutora

    def position(user, action):
        return access.signer_position(
            access.acting_role(user, report, REPORT.transition(action)), ue
        )

    assert position(aaron, Action.SEND) == "COORDINADOR DE PROMOCIÓN"
    director = "ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA"
    report_send(report=report, user=aaron)
    assert position(aaron, Action.REVIEW) == director
    report_review(report=report, user=aaron)
    assert position(aaron, Action.AUTHORIZE) == director
    assert position(aaron, Action.RETURN) == director
    report_102 = report_in_state("102", 2)
    send = REPORT.transition(Action.SEND)
    role = access.acting_role(head_102, report_102, send)
    assert access.signer_position(role, report_102.unidad_ejecutora) == "COORDINADOR ADMINISTRATIVO"
