"""Synthetic units of any size for the sheet's tests and benchmark: make_unit(metas=200)."""

from decimal import Decimal

from poa.models import (
    Ejercicio,
    LineaAccion,
    Meta,
    Persona,
    Programa,
    QuarterlyProgress,
    Ramo,
    Subfuncion,
    UnidadEjecutora,
    UnidadMedida,
)

SYNTHETIC_YEAR = 2031
OBSERVATION = "Se atendieron menos solicitudes de las previstas."
DESCRIPTION = (
    "Dar seguimiento a las actividades programadas de la unidad, con el fin de cumplir las metas "
    "del programa operativo anual conforme a la normatividad aplicable."
)


def make_ramo(*, year=SYNTHETIC_YEAR, clave="90"):
    ejercicio, _ = Ejercicio.objects.get_or_create(
        year=year, defaults={"municipio": "AYUNTAMIENTO DE PRUEBA"}
    )
    titular, _ = Persona.objects.get_or_create(nombre="LIC. TITULAR DE PRUEBA")
    ramo, _ = Ramo.objects.get_or_create(
        ejercicio=ejercicio,
        clave=clave,
        defaults={
            "nombre": "RAMO DE PRUEBA",
            "responsable": titular,
            "cargo_responsable": "TITULAR DEL RAMO",
        },
    )
    return ramo


def make_unit(metas=20, *, clave="100", ramo=None):
    """A unit of a synthetic year with `metas` metas of 1,200 a year (300 a quarter)."""
    ramo = ramo or make_ramo()
    programa, _ = Programa.objects.get_or_create(
        ramo=ramo,
        clave="900",
        defaults={
            "nombre": "PROGRAMA DE PRUEBA",
            "responsable": ramo.responsable,
            "cargo_responsable": "TITULAR DEL PROGRAMA",
        },
    )
    jefe, _ = Persona.objects.get_or_create(nombre=f"ING. JEFE DE LA UNIDAD {clave}")
    unit = UnidadEjecutora.objects.create(
        ramo=ramo,
        programa=programa,
        subfuncion=Subfuncion.objects.get(clave="342"),
        clave=clave,
        nombre=f"UNIDAD DE PRUEBA {clave}",
        responsable=jefe,
        cargo_responsable="JEFE DE LA UNIDAD",
    )
    make_metas(unit, metas)
    return unit


def make_lineas(ejercicio, count=3):
    return [
        LineaAccion.objects.get_or_create(
            ejercicio=ejercicio, clave=f"1.{i}.1", defaults={"nombre": f"LÍNEA DE PRUEBA {i}"}
        )[0]
        for i in range(1, count + 1)
    ]


def make_metas(unit, count, *, first=1):
    """`count` metas numbered from `first`: 300 programmed each quarter, Q1 achieved as
    programmed, Q2 achieved 290 with its observation, Q3 and Q4 not captured yet."""
    unidad, _ = UnidadMedida.objects.get_or_create(nombre="INFORME")
    lineas = make_lineas(unit.ramo.ejercicio)
    metas = Meta.objects.bulk_create(
        Meta(
            unidad_ejecutora=unit,
            numero=first + i,
            descripcion=DESCRIPTION,
            unidad_medida=unidad,
            meta_anual=Decimal(1200),
        )
        for i in range(count)
    )
    through = Meta.lineas_accion.through
    through.objects.bulk_create(
        through(meta_id=meta.pk, lineaaccion_id=lineas[i % len(lineas)].pk)
        for i, meta in enumerate(metas)
    )
    QuarterlyProgress.objects.bulk_create(
        progress for meta in metas for progress in _quarters(meta)
    )
    return metas


def _quarters(meta):
    achieved = {1: Decimal(300), 2: Decimal(290)}
    for quarter in (1, 2, 3, 4):
        yield QuarterlyProgress(
            meta=meta,
            quarter=quarter,
            programado=Decimal(300),
            alcanzado=achieved.get(quarter),
            observaciones="Se atendieron menos solicitudes de las previstas."
            if quarter == 2
            else "",
        )
