"""`manage.py poa_generate`: a synthetic year built through the services, the same for the
same seed, clean for poa_check unless inconsistencies are planted on purpose, and with
reports in every state."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from poa.jobs import DUMMY_BACKEND, default_task_backend
from poa.models import Ejercicio, Meta, MetaVersion, Persona, Report, ReportEvent, UnidadEjecutora
from poa.selectors import access
from poa.selectors.consistency import find_inconsistencies
from poa.services import generate, generate_data
from tests.conftest import planner_rows

SMALL = {"ramos": 2, "ues_por_ramo": 2, "metas_por_ue": 3}


def generated(seed=7, year=None, **options):
    return generate.generate_year(**(SMALL | options), seed=seed, year=year)


def dump(year):
    """Every name, figure and state of a generated year, without its year or database ids."""
    ejercicio = Ejercicio.objects.get(year=year)
    units = UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio).select_related(
        "ramo__responsable", "programa__responsable", "responsable", "subfuncion", "programacion"
    )
    metas = (
        Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio)
        .select_related("unidad_medida", "unidad_ejecutora__ramo")
        .prefetch_related("avances", "lineas_accion", "versions")
        .order_by("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave", "numero")
    )
    events = ReportEvent.objects.filter(
        report__unidad_ejecutora__ramo__ejercicio=ejercicio
    ).order_by("report__unidad_ejecutora__ramo__clave", "report__unidad_ejecutora__clave", "id")
    reports = Report.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio)
    return {
        "municipio": ejercicio.municipio,
        "lineas": list(ejercicio.lineas_accion.values_list("clave", "nombre")),
        "units": sorted(
            (
                u.ramo.clave,
                u.ramo.nombre,
                u.ramo.responsable.nombre,
                u.ramo.cargo_responsable,
                u.programa.clave,
                u.programa.nombre,
                u.programa.responsable.nombre,
                u.programa.cargo_responsable,
                u.clave,
                u.nombre,
                u.subfuncion.clave,
                u.responsable.nombre,
                u.responsable.usuario.username,
                u.cargo_responsable,
                sorted(c.username for c in u.capturistas.all()),
                u.programacion.state,
            )
            for u in units
        ),
        "metas": [
            (
                m.unidad_ejecutora.ramo.clave,
                m.unidad_ejecutora.clave,
                m.numero,
                m.descripcion,
                m.unidad_medida.nombre,
                m.meta_anual,
                sorted(linea.clave for linea in m.lineas_accion.all()),
                [(p.programado, p.alcanzado, p.observaciones) for p in m.avances.all()],
                len(m.versions.all()),
            )
            for m in metas
        ],
        "reports": sorted(
            reports.values_list("unidad_ejecutora__clave", "quarter", "state", "version")
        ),
        "events": list(
            events.values_list(
                "report__quarter", "action", "comment", "signer_name", "signer_position"
            )
        ),
    }


def check(year):
    out = io.StringIO()
    try:
        call_command("poa_check", year=year, stdout=out)
    except SystemExit as exit:
        return exit.code
    return 0


# Determinism --------------------------------------------------------------------------------


def test_the_same_seed_builds_the_same_year_twice(db):
    generated(seed=7, year=2030)
    generated(seed=7, year=2031)
    assert dump(2030) == dump(2031)


def test_another_seed_builds_another_year(db):
    generated(seed=7, year=2030)
    generated(seed=8, year=2031)
    first, second = dump(2030), dump(2031)
    assert first["units"] != second["units"]
    assert first["metas"] != second["metas"]


def test_the_year_defaults_to_the_first_free_one_from_2030(db):
    tiny = {"ramos": 1, "ues_por_ramo": 1, "metas_por_ue": 1}
    assert generated(seed=1, **tiny).ejercicio.year == 2030
    assert generated(seed=1, **tiny).ejercicio.year == 2031


def test_an_existing_year_is_refused_with_a_spanish_message(reference):
    with pytest.raises(CommandError, match="El ejercicio 2023 ya existe; elija otro año."):
        call_command(
            "poa_generate",
            ramos=1,
            ues_por_ramo=1,
            metas_por_ue=1,
            seed=1,
            year=2023,
            stdout=io.StringIO(),
        )


# A realistic year -------------------------------------------------------------------------


def test_the_generated_year_passes_poa_check(db):
    year = generated().ejercicio.year
    assert check(year) == 0


def test_planted_inconsistencies_are_exactly_what_poa_check_finds(db):
    result = generated(inconsistencies=True)
    found = find_inconsistencies(ejercicio=result.ejercicio)
    assert sorted((f.kind, f.ramo, f.ue, f.meta) for f in found) == sorted(result.planted)
    kinds = {kind for kind, *_ in result.planted}
    assert kinds == {"variance", "unprogrammed", "total", "after-report", "linea", "signatory"}
    assert check(result.ejercicio.year) == 1


def test_every_report_state_occurs_and_some_reports_were_returned(db):
    result = generated()
    states = {state for (_, state) in result.report_states}
    assert states == {"borrador", "enviado", "revisado", "autorizado"}
    reports = Report.objects.filter(unidad_ejecutora__ramo__ejercicio=result.ejercicio)
    assert ReportEvent.objects.filter(report__in=reports, action="return").exists()
    assert not reports.filter(quarter=4).exists()


def test_the_first_quarters_are_authorized_for_most_units(db):
    result = generated(ramos=3, ues_por_ramo=4, metas_por_ue=1)
    for quarter in (1, 2):
        authorized = result.report_states.get((quarter, "autorizado"), 0)
        assert authorized >= 12 * 0.7
    assert (4, "borrador") not in result.report_states


def test_every_programming_was_approved_by_planeacion_with_a_version_per_meta(db):
    result = generated()
    metas = Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=result.ejercicio)
    assert metas.count() == 12
    assert MetaVersion.objects.filter(meta__in=metas).count() == 12
    for ue in UnidadEjecutora.objects.filter(ramo__ejercicio=result.ejercicio):
        approval = ue.programacion.events.get(action="approve")
        assert approval.user.username == generate.PLANEACION_USERNAME


def test_figures_add_up_stay_whole_and_every_variance_is_explained(db):
    result = generated(ramos=3, ues_por_ramo=2, metas_por_ue=4, seed=5)
    metas = Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=result.ejercicio)
    variances = 0
    for meta in metas.select_related("unidad_medida").prefetch_related("avances"):
        programmed, achieved, notes = meta.quarter_series()
        assert sum(programmed) == meta.meta_anual
        if not meta.unidad_medida.admite_decimales:
            values = [meta.meta_anual, *programmed, *(a for a in achieved if a is not None)]
            assert all(value == value.to_integral_value() for value in values)
        for p, a, note in zip(programmed, achieved, notes, strict=True):
            if a is not None and a != p:
                variances += 1
                assert note.strip()
    assert variances > 0


def test_signatories_have_accounts_and_act_in_their_roles(db):
    result = generated()
    for ue in UnidadEjecutora.objects.filter(ramo__ejercicio=result.ejercicio):
        head = ue.responsable.usuario
        assert access.is_ue_head(head, ue)
        assert ue.cargo_responsable and ue.programa.cargo_responsable
        assert ue.ramo.cargo_responsable
        [capturista] = ue.capturistas.all()
        assert capturista.username == f"cap-{ue.ramo.clave}-{ue.clave}"
        assert not capturista.has_usable_password()
    sent = ReportEvent.objects.filter(action="send").select_related("report__unidad_ejecutora")
    assert all(e.signer_position == e.report.unidad_ejecutora.cargo_responsable for e in sent)


def test_password_lets_every_generated_account_sign_in(db):
    generate.generate_year(**SMALL, seed=2, password="clave-sintetica-1")
    for username in [generate.PLANEACION_USERNAME, "cap-" + _first_unit_address()]:
        assert authenticate(username=username, password="clave-sintetica-1") is not None
    persona = Persona.objects.exclude(usuario=None).first()
    assert authenticate(username=persona.usuario.username, password="clave-sintetica-1")


def _first_unit_address():
    ue = UnidadEjecutora.objects.select_related("ramo").order_by("ramo__clave", "clave").first()
    return f"{ue.ramo.clave}-{ue.clave}"


def test_names_read_like_a_municipality(db):
    result = generated()
    ejercicio = result.ejercicio
    assert "AYUNTAMIENTO DE" in ejercicio.municipio
    for nombre in ejercicio.ramos.values_list("nombre", flat=True):
        assert nombre.startswith(generate_data.RAMO_PREFIXES)
    units = UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio).order_by("ramo", "clave")
    assert units.first().nombre == "DIRECCIÓN"
    assert all(linea.clave.count(".") == 2 for linea in ejercicio.lineas_accion.all())
    assert (
        get_user_model()
        .objects.get(username=generate.PLANEACION_USERNAME)
        .groups.filter(name=access.PLANEACION_GROUP)
    )


def test_some_units_of_measure_admit_decimals_and_their_figures_use_them(db):
    # Seed 3 makes the first ramo a dependency of city services (eje 5), which measures
    # kilometres, tonnes and square metres.
    result = generated(ramos=2, ues_por_ramo=1, metas_por_ue=12, seed=3)
    decimal_metas = Meta.objects.filter(
        unidad_ejecutora__ramo__ejercicio=result.ejercicio, unidad_medida__admite_decimales=True
    )
    assert decimal_metas.exists()
    assert any(m.meta_anual != m.meta_anual.to_integral_value() for m in decimal_metas)


def test_the_command_reports_what_it_built(db):
    out = io.StringIO()
    call_command(
        "poa_generate", ramos=1, ues_por_ramo=2, metas_por_ue=2, seed=9, year=2040, stdout=out
    )
    text = out.getvalue()
    assert "Ejercicio 2040 generado con la semilla 9" in text
    assert "1 ramos, 2 unidades ejecutoras, 4 metas." in text
    assert "Trimestre 4: sin abrir." in text
    assert "sin contraseña: use --password para entrar." in text


@pytest.mark.parametrize(
    "options, message",
    [
        ({"ramos": 0}, "Indique de 1 a 180 ramos."),
        ({"ues_por_ramo": 100}, "Indique de 1 a 99 unidades ejecutoras por ramo."),
        ({"metas_por_ue": 0}, "Indique de 1 a 500 metas por unidad ejecutora."),
        ({"year": 2101}, "Indique un año entre 2000 y 2100."),
    ],
)
def test_sizes_out_of_range_are_refused(db, options, message):
    arguments = {"ramos": 1, "ues_por_ramo": 1, "metas_por_ue": 1, "seed": 1} | options
    with pytest.raises(CommandError, match=message):
        call_command("poa_generate", stdout=io.StringIO(), **arguments)


def test_progress_hears_each_stage_to_its_end(db):
    heard = []
    generate.generate_year(
        ramos=1,
        ues_por_ramo=2,
        metas_por_ue=1,
        seed=1,
        progress=lambda stage, done, total: heard.append((stage, done, total)),
    )
    ends = [(stage, done) for stage, done, total in heard if done == total]
    assert ends == [
        ("Catálogo", 2),
        ("Programación", 2),
        ("Trimestre 1", 2),
        ("Trimestre 2", 2),
        ("Trimestre 3", 2),
    ]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_sees_a_progress_bar_and_a_file_does_not(db):
    terminal, log = Terminal(), io.StringIO()
    call_command("poa_generate", ramos=1, ues_por_ramo=1, metas_por_ue=1, seed=1, stdout=terminal)
    call_command("poa_generate", ramos=1, ues_por_ramo=1, metas_por_ue=1, seed=1, stdout=log)
    assert f"\rProgramación  [{'#' * 30}] 1/1\n" in terminal.getvalue()
    assert "Programación" not in log.getvalue()


def test_a_generated_year_queues_no_email(db, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": DUMMY_BACKEND}}

    with django_capture_on_commit_callbacks(execute=True):
        generated()

    queued = {result.task.name for result in default_task_backend.results}
    assert not queued & {"transition_email", "modification_request_email"}


def test_a_generated_year_gives_the_database_planner_the_size_of_its_tables(
    db, django_capture_on_commit_callbacks
):
    """Right after a bulk load the planner must not believe the tables empty (a plan that
    walks every meta for every row): the load refreshes the statistics on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        generated(ramos=1, ues_por_ramo=1, metas_por_ue=3)
    assert planner_rows("poa_meta") == Meta.objects.count() == 3
