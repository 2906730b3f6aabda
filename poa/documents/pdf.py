"""The TMM-F004 as PDF, drawn by WeasyPrint from the same HTML document as html.py.

The renderer never touches the network or the file system beyond the project's own static
files: every URL in the document (stylesheets, fonts, images) goes through StaticOnlyFetcher,
which serves files found by the staticfiles finders and refuses everything else."""

import logging
import mimetypes
import posixpath
import threading
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.text import slugify
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from poa.documents import html

MIMETYPE = "application/pdf"
# The document's base URL. The .invalid domain never resolves, and the fetcher below only maps
# it onto static files; nothing is ever requested from it.
BASE_URL = "https://poa.static.invalid/"

logger = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A document referenced something other than a static file of the project."""


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's static files (STATIC_URL paths under BASE_URL, looked up with the
    staticfiles finders) and refuses every other URL: http(s) elsewhere, file:, data:, ...
    Nothing is opened through urllib, so there is no redirect to follow either."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.static_prefix = urljoin(BASE_URL, settings.STATIC_URL)
        self.served = []
        self.refused = []

    def fetch(self, url, headers=None):
        path = self.static_path(url)
        found = finders.find(path) if path else None
        if not found:
            self.refused.append(url)
            logger.warning("PDF: se rechazó un recurso externo", extra={"url": url})
            raise RefusedURL(f"Recurso no permitido: {url}")
        self.served.append(url)
        with open(found, "rb") as static_file:
            body = static_file.read()
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mimetype})

    def static_path(self, url):
        """The relative static path a URL names, or None when it is not one of ours."""
        if not url.startswith(self.static_prefix):
            return None
        parts = urlsplit(url)
        relative = unquote(parts.path[len(urlsplit(self.static_prefix).path) :])
        normalized = posixpath.normpath(relative)
        if normalized.startswith(("/", "..")) or "\\" in normalized or "\x00" in normalized:
            return None
        return normalized


# One drawing at a time in each process (gunicorn runs several threads in each): a drawing
# takes ~150 MB and mostly holds the GIL, so two at once would not end sooner; the other
# threads keep answering pages meanwhile.
_drawing = threading.Lock()


# A sealed sheet is archived: PDF/A-3b embeds every font and an sRGB output intent and draws
# the same pages (README, «Hoja sellada»).
ARCHIVAL = "pdf/a-3b"


def write_pdf(document: str, fetcher: StaticOnlyFetcher | None = None, variant=None) -> bytes:
    """WeasyPrint on an HTML string, with the safe fetcher; `variant` is WeasyPrint's
    pdf_variant (ARCHIVAL for a sealed sheet)."""
    fetcher = fetcher or StaticOnlyFetcher()
    font_config = FontConfiguration()
    with _drawing:
        return HTML(string=document, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
            font_config=font_config, pdf_variant=variant
        )


def render_sheet(sheet, fetcher=None, seal=None):
    """The sheet of one unit: (TMM-F004_2023_59-102_T2.pdf, application/pdf, bytes); with
    `seal` (poa.documents.seal.SealMark) it prints the seal on every page, as PDF/A-3b."""
    _, _, document = html.render_sheet(sheet, seal)
    variant = ARCHIVAL if seal else None
    return f"{sheet.filename_stem}.pdf", MIMETYPE, write_pdf(document.decode(), fetcher, variant)


# CSS pixels to PDF points.
PX = 0.75


def render_signable(sheet, seal, labels):
    """The sealed sheet of one unit to be signed with e.firma, drawn once: (bytes, boxes),
    where boxes gives, for each signature block label (ELABORÓ…), the page and rectangle in PDF
    points of the space above its signature line (poa.documents.efirma.Box)."""
    _, _, document = html.render_sheet(sheet, seal)
    with _drawing:
        rendered = HTML(
            string=document.decode(), base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()
        ).render(font_config=FontConfiguration(), pdf_variant=ARCHIVAL)
        content = rendered.write_pdf(pdf_variant=ARCHIVAL)
    return content, _boxes(rendered, labels)


def _boxes(rendered, labels):
    boxes = {}
    for number, page in enumerate(rendered.pages):
        for label in labels:
            anchor = page.anchors.get(f"firma-{slugify(label)}")
            if anchor and label not in boxes:
                x1, y1, x2, y2 = anchor
                boxes[label] = (
                    number,
                    x1 * PX,
                    (page.height - y2) * PX,
                    x2 * PX,
                    (page.height - y1) * PX,
                )
    return boxes


def render_sheets(sheets, fetcher=None):
    """The sheets of every unit of a ramo in one PDF, each starting on a new page:
    (TMM-F004_2023_59_T2.pdf, application/pdf, bytes)."""
    filename, _, document = html.render_sheets(sheets)
    return f"{filename.removesuffix('.html')}.pdf", MIMETYPE, write_pdf(document.decode(), fetcher)
