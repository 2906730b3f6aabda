"""Planeación's Excel page: downloads, the blank template, and an upload previewed (errors by
sheet, row and column, or what would change) before it is confirmed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from poa.models import Ejercicio, Meta, Programacion
from poa.services.imports import uploads
from poa.web.views.excel import PENDING
from tests.plan_books import YEAR, book, save_book

URL = reverse("poa:excel")


def upload(client, tmp_path, sheets=None, *, aprobar=False, name="libro.xlsx", content=None):
    path = tmp_path / name
    if content is None:
        save_book(path, sheets if sheets is not None else book())
    else:
        path.write_bytes(content)
    with path.open("rb") as archivo:
        data = {"archivo": archivo}
        if aprobar:
            data["aprobar"] = "on"
        return client.post(URL, data)


@pytest.fixture(autouse=True)
def upload_folder(tmp_path, monkeypatch):
    """Uploads wait in the test's own folder, not the machine's temporary one."""
    monkeypatch.setattr(uploads.tempfile, "gettempdir", lambda: str(tmp_path))


@pytest.fixture
def as_planeacion(client, planeacion):
    client.force_login(planeacion)
    return client


@pytest.mark.parametrize(
    "name",
    ["poa:excel", "poa:excel-download", "poa:excel-template", "poa:excel-preview"],
)
def test_a_capturista_gets_403_on_every_excel_page(client, capturista_102, name):
    client.force_login(capturista_102)

    assert client.get(reverse(name), {"ejercicio": "2023"}).status_code == 403


@pytest.mark.parametrize("name", ["poa:excel", "poa:excel-confirm", "poa:excel-cancel"])
def test_a_capturista_cannot_post_to_the_excel_pages(client, capturista_102, name):
    client.force_login(capturista_102)

    assert client.post(reverse(name)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, reference):
    response = client.get(URL)

    assert response.status_code == 302 and "/cuenta/login/" in response.url


def test_planeacion_finds_excel_in_the_navigation(as_planeacion):
    response = as_planeacion.get(reverse("poa:home"))

    assert f'href="{URL}">Excel del año</a>' in response.content.decode()


def test_the_page_offers_the_download_the_template_and_the_upload(as_planeacion):
    page = as_planeacion.get(URL).content.decode()

    assert "Descargar un ejercicio" in page and '<option value="2023">2023</option>' in page
    assert reverse("poa:excel-template") in page
    assert 'enctype="multipart/form-data"' in page and "Revisar el libro" in page


def test_planeacion_downloads_a_year(as_planeacion):
    response = as_planeacion.get(reverse("poa:excel-download"), {"ejercicio": "2023"})

    assert response["Content-Disposition"] == 'attachment; filename="POA_2023_sin_avance.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Metas"].max_row == 21 and workbook["Avance"].max_row == 1


def test_the_download_with_achievements_holds_the_avance_sheet(as_planeacion):
    response = as_planeacion.get(
        reverse("poa:excel-download"), {"ejercicio": "2023", "avance": "on"}
    )

    assert response["Content-Disposition"] == 'attachment; filename="POA_2023.xlsx"'
    assert load_workbook(io.BytesIO(response.content))["Avance"].max_row == 41


def test_an_unknown_year_is_said_not_a_500(as_planeacion):
    response = as_planeacion.get(reverse("poa:excel-download"), {"ejercicio": "1999"}, follow=True)

    assert "Ese ejercicio no existe." in response.content.decode()


def test_the_blank_template_opens_with_the_headings_and_instructions(as_planeacion):
    response = as_planeacion.get(reverse("poa:excel-template"))

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "Instrucciones"
    metas = next(workbook["Metas"].iter_rows(values_only=True))
    assert metas == (
        "Ramo",
        "UE",
        "Número",
        "Descripción",
        "Unidad de medida",
        "Líneas de acción",
        "Meta anual",
        "P Ene-Mar",
        "P Abr-Jun",
        "P Jul-Sep",
        "P Oct-Dic",
    )
    assert workbook["Metas"].max_row == 1
    instructions = [row for row in workbook["Instrucciones"].iter_rows(values_only=True)]
    assert ("", "Subfunción", "Clave de la subfunción del CONAC, tres dígitos (342 o 3.4.2).") in [
        tuple(cell or "" for cell in row) for row in instructions
    ]


def test_an_upload_is_previewed_before_anything_is_saved(as_planeacion, tmp_path):
    response = upload(as_planeacion, tmp_path)

    assert response.status_code == 302 and response.url == reverse("poa:excel-preview")
    page = as_planeacion.get(response.url).content.decode()
    assert "El libro no tiene errores." in page
    assert '<td>Metas</td><td class="text-end">2</td>' in page
    assert "Confirmar importación" in page
    assert "Informes de recaudación." in page  # the first rows of each sheet
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_confirming_imports_the_previewed_book_and_forgets_the_upload(as_planeacion, tmp_path):
    upload(as_planeacion, tmp_path)
    token = as_planeacion.session[PENDING]["token"]

    response = as_planeacion.post(reverse("poa:excel-confirm"), follow=True)

    page = response.content.decode()
    assert "Ejercicio 2025 importado: 10 registros nuevos, 0 actualizados y 1 sin cambios." in page
    assert Meta.objects.filter(unidad_ejecutora__ramo__ejercicio__year=YEAR).count() == 2
    assert PENDING not in as_planeacion.session
    with pytest.raises(FileNotFoundError):
        uploads.upload_path(token)


def test_confirming_with_the_approval_approves_the_programming(as_planeacion, tmp_path):
    upload(as_planeacion, tmp_path, aprobar=True)
    page = as_planeacion.get(reverse("poa:excel-preview")).content.decode()
    assert "La programación de 1 unidad ejecutora quedará aprobada por planeación" in page

    as_planeacion.post(reverse("poa:excel-confirm"))

    assert Programacion.objects.get(unidad_ejecutora__ramo__ejercicio__year=YEAR).is_approved


def test_a_book_with_errors_lists_them_by_sheet_row_and_column(as_planeacion, tmp_path):
    upload(as_planeacion, tmp_path, book(Metas={(2, "P Oct-Dic"): 2}))

    page = as_planeacion.get(reverse("poa:excel-preview")).content.decode()

    assert "El libro tiene 1 error. No se guardó nada" in page
    assert (
        '<td class="text-nowrap">Metas</td><td class="text-end">2</td>'
        '<td class="text-nowrap">Meta anual</td><td>La suma de lo programado por trimestre (5) '
        "no coincide con la meta anual autorizada (4): sobra 1.</td>"
    ) in page
    assert "Confirmar importación" not in page


def test_many_errors_are_paginated(as_planeacion, tmp_path):
    bad = [["60", "101", n, "", "LITRO", "1.1.1", "x", "", "", "", ""] for n in range(100, 140)]
    upload(as_planeacion, tmp_path, book(Metas=bad))

    first = as_planeacion.get(reverse("poa:excel-preview")).content.decode()
    second = as_planeacion.get(reverse("poa:excel-preview"), {"page": "2"}).content.decode()

    assert "Página 1 de 3" in first and "Página 2 de 3" in second
    table = first[first.index('id="import-errors"') :].split("</table>")[0]
    assert table.count("<tr><td") == 50
    assert as_planeacion.get(reverse("poa:excel-preview"), {"page": "x"}).status_code == 200


def test_confirming_refuses_what_became_invalid_and_keeps_the_upload(as_planeacion, tmp_path):
    upload(as_planeacion, tmp_path)
    upload_path = uploads.upload_path(as_planeacion.session[PENDING]["token"])
    save_book(upload_path, book(Unidades={(2, "Cargo"): ""}))  # as if the data had changed

    response = as_planeacion.post(reverse("poa:excel-confirm"), follow=True)

    page = response.content.decode()
    assert "No se importó nada: el libro tiene errores" in page
    assert "Indique el cargo con el que firma el responsable." in page
    assert upload_path.exists()
    assert not Ejercicio.objects.filter(year=YEAR).exists()


def test_cancelling_discards_the_upload(as_planeacion, tmp_path):
    upload(as_planeacion, tmp_path)
    token = as_planeacion.session[PENDING]["token"]

    as_planeacion.post(reverse("poa:excel-cancel"))

    assert PENDING not in as_planeacion.session
    with pytest.raises(FileNotFoundError):
        uploads.upload_path(token)
    response = as_planeacion.get(reverse("poa:excel-preview"), follow=True)
    assert "No hay ningún libro en revisión" in response.content.decode()


def test_confirming_without_an_upload_says_so(as_planeacion):
    response = as_planeacion.post(reverse("poa:excel-confirm"), follow=True)

    assert "El libro en revisión ya no está disponible" in response.content.decode()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notas.xlsx", b"Metas de 2025\n", "El archivo no es un libro de Excel (.xlsx)"),
        ("oficio.pdf", b"%PDF-1.7\n%%EOF", "El archivo no es un libro de Excel (.xlsx)"),
        ("vacio.xlsx", b"", "El archivo está vacío."),
        ("basura.xlsx", b"\x00" * (10 * 1024 * 1024 + 1), "pesa 10.1 MB; el máximo es 10 MB."),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field(as_planeacion, tmp_path, name, content, message):
    response = upload(as_planeacion, tmp_path, name=name, content=content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert PENDING not in as_planeacion.session


def test_an_upload_without_a_file_asks_for_one(as_planeacion):
    response = as_planeacion.post(URL, {})

    assert "Elija el libro .xlsx que desea importar." in response.content.decode()


def test_a_year_already_approved_is_refused_in_the_preview(as_planeacion):
    exported = as_planeacion.get(reverse("poa:excel-download"), {"ejercicio": "2023"}).content
    as_planeacion.post(URL, {"archivo": SimpleUploadedFile("POA_2023.xlsx", exported)})

    page = as_planeacion.get(reverse("poa:excel-preview")).content.decode()

    assert "ya está enviada o aprobada en 3 unidades (59-101, 59-102, 59-201)" in page
    assert "Confirmar importación" not in page


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(as_planeacion, tmp_path):
    response = upload(as_planeacion, tmp_path, content=b"\x00" * (12 * 1024 * 1024))

    assert response.status_code == 302
    page = as_planeacion.get(response.url).content.decode()
    assert "El archivo pesa 12.1 MB; el máximo es 10 MB." in page
    assert PENDING not in as_planeacion.session
