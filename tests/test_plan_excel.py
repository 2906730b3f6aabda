"""The workbook of a whole year: exported, imported back with every error listed by sheet,
row and column in Spanish and nothing saved unless every row is valid, idempotent, refused
over an approved year, and round-tripping the reference year into an empty database."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet._reader import WorkSheetParser

from poa.documents import html, yearbook
from poa.models import (
    Ejercicio,
    Meta,
    Persona,
    Programacion,
    ProgramacionEvent,
    QuarterlyProgress,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.rules.states import PROGRAMMING, WorkflowError
from poa.selectors import access, history
from poa.selectors.access import PLANEACION_GROUP
from poa.selectors.sheet import build_sheet
from poa.services import imports, programming
from poa.services.capture import progress_import
from poa.services.imports import book as book_module
from poa.services.review import report_get_or_create
from tests.conftest import make_user, planner_rows, unit
from tests.plan_books import ANA, YEAR, book, save_book


@pytest.fixture
def staff(db):
    """Planeación without the reference year loaded."""
    user = make_user("planeacion")
    user.groups.add(Group.objects.get_or_create(name=PLANEACION_GROUP)[0])
    return user


def run_import(tmp_path, user, sheets=None, **options):
    path = save_book(tmp_path / "libro.xlsx", sheets if sheets is not None else book())
    return imports.year_import(path=path, user=user, **options)


def errors_of(result):
    return [str(problem) for problem in result.errors]


def poa_dump():
    out = io.StringIO()
    call_command("dumpdata", "poa", stdout=out)
    return out.getvalue()


# A valid book ----------------------------------------------------------------------------


def test_a_valid_book_creates_the_year_with_its_metas_in_draft(tmp_path, staff):
    result = run_import(tmp_path, staff)

    assert result.saved and not result.errors
    ue = UnidadEjecutora.objects.get(ramo__ejercicio__year=YEAR, ramo__clave="60", clave="101")
    assert (ue.programa.clave, ue.subfuncion_id, ue.responsable.nombre) == ("611", "342", ANA)
    assert ue.cargo_responsable == "JEFA DE RECAUDACIÓN"
    assert ue.programacion.state == Programacion.State.BORRADOR
    meta = ue.metas.get(numero=101)
    assert meta.meta_anual == Decimal("12.5")
    assert [p.programado for p in meta.avances.order_by("quarter")] == [3, 3, 3, Decimal("3.5")]
    assert sorted(linea.clave for linea in meta.lineas_accion.all()) == ["1.1.1", "1.1.2"]
    assert UnidadMedida.objects.get(nombre="KILÓMETRO").admite_decimales
    assert result.counts["Metas"].created == 2


def test_the_summary_says_what_was_created_in_spanish(tmp_path, staff):
    result = run_import(tmp_path, staff)

    assert "Metas: 2 nuevos, 0 actualizados, 0 sin cambios." in result.summary()
    assert "Ramos: 1 nuevo, 0 actualizados, 0 sin cambios." in result.summary()


def test_importing_the_same_book_twice_changes_nothing(tmp_path, staff):
    run_import(tmp_path, staff)
    before = poa_dump()

    again = run_import(tmp_path, staff)

    assert again.saved and again.changes == 0
    assert again.counts["Metas"].unchanged == 2
    assert poa_dump() == before


def test_a_changed_figure_updates_only_that_meta(tmp_path, staff):
    run_import(tmp_path, staff)
    changed = book(Metas={(2, "Meta anual"): 8, (2, "P Oct-Dic"): 5})

    result = run_import(tmp_path, staff, changed)

    assert (result.counts["Metas"].updated, result.counts["Metas"].unchanged) == (1, 1)
    assert Meta.objects.get(numero=100, unidad_ejecutora__clave="101").meta_anual == 8


def test_a_dry_run_counts_but_saves_nothing(tmp_path, staff):
    result = run_import(tmp_path, staff, dry_run=True)

    assert not result.errors and not result.saved
    assert result.counts["Metas"].created == 2
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_figures_typed_as_text_read_as_the_screens_read_them(tmp_path, staff):
    sheets = book(Metas={(2, "Meta anual"): "1,200", (2, "P Ene-Mar"): "1,197"})

    result = run_import(tmp_path, staff, sheets)

    assert not result.errors
    assert Meta.objects.get(numero=100, unidad_ejecutora__clave="101").meta_anual == 1200


# Each error, with its Spanish message and nothing saved -------------------------------------

ERRORS = {
    "unknown ramo": (
        {"Programas": {(2, "Ramo"): "99"}},
        "Hoja «Programas», fila 2, columna «Ramo»: El ramo «99» no existe: agréguelo en la "
        "hoja «Ramos».",
    ),
    "P sum differs from the annual target": (
        {"Metas": {(2, "P Oct-Dic"): 2}},
        "Hoja «Metas», fila 2, columna «Meta anual»: La suma de lo programado por trimestre "
        "(5) no coincide con la meta anual autorizada (4): sobra 1.",
    ),
    "fraction in a whole-number unit": (
        {"Metas": {(2, "P Ene-Mar"): 0.5}},
        "Hoja «Metas», fila 2, columna «P Ene-Mar»: La unidad de medida «INFORME» solo admite "
        "números enteros.",
    ),
    "duplicate meta number": (
        {"Metas": book()["Metas"] + [book()["Metas"][0]]},
        "Hoja «Metas», fila 4, columna «Número»: La meta 100 de la unidad 60-101 ya aparece "
        "en la fila 2.",
    ),
    "missing signatory position": (
        {"Unidades": {(2, "Cargo"): ""}},
        "Hoja «Unidades», fila 2, columna «Cargo»: Indique el cargo con el que firma el "
        "responsable.",
    ),
    "responsable not among the personas": (
        {"Ramos": {(2, "Responsable"): "LIC. NADIE"}},
        "Hoja «Ramos», fila 2, columna «Responsable»: La persona «LIC. NADIE» no está en la "
        "hoja «Personas».",
    ),
    "unknown unit of measure": (
        {"Metas": {(2, "Unidad de medida"): "LITRO"}},
        "Hoja «Metas», fila 2, columna «Unidad de medida»: La unidad de medida «LITRO» no "
        "existe: agréguela en la hoja «Unidades de medida».",
    ),
    "unknown línea de acción": (
        {"Metas": {(3, "Líneas de acción"): "1.1.1; 9.9.9"}},
        "Hoja «Metas», fila 3, columna «Líneas de acción»: No están en la hoja «Líneas de "
        "acción» las líneas de acción «9.9.9».",
    ),
    "unknown unidad ejecutora": (
        {"Metas": {(3, "UE"): "999"}},
        "Hoja «Metas», fila 3, columna «UE»: La unidad ejecutora 60-999 no existe: agréguela "
        "en la hoja «Unidades».",
    ),
    "subfunción not in CONAC": (
        {"Unidades": {(2, "Subfunción"): "999"}},
        "Hoja «Unidades», fila 2, columna «Subfunción»: La subfunción «999» no existe en la "
        "clasificación funcional del CONAC; escriba su clave de tres dígitos, por ejemplo 342.",
    ),
    "not a figure": (
        {"Metas": {(3, "Meta anual"): "doce"}},
        "Hoja «Metas», fila 3, columna «Meta anual»: Escriba un número, por ejemplo 12.",
    ),
    "decimal comma": (
        {"Metas": {(3, "Meta anual"): "12,5"}},
        "Hoja «Metas», fila 3, columna «Meta anual»: Use punto decimal, no coma: por ejemplo 1.5.",
    ),
    "línea with a bad code": (
        {"Líneas_de_acción": {(2, "Clave"): "uno"}},
        "Hoja «Líneas de acción», fila 2, columna «Clave»: Use dígitos separados por puntos, "
        "por ejemplo 4.6.1.",
    ),
    "yes/no unreadable": (
        {"Unidades_de_medida": {(3, "Admite decimales"): "quizá"}},
        "Hoja «Unidades de medida», fila 3, columna «Admite decimales»: Escriba Sí o No.",
    ),
    "formula instead of a value": (
        {"Metas": {(2, "Meta anual"): "=SUM(H2:K2)"}},
        "Hoja «Metas», fila 2, columna «Meta anual»: La celda tiene una fórmula; escriba el valor.",
    ),
    "missing sheet": ({"Metas": None}, "Hoja «Metas»: Falta la hoja."),
    "second year in the book": (
        {"Ejercicio": book()["Ejercicio"] * 2},
        "Hoja «Ejercicio», fila 3: El libro es de un solo ejercicio: deje solo la fila 2.",
    ),
}


@pytest.mark.parametrize("changes, message", ERRORS.values(), ids=ERRORS.keys())
def test_each_error_is_listed_in_spanish_and_nothing_is_saved(tmp_path, staff, changes, message):
    result = run_import(tmp_path, staff, book(**changes))

    assert message in errors_of(result)
    assert not result.saved
    assert not Ejercicio.objects.filter(year=YEAR).exists()
    assert not Persona.objects.filter(nombre=ANA).exists()


def test_every_error_of_the_book_is_listed_not_only_the_first(tmp_path, staff):
    sheets = book(
        Unidades={(2, "Cargo"): ""},
        Metas={(2, "P Oct-Dic"): 2, (3, "Unidad de medida"): "LITRO"},
        Programas={(2, "Ramo"): "99"},
    )

    result = run_import(tmp_path, staff, sheets)

    where = {(p.sheet, p.row, p.column) for p in result.errors}
    assert {
        ("Programas", 2, "Ramo"),
        ("Metas", 2, "Meta anual"),
        ("Metas", 3, "Unidad de medida"),
    } <= where


def test_a_missing_column_is_named(tmp_path, staff):
    headings = [c.heading for c in yearbook.METAS.columns if c.heading != "P Oct-Dic"]
    heading_rows = {"Metas": headings}
    path = save_book(tmp_path / "libro.xlsx", book(Metas=[]), heading_rows=heading_rows)

    result = imports.year_import(path=path, user=staff)

    assert "Hoja «Metas», fila 1, columna «P Oct-Dic»: Falta la columna." in errors_of(result)
    assert not result.saved


def test_columns_are_found_by_heading_in_any_order_and_spelling(tmp_path, staff):
    headings = [c.heading for c in yearbook.METAS.columns]
    shuffled = headings[::-1]
    rows = [row[::-1] for row in book()["Metas"]]
    sheets = book(Metas=rows)
    spelled = {"Metas": [h.upper().replace("Ú", "U") for h in shuffled]}

    result = imports.year_import(
        path=save_book(tmp_path / "libro.xlsx", sheets, heading_rows=spelled), user=staff
    )

    assert not result.errors, errors_of(result)
    assert Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=YEAR).count() == 2


def test_a_unit_of_measure_cannot_change_its_decimals_from_a_book(tmp_path, staff):
    UnidadMedida.objects.create(nombre="INFORME", admite_decimales=True)

    result = run_import(tmp_path, staff)

    assert (
        "Hoja «Unidades de medida», fila 2, columna «Admite decimales»: La unidad de medida "
        "«INFORME» ya existe y admite decimales; la comparten todos los ejercicios, así que no "
        "cambia desde un libro." in errors_of(result)
    )


def test_a_text_starting_with_equals_marked_as_text_is_not_a_formula(tmp_path, staff):
    """Our own exports write typed text such as "=meta" with Excel's text mark."""
    run_import(tmp_path, staff)
    meta = Meta.objects.get(numero=100, unidad_ejecutora__clave="101")
    Meta.objects.filter(pk=meta.pk).update(descripcion="=HYPERLINK(1) informe")
    _, _, content = yearbook.render_year(Ejercicio.objects.get(year=YEAR))
    (tmp_path / "export.xlsx").write_bytes(content)

    result = imports.year_import(path=tmp_path / "export.xlsx", user=staff)

    assert not result.errors and result.changes == 0


# Bad files --------------------------------------------------------------------------------

NOT_XLSX = "El archivo no es un libro de Excel (.xlsx) o está dañado."


def bad_file(tmp_path, content, name="libro.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def zip_without_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def truncated_xlsx():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    content = buffer.getvalue()
    return content[: len(content) // 2] + content[-200:]


BAD_FILES = {
    "text renamed .xlsx": (b"Ramo,UE,Meta\n59,101,100\n", NOT_XLSX),
    "pdf renamed .xlsx": (b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF", NOT_XLSX),
    "a zip that is not a workbook": (zip_without_workbook(), NOT_XLSX),
    "a damaged workbook": (truncated_xlsx(), NOT_XLSX),
    "empty": (b"", "El archivo está vacío."),
}


@pytest.mark.parametrize("content, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_gets_a_clear_message_and_nothing_else(tmp_path, staff, content, message):
    result = imports.year_import(path=bad_file(tmp_path, content), user=staff)

    assert len(result.errors) == 1 and str(result.errors[0]).startswith(message)
    assert not result.saved and not result.samples


def test_more_than_ten_megabytes_is_refused_before_reading(tmp_path, staff):
    junk = bad_file(tmp_path, b"PK\x03\x04" + b"\x00" * (21 * 512 * 1024 - 4))

    result = imports.year_import(path=junk, user=staff)

    assert errors_of(result) == ["El archivo pesa 10.5 MB; el máximo es 10 MB."]


def test_the_size_limit_is_a_setting(tmp_path, staff, settings):
    settings.POA_IMPORT_MAX_BYTES = 2 * 1024

    result = run_import(tmp_path, staff)

    assert re.fullmatch(r"El archivo pesa \d+ KB; el máximo es 2 KB\.", errors_of(result)[0])
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_a_sheet_with_too_many_rows_is_refused(tmp_path, staff, monkeypatch):
    monkeypatch.setattr(book_module, "MAX_ROWS", 3)
    extra = [[f"PERSONA {i}", ""] for i in range(5)]

    result = run_import(tmp_path, staff, book(Personas=book()["Personas"] + extra))

    assert "Hoja «Personas»: La hoja tiene más de 3 filas; divida el libro." in errors_of(result)


def test_a_big_workbook_with_styled_empty_rows_reads_in_read_only_mode(tmp_path, staff):
    """Spreadsheets often carry thousands of formatted empty rows after the data."""
    path = save_book(tmp_path / "libro.xlsx", book())
    workbook = load_workbook(path)
    metas = workbook["Metas"]
    for row in range(4, 40_004):
        metas.cell(row, 1).number_format = "@"
    workbook.save(path)

    result = imports.year_import(path=path, user=staff)

    assert not result.errors and result.counts["Metas"].created == 2


# Approved years, approval on loading, and what was achieved -------------------------------


def test_importing_into_an_approved_year_is_refused(reference, planeacion, tmp_path):
    _, _, content = yearbook.render_year(Ejercicio.objects.get(year=2023))
    (tmp_path / "2023.xlsx").write_bytes(content)
    before = poa_dump()

    result = imports.year_import(path=tmp_path / "2023.xlsx", user=planeacion, approve=True)

    assert errors_of(result) == [
        "Hoja «Ejercicio», fila 2, columna «Año»: La programación del ejercicio 2023 ya está "
        "enviada o aprobada en 3 unidades (59-101, 59-102, 59-201); no se importa sobre ella: "
        "sus metas solo cambian por modificación programática."
    ]
    assert poa_dump() == before


def test_a_single_sent_programming_refuses_the_year(tmp_path, staff):
    run_import(tmp_path, staff)
    Programacion.objects.filter(unidad_ejecutora__clave="101").update(
        state=Programacion.State.ENVIADA
    )

    result = run_import(tmp_path, staff, book(Metas={(2, "Meta anual"): 8}))

    assert "ya está enviada o aprobada en 1 unidades (60-101)" in errors_of(result)[0]
    assert Meta.objects.get(numero=100, unidad_ejecutora__clave="101").meta_anual == 4


def test_approving_on_loading_records_it_honestly(tmp_path, staff):
    result = run_import(tmp_path, staff, approve=True)

    assert result.saved and result.approved == 1
    event = ProgramacionEvent.objects.get()
    assert event.action == ProgramacionEvent.Action.LOAD
    assert event.get_action_display() == (
        "Programación cargada desde Excel y aprobada por planeación"
    )
    assert (event.user, event.signer_position) == (staff, "PLANEACIÓN")
    assert event.programacion.state == Programacion.State.APROBADA
    assert all(meta.versions.count() == 1 for meta in Meta.objects.all())


def test_a_unit_without_metas_cannot_be_approved_on_loading(tmp_path, staff):
    result = run_import(tmp_path, staff, book(Metas=[]), approve=True)

    assert (
        "Hoja «Unidades», fila 2: La programación de la UE 60-101 no se puede aprobar: "
        "Registre al menos una meta antes de enviar la programación." in errors_of(result)
    )
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_no_screen_offers_loading_a_programming(tmp_path, staff):
    run_import(tmp_path, staff)
    programacion = Programacion.objects.get()

    offered = access.allowed_transitions(staff, programacion, PROGRAMMING)

    assert [t.action for t in offered] == []
    assert PROGRAMMING.by_slug("cargar") is None  # no URL reaches it either


def avance(*rows):
    return [["60", "101", meta, quarter, a, note] for meta, quarter, a, note in rows]


def test_what_was_achieved_loads_with_the_approval(tmp_path, staff):
    sheets = book(Avance=avance((100, 1, 1, ""), (101, 1, 2.5, "Lluvias en marzo.")))

    result = run_import(tmp_path, staff, sheets, approve=True)

    assert result.saved, errors_of(result)
    progress = QuarterlyProgress.objects.get(meta__numero=101, quarter=1)
    assert (progress.alcanzado, progress.observaciones) == (Decimal("2.5"), "Lluvias en marzo.")
    assert progress.history.latest().history_change_reason == "Importación desde Excel"
    assert result.counts["Avance"].created == 2


def test_what_was_achieved_needs_the_approval(tmp_path, staff):
    result = run_import(tmp_path, staff, book(Avance=avance((100, 1, 1, ""))))

    assert errors_of(result) == [
        "Hoja «Avance»: Lo alcanzado solo se importa junto con la aprobación de la "
        "programación: marque «Marcar la programación como aprobada» (--aprobar en la "
        "terminal) o quite estas filas."
    ]


def test_a_variance_without_observation_is_a_warning_not_an_error(tmp_path, staff):
    result = run_import(tmp_path, staff, book(Avance=avance((100, 1, 3, ""))), approve=True)

    assert result.saved
    assert [str(w) for w in result.warnings] == [
        "Hoja «Avance», fila 2, columna «Observaciones»: Explique por qué lo alcanzado (3) "
        "difiere de lo programado (1)."
    ]


@pytest.mark.parametrize(
    "row, message",
    [
        (
            (100, 1, 1.5, "x"),
            "Hoja «Avance», fila 2, columna «Alcanzado»: La unidad de medida «INFORME» solo "
            "admite números enteros.",
        ),
        (
            (100, 7, 1, ""),
            "Hoja «Avance», fila 2, columna «Trimestre»: Escriba el trimestre: 1, 2, 3 o 4.",
        ),
        (
            (555, 1, 1, ""),
            "Hoja «Avance», fila 2, columna «Meta»: La meta «555» no existe en la unidad "
            "60-101: agréguela en la hoja «Metas».",
        ),
        (
            (100, 1, 1, "x" * 1001),
            "Hoja «Avance», fila 2, columna «Observaciones»: Las observaciones admiten como "
            "máximo 1,000 caracteres (lleva 1,001).",
        ),
    ],
)
def test_a_wrong_achievement_is_an_error(tmp_path, staff, row, message):
    result = run_import(tmp_path, staff, book(Avance=avance(row)), approve=True)

    assert message in errors_of(result)
    assert not Ejercicio.objects.filter(year=YEAR).exists()


# The services the import goes through ------------------------------------------------------


def test_only_planeacion_imports(tmp_path, reference, capturista_102):
    with pytest.raises(PermissionDenied):
        run_import(tmp_path, capturista_102)
    with pytest.raises(PermissionDenied):
        programming.programming_import(
            programacion=programming.programming_of(unit("102")), user=capturista_102, rows=[]
        )
    with pytest.raises(PermissionDenied):
        progress_import(unidad_ejecutora=unit("102"), quarter=1, user=capturista_102, rows={})


def test_an_imported_achievement_bumps_the_report_version(reference, planeacion):
    report = report_get_or_create(unidad_ejecutora=unit("102"), quarter=3)
    meta = unit("102").metas.get(numero=200)

    changed = progress_import(
        unidad_ejecutora=unit("102"),
        quarter=3,
        user=planeacion,
        rows={meta.pk: {"alcanzado": "1", "observaciones": ""}},
    )

    report.refresh_from_db()
    assert (changed, report.version) == (1, 1)
    entry = history.meta_history(meta)[0]
    assert (entry.quarter, entry.field, entry.old, entry.new) == (3, "alcanzado", "(vacío)", "1")
    assert entry.user == planeacion


def test_an_achievement_is_not_imported_into_a_sent_report(reference, planeacion):
    report = report_get_or_create(unidad_ejecutora=unit("102"), quarter=3)
    report.__class__.objects.filter(pk=report.pk).update(state="enviado")
    meta = unit("102").metas.get(numero=200)

    with pytest.raises(WorkflowError, match="está enviado; lo alcanzado solo se"):
        progress_import(
            unidad_ejecutora=unit("102"),
            quarter=3,
            user=planeacion,
            rows={meta.pk: {"alcanzado": "1", "observaciones": ""}},
        )


# Export, and the round trip of the reference year ------------------------------------------


def test_the_export_holds_the_catalog_programming_and_achievements(reference):
    _, mimetype, content = yearbook.render_year(Ejercicio.objects.get(year=2023))
    workbook = load_workbook(io.BytesIO(content))

    assert mimetype == yearbook.MIMETYPE
    assert workbook.sheetnames == ["Instrucciones"] + [layout.name for layout in yearbook.LAYOUTS]
    metas = list(workbook["Metas"].iter_rows(values_only=True))
    assert metas[0][:7] == (
        "Ramo",
        "UE",
        "Número",
        "Descripción",
        "Unidad de medida",
        "Líneas de acción",
        "Meta anual",
    )
    row_305 = next(row for row in metas if row[2] == 305)
    assert row_305[:3] == ("59", "201", 305) and row_305[6:] == (340, 70, 100, 100, 70)
    unidades = list(workbook["Unidades"].iter_rows(values_only=True))
    assert (
        "59",
        "201",
        "DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL",
        "592",
        "342",
        "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN",
        "COORDINADOR DE PROMOCIÓN",
    ) in unidades
    avance = list(workbook["Avance"].iter_rows(values_only=True))
    assert ("59", "201", 305, 2, 102) in [row[:5] for row in avance]
    assert workbook["Metas"].freeze_panes == "A2"


def test_the_export_without_achievements_leaves_avance_empty(reference):
    _, _, content = yearbook.render_year(Ejercicio.objects.get(year=2023), with_progress=False)

    assert load_workbook(io.BytesIO(content))["Avance"].max_row == 1


def sheet_texts():
    """The TMM-F004 of every unit and quarter as the text a reader sees."""
    texts = {}
    for ue in UnidadEjecutora.objects.order_by("clave"):
        for quarter in (1, 2, 3, 4):
            _, _, content = html.render_sheet(build_sheet(ue, quarter))
            text = re.sub(r"<[^>]+>", " ", content.decode())
            texts[(ue.clave, quarter)] = " ".join(text.split())
    return texts


def empty_database():
    """Every table emptied, then the CONAC catalog its migration loads."""
    if connection.vendor == "postgresql":
        # The test's transaction holds deferred checks that TRUNCATE refuses to skip.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", "conac", verbosity=0)


def test_export_then_import_into_an_empty_database_reproduces_every_sheet(
    reference, planeacion, tmp_path
):
    before = sheet_texts()
    _, _, content = yearbook.render_year(Ejercicio.objects.get(year=2023))
    (tmp_path / "2023.xlsx").write_bytes(content)
    empty_database()
    assert not UnidadEjecutora.objects.exists()
    user = make_user("planeacion.nueva")
    user.groups.add(Group.objects.get_or_create(name=PLANEACION_GROUP)[0])

    result = imports.year_import(path=tmp_path / "2023.xlsx", user=user, approve=True)

    assert result.saved, errors_of(result)
    assert len(before) == 12
    assert sheet_texts() == before
    assert "305.- Generar actividades de prospección" in before[("201", 2)]


# Commands ---------------------------------------------------------------------------------


def test_the_export_command_writes_the_year(reference, tmp_path):
    out = io.StringIO()

    call_command("poa_plan_export", "--year", "2023", "--out", tmp_path / "a.xlsx", stdout=out)

    assert "Ejercicio 2023 exportado" in out.getvalue()
    assert load_workbook(tmp_path / "a.xlsx")["Metas"].max_row == 21


def test_the_export_command_refuses_an_unknown_year(db, tmp_path):
    with pytest.raises(CommandError, match="No existe el ejercicio 1999."):
        call_command("poa_plan_export", "--year", "1999", "--out", tmp_path / "a.xlsx")


def test_the_import_command_lists_each_error_and_exits_with_status_1(tmp_path, staff):
    path = save_book(tmp_path / "libro.xlsx", book(Metas={(2, "P Oct-Dic"): 2}))
    err = io.StringIO()

    with pytest.raises(CommandError, match="^1 error; no se importó nada.$") as refused:
        call_command("poa_plan_import", str(path), stderr=err)

    assert refused.value.returncode == 1  # manage.py exits with it
    assert err.getvalue().splitlines() == [
        "Hoja «Metas», fila 2, columna «Meta anual»: La suma de lo programado por trimestre "
        "(5) no coincide con la meta anual autorizada (4): sobra 1."
    ]
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_the_import_command_refuses_a_renamed_pdf_with_status_1(tmp_path, staff):
    path = bad_file(tmp_path, b"%PDF-1.7\n%%EOF", "informe.xlsx")
    err = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("poa_plan_import", str(path), stderr=err)

    assert refused.value.returncode == 1
    assert err.getvalue().startswith(NOT_XLSX)


def test_the_import_command_summarizes_in_spanish(tmp_path, staff):
    path = save_book(tmp_path / "libro.xlsx", book())
    out = io.StringIO()

    call_command("poa_plan_import", str(path), stdout=out)
    call_command("poa_plan_import", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert "Ejercicio 2025 importado." in lines
    assert "Metas: 2 nuevos, 0 actualizados, 0 sin cambios." in lines
    assert lines[-1] == "Sin cambios: la base ya tenía todo lo que contiene el libro."


def test_the_import_command_dry_run_saves_nothing(tmp_path, staff):
    out = io.StringIO()

    call_command(
        "poa_plan_import", str(save_book(tmp_path / "l.xlsx", book())), "--dry-run", stdout=out
    )

    assert "sin errores; no se guardó nada" in out.getvalue()
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_the_import_command_approves_with_aprobar(tmp_path, staff):
    call_command(
        "poa_plan_import",
        str(save_book(tmp_path / "l.xlsx", book())),
        "--aprobar",
        stdout=io.StringIO(),
    )

    assert Programacion.objects.get().state == Programacion.State.APROBADA


def test_the_import_command_needs_to_know_who_imports(tmp_path, staff):
    make_user("otra").groups.add(Group.objects.get(name=PLANEACION_GROUP))
    path = str(save_book(tmp_path / "l.xlsx", book()))

    with pytest.raises(CommandError, match="Indique con --usuario"):
        call_command("poa_plan_import", path)
    call_command("poa_plan_import", path, "--usuario", "otra", stdout=io.StringIO())
    with pytest.raises(CommandError, match="«nadie» no es una cuenta activa de planeación"):
        call_command("poa_plan_import", path, "--usuario", "nadie")


def test_the_import_command_says_when_the_file_is_missing(staff):
    with pytest.raises(CommandError, match="No existe el archivo /no/hay.xlsx."):
        call_command("poa_plan_import", "/no/hay.xlsx")


def test_a_long_import_reports_its_progress(tmp_path, staff):
    told = []

    run_import(tmp_path, staff, progress=lambda *step: told.append(step))

    assert told == [("Metas", 1, 1)]


def test_a_workbook_is_read_whatever_its_file_is_called(tmp_path, staff):
    path = save_book(tmp_path / "libro.xlsx", book())
    renamed = path.rename(tmp_path / "programacion 2025.dat")

    result = imports.year_import(path=renamed, user=staff)

    assert result.saved, errors_of(result)


# What an import must never change or accept silently ----------------------------------------

BLANK_LINEAS = (
    "Hoja «Metas», fila 2, columna «Líneas de acción»: Escriba al menos una línea de acción "
    "de la hoja «Líneas de acción»."
)


def test_a_new_meta_without_a_linea_de_accion_is_an_error(tmp_path, staff):
    result = run_import(tmp_path, staff, book(Metas={(2, "Líneas de acción"): ""}))

    assert BLANK_LINEAS in errors_of(result)
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_a_blank_lineas_cell_never_removes_the_lineas_of_an_existing_meta(tmp_path, staff):
    run_import(tmp_path, staff)

    result = run_import(tmp_path, staff, book(Metas={(2, "Líneas de acción"): "  "}))

    assert BLANK_LINEAS in errors_of(result)
    meta = Meta.objects.get(numero=100, unidad_ejecutora__clave="101")
    assert [linea.clave for linea in meta.lineas_accion.all()] == ["1.1.1"]


def test_a_dry_run_with_the_approval_logs_no_approval(tmp_path, staff, caplog):
    with caplog.at_level("INFO", logger="poa.workflow"):
        result = run_import(tmp_path, staff, approve=True, dry_run=True)

    assert result.approved == 1 and not result.saved
    assert "aprobada por planeación" not in caplog.text


def test_an_approval_is_logged_once_it_is_saved(
    tmp_path, staff, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level("INFO", logger="poa.workflow"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_import(tmp_path, staff, approve=True)

    assert "Programación cargada desde Excel y aprobada por planeación" in caplog.text


def test_the_summary_counts_approvals_as_changes(tmp_path, staff):
    path = str(save_book(tmp_path / "l.xlsx", book()))
    call_command("poa_plan_import", path, stdout=io.StringIO())
    out = io.StringIO()

    call_command("poa_plan_import", path, "--aprobar", stdout=out)

    assert "Programaciones aprobadas al cargar: 1." in out.getvalue()
    assert "Sin cambios" not in out.getvalue()


def test_errors_are_listed_by_sheet_row_and_column(tmp_path, staff):
    metas = book(
        Metas={(2, "Líneas de acción"): "9.9.9", (2, "P Oct-Dic"): 2, (2, "Descripción"): ""}
    )["Metas"]
    sheets = book(Metas=[*metas, metas[1]], Ejercicio=book()["Ejercicio"] * 2)

    result = run_import(tmp_path, staff, sheets)

    where = [(p.sheet, p.row, p.column) for p in result.errors]
    assert where == [
        ("Ejercicio", 3, None),
        ("Metas", 2, "Descripción"),
        ("Metas", 2, "Líneas de acción"),
        ("Metas", 2, "Meta anual"),
        ("Metas", 4, "Número"),
    ]


def test_one_left_over_reads_in_the_singular(tmp_path, staff):
    result = run_import(tmp_path, staff, book(Metas={(2, "P Oct-Dic"): 2}))

    assert errors_of(result)[0].endswith("(4): sobra 1.")


def test_binary_float_noise_reads_to_the_cent(tmp_path, staff):
    noisy = 3.2500000000000004  # how Excel may store what it shows as 3.25
    sheets = book(Metas={(3, "Meta anual"): 12.25, (3, "P Oct-Dic"): noisy})

    result = run_import(tmp_path, staff, sheets)

    assert result.saved, errors_of(result)
    meta = Meta.objects.get(numero=101)
    assert meta.avances.get(quarter=4).programado == Decimal("3.25")


def test_real_extra_decimals_are_still_refused(tmp_path, staff):
    sheets = book(Metas={(3, "Meta anual"): 12.751, (3, "P Oct-Dic"): 3.251})

    result = run_import(tmp_path, staff, sheets)

    assert "Hoja «Metas», fila 3, columna «P Oct-Dic»: Use como máximo dos decimales." in (
        errors_of(result)
    )


def test_without_usuario_the_only_superuser_imports(tmp_path, staff):
    root = make_user("root", is_superuser=True)
    path = str(save_book(tmp_path / "l.xlsx", book()))

    call_command("poa_plan_import", path, "--aprobar", stdout=io.StringIO())

    assert ProgramacionEvent.objects.get().user == root


def test_without_usuario_and_no_superuser_the_accounts_are_named(tmp_path, staff):
    other = make_user("planeacion2")
    other.groups.add(Group.objects.get(name=PLANEACION_GROUP))
    path = str(save_book(tmp_path / "l.xlsx", book()))

    with pytest.raises(CommandError, match="--usuario planeacion, planeacion2"):
        call_command("poa_plan_import", path)


# A sheet too wide or too big, refused before openpyxl builds its rows -----------------------


def with_sheet_xml(path, sheet_file, rows_xml):
    """The workbook at `path` with the rows of one worksheet's XML replaced."""
    with zipfile.ZipFile(path) as original:
        members = {info.filename: original.read(info) for info in original.infolist()}
    xml = members[sheet_file].decode()
    start, end = xml.index("<sheetData>"), xml.index("</sheetData>") + len("</sheetData>")
    members[sheet_file] = (xml[:start] + f"<sheetData>{rows_xml}</sheetData>" + xml[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as crafted:
        for name, data in members.items():
            crafted.writestr(name, data)
    return path


METAS_XML = "xl/worksheets/sheet8.xml"  # the eighth sheet book() writes


def test_a_row_of_countless_cells_is_refused_before_it_is_read(tmp_path, staff, monkeypatch):
    path = with_sheet_xml(
        save_book(tmp_path / "libro.xlsx", book()),
        METAS_XML,
        '<row r="1">' + "<c><v>1</v></c>" * 300_000 + "</row>",
    )
    parse_row = WorkSheetParser.parse_row

    def small_rows_only(parser, row):
        assert len(row) < 1_000, "the long row was read"
        return parse_row(parser, row)

    monkeypatch.setattr(WorkSheetParser, "parse_row", small_rows_only)

    result = imports.year_import(path=path, user=staff)

    assert errors_of(result) == [
        "Hoja «Metas»: Una fila tiene más de 100 columnas; deje solo las columnas de la plantilla."
    ]
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_a_far_away_cell_counts_the_columns_before_it(tmp_path, staff):
    path = with_sheet_xml(
        save_book(tmp_path / "libro.xlsx", book()),
        METAS_XML,
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Ramo</t></is></c>'
        '<c s="0" r="XFD1"><v>1</v></c></row>',
    )

    result = imports.year_import(path=path, user=staff)

    assert "Una fila tiene más de 100 columnas" in errors_of(result)[0]


def test_a_sheet_with_too_many_cells_is_refused(tmp_path, staff, monkeypatch):
    monkeypatch.setattr(book_module, "MAX_CELLS", 20)

    result = run_import(tmp_path, staff)

    assert errors_of(result) == [
        "Hoja «Metas»: La hoja tiene más de 20 celdas; divida el libro en varios."
    ]


def test_a_sheet_within_the_limits_reads_as_before(tmp_path, staff, monkeypatch):
    monkeypatch.setattr(book_module, "MAX_CELLS", 33)  # «Metas»: 3 rows of 11 columns

    assert run_import(tmp_path, staff).saved


def test_an_import_gives_the_database_planner_the_size_of_its_tables(
    tmp_path, staff, django_capture_on_commit_callbacks
):
    """Right after a workbook loads a year the planner must not believe its tables empty."""
    with django_capture_on_commit_callbacks(execute=True):
        assert run_import(tmp_path, staff).saved

    assert planner_rows("poa_meta") == Meta.objects.count() == 2
