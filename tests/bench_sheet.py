"""Benchmark of the TMM-F004 for synthetic units of 20, 200 and 2,000 metas: SQL queries, HTML
render, PDF render and WeasyPrint alone on the same HTML. Run with `make bench`
(python -m tests.bench_sheet). It builds its own throw-away in-memory database.

Targets: queries constant in the number of metas (≤ 10); PDF ≤ 1.3 × WeasyPrint alone;
the 20-meta PDF under 1 s."""

import gc
import os
import sys
import time

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "20,200,2000").split(","))
REPEAT = {20: 6, 200: 4}
MAX_QUERIES = 10
MAX_RATIO = 1.3
ROW = "{:>6} {:>8} {:>9} {:>9} {:>14} {:>10}"


def setup_django():
    # The suite's settings: production's, with a key (DEBUG would also keep every query).
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def timed_ms(function):
    gc.collect()  # garbage left by an earlier run is not charged to this one
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


def measure(unit, repeat):
    """Queries of the selector, then the fastest of `repeat` (at least two) runs of each
    rendering. The PDF and WeasyPrint-alone runs alternate so that a busy machine slows both
    alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from poa.documents import html, pdf
    from poa.selectors.sheet import build_sheet

    with CaptureQueriesContext(connection) as queries:
        build_sheet(unit, 2)
    html_runs = [timed_ms(lambda: html.render_sheet(build_sheet(unit, 2))) for _ in range(repeat)]
    string = html_runs[-1][1][2].decode()

    def weasyprint_alone():
        # the stylesheets and fonts still need a fetcher: the renderer's own
        fetcher = pdf.StaticOnlyFetcher()
        document = HTML(string=string, base_url=pdf.BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(font_config=FontConfiguration())

    def whole_pdf():
        return pdf.render_sheet(build_sheet(unit, 2))

    runs = {whole_pdf: [], weasyprint_alone: []}
    for i in range(max(repeat, 2)):
        # alternate which goes first, so neither always pays for the other's leftovers
        for function in (whole_pdf, weasyprint_alone)[:: 1 if i % 2 == 0 else -1]:
            runs[function].append(timed_ms(function)[0])
    html_ms = min(ms for ms, _ in html_runs)
    return len(queries.captured_queries), html_ms, min(runs[whole_pdf]), min(runs[weasyprint_alone])


def main():
    setup_django()
    from tests.sheet_data import make_unit

    print(ROW.format("metas", "queries", "HTML ms", "PDF ms", "WeasyPrint ms", "PDF/Weasy"))
    failures = []
    counts = set()
    for size in SIZES:
        unit = make_unit(metas=size, clave=str(size))
        queries, html_ms, pdf_ms, weasy_ms = measure(unit, repeat=REPEAT.get(size, 1))
        ratio = pdf_ms / weasy_ms
        counts.add(queries)
        print(
            ROW.format(
                f"{size:,}",
                queries,
                f"{html_ms:.0f}",
                f"{pdf_ms:.0f}",
                f"{weasy_ms:.0f}",
                f"{ratio:.2f}",
            )
        )
        if ratio > MAX_RATIO:
            failures.append(f"{size} metas: PDF {ratio:.2f} × WeasyPrint alone (> {MAX_RATIO})")
        if size == 20 and pdf_ms >= 1000:
            failures.append(f"20 metas: PDF {pdf_ms:.0f} ms (≥ 1 s)")
    if len(counts) > 1 or max(counts) > MAX_QUERIES:
        failures.append(f"queries per sheet {sorted(counts)}: not constant or above {MAX_QUERIES}")
    for failure in failures:
        print(f"FUERA DE META: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
