"""Integrity lives in the database; model validation repeats it in Spanish."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from poa.models import (
    Ejercicio,
    LineaAccion,
    Meta,
    Persona,
    Programa,
    QuarterlyProgress,
    Ramo,
    UnidadEjecutora,
    UnidadMedida,
)


def make_unit(year=2024, ramo="59", programa="511", ue="101"):
    ejercicio, _ = Ejercicio.objects.get_or_create(year=year, defaults={"municipio": "MEXICALI"})
    ramo, _ = Ramo.objects.get_or_create(ejercicio=ejercicio, clave=ramo, defaults={"nombre": "R"})
    programa, _ = Programa.objects.get_or_create(ramo=ramo, clave=programa, nombre="P")
    return UnidadEjecutora.objects.create(
        ramo=ramo, programa=programa, subfuncion_id="342", clave=ue, nombre="U"
    )


def make_meta(annual=4, decimals=False, programmed=(1, 1, 1, 1), numero=100):
    unidad, _ = UnidadMedida.objects.get_or_create(
        nombre="HORA" if decimals else "INFORME", defaults={"admite_decimales": decimals}
    )
    meta = Meta.objects.create(
        unidad_ejecutora=make_unit(),
        numero=numero,
        descripcion="Meta de prueba",
        unidad_medida=unidad,
        meta_anual=annual,
    )
    for quarter, value in enumerate(programmed, 1):
        QuarterlyProgress.objects.create(meta=meta, quarter=quarter, programado=value)
    return meta


def messages(error):
    return " ".join(error.value.messages)


def db_rejects(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
def test_negative_achievement_is_refused_with_a_spanish_message():
    progress = make_meta().avances.get(quarter=1)
    progress.alcanzado = Decimal(-1)
    with pytest.raises(ValidationError) as error:
        progress.full_clean()
    assert "no puede ser negativ" in messages(error)


@pytest.mark.django_db
def test_negative_figures_are_refused_by_the_database():
    meta = make_meta()
    db_rejects(lambda: QuarterlyProgress.objects.filter(meta=meta).update(alcanzado=-1))
    db_rejects(lambda: QuarterlyProgress.objects.filter(meta=meta).update(programado=-1))
    db_rejects(lambda: Meta.objects.filter(pk=meta.pk).update(meta_anual=-4))


@pytest.mark.django_db
def test_fraction_in_a_whole_unit_is_refused_with_a_spanish_message():
    progress = make_meta().avances.get(quarter=1)
    progress.alcanzado = Decimal("1.5")
    with pytest.raises(ValidationError) as error:
        progress.full_clean()
    assert error.value.message_dict["alcanzado"] == [
        "La unidad de medida «INFORME» solo admite números enteros."
    ]


@pytest.mark.django_db
def test_fraction_in_a_whole_unit_is_refused_by_the_database():
    meta = make_meta()
    db_rejects(lambda: QuarterlyProgress.objects.filter(meta=meta).update(alcanzado="1.5"))
    db_rejects(lambda: Meta.objects.filter(pk=meta.pk).update(meta_anual="4.5"))


@pytest.mark.django_db
def test_a_unit_with_decimals_takes_two_of_them_and_no_more():
    meta = make_meta(annual=Decimal("2.5"), decimals=True, programmed=("0.5", "0.5", "1", "0.5"))
    progress = meta.avances.get(quarter=1)
    progress.alcanzado = Decimal("0.75")
    progress.full_clean()
    progress.save()
    progress.alcanzado = Decimal("0.755")
    with pytest.raises(ValidationError) as error:
        progress.full_clean()
    assert "más de 2 dígitos decimales" in messages(error)


@pytest.mark.django_db
def test_a_second_row_for_the_same_quarter_is_refused():
    meta = make_meta()
    duplicate = QuarterlyProgress(meta=meta, quarter=2, programado=1)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Esta meta ya tiene un registro para ese trimestre." in messages(error)
    db_rejects(duplicate.save)


@pytest.mark.django_db
def test_quarter_five_is_refused_by_the_database():
    meta = make_meta()
    db_rejects(lambda: QuarterlyProgress.objects.filter(meta=meta, quarter=4).update(quarter=5))


@pytest.mark.django_db
def test_programmed_quarters_must_add_up_to_the_annual_target():
    meta = make_meta(annual=6, programmed=(2, 1, 1, 1))
    with pytest.raises(ValidationError) as error:
        meta.full_clean()
    assert messages(error) == (
        "La suma de lo programado por trimestre (5) no coincide con la meta anual "
        "autorizada (6): falta 1."
    )


@pytest.mark.django_db
def test_a_consistent_meta_validates():
    make_meta(annual=6, programmed=(2, 1, 1, 2)).full_clean()


@pytest.mark.django_db
def test_uncaptured_achievement_is_empty_not_zero():
    assert make_meta().avances.get(quarter=3).alcanzado is None


@pytest.mark.django_db
def test_codes_are_unique_per_year_and_free_across_years():
    make_unit(year=2024)
    with pytest.raises(ValidationError) as error:
        Ramo(ejercicio=Ejercicio.objects.get(year=2024), clave="59", nombre="Otro").full_clean()
    assert "Ya existe un ramo con esta clave en el ejercicio." in messages(error)
    make_unit(year=2025)  # the same codes in another year are fine
    ejercicio = Ejercicio.objects.get(year=2024)
    LineaAccion.objects.create(ejercicio=ejercicio, clave="4.6.1", nombre="MESURA")
    db_rejects(lambda: LineaAccion.objects.create(ejercicio=ejercicio, clave="4.6.1", nombre="X"))


@pytest.mark.django_db
def test_unit_code_is_unique_within_its_ramo():
    unit = make_unit(ue="101")
    twin = UnidadEjecutora(
        ramo=unit.ramo, programa=unit.programa, subfuncion_id="342", clave="101", nombre="Otra"
    )
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "Ya existe una unidad ejecutora con esta clave en el ramo." in messages(error)
    db_rejects(twin.save)


@pytest.mark.django_db
def test_unit_programa_must_belong_to_its_ramo():
    unit = make_unit()
    other_ramo = Ramo.objects.create(ejercicio=unit.ramo.ejercicio, clave="60", nombre="Otro")
    unit.ramo = other_ramo
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert error.value.message_dict["programa"] == ["El programa debe pertenecer al mismo ramo."]


@pytest.mark.django_db
def test_a_signatory_needs_the_position_they_sign_with():
    unit = make_unit()
    unit.responsable = Persona.objects.create(nombre="LIC. ANA PÉREZ")
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "cargo" in error.value.message_dict["cargo_responsable"][0]
