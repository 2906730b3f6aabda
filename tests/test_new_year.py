"""A new year from the last one: planeación creates 2024 from 2023 in one action (service,
command and page), with the catalog, the signatories, the capturistas, the líneas de acción
of the same PMD and optionally the metas as drafts; 2023 stays as it was."""

import io
import json

import pytest
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections
from django.urls import reverse

from poa.models import (
    Ejercicio,
    LineaAccion,
    Meta,
    MetaVersion,
    Programa,
    Programacion,
    QuarterlyProgress,
    Ramo,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.services import modifications, years
from tests.conftest import unit
from tests.test_modifications import authorize, request

NEW_PMD = "PLAN MUNICIPAL DE DESARROLLO 2025-2027"


def dump_2023():
    """Every row of 2023 as JSON, to compare before and after."""
    querysets = [
        Ejercicio.objects.filter(year=2023),
        Ramo.objects.filter(ejercicio__year=2023),
        Programa.objects.filter(ramo__ejercicio__year=2023),
        UnidadEjecutora.objects.filter(ramo__ejercicio__year=2023),
        LineaAccion.objects.filter(ejercicio__year=2023),
        Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=2023),
        QuarterlyProgress.objects.filter(meta__unidad_ejecutora__ramo__ejercicio__year=2023),
        Programacion.objects.filter(unidad_ejecutora__ramo__ejercicio__year=2023),
        MetaVersion.objects.filter(meta__unidad_ejecutora__ramo__ejercicio__year=2023),
        UnidadMedida.objects.all(),
    ]
    return [json.loads(serializers.serialize("json", qs.order_by("pk"))) for qs in querysets]


def create(planeacion, **kwargs):
    return years.year_create_from(source=2023, year=2024, user=planeacion, **kwargs)


def test_2024_takes_the_catalog_signatories_and_capturistas_of_2023(
    planeacion, capturista_201, capturista_102
):
    created = create(planeacion)

    ejercicio = Ejercicio.objects.get(year=2024)
    assert created.ejercicio == ejercicio
    assert ejercicio.municipio == "XXIV AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA"
    assert ejercicio.pmd == "PLAN MUNICIPAL DE DESARROLLO 2022-2024"
    assert [str(r) for r in ejercicio.ramos.all()] == [
        "59 COMISIÓN DE DESARROLLO INDUSTRIAL DE MEXICALI"
    ]
    assert Programa.objects.filter(ramo__ejercicio=ejercicio).count() == 2
    ue = unit("201", year=2024)
    old = unit("201")
    assert ue.pk != old.pk
    assert (ue.nombre, ue.programa.clave, ue.subfuncion_id) == (
        "DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL",
        "592",
        "342",
    )
    assert (ue.responsable, ue.cargo_responsable) == (
        old.responsable,
        "COORDINADOR DE PROMOCIÓN",
    )
    assert ue.ramo.responsable.nombre == "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"
    assert list(ue.capturistas.all()) == [capturista_201]
    assert list(unit("102", year=2024).capturistas.all()) == [capturista_102]
    assert LineaAccion.objects.filter(ejercicio=ejercicio).count() == 9
    assert not Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio).exists()
    states = Programacion.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio)
    assert sorted(states.values_list("state", flat=True)) == ["borrador"] * 3
    assert (created.ramos, created.programas, created.unidades) == (1, 2, 3)
    assert (created.responsables, created.capturistas, created.lineas) == (2, 2, 9)


def test_the_metas_come_as_a_draft_with_their_targets_cleared(planeacion):
    created = create(planeacion, copy_metas=True)

    assert created.metas == 20
    metas = Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=2024)
    meta = metas.get(numero=305)
    assert meta.unidad_ejecutora == unit("201", year=2024)
    assert (
        meta.descripcion == Meta.objects.get(numero=305, unidad_ejecutora=unit("201")).descripcion
    )
    assert meta.meta_anual == 0 and meta.unidad_medida.nombre == "PROSPECTO"
    assert [p.programado for p in meta.avances.order_by("quarter")] == [0, 0, 0, 0]
    assert all(p.alcanzado is None for p in meta.avances.all())
    assert sorted(linea.clave for linea in meta.lineas_accion.all()) == sorted(
        linea.clave for linea in Meta.objects.get(pk=18).lineas_accion.all()
    )
    assert {linea.ejercicio.year for linea in meta.lineas_accion.all()} == {2024}
    programacion = Programacion.objects.get(unidad_ejecutora=unit("201", year=2024))
    assert (programacion.state, programacion.version) == ("borrador", 1)
    assert not MetaVersion.objects.filter(meta__in=metas).exists()


def test_a_different_pmd_copies_no_lineas_and_says_so(planeacion):
    created = create(planeacion, copy_metas=True, pmd=f"  {NEW_PMD} ")

    assert Ejercicio.objects.get(year=2024).pmd == NEW_PMD
    assert not LineaAccion.objects.filter(ejercicio__year=2024).exists()
    meta = Meta.objects.get(numero=305, unidad_ejecutora__ramo__ejercicio__year=2024)
    assert not meta.lineas_accion.exists()
    assert created.lineas == 0
    assert created.notes[0] == (
        "El PMD de 2024 es distinto del de 2023: las líneas de acción no se copian; registre "
        "las del nuevo plan antes de programar."
    )
    assert "quedan sin línea de acción" in created.notes[1]


def test_the_same_pmd_written_otherwise_keeps_the_lineas(planeacion):
    create(planeacion, pmd="plan municipal de desarrollo  2022-2024")
    assert Ejercicio.objects.get(year=2024).pmd == "PLAN MUNICIPAL DE DESARROLLO 2022-2024"
    assert LineaAccion.objects.filter(ejercicio__year=2024).count() == 9


def test_cancelled_metas_and_units_of_measure_not_accepted_stay_behind(
    planeacion, aaron, capturista_201
):
    authorize("201", 1, head=aaron, signer=aaron, planeacion=planeacion)
    cancel = request(capturista_201, cancelar=True, annual="340")
    modifications.modification_approve(modificacion=cancel, user=planeacion)
    proposed = UnidadMedida.objects.create(
        nombre="VISITA", aceptada=False, propuesta_por=unit("102")
    )
    Meta.objects.filter(numero=200).update(unidad_medida=proposed)

    created = create(planeacion, copy_metas=True)

    copied = set(
        Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=2024).values_list(
            "numero", flat=True
        )
    )
    assert 305 not in copied and 200 not in copied and len(copied) == 18
    assert created.skipped == [
        "La meta 200 de la UE 102 no se copió: su unidad de medida «VISITA» no está aceptada "
        "por planeación.",
        "La meta 305 de la UE 201 no se copió: está cancelada.",
    ]


def test_2023_is_left_exactly_as_it_was(planeacion, aaron, capturista_201):
    authorize("201", 1, head=aaron, signer=aaron, planeacion=planeacion)
    modifications.modification_approve(
        modificacion=request(capturista_201, annual="360", programado=("70", "100", "120", "70")),
        user=planeacion,
    )
    before = dump_2023()
    create(planeacion, copy_metas=True)
    assert dump_2023() == before


def test_an_existing_year_is_refused_and_nothing_is_copied(planeacion):
    create(planeacion)
    with pytest.raises(years.YearCopyError, match="El ejercicio 2024 ya existe"):
        create(planeacion, copy_metas=True)
    assert Ramo.objects.filter(ejercicio__year=2024).count() == 1
    assert not Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=2024).exists()


def test_a_missing_source_is_refused(planeacion):
    with pytest.raises(years.YearCopyError, match="No existe el ejercicio 2019"):
        years.year_create_from(source=2019, year=2024, user=planeacion)
    assert not Ejercicio.objects.filter(year=2024).exists()


def test_only_planeacion_creates_a_year(aaron, capturista_201):
    for user in (aaron, capturista_201):
        with pytest.raises(PermissionDenied):
            create(user)
    assert not Ejercicio.objects.filter(year=2024).exists()


# The command ---------------------------------------------------------------------------------


def test_the_command_creates_the_year_and_says_what_it_copied(planeacion):
    out = io.StringIO()
    call_command("poa_new_year", "--from", "2023", "--to", "2024", "--copiar-metas", stdout=out)
    text = out.getvalue()
    assert text.startswith(
        "Ejercicio 2024 creado a partir de 2023: 1 ramo, 2 programas y 3 unidades ejecutoras "
        "con sus responsables (2 personas) y 0 capturistas."
    )
    assert "Líneas de acción copiadas: 9." in text
    assert "Metas copiadas como borrador, con la meta anual y lo programado en 0: 20." in text
    assert Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=2024).count() == 20


def test_the_command_takes_another_pmd(planeacion):
    out = io.StringIO()
    call_command("poa_new_year", "--from", "2023", "--to", "2024", "--pmd", NEW_PMD, stdout=out)
    assert Ejercicio.objects.get(year=2024).pmd == NEW_PMD
    assert "las líneas de acción no se copian" in out.getvalue()


def test_the_command_exits_0_when_it_creates_and_1_with_the_reason_when_refused(
    planeacion, capsys, monkeypatch
):
    # Run as from a shell, but keep the test's connection, which a command closes when done.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    execute_from_command_line(["manage.py", "poa_new_year", "--from", "2023", "--to", "2024"])
    assert "Ejercicio 2024 creado" in capsys.readouterr().out

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "poa_new_year", "--from", "2023", "--to", "2024"])
    assert exited.value.code == 1
    assert "El ejercicio 2024 ya existe; no se copió nada." in capsys.readouterr().err


def test_the_command_needs_an_account_of_planeacion(reference):
    with pytest.raises(CommandError, match="No hay ninguna cuenta de planeación") as refused:
        call_command("poa_new_year", "--from", "2023", "--to", "2024")
    assert refused.value.returncode == 1
    assert not Ejercicio.objects.filter(year=2024).exists()


# The page ------------------------------------------------------------------------------------

NEW_YEAR = "/planeacion/ejercicios/nuevo/"


def test_planeacion_sees_the_counts_before_creating_the_year(client, planeacion):
    client.force_login(planeacion)
    form = client.get(NEW_YEAR).content.decode()
    assert 'value="2024"' in form
    data = {"source": Ejercicio.objects.get(year=2023).pk, "year": "2024", "copy_metas": "on"}

    confirm = client.post(NEW_YEAR, data).content.decode()

    assert "Crear el ejercicio 2024 a partir de 2023" in confirm
    assert '<th scope="row">Unidades ejecutoras' in confirm
    assert '<td class="num">20</td>' in confirm  # metas
    assert not Ejercicio.objects.filter(year=2024).exists()

    response = client.post(NEW_YEAR, data | {"confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("poa:home")
    assert "Ejercicio 2024 creado a partir de 2023" in response.content.decode()
    assert Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=2024).count() == 20


def test_the_page_refuses_an_existing_year_next_to_the_field(client, planeacion):
    create(planeacion)
    client.force_login(planeacion)
    data = {"source": Ejercicio.objects.get(year=2023).pk, "year": "2024"}
    html = client.post(NEW_YEAR, data | {"confirm": "1"}).content.decode()
    assert "El ejercicio 2024 ya existe; no se copió nada." in html
    assert 'value="2024"' in html
    assert Ramo.objects.filter(ejercicio__year=2024).count() == 1


def test_the_page_is_planeacions_alone(client, aaron):
    client.force_login(aaron)
    assert client.get(NEW_YEAR).status_code == 403
    data = {"source": Ejercicio.objects.get(year=2023).pk, "year": "2024", "confirm": "1"}
    assert client.post(NEW_YEAR, data).status_code == 403
    assert not Ejercicio.objects.filter(year=2024).exists()
