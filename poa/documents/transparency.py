"""The public figures as files: the open data (CSV and JSON, one record per meta and quarter,
columns as poa.selectors.public.COLUMNS documents them) and the XLSX of the transparency
platform's format «metas y objetivos de las áreas», whose columns and their order are read
from fixtures/transparencia_metas.json: a state's variant of the format is a change of that
file, not of this code. Every record comes from poa.selectors.public.open_data_rows (only
authorized sheets in force)."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from poa.documents import safe_cells
from poa.documents.exports import UTF8_BOM, XLSX_MIMETYPE
from poa.rules.figures import format_figure, format_percent
from poa.selectors.public import COLUMN_NAMES, LICENSE

PLATFORM_FORMAT = Path(__file__).resolve().parents[2] / "fixtures" / "transparencia_metas.json"
DATE_FORMAT = "dd/mm/yyyy"
COLUMN_WIDTH = 28


# Open data ----------------------------------------------------------------------------------


def plain(value):
    """A value as open data writes it: 12.5 not 12.50, ISO dates, None as is."""
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv_cell(value):
    value = plain(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return safe_cells.csv_value("" if value is None else value)


def open_data_csv(rows) -> bytes:
    """UTF-8 CSV with a byte order mark (Excel reads the accents), a header of COLUMN_NAMES."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in COLUMN_NAMES])
    return (UTF8_BOM + output.getvalue()).encode()


def _json_value(value):
    value = plain(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def open_data_json(rows, *, year, quarter=None, dictionary_url="") -> bytes:
    """{"ejercicio", "trimestre", "licencia", "diccionario", "registros": [...]}, UTF-8."""
    document = {
        "ejercicio": year,
        "trimestre": quarter,
        "licencia": LICENSE,
        "diccionario": dictionary_url,
        "columnas": list(COLUMN_NAMES),
        "registros": [{k: _json_value(row[k]) for k in COLUMN_NAMES} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


# The platform's format ----------------------------------------------------------------------


def _figure(value) -> str:
    return format_figure(value) if value is not None else "0"


def _objective(row):
    return f"{row['meta_numero']}.- {row['meta_descripcion']}"


def _meta(row):
    return f"{_figure(row['meta_anual'])} {row['unidad_medida']} en el año"


def _indicator(row):
    relative = format_percent(row["acumulado_relativo"]) or "sin porcentaje (meta anual 0)"
    return (
        f"Avance acumulado de la meta anual: {_figure(row['alcanzado_acumulado'])} de "
        f"{_figure(row['meta_anual'])} {row['unidad_medida']} ({relative})"
    )


def _area(row):
    unit = f"UE {row['ue_clave']} {row['unidad_ejecutora']}"
    return f"{unit} · Ramo {row['ramo_clave']} {row['ramo']}"


def _note(row):
    note = (
        f"Hoja TMM-F004 autorizada con el folio {row['folio']}; cifras al "
        f"{row['periodo_fin']:%d/%m/%Y}."
    )
    return f"{note} Observaciones: {row['observaciones']}" if row["observaciones"] else note


# Every field a column of the format may name: the open data's columns, and these.
DERIVED = {
    "objetivo": _objective,
    "meta": _meta,
    "indicador": _indicator,
    "hipervinculo": lambda row: row["hoja_url"],
    "area_responsable": _area,
    "fecha_validacion": lambda row: row["autorizado"].date(),
    "fecha_actualizacion": lambda row: row["autorizado"].date(),
    "nota": _note,
}
FIELDS = frozenset(COLUMN_NAMES) | frozenset(DERIVED)


class PlatformFormatError(Exception):
    """The format file is not usable: said in Spanish, with the file's name."""


def platform_format(path=PLATFORM_FORMAT) -> dict:
    """The format's sheet name and columns [(title, field)], checked against FIELDS."""
    try:
        config = json.loads(Path(path).read_text(encoding="utf-8"))
        columns = [(column["titulo"], column["campo"]) for column in config["columnas"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        message = f"El formato {Path(path).name} no se pudo leer: {error}"
        raise PlatformFormatError(message) from None
    unknown = [name for _, name in columns if name not in FIELDS]
    if unknown or not columns:
        raise PlatformFormatError(
            f"El formato {Path(path).name} nombra campos que POA no tiene: "
            f"{', '.join(unknown) or 'ninguna columna'}. "
            f"Campos posibles: {', '.join(sorted(FIELDS))}."
        )
    return {"hoja": config.get("hoja") or "Formato", "columnas": columns}


def _field(row, name):
    value = DERIVED[name](row) if name in DERIVED else row[name]
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def platform_xlsx(rows, *, year, quarter, path=PLATFORM_FORMAT):
    """(filename, mimetype, bytes): one row per meta of the quarter's authorized sheets, under
    the configured column titles."""
    config = platform_format(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = config["hoja"][:31]
    for index, (title, _) in enumerate(config["columnas"], start=1):
        cell = safe_cells.write_xlsx_value(sheet.cell(1, index), title)
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTH
    for number, row in enumerate(rows, start=2):
        for index, (_, name) in enumerate(config["columnas"], start=1):
            value = _field(row, name)
            fmt = DATE_FORMAT if isinstance(value, date) else None
            safe_cells.write_xlsx_value(sheet.cell(number, index), value, fmt)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    filename = f"transparencia_metas_{year}_T{quarter}.xlsx"
    return filename, XLSX_MIMETYPE, output.getvalue()
