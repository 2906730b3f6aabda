"""The workflows are defined once, in poa.rules.states: every machine is made by one flow of
the services and one transition page, and its words are written nowhere else."""

import re
from pathlib import Path

import pytest

from poa.models import Report, ReportEvent
from poa.rules import states
from poa.rules.states import MODIFICATION, PROGRAMMING, REPORT
from poa.web.views.transitions import DOORS

ROOT = Path(__file__).resolve().parents[1]
TEXT_FIELDS = ("event", "label", "confirm", "question", "done", "subject", "next_step", "task")
MACHINES = [REPORT, PROGRAMMING, MODIFICATION]


def source_files():
    files = list((ROOT / "poa").rglob("*.py")) + list((ROOT / "templates").rglob("*.html"))
    return {path: path.read_text() for path in files if "migrations" not in path.parts}


@pytest.fixture(scope="module")
def sources():
    return source_files()


def words_of(machine):
    for transition in machine.transitions:
        for name in TEXT_FIELDS + ("comment_required",):
            text = getattr(transition, name)
            if text:
                yield f"{transition.action}.{name}", text
    for state in machine.states:
        yield f"{state.value}.waiting", state.waiting


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.this)
def test_each_sentence_of_a_transition_is_written_in_poa_states_only(machine, sources):
    """A copy elsewhere would start like the original; words too short to tell a copy from a
    common word ("Devolver") are left out."""
    elsewhere = {path: text for path, text in sources.items() if path.name != "states.py"}
    for where, text in words_of(machine):
        if len(text) < 12:
            continue
        start = text[:40]
        found = [str(path.relative_to(ROOT)) for path, src in elsewhere.items() if start in src]
        assert not found, f"{where}: «{start}…» también está en {found}"


def test_every_machine_has_its_flow_and_the_one_transition_page_serves_them_all():
    assert {name: door.flow.machine for name, door in DOORS.items()} == {
        machine.name: machine for machine in MACHINES
    }


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.this)
def test_a_flow_checks_and_changes_only_transitions_of_its_machine(machine):
    flow = DOORS[machine.name].flow
    actions = {t.action for t in machine.transitions}
    for by_action in (flow.checks, flow.effects, flow.jobs):
        assert set(by_action) <= actions
        assert all(callable(function) for function in by_action.values())


def test_the_models_take_states_and_actions_from_the_machine():
    assert Report.State.choices == [(s.value, s.label) for s in REPORT.states]
    assert ReportEvent.Action.choices == [(t.action, t.event) for t in REPORT.transitions]
    assert Report._meta.get_field("state").default == REPORT.initial.value


def test_slugs_and_actions_are_unique_and_every_role_has_a_name():
    for machine in MACHINES:
        assert len({t.slug for t in machine.transitions}) == len(machine.transitions)
        for transition in machine.transitions:
            assert set(transition.roles) <= set(states.ROLE_NAMES)


def test_returns_and_reopenings_both_restart_the_signatures():
    assert REPORT.restart_actions == {"return", "reopen"}
    assert [t.signs for t in REPORT.signing] == ["ELABORÓ", "REVISÓ", "AUTORIZÓ"]


def test_a_ramo_head_returns_from_revisado_signing_as_ramo_head_first():
    actors = REPORT.transition("return").actors
    assert actors == {"enviado": ("program_head",), "revisado": ("ramo_head", "program_head")}


def state_literals():
    """Every stored state value, quoted as a template or a view would compare it."""
    values = {s.value for m in MACHINES for s in (*m.states, m.absent) if s is not None}
    return re.compile("|".join(rf"""["']{value}["']""" for value in sorted(values)))


def test_no_template_or_view_spells_a_state():
    literal = state_literals()
    places = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "poa" / "web").rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in places
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if literal.search(line)
    ]
    assert found == []


def test_the_literal_finder_finds_a_spelled_state():
    assert state_literals().search('{% if report.state == "autorizado" %}')
    assert not state_literals().search("{% if report.machine_state.final %}")


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.this)
def test_each_state_badge_has_a_colour_of_the_stylesheet(machine):
    css = (ROOT / "static" / "poa" / "css" / "app.css").read_text()
    for state in (*machine.states, machine.absent):
        if state is not None:
            assert f".state-{state.colour} " in css, state.value
            assert state.css.endswith(f"-{state.value}")
