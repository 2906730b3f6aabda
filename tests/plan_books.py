"""Workbooks of a year as a person would fill the template, for the Excel import tests:
book() is a small valid year 2025 (one ramo, programa and unit, two metas); change any cell
with book(Metas={(2, "Meta anual"): 5}) or whole sheets, then save_book(path, sheets)."""

import copy

from openpyxl import Workbook

from poa.documents.yearbook import LAYOUTS

YEAR = 2025
ANA = "ING. ANA RUIZ MORALES"

BOOK = {
    "Ejercicio": [[YEAR, "XXV AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA", "PMD 2025-2027"]],
    "Personas": [[ANA, "ana.ruiz@mexicali.example"]],
    "Ramos": [["60", "TESORERÍA MUNICIPAL", ANA, "TESORERA MUNICIPAL"]],
    "Programas": [["60", "611", "INGRESOS PROPIOS", ANA, "TESORERA MUNICIPAL"]],
    "Unidades": [["60", "101", "RECAUDACIÓN", "611", "342", ANA, "JEFA DE RECAUDACIÓN"]],
    "Unidades de medida": [["INFORME", "No"], ["KILÓMETRO", "Sí"]],
    "Líneas de acción": [["1.1.1", "FINANZAS SANAS"], ["1.1.2", "RECAUDACIÓN EFICIENTE"]],
    "Metas": [
        # Ramo, UE, Número, Descripción, Unidad, Líneas, Meta anual, P per quarter
        ["60", "101", 100, "Informes de recaudación.", "INFORME", "1.1.1", 4, 1, 1, 1, 1],
        ["60", "101", 101, "Calles revisadas.", "KILÓMETRO", "1.1.1; 1.1.2", 12.5, 3, 3, 3, 3.5],
    ],
    "Avance": [],
}


def headings(sheet):
    layout = next(layout for layout in LAYOUTS if layout.name == sheet)
    return [column.heading for column in layout.columns]


def book(**changes):
    """The valid year with changes by sheet: {(row, heading): value} changes cells (row 2 is
    the first record), a list replaces the sheet's records, None removes the sheet."""
    sheets = copy.deepcopy(BOOK)
    for key, change in changes.items():
        sheet = key.replace("_", " ")
        if change is None or isinstance(change, list):
            sheets[sheet] = change
            continue
        for (row, heading), value in change.items():
            sheets[sheet][row - 2][headings(sheet).index(heading)] = value
    return {sheet: rows for sheet, rows in sheets.items() if rows is not None}


def save_book(path, sheets, *, heading_rows=None):
    """Writes the sheets (records only; `heading_rows` replaces a sheet's headings)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in sheets.items():
        worksheet = workbook.create_sheet(sheet)
        worksheet.append((heading_rows or {}).get(sheet, headings(sheet)))
        for row in rows:
            worksheet.append(row)
    workbook.save(path)
    return path
