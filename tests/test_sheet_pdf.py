"""The TMM-F004 PDF: the printed figures and signatures, headings on every page, one unit per
page run in the ramo PDF, escaping, and a renderer that never reaches outside the project."""

import io
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from pypdf import PdfReader

from poa.documents import pdf
from poa.models import QuarterlyProgress, Report
from poa.selectors.sheet import build_sheet
from tests.conftest import backdate, report_in_state, unit
from tests.sheet_data import make_unit
from tests.test_reference_sheet import PRINTED

HEADINGS = ("TMM-F004", "META ANUAL AUTORIZADA", "AVANCE ABSOLUTO", "ACUMULADO RELATIVO")


def pages_of(content):
    assert content.startswith(b"%PDF")
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def download(client, user, *args):
    client.force_login(user)
    name = "poa:sheet-pdf" if len(args) == 4 else "poa:ramo-pdf"
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def printed_figures(text, numeros):
    """{meta: (absolute, relative)} read from each meta's row in the PDF text."""
    found = {}
    for numero in numeros:
        row = re.search(rf"\b{numero}\.- (.*?)(?=\b\d{{3}}\.- |ELABORÓ)", text).group(1)
        found[numero] = re.search(r"\b([\d,]+) (\d+%)", row).groups()
    return found


@pytest.mark.parametrize("clave", ["101", "102", "201"])
def test_every_meta_reads_its_printed_absolute_and_relative(client, planeacion, clave):
    response = download(client, planeacion, 2023, "59", clave, 2)
    text = " ".join(pages_of(response.content))
    expected = {n: (a, r) for n, (ue, a, r) in PRINTED.items() if ue == clave}
    assert printed_figures(text, sorted(expected)) == expected


def test_meta_305_reads_172_and_51_percent_in_the_pdf(client, planeacion):
    text = " ".join(pages_of(download(client, planeacion, 2023, "59", "201", 2).content))
    assert "PROSPECTO 340 70 70 100 102 100 70 172 51%" in text


@pytest.mark.parametrize(
    ("clave", "elaboro"),
    [
        ("102", "LIC. FABIOLA LEÓN HUERTA CABRERA COORDINADOR ADMINISTRATIVO"),
        ("201", "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN COORDINADOR DE PROMOCIÓN"),
    ],
)
def test_the_pdf_prints_the_three_signature_blocks(client, planeacion, clave, elaboro):
    text = pages_of(download(client, planeacion, 2023, "59", clave, 2).content)[-1]
    for label in ("ELABORÓ", "REVISÓ", "AUTORIZÓ"):
        assert label in text
    for role in (
        "RESPONSABLE DE LA UNIDAD EJECUTORA",
        "RESPONSABLE DEL PROGRAMA",
        "RESPONSABLE DEL RAMO",
    ):
        assert role in text
    assert elaboro in text
    director = "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA"
    assert text.count(director) == 2


@pytest.mark.parametrize("clave", ["102", "201"])
def test_every_page_repeats_the_form_and_the_column_headings(client, planeacion, clave):
    response = download(client, planeacion, 2023, "59", clave, 2)
    pages = pages_of(response.content)
    assert len(pages) >= 1
    for number, text in enumerate(pages, start=1):
        for heading in HEADINGS:
            assert heading in text, (number, heading)
        assert f"UNIDAD EJECUTORA: {clave}" in text
        assert f"Página {number} de {len(pages)}" in text


def test_the_pdf_is_named_after_form_year_ramo_unit_and_quarter(client, planeacion):
    response = download(client, planeacion, 2023, "59", "102", 2)
    assert response["Content-Disposition"] == 'attachment; filename="TMM-F004_2023_59-102_T2.pdf"'


def test_a_long_sheet_repeats_its_headings_and_keeps_the_signatures_with_its_last_row(db):
    _, _, content = pdf.render_sheet(build_sheet(make_unit(metas=45), 2))
    pages = pages_of(content)
    assert len(pages) >= 3
    for text in pages:
        assert all(heading in text for heading in HEADINGS)
    assert "ELABORÓ" in pages[-1] and "45.- " in pages[-1]
    assert not any("ELABORÓ" in text for text in pages[:-1])


def test_rows_are_never_split_across_pages(db):
    _, _, content = pdf.render_sheet(build_sheet(make_unit(metas=45), 2))
    seen = [re.findall(r"\b(\d+)\.- Dar seguimiento", text) for text in pages_of(content)]
    numeros = [int(n) for page in seen for n in page]
    assert numeros == list(range(1, 46))
    # each row's figures sit on the same page as its description
    for text in pages_of(content):
        assert text.count("Dar seguimiento") == text.count("1,200 300 300 300 290 300 300 590 49%")


# UE 101 numbers its metas in the 100s, 102 in the 200s, 201 in the 300s
METAS_OF_UNIT = {"101": 1, "102": 2, "201": 3}


def test_the_ramo_pdf_starts_every_unit_on_its_own_page(client, planeacion):
    response = download(client, planeacion, 2023, "59", 2)
    assert response["Content-Disposition"] == 'attachment; filename="TMM-F004_2023_59_T2.pdf"'
    pages = pages_of(response.content)
    units_by_page = []
    for text in pages:
        (clave,) = re.findall(r"UNIDAD EJECUTORA: (\d+)", text)
        metas = {int(n) for n in re.findall(r"\b(\d{3})\.- ", text)}
        assert metas, "every page carries rows of its unit"
        assert {n // 100 for n in metas} == {METAS_OF_UNIT[clave]}
        units_by_page.append(clave)
    assert sorted(set(units_by_page)) == ["101", "102", "201"]
    # a unit's pages are consecutive and each unit's first page has its first meta
    assert units_by_page == sorted(units_by_page)
    for clave, first_meta in [("101", "100.- "), ("102", "200.- "), ("201", "300.- ")]:
        assert first_meta in pages[units_by_page.index(clave)]


def test_the_ramo_pdf_holds_only_the_units_the_user_may_see(client, capturista_102):
    pages = pages_of(download(client, capturista_102, 2023, "59", 2).content)
    assert {re.search(r"UNIDAD EJECUTORA: (\d+)", text).group(1) for text in pages} == {"102"}


MALICIOUS = '<script>alert("x")</script> <img src=http://evil.example/spy.png>'


def test_typed_markup_in_observaciones_prints_as_text_and_fetches_nothing(reference):
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=2).update(observaciones=MALICIOUS)
    fetcher = pdf.StaticOnlyFetcher()
    _, _, content = pdf.render_sheet(build_sheet(unit("201"), 2), fetcher)
    text = " ".join(pages_of(content))
    assert '<script>alert("x")</script>' in text
    # the long URL wraps at a line end: compare without spaces
    assert "<imgsrc=http://evil.example/spy.png>" in text.replace(" ", "")
    asked = fetcher.served + fetcher.refused
    assert not any("evil.example" in url for url in asked)
    assert fetcher.served, "the stylesheets and fonts still come from the static files"


def test_the_fetcher_serves_a_static_file():
    fetcher = pdf.StaticOnlyFetcher()
    response = fetcher.fetch(pdf.BASE_URL + "static/poa/css/tmm_f004.css")
    assert b"@font-face" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/spy.png",
        "https://evil.example/style.css",
        "file:///etc/passwd",
        pdf.BASE_URL + "static/../../../../etc/passwd",
        pdf.BASE_URL + "static/%2e%2e/%2e%2e/poa/settings.py",
        pdf.BASE_URL + "manage.py",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    fetcher = pdf.StaticOnlyFetcher()
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_a_document_referencing_the_network_or_the_disk_still_renders_without_them():
    document = (
        '<html><head><link rel="stylesheet" href="http://evil.example/x.css"></head>'
        '<body><p>Hoja</p><img src="file:///etc/passwd"><img src="http://evil.example/y.png">'
        '<link rel="stylesheet" href="/static/poa/css/tmm_f004.css"></body></html>'
    )
    fetcher = pdf.StaticOnlyFetcher()
    text = " ".join(pages_of(pdf.write_pdf(document, fetcher)))
    assert "Hoja" in text and "root:" not in text
    assert set(fetcher.refused) == {
        "http://evil.example/x.css",
        "file:///etc/passwd",
        "http://evil.example/y.png",
    }
    assert pdf.BASE_URL + "static/poa/css/tmm_f004.css" in fetcher.served


def test_threads_of_one_server_process_draw_their_pdfs_one_at_a_time(monkeypatch):
    drawing, most = [], []

    class WatchedHTML(pdf.HTML):
        def write_pdf(self, *args, **kwargs):
            drawing.append(1)
            most.append(len(drawing))
            time.sleep(0.05)  # long enough for another thread to start its own
            try:
                return super().write_pdf(*args, **kwargs)
            finally:
                drawing.pop()

    monkeypatch.setattr(pdf, "HTML", WatchedHTML)
    with ThreadPoolExecutor(3) as pool:
        documents = list(pool.map(pdf.write_pdf, [f"<p>Hoja {n}</p>" for n in range(3)]))
    assert max(most) == 1
    assert [" ".join(pages_of(document)) for document in documents] == [
        "Hoja 0",
        "Hoja 1",
        "Hoja 2",
    ]


def test_the_pdf_draws_with_the_fonts_shipped_in_static(reference):
    _, _, content = pdf.render_sheet(build_sheet(unit("102"), 2))
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"POA-Sans", "POA-Sans-Bold"}


def test_a_sent_report_prints_who_signed_and_when(client, planeacion, head_102):
    ue = unit("102")
    ue.cargo_responsable = "COORDINADORA ADMINISTRATIVA"  # as it stood when she signed
    ue.save()
    report = report_in_state("102", 2, Report.State.ENVIADO)
    # Signed now by the service: only the date moves back, to a day the PDF can print.
    backdate(report, datetime(2023, 7, 4, 18, 0, tzinfo=UTC))
    ue.cargo_responsable = "COORDINADOR ADMINISTRATIVO"
    ue.save()
    text = pages_of(download(client, planeacion, 2023, "59", "102", 2).content)[-1]
    assert "LIC. FABIOLA LEÓN HUERTA CABRERA COORDINADORA ADMINISTRATIVA FECHA: 04-jul.-23" in text
    assert text.count("FECHA: ") == 1 + 1  # the sheet's cut-off date and the one signature
