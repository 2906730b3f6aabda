"""Charts drawn on the server: the figures are printed as text, the SVG is valid and the same
for the same data, an empty input says so, long labels stay inside the chart, patterns tell
the series apart without colour, the numbers come as a table too, and the PDF prints them."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from poa.documents import charts
from poa.documents.pdf import StaticOnlyFetcher, write_pdf

SVG = "{http://www.w3.org/2000/svg}"
SERIES = [
    ("511 GESTIÓN ADMINISTRATIVA", [50, 100, None, None]),
    ("592 PROMOCIÓN Y ATRACCIÓN DE INVERSIONES SOSTENIBLES", [107, 51, None, None]),
]
COUNTS = {"verde": 12, "amarillo": 3, "rojo": 2, "sobrecumplimiento": 1, "sin_programar": 2}
LONG_LABEL = (
    "601 PROGRAMA CON UN NOMBRE MUY LARGO QUE DESCRIBE DEMASIADAS COSAS DE LA ADMINISTRACIÓN "
    "PÚBLICA MUNICIPAL, SUS DEPENDENCIAS, SUS ENTIDADES PARAESTATALES Y SUS ORGANISMOS "
    "DESCENTRALIZADOS, DESCONCENTRADOS Y AUTÓNOMOS DEL XXIV AYUNTAMIENTO DE MEXICALI"
)


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(svg):
    return [element.text for element in parse(svg).iter(f"{SVG}text")]


def test_the_progress_chart_prints_every_label_and_percentage():
    shown = texts(charts.progress_chart(SERIES))
    for figure in ["50%", "100%", "107%", "51%"]:
        assert figure in shown
    assert "511 GESTIÓN ADMINISTRATIVA" in shown
    assert "592 PROMOCIÓN Y ATRACCIÓN DE INVERSIONES SOSTENIBLES" in shown
    assert [t for t in shown if "-" in t][:4] == ["Ene-Mar", "Abr-Jun", "Jul-Sep", "Oct-Dic"]


def test_the_progress_chart_draws_a_bar_per_figure_and_none_for_a_missing_one():
    root = parse(charts.progress_chart(SERIES))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill", "").startswith("url(#")]
    legend_swatches = len(SERIES)
    assert len(bars) == 4 + legend_swatches  # Q1 and Q2 of two series; Q3, Q4 not captured


def test_the_axis_runs_to_150_with_gridlines_at_0_50_and_100_and_a_dashed_line_at_100():
    root = parse(charts.progress_chart(SERIES))
    assert {"0%", "50%", "100%", "150%"} <= set(texts(charts.progress_chart(SERIES)))
    assert "200%" not in texts(charts.progress_chart(SERIES))
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    hundred = next(t for t in root.iter(f"{SVG}text") if t.text == "100%")
    plot_line = dashed[0]
    assert abs(float(plot_line.get("y1")) - (float(hundred.get("y")) - 4)) < 0.1
    assert "100 %: lo programado" in texts(charts.progress_chart(SERIES))


def test_the_axis_grows_to_hold_a_larger_figure():
    shown = texts(charts.progress_chart([("511", [260, None, None, None])]))
    assert "260%" in shown and "300%" in shown


def test_the_chart_is_an_accessible_image_with_spanish_title_and_description():
    root = parse(charts.progress_chart(SERIES))
    assert root.get("role") == "img"
    assert (root.get("width"), root.get("height")) != (None, None)
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Avance por programa en cada trimestre"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "línea punteada marca el 100 %" in desc.text
    assert "592 PROMOCIÓN Y ATRACCIÓN DE INVERSIONES SOSTENIBLES: Ene-Mar 107%" in desc.text


def test_the_same_data_gives_the_same_bytes_and_other_data_other_ids():
    assert charts.progress_chart(SERIES) == charts.progress_chart(list(SERIES))
    assert charts.semaforo_chart(COUNTS) == charts.semaforo_chart(dict(COUNTS))
    first = parse(charts.progress_chart(SERIES)).find(f"{SVG}title").get("id")
    other = parse(charts.progress_chart(SERIES[:1])).find(f"{SVG}title").get("id")
    assert first != other  # two charts inlined in one page never share an id


@pytest.mark.parametrize("series", [[], [("511 GESTIÓN ADMINISTRATIVA", [None, None, None, None])]])
def test_with_nothing_captured_the_progress_chart_says_so(series):
    svg = charts.progress_chart(series)
    assert "Aún no hay avances capturados que graficar." in texts(svg)
    assert parse(svg).get("role") == "img"


@pytest.mark.parametrize("counts", [{}, {"verde": 0, "rojo": 0}])
def test_with_no_metas_the_semaforo_chart_says_so(counts):
    assert "No hay metas que clasificar por semáforo." in texts(charts.semaforo_chart(counts))


def test_a_long_label_wraps_to_two_lines_and_is_cut_inside_the_chart():
    svg = charts.progress_chart([(LONG_LABEL, [40, None, None, None])])
    root = parse(svg)
    width = float(root.get("width"))
    legend = [t for t in root.iter(f"{SVG}text") if t.text and t.text.startswith(("601", "PÚB"))]
    assert len(legend) == 2
    assert legend[-1].text.endswith("…")
    for line in legend:
        # 12 px text of at most this many characters ends before the right edge
        assert float(line.get("x")) + len(line.text) * 12 * 0.6 <= width
    assert LONG_LABEL in root.find(f"{SVG}desc").text  # the full name for screen readers


def test_markup_in_a_label_is_escaped():
    svg = charts.progress_chart([('<script>alert("x")</script> & Cía', [10, None, None, None])])
    assert "<script>" not in svg
    assert '<script>alert("x")</script> & Cía' in texts(svg)


def test_the_semaforo_chart_prints_each_category_with_count_and_share():
    shown = texts(charts.semaforo_chart(COUNTS))
    for printed in [
        "Verde", "12 metas (60%)", "Amarillo", "3 metas (15%)", "Rojo", "2 metas (10%)",
        "Sobrecumplimiento", "1 meta (5%)", "Sin programar", "Total: 20 metas",
    ]:  # fmt: skip
        assert printed in shown


def test_every_semaforo_category_has_its_own_pattern_besides_its_colour():
    root = parse(charts.semaforo_chart(COUNTS))
    patterns = list(root.iter(f"{SVG}pattern"))
    assert len(patterns) == 5
    # the tiles, with their colour taken out, are still all different
    tiles = {
        re.sub(r'fill="#[0-9A-Fa-f]{6}"', "", ET.tostring(p, encoding="unicode").split(">", 1)[1])
        for p in patterns
    }
    assert len(tiles) == 5


def test_the_first_seven_series_differ_in_pattern_and_colour():
    series = [(f"{500 + i} PROGRAMA", [50, None, None, None]) for i in range(7)]
    root = parse(charts.progress_chart(series))
    tiles = [
        ET.tostring(p, encoding="unicode").split(">", 1)[1] for p in root.iter(f"{SVG}pattern")
    ]
    colours = [re.search(r'fill="(#[0-9A-Fa-f]{6})"', tile).group(1) for tile in tiles]
    shapes = [re.sub(r'fill="#[0-9A-Fa-f]{6}"', "", tile) for tile in tiles]
    assert len(set(colours)) == len(set(shapes)) == 7


def test_an_unknown_semaforo_category_is_refused():
    with pytest.raises(ValueError, match="categorías desconocidas"):
        charts.semaforo_chart({"azul": 3})


def test_the_progress_numbers_come_as_a_table_too():
    table = charts.progress_table(SERIES, label_heading="Programa")
    assert table.caption == "Avance por programa en cada trimestre"
    assert table.headers == ("Programa", "Ene-Mar", "Abr-Jun", "Jul-Sep", "Oct-Dic")
    assert table.rows == (
        ("511 GESTIÓN ADMINISTRATIVA", "50%", "100%", "—", "—"),
        ("592 PROMOCIÓN Y ATRACCIÓN DE INVERSIONES SOSTENIBLES", "107%", "51%", "—", "—"),
    )


def test_the_semaforo_numbers_come_as_a_table_too():
    table = charts.semaforo_table(COUNTS)
    assert table.headers == ("Semáforo", "Metas", "Porcentaje")
    assert table.rows == (
        ("Verde", "12", "60%"),
        ("Amarillo", "3", "15%"),
        ("Rojo", "2", "10%"),
        ("Sobrecumplimiento", "1", "5%"),
        ("Sin programar", "2", "10%"),
        ("Total", "20", "100%"),
    )


def test_a_fractional_percentage_prints_one_decimal():
    assert charts.progress_table([("511", [12.5, 33.333, None, None])]).rows == (
        ("511", "12.5%", "33.3%", "—", "—"),
    )


def test_the_pdf_prints_the_charts_labels_and_numbers():
    page = (
        '<!doctype html><html lang="es-MX"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="/static/poa/css/tmm_f004.css"></head><body>'
        f"{charts.progress_chart(SERIES)}{charts.semaforo_chart(COUNTS)}</body></html>"
    )
    fetcher = StaticOnlyFetcher()
    content = write_pdf(page, fetcher)
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    for printed in [
        "Avance por programa en cada trimestre", "511 GESTIÓN ADMINISTRATIVA", "107%", "51%",
        "Abr-Jun", "150%", "Metas por semáforo", "Sobrecumplimiento", "12 metas (60%)",
        "1 meta (5%)",
    ]:  # fmt: skip
        assert printed in text, printed
    assert not fetcher.refused
