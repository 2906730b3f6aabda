"""The reference fixture reproduces the printed Q2 2023 sheet of Ramo 59."""

import pytest

from poa.models import Ejercicio, LineaAccion, Meta, UnidadEjecutora
from poa.rules import figures

# meta: (abs, rel) as printed in the reference sheet for the second quarter of 2023
PRINTED = {
    100: (1, 50), 101: (26, 50), 102: (1, 17), 103: (6, 150),
    200: (2, 50), 201: (26, 50), 202: (2, 50), 203: (2, 50),
    204: (1, 50), 205: (0, 0), 206: (1, 100), 207: (6, 50),
    300: (16, 107), 301: (26, 50), 302: (2, 50), 303: (36, 50),
    304: (10, 50), 305: (172, 51), 306: (10, 50), 307: (4, 33),
}  # fmt: skip


def q2_figures(meta):
    rows = sorted(meta.avances.all(), key=lambda row: row.quarter)
    return figures.meta_figures(
        annual=meta.meta_anual,
        programmed=[row.programado for row in rows],
        achieved=[row.alcanzado for row in rows],
        observations=[row.observaciones for row in rows],
        quarter=2,
    )


def test_all_20_metas_compute_the_printed_absolute_and_relative(reference):
    metas = Meta.objects.prefetch_related("avances")
    computed = {}
    for meta in metas:
        result = q2_figures(meta)
        computed[meta.numero] = (int(result.absolute), result.relative)
    assert computed == PRINTED


def test_every_programmed_split_adds_up_to_its_annual_target(reference):
    for meta in Meta.objects.prefetch_related("avances"):
        programmed = [row.programado for row in meta.avances.all()]
        assert figures.programmed_total_difference(meta.meta_anual, programmed) == 0, meta.numero


def test_third_and_fourth_quarters_are_empty_not_zero(reference):
    meta = Meta.objects.get(numero=305)
    achieved = {row.quarter: row.alcanzado for row in meta.avances.all()}
    assert achieved[1] == 70 and achieved[2] == 102
    assert achieved[3] is None and achieved[4] is None


def test_meta_206_is_flagged_instead_of_silently_reproduced(reference):
    warnings = q2_figures(Meta.objects.get(numero=206)).warnings
    assert any("observación" in warning for warning in warnings)


def test_variances_of_q2_carry_the_printed_observations(reference):
    for numero in (102, 103, 300, 303, 305, 307):
        assert q2_figures(Meta.objects.get(numero=numero)).warnings == [], numero


def test_catalog_matches_the_sheet_header(reference):
    ejercicio = Ejercicio.objects.get(year=2023)
    assert ejercicio.municipio == "XXIV AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA"
    ue = UnidadEjecutora.objects.select_related("programa", "ramo", "subfuncion__funcion").get(
        clave="201"
    )
    assert (ue.ramo.clave, ue.programa.clave) == ("59", "592")
    subfuncion = ue.subfuncion
    assert (subfuncion.funcion.finalidad.digit, subfuncion.funcion.digit, subfuncion.digit) == (
        "3",
        "4",
        "2",
    )
    assert LineaAccion.objects.get(clave="4.6.1").nombre == (
        "MESURA EN EL EJERCICIO DE LOS RECURSOS PÚBLICOS"
    )


def test_one_person_signs_several_roles_with_different_positions(reference):
    ue_201 = UnidadEjecutora.objects.get(clave="201")
    ue_101 = UnidadEjecutora.objects.get(clave="101")
    assert ue_201.responsable == ue_101.responsable == ue_201.ramo.responsable
    assert ue_201.cargo_responsable == "COORDINADOR DE PROMOCIÓN"
    assert ue_201.ramo.cargo_responsable == "ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA"
    assert UnidadEjecutora.objects.get(clave="102").responsable.nombre == (
        "LIC. FABIOLA LEÓN HUERTA CABRERA"
    )


@pytest.mark.parametrize(("ue", "count"), [("101", 4), ("102", 8), ("201", 8)])
def test_each_unit_has_its_metas(reference, ue, count):
    assert Meta.objects.filter(unidad_ejecutora__clave=ue).count() == count


def test_conac_catalog_is_complete(db):
    from poa.models import Finalidad, Funcion, Subfuncion

    assert (Finalidad.objects.count(), Funcion.objects.count(), Subfuncion.objects.count()) == (
        4,
        28,
        111,
    )
