"""The Excel workbook of a whole year (the "libro del ejercicio"): its fixed layout, and
writing it from the database. poa.services.imports reads it back (poa.services.imports.book),
validates and loads it.

Layout: one worksheet per table, with Spanish names and the column headings in row 1, one
record per row from row 2, values and never formulas:

  Instrucciones       what each sheet and column holds (ignored on import)
  Ejercicio           Año · Municipio · PMD (one row)
  Personas            Nombre · Correo
  Ramos               Clave · Nombre · Responsable · Cargo
  Programas           Ramo · Clave · Nombre · Responsable · Cargo
  Unidades            Ramo · Clave · Nombre · Programa · Subfunción · Responsable · Cargo
  Unidades de medida  Nombre · Admite decimales (Sí/No)
  Líneas de acción    Clave · Nombre
  Metas               Ramo · UE · Número · Descripción · Unidad de medida · Líneas de acción
                      (claves separadas por «;») · Meta anual · P Ene-Mar … P Oct-Dic
  Avance              Ramo · UE · Meta · Trimestre · Alcanzado · Observaciones (optional)

Columns are found by their heading (in any order; accents and capitals do not matter), so a
person may reorder them or add their own; the sheets' order does not matter either."""

import io
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from poa.documents import safe_cells
from poa.models import (
    LineaAccion,
    Meta,
    Programa,
    QuarterlyProgress,
    Ramo,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.rules import figures
from poa.rules.text import clave_key, folded
from poa.selectors import access

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
YES, NO = "Sí", "No"


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    width: float
    help: str
    kind: str = "text"  # text (stored as text), figure, integer, yesno


@dataclass(frozen=True)
class Layout:
    name: str
    columns: tuple[Column, ...]
    help: str
    required: bool = True

    def column(self, key) -> Column:
        return next(column for column in self.columns if column.key == key)


RESPONSABLE_HELP = (
    "Nombre de quien firma, como está en la hoja «Personas»; vacío si aún no hay responsable."
)
CARGO_HELP = "Cargo con el que firma el responsable; obligatorio si hay responsable."
QUARTER_COLUMNS = tuple(
    Column(
        f"programado_{q}",
        f"P {figures.QUARTER_LABELS[q]}",
        11,
        f"Lo programado en {figures.QUARTER_LABELS[q]}. Los cuatro trimestres suman la meta anual.",
        "figure",
    )
    for q in figures.QUARTERS
)

EJERCICIO = Layout(
    "Ejercicio",
    (
        Column("year", "Año", 8, "El año del ejercicio fiscal, por ejemplo 2023.", "integer"),
        Column("municipio", "Municipio", 60, "Como se imprime en la hoja TMM-F004."),
        Column("pmd", "PMD", 45, "El plan municipal de desarrollo de las líneas de acción."),
    ),
    "Una sola fila: el ejercicio que contiene el libro.",
)
PERSONAS = Layout(
    "Personas",
    (
        Column("nombre", "Nombre", 45, "Como firma, con su título (LIC. …)."),
        Column("correo", "Correo", 35, "Correo electrónico; opcional."),
    ),
    "Quienes firman como responsables de ramos, programas y unidades.",
)
RAMOS = Layout(
    "Ramos",
    (
        Column("clave", "Clave", 8, "Clave del ramo, solo dígitos (59)."),
        Column("nombre", "Nombre", 55, "Nombre del ramo."),
        Column("responsable", "Responsable", 40, RESPONSABLE_HELP),
        Column("cargo", "Cargo", 45, CARGO_HELP),
    ),
    "Los ramos del ejercicio; su responsable firma AUTORIZÓ.",
)
PROGRAMAS = Layout(
    "Programas",
    (
        Column("ramo", "Ramo", 8, "Clave del ramo al que pertenece."),
        Column("clave", "Clave", 8, "Clave del programa, solo dígitos (511)."),
        Column("nombre", "Nombre", 55, "Nombre del programa."),
        Column("responsable", "Responsable", 40, RESPONSABLE_HELP),
        Column("cargo", "Cargo", 45, CARGO_HELP),
    ),
    "Los programas de cada ramo; su responsable firma REVISÓ.",
)
UNIDADES = Layout(
    "Unidades",
    (
        Column("ramo", "Ramo", 8, "Clave del ramo."),
        Column("clave", "Clave", 8, "Clave de la unidad ejecutora, solo dígitos (102)."),
        Column("nombre", "Nombre", 45, "Nombre de la unidad ejecutora."),
        Column("programa", "Programa", 10, "Clave del programa que ejecuta, del mismo ramo."),
        Column(
            "subfuncion",
            "Subfunción",
            11,
            "Clave de la subfunción del CONAC, tres dígitos (342 o 3.4.2).",
        ),
        Column("responsable", "Responsable", 40, RESPONSABLE_HELP),
        Column("cargo", "Cargo", 45, CARGO_HELP),
    ),
    "Las unidades ejecutoras; su responsable firma ELABORÓ.",
)
UNIDADES_MEDIDA = Layout(
    "Unidades de medida",
    (
        Column("nombre", "Nombre", 45, "Nombre de la unidad de medida (INFORME, REUNIÓN …)."),
        Column(
            "admite_decimales",
            "Admite decimales",
            16,
            "Sí si sus cifras admiten hasta dos decimales; No si solo enteros.",
            "yesno",
        ),
    ),
    "El catálogo de unidades de medida (compartido por todos los ejercicios).",
)
LINEAS = Layout(
    "Líneas de acción",
    (
        Column("clave", "Clave", 10, "Clave con puntos: eje.estrategia.línea (4.6.1)."),
        Column("nombre", "Nombre", 70, "Nombre de la línea de acción."),
    ),
    "Las líneas de acción del plan municipal de desarrollo del ejercicio.",
)
METAS = Layout(
    "Metas",
    (
        Column("ramo", "Ramo", 8, "Clave del ramo."),
        Column("ue", "UE", 8, "Clave de la unidad ejecutora."),
        Column("numero", "Número", 9, "Número de la meta, único en su unidad (305).", "integer"),
        Column("descripcion", "Descripción", 60, "Descripción de la meta."),
        Column(
            "unidad_medida", "Unidad de medida", 22, "Como está en la hoja «Unidades de medida»."
        ),
        Column(
            "lineas",
            "Líneas de acción",
            16,
            "Claves de sus líneas de acción separadas por «;» (3.1.2; 4.6.1).",
        ),
        Column(
            "meta_anual",
            "Meta anual",
            11,
            "Meta anual autorizada; entera si la unidad de medida no admite decimales.",
            "figure",
        ),
        *QUARTER_COLUMNS,
    ),
    "Las metas de cada unidad ejecutora y lo programado por trimestre.",
)
AVANCE = Layout(
    "Avance",
    (
        Column("ramo", "Ramo", 8, "Clave del ramo."),
        Column("ue", "UE", 8, "Clave de la unidad ejecutora."),
        Column("meta", "Meta", 8, "Número de la meta.", "integer"),
        Column("trimestre", "Trimestre", 10, "1, 2, 3 o 4.", "integer"),
        Column(
            "alcanzado",
            "Alcanzado",
            11,
            "Lo alcanzado en el trimestre; vacío si no se ha capturado.",
            "figure",
        ),
        Column(
            "observaciones",
            "Observaciones",
            70,
            "Por qué lo alcanzado difiere de lo programado.",
        ),
    ),
    "Lo alcanzado y las observaciones ya capturados, una fila por meta y trimestre. Solo se "
    "importa junto con la aprobación de la programación.",
    required=False,
)
CUENTAS = Layout(
    "Cuentas",
    (
        Column("usuario", "Usuario", 22, "Con el que inicia sesión: letras, números y . @ + - _."),
        Column(
            "nombre",
            "Nombre",
            45,
            "Nombre completo (vacío: se queda el que tiene); el de un responsable, como firma.",
        ),
        Column("correo", "Correo", 35, "Adonde llega la invitación para elegir su contraseña."),
        Column("rol", "Rol", 14, "capturista, responsable, planeación o contraloría."),
        Column(
            "unidades",
            "Unidades",
            24,
            "Las unidades que captura un capturista, ramo-unidad separadas por comas (59-102, "
            "59-201).",
        ),
    ),
    "Las cuentas del personal. Cada cuenta nueva recibe por correo un enlace para elegir su "
    "contraseña; una cuenta que ya existe (mismo usuario) se actualiza y no se invita de nuevo.",
    required=False,
)
LAYOUTS = (
    EJERCICIO,
    PERSONAS,
    RAMOS,
    PROGRAMAS,
    UNIDADES,
    UNIDADES_MEDIDA,
    LINEAS,
    CUENTAS,
    METAS,
    AVANCE,
)
INSTRUCTIONS = "Instrucciones"
GENERAL_INSTRUCTIONS = (
    "Libro del ejercicio del Programa Operativo Anual: catálogo, metas y lo programado por "
    "trimestre, y, aparte, lo alcanzado.",
    "Cada hoja tiene sus encabezados en la fila 1 y un registro por fila desde la fila 2. No "
    "cambie los encabezados; puede cambiar el orden de las columnas.",
    "Escriba valores, no fórmulas: un libro con fórmulas se rechaza.",
    "Las cifras se escriben como números (1234 o 12.5, con punto decimal).",
    "Al importar, nada se guarda si alguna fila tiene un error: se listan todos por hoja, fila "
    "y columna. Importar el mismo libro dos veces no cambia nada.",
    "Lo que ya existe se actualiza por su clave (ramo; ramo y programa; ramo y unidad; "
    "nombre de la persona o de la unidad de medida; clave de la línea; unidad y número de "
    "la meta); nada se borra.",
    "No se importa sobre un ejercicio cuya programación ya está enviada o aprobada.",
    "Un libro con solo las hojas «Ejercicio» y «Cuentas» carga las cuentas en un ejercicio que "
    "ya existe, aunque su programación esté aprobada.",
)


def normalized(text) -> str:
    """A heading or a sheet name as compared: without accents, capitals or extra spaces."""
    return " ".join(folded(text).split())


# Writing ----------------------------------------------------------------------------------

HEADING_FONT = Font(bold=True, color="FFFFFF")
HEADING_FILL = PatternFill("solid", fgColor="1F4E79")
WRAP = Alignment(vertical="top", wrap_text=True)


def render_year(ejercicio, *, with_progress=True):
    """The year's catalog and programming, and (unless with_progress is False) what was
    achieved: (POA_2023.xlsx, MIMETYPE, bytes)."""
    workbook = _workbook()
    tables = _year_tables(ejercicio, with_progress)
    for layout in LAYOUTS:
        _write_table(workbook, layout, tables[layout.name])
    suffix = "" if with_progress else "_sin_avance"
    return f"POA_{ejercicio.year}{suffix}.xlsx", MIMETYPE, _bytes(workbook)


def render_template():
    """The same workbook with headings only and its instructions: (POA_plantilla.xlsx, …)."""
    workbook = _workbook()
    for layout in LAYOUTS:
        _write_table(workbook, layout, [])
    return "POA_plantilla.xlsx", MIMETYPE, _bytes(workbook)


def _workbook():
    workbook = Workbook()
    workbook.properties.creator = "POA"
    sheet = workbook.active
    sheet.title = INSTRUCTIONS
    _write_instructions(sheet)
    return workbook


def _bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_instructions(sheet):
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 20
    sheet.column_dimensions["C"].width = 90
    sheet.append(["Cómo llenar este libro"])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in GENERAL_INSTRUCTIONS:
        sheet.append([line])
    sheet.append([])
    sheet.append(["Hoja", "Columna", "Qué escribir"])
    heading_row = sheet.max_row
    for layout in LAYOUTS:
        optional = "" if layout.required else " (hoja opcional)"
        sheet.append([layout.name, "", layout.help + optional])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for column in layout.columns:
            sheet.append(["", column.heading, column.help])
    for cell in sheet[heading_row]:
        cell.font, cell.fill = HEADING_FONT, HEADING_FILL
    for row in sheet.iter_rows(min_row=heading_row + 1):
        row[2].alignment = WRAP


def _write_table(workbook, layout, rows):
    sheet = workbook.create_sheet(layout.name)
    for index, column in enumerate(layout.columns, start=1):
        cell = sheet.cell(1, index, column.heading)
        cell.font, cell.fill = HEADING_FONT, HEADING_FILL
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for number, values in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(layout.columns, values, strict=True), 1):
            _write_value(sheet.cell(number, index), column, value)
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(layout.columns))}{len(rows) + 1}"


def _write_value(cell, column, value):
    if column.kind == "figure" and value is not None:
        number, decimals = value
        safe_cells.write_xlsx_value(cell, number, DECIMAL_FORMAT if decimals else INTEGER_FORMAT)
    elif column.kind == "integer":
        safe_cells.write_xlsx_value(cell, value, "0")
    else:
        safe_cells.write_xlsx_value(cell, value)
        # Codes stay text (059 keeps its zero) when a person edits them later.
        cell.number_format = TEXT_FORMAT
        if column.width >= 40:
            cell.alignment = WRAP


def _figure(value, decimals):
    """(number, whether to show decimals): an int when whole, so Excel shows 52 not 52.00."""
    if value is None:
        return None
    value = Decimal(value)
    number = int(value) if value == value.to_integral_value() else float(value)
    return number, decimals


def _year_tables(ejercicio, with_progress):
    ramos = list(Ramo.objects.filter(ejercicio=ejercicio).select_related("responsable"))
    programas = list(
        Programa.objects.filter(ramo__ejercicio=ejercicio).select_related("ramo", "responsable")
    )
    unidades = list(
        UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio).select_related(
            "ramo", "programa", "responsable"
        )
    )
    metas = list(_metas(ejercicio))
    return {
        EJERCICIO.name: [(ejercicio.year, ejercicio.municipio, ejercicio.pmd)],
        PERSONAS.name: _personas(ramos + programas + unidades),
        RAMOS.name: [
            (r.clave, r.nombre, _nombre(r.responsable), r.cargo_responsable) for r in ramos
        ],
        PROGRAMAS.name: [
            (p.ramo.clave, p.clave, p.nombre, _nombre(p.responsable), p.cargo_responsable)
            for p in sorted(programas, key=lambda p: (p.ramo.clave, p.clave))
        ],
        UNIDADES.name: [_unidad_row(ue) for ue in sorted(unidades, key=_unit_key)],
        UNIDADES_MEDIDA.name: [
            (u.nombre, YES if u.admite_decimales else NO) for u in _unidades_medida(ejercicio)
        ],
        LINEAS.name: [
            (linea.clave, linea.nombre)
            for linea in sorted(
                LineaAccion.objects.filter(ejercicio=ejercicio), key=lambda x: clave_key(x.clave)
            )
        ],
        CUENTAS.name: _cuentas(ejercicio),
        METAS.name: [_meta_row(meta) for meta in metas],
        AVANCE.name: [row for meta in metas for row in _progress_rows(meta)]
        if with_progress
        else [],
    }


def _cuentas(ejercicio):
    """One row per active account of the year: planeación, the contraloría, the heads of its
    units (linked to their persona) and the capturistas with their units."""
    rows = {}
    groups = {access.PLANEACION_GROUP: "planeación", access.CONTRALORIA_GROUP: "contraloría"}
    members = get_user_model().objects.filter(groups__name__in=groups, is_active=True)
    for user in members.prefetch_related("groups").distinct():
        rol = next(groups[g.name] for g in user.groups.all() if g.name in groups)
        rows.setdefault(user.username, _account_row(user, user.get_full_name(), rol))
    units = (
        UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio)
        .select_related("ramo", "responsable__usuario")
        .prefetch_related("capturistas")
        .order_by("ramo__clave", "clave")
    )
    for ue in units:
        head = ue.responsable.usuario if ue.responsable else None
        if head and head.is_active:
            rows.setdefault(head.username, _account_row(head, ue.responsable.nombre, "responsable"))
        for user in (u for u in ue.capturistas.all() if u.is_active):
            row = rows.setdefault(
                user.username, _account_row(user, user.get_full_name(), "capturista")
            )
            if row[3] == "capturista":
                row[4] = ", ".join(filter(None, [row[4], f"{ue.ramo.clave}-{ue.clave}"]))
    return [tuple(row) for _, row in sorted(rows.items())]


def _account_row(user, nombre, rol):
    return [user.username, nombre, user.email, rol, ""]


def _nombre(persona):
    return persona.nombre if persona else ""


def _unit_key(ue):
    return (ue.ramo.clave, ue.clave)


def _personas(signatories):
    personas = {s.responsable.pk: s.responsable for s in signatories if s.responsable}
    return [(p.nombre, p.email) for p in sorted(personas.values(), key=lambda p: p.nombre)]


def _unidad_row(ue):
    return (
        ue.ramo.clave,
        ue.clave,
        ue.nombre,
        ue.programa.clave,
        ue.subfuncion_id,
        _nombre(ue.responsable),
        ue.cargo_responsable,
    )


def _unidades_medida(ejercicio):
    used = Q(metas__unidad_ejecutora__ramo__ejercicio=ejercicio)
    return UnidadMedida.objects.filter(Q(aceptada=True) | used).distinct().order_by("nombre")


def _metas(ejercicio):
    return (
        Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio)
        .select_related("unidad_ejecutora__ramo", "unidad_medida")
        .prefetch_related(
            "lineas_accion",
            Prefetch("avances", queryset=QuarterlyProgress.objects.order_by("quarter")),
        )
        .order_by("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave", "numero")
    )


def _meta_row(meta):
    decimals = meta.unidad_medida.admite_decimales
    programmed, _, _ = meta.quarter_series()
    lineas = sorted((linea.clave for linea in meta.lineas_accion.all()), key=clave_key)
    return (
        meta.unidad_ejecutora.ramo.clave,
        meta.unidad_ejecutora.clave,
        meta.numero,
        meta.descripcion,
        meta.unidad_medida.nombre,
        "; ".join(lineas),
        _figure(meta.meta_anual, decimals),
        *(_figure(p, decimals) for p in programmed),
    )


def _progress_rows(meta):
    """A row for every quarter with something captured."""
    decimals = meta.unidad_medida.admite_decimales
    ue = meta.unidad_ejecutora
    return [
        (
            ue.ramo.clave,
            ue.clave,
            meta.numero,
            progress.quarter,
            _figure(progress.alcanzado, decimals),
            progress.observaciones,
        )
        for progress in meta.avances.all()
        if progress.alcanzado is not None or progress.observaciones
    ]
