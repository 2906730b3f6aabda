"""`manage.py poa_export_sheets`: one readable PDF per unit of the year and a ZIP of them all,
with worker processes; a rerun skips what is finished and redoes what is not; authorized
sheets come from the storage."""

import io
import zipfile
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from poa.documents import pdf, stored
from poa.selectors.sheet import build_sheet
from poa.services.review import report_authorize
from tests.conftest import State, report_in_state, signer, unit

UNITS = ("101", "102", "201")
NAMES = [f"TMM-F004_2023_59-{clave}_T2.pdf" for clave in UNITS]


@pytest.fixture
def drawing():
    with mock.patch.object(pdf, "write_pdf", wraps=pdf.write_pdf) as spy:
        yield spy


def export(out, procesos=1, quarter=2):
    output = io.StringIO()
    call_command(
        "poa_export_sheets",
        year=2023,
        quarter=quarter,
        out=out,
        procesos=procesos,
        stdout=output,
    )
    return output.getvalue()


def unit_of(content):
    """The unit printed on a PDF, read back as text."""
    text = " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    return text.split("UNIDAD EJECUTORA: ")[1].split()[0]


def test_every_unit_gets_a_readable_pdf_and_the_zip_holds_them_all(reference, tmp_path):
    output = export(tmp_path)
    for clave, name in zip(UNITS, NAMES, strict=True):
        assert unit_of((tmp_path / name).read_bytes()) == clave
    with zipfile.ZipFile(tmp_path / "TMM-F004_2023_T2.zip") as archive:
        assert archive.namelist() == NAMES
        assert [unit_of(archive.read(name)) for name in NAMES] == list(UNITS)
    assert "Hojas 3 de 3 (100%)" in output
    assert "3 hojas en" in output and "(3 generadas)" in output


def test_two_worker_processes_write_the_same_sheets(reference, tmp_path):
    export(tmp_path, procesos=2)
    assert sorted(path.name for path in tmp_path.glob("*.pdf")) == NAMES
    assert [unit_of((tmp_path / name).read_bytes()) for name in NAMES] == list(UNITS)
    assert not list(tmp_path.glob("*.part"))


def test_a_rerun_skips_finished_sheets_and_redoes_a_missing_or_half_written_one(
    reference, tmp_path, drawing
):
    export(tmp_path)
    assert drawing.call_count == 3
    half = tmp_path / NAMES[1]
    half.write_bytes(half.read_bytes()[:2000])  # as a copy cut short would leave it
    (tmp_path / NAMES[2]).unlink()
    (tmp_path / f"{NAMES[0]}.part").write_bytes(b"%PDF-")  # a killed run's leftover
    output = export(tmp_path)
    assert drawing.call_count == 5
    assert "(2 generadas, 1 ya estaban)" in output
    assert [unit_of((tmp_path / name).read_bytes()) for name in NAMES] == list(UNITS)
    assert not list(tmp_path.glob("*.part"))


def test_authorized_sheets_come_from_the_storage(
    reference, tmp_path, drawing, django_capture_on_commit_callbacks
):
    report = report_in_state("102", 2, State.REVISADO)
    with django_capture_on_commit_callbacks(execute=True):
        report_authorize(report=report, user=signer(unit("102").ramo.responsable))
    drawing.reset_mock()
    output = export(tmp_path)
    assert drawing.call_count == 2  # 101 and 201
    with default_storage.open(stored.stored_name(build_sheet(unit("102"), 2)), "rb") as kept:
        assert (tmp_path / NAMES[1]).read_bytes() == kept.read()
    assert "1 autorizadas tomadas de las guardadas" in output


def test_an_authorized_sheet_drawn_by_the_export_is_kept_for_later(reference, tmp_path, drawing):
    report_in_state("201", 2, State.AUTORIZADO)  # nothing kept yet
    export(tmp_path, procesos=2)
    name = stored.stored_name(build_sheet(unit("201"), 2))
    with default_storage.open(name, "rb") as kept:
        assert kept.read() == (tmp_path / NAMES[2]).read_bytes()


def test_an_unknown_year_is_refused_in_spanish(reference, tmp_path):
    with pytest.raises(CommandError, match="No existe el ejercicio 1999."):
        call_command("poa_export_sheets", year=1999, quarter=2, out=tmp_path)


def test_a_sheet_that_cannot_be_drawn_stops_the_run_and_keeps_the_others(reference, tmp_path):
    real = pdf.render_sheet

    def render(sheet, fetcher=None):
        if sheet.unidad_ejecutora.clave == "201":
            raise ValueError("sin fuentes")
        return real(sheet, fetcher)

    with (
        mock.patch.object(pdf, "render_sheet", render),
        pytest.raises(CommandError, match="la hoja de la UE 201 del ramo 59 no se pudo generar"),
    ):
        export(tmp_path)
    assert sorted(path.name for path in tmp_path.glob("*.pdf")) == NAMES[:2]
    assert not (tmp_path / "TMM-F004_2023_T2.zip").exists()
