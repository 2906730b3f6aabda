"""The catalog sheets of a year's workbook: the year, who signs, units of measure, líneas de
acción, ramos, programas and unidades ejecutoras, each row created or updated by its natural
key after the model's own validation (Responsable.clean: a named responsable needs the
position they sign with)."""

from poa.documents.yearbook import (
    EJERCICIO,
    LINEAS,
    PERSONAS,
    PROGRAMAS,
    RAMOS,
    UNIDADES,
    UNIDADES_MEDIDA,
)
from poa.models import (
    Ejercicio,
    LineaAccion,
    Persona,
    Programa,
    Programacion,
    Ramo,
    Subfuncion,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.services import programming
from poa.services.imports.cells import (
    clave_key,
    measure_key,
    name,
    nombre_key,
    ramo_clave_key,
    text,
    yes_no,
)

LOCKED_STATES = (Programacion.State.ENVIADA, Programacion.State.APROBADA)
# Model field → the column its Spanish message goes to.
SIGNATORY_COLUMNS = {
    "clave": "clave",
    "nombre": "nombre",
    "responsable": "responsable",
    "cargo_responsable": "cargo",
    "__all__": "clave",
}


def load_ejercicio(run) -> bool:
    """The year of the book, created or updated; False (reported) when it is unreadable or
    its programming is already sent or approved somewhere, and nothing else is loaded."""
    rows = list(run.rows(EJERCICIO))
    if any(row.broken for row in run.book.sheets.get(EJERCICIO.name, [])):
        return False
    if EJERCICIO.name not in run.book.sheets:
        return False
    if not rows:
        message = "Escriba en la fila 2 el año, el municipio y el PMD del ejercicio."
        run.error(EJERCICIO, None, None, message)
        return False
    for extra in rows[1:]:
        message = "El libro es de un solo ejercicio: deje solo la fila 2."
        run.error(EJERCICIO, extra, None, message)
    row = rows[0]
    year = text(row.values["year"])
    if not (year.isascii() and year.isdigit()):
        run.error(EJERCICIO, row, "year", "Escriba el año con cuatro cifras, por ejemplo 2023.")
        return False
    existing = Ejercicio.objects.select_for_update().filter(year=int(year)).first()
    if existing and not _unlocked(run, existing, row):
        return False
    run.ejercicio = run.upsert(
        EJERCICIO,
        row,
        Ejercicio,
        {"year": int(year)},
        {"municipio": name(row.values["municipio"]), "pmd": name(row.values["pmd"])},
        {"year": "year", "municipio": "municipio", "pmd": "pmd", "__all__": "year"},
        existing=existing,
    )
    return run.ejercicio is not None


def find_ejercicio(run) -> bool:
    """The existing year of a book of accounts alone; False (reported) when it does not
    exist."""
    rows = list(run.rows(EJERCICIO))
    year = text(rows[0].values["year"]) if rows else ""
    found = Ejercicio.objects.filter(year=int(year)).first() if year.isdigit() else None
    if found is None:
        message = "Escriba en la fila 2 el año de un ejercicio que ya exista en POA."
        run.error(EJERCICIO, rows[0] if rows else None, "year" if rows else None, message)
        return False
    run.ejercicio = found
    run.counts[EJERCICIO.name].unchanged += 1
    return True


def _unlocked(run, ejercicio, row) -> bool:
    locked = [
        f"{p.unidad_ejecutora.ramo.clave}-{p.unidad_ejecutora.clave}"
        for p in Programacion.objects.filter(
            unidad_ejecutora__ramo__ejercicio=ejercicio, state__in=LOCKED_STATES
        )
        .select_related("unidad_ejecutora__ramo")
        .order_by("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave")
    ]
    if not locked:
        return True
    shown = ", ".join(locked[:5]) + (" …" if len(locked) > 5 else "")
    run.error(
        EJERCICIO,
        row,
        "year",
        f"La programación del ejercicio {ejercicio.year} ya está enviada o aprobada en "
        f"{len(locked):,} unidades ({shown}); no se importa sobre ella: sus metas solo "
        "cambian por modificación programática.",
    )
    return False


def load_personas(run):
    for row in run.rows(PERSONAS, nombre_key, lambda key: f"La persona «{key}»"):
        nombre = nombre_key(row)
        if not nombre:
            run.error(PERSONAS, row, "nombre", "Escriba el nombre de la persona.")
            continue
        correo = text(row.values["correo"])
        # Personas are shared by every year: an empty cell keeps the address they have.
        values = {"email": correo} if correo else {}
        columns = {"nombre": "nombre", "email": "correo"}
        run.remember(
            PERSONAS,
            nombre,
            run.upsert(PERSONAS, row, Persona, {"nombre": nombre}, values, columns),
        )


def load_unidades_medida(run):
    for row in run.rows(UNIDADES_MEDIDA, measure_key, lambda key: f"La unidad de medida «{key}»"):
        nombre, decimals = nombre_key(row), yes_no(row.values["admite_decimales"])
        if not nombre:
            run.error(UNIDADES_MEDIDA, row, "nombre", "Escriba el nombre de la unidad.")
        if decimals is None:
            run.error(UNIDADES_MEDIDA, row, "admite_decimales", "Escriba Sí o No.")
        measure = (
            _unidad_medida(run, row, nombre, decimals) if nombre and decimals is not None else None
        )
        run.remember(UNIDADES_MEDIDA, nombre.casefold(), measure)


def _unidad_medida(run, row, nombre, decimals):
    measure = UnidadMedida.objects.filter(nombre__iexact=nombre).first()
    counts = run.counts[UNIDADES_MEDIDA.name]
    if measure is None:
        values = {"admite_decimales": decimals, "aceptada": True}
        columns = {"nombre": "nombre", "admite_decimales": "admite_decimales"}
        return run.upsert(UNIDADES_MEDIDA, row, UnidadMedida, {"nombre": nombre}, values, columns)
    if measure.admite_decimales != decimals:
        now = "admite" if measure.admite_decimales else "no admite"
        run.error(
            UNIDADES_MEDIDA,
            row,
            "admite_decimales",
            f"La unidad de medida «{measure}» ya existe y {now} decimales; la comparten todos "
            "los ejercicios, así que no cambia desde un libro.",
        )
        return None
    if not measure.aceptada:
        # Proposed by a unit: planeación listing it in its workbook accepts it.
        counts.updated += 1
        return programming.measure_accept(measure=measure, user=run.user)
    counts.unchanged += 1
    return measure


def load_lineas(run):
    for row in run.rows(LINEAS, clave_key, lambda key: f"La línea de acción «{key}»"):
        clave = clave_key(row)
        linea = run.upsert(
            LINEAS,
            row,
            LineaAccion,
            {"ejercicio": run.ejercicio, "clave": clave},
            {"nombre": name(row.values["nombre"])},
            {"clave": "clave", "nombre": "nombre", "__all__": "clave"},
        )
        run.remember(LINEAS, clave, linea)


def load_ramos(run):
    for row in run.rows(RAMOS, clave_key, lambda key: f"El ramo «{key}»"):
        persona, ok = _persona(run, RAMOS, row)
        lookup = {"ejercicio": run.ejercicio, "clave": clave_key(row)}
        values = _signatory_values(row, persona)
        ramo = ok and run.upsert(RAMOS, row, Ramo, lookup, values, SIGNATORY_COLUMNS)
        run.remember(RAMOS, clave_key(row), ramo)


def load_programas(run):
    for row in run.rows(PROGRAMAS, ramo_clave_key, _describe_programa, "clave"):
        ramo = ramo_of(run, PROGRAMAS, row)
        persona, ok = _persona(run, PROGRAMAS, row)
        lookup = {"ramo": ramo, "clave": clave_key(row)}
        values = _signatory_values(row, persona)
        programa = (
            ramo and ok and run.upsert(PROGRAMAS, row, Programa, lookup, values, SIGNATORY_COLUMNS)
        )
        run.remember(PROGRAMAS, ramo_clave_key(row), programa)


def load_unidades(run):
    subfunciones = set(Subfuncion.objects.values_list("clave", flat=True))
    for row in run.rows(UNIDADES, ramo_clave_key, _describe_unidad, "clave"):
        ramo = ramo_of(run, UNIDADES, row)
        programa = ramo and _programa(run, row, ramo)
        persona, ok = _persona(run, UNIDADES, row)
        subfuncion = name(row.values["subfuncion"]).replace(".", "")
        if subfuncion not in subfunciones:
            run.error(UNIDADES, row, "subfuncion", _subfuncion_message(subfuncion))
        unit = None
        if programa and ok and subfuncion in subfunciones:
            lookup = {"ramo": ramo, "clave": clave_key(row)}
            values = _signatory_values(row, persona) | {
                "programa_id": programa.pk,
                "subfuncion_id": subfuncion,
            }
            columns = SIGNATORY_COLUMNS | {"programa": "programa", "subfuncion": "subfuncion"}
            unit = run.upsert(UNIDADES, row, UnidadEjecutora, lookup, values, columns)
        run.remember(UNIDADES, ramo_clave_key(row), unit)
        if unit:
            run.unit_rows[unit.pk] = row


STAGES = (
    load_personas,
    load_unidades_medida,
    load_lineas,
    load_ramos,
    load_programas,
    load_unidades,
)


# References from one sheet to another ------------------------------------------------------


def _persona(run, layout, row):
    """(the responsable named in the row or None, whether the row may go on)."""
    nombre = name(row.values["responsable"])
    if not nombre:
        return None, True
    persona = run.reference(
        layout,
        row,
        "responsable",
        PERSONAS,
        nombre,
        lambda: Persona.objects.filter(nombre=nombre).order_by("pk").first(),
        f"La persona «{nombre}» no está en la hoja «{PERSONAS.name}».",
    )
    return persona, persona is not None


def _signatory_values(row, persona):
    return {
        "nombre": name(row.values["nombre"]),
        "responsable_id": persona.pk if persona else None,
        "cargo_responsable": name(row.values["cargo"]),
    }


def ramo_of(run, layout, row):
    clave = name(row.values["ramo"])
    return run.reference(
        layout,
        row,
        "ramo",
        RAMOS,
        clave,
        lambda: Ramo.objects.filter(ejercicio=run.ejercicio, clave=clave).first(),
        f"El ramo «{clave}» no existe: agréguelo en la hoja «{RAMOS.name}».",
    )


def _programa(run, row, ramo):
    clave = name(row.values["programa"])
    return run.reference(
        UNIDADES,
        row,
        "programa",
        PROGRAMAS,
        (ramo.clave, clave),
        lambda: Programa.objects.filter(ramo=ramo, clave=clave).first(),
        f"El programa «{clave}» no existe en el ramo {ramo.clave}: agréguelo en la hoja "
        f"«{PROGRAMAS.name}».",
    )


def unit_of(run, layout, row):
    """The unit a «Metas» or «Avance» row names by its Ramo and UE columns."""
    key = (name(row.values["ramo"]), name(row.values["ue"]))
    return run.reference(
        layout,
        row,
        "ue",
        UNIDADES,
        key,
        lambda: (
            UnidadEjecutora.objects.filter(
                ramo__ejercicio=run.ejercicio, ramo__clave=key[0], clave=key[1]
            )
            .select_related("ramo")
            .first()
        ),
        f"La unidad ejecutora {key[0]}-{key[1]} no existe: agréguela en la hoja «{UNIDADES.name}».",
    )


def _describe_programa(key):
    return f"El programa {key[1]} del ramo {key[0]}"


def _describe_unidad(key):
    return f"La unidad ejecutora {key[0]}-{key[1]}"


def _subfuncion_message(clave):
    if not clave:
        return "Escriba la clave de la subfunción del CONAC, por ejemplo 342."
    return (
        f"La subfunción «{clave}» no existe en la clasificación funcional del CONAC; escriba "
        "su clave de tres dígitos, por ejemplo 342."
    )
