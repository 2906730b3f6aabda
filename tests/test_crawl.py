"""Every page a demo account can reach by clicking, as that account: signed in with the demo
loaded, each same-origin link of each page is followed from the home page on. A link the app
shows must open for whom it is shown to (no 404, 403 or 500), every page speaks Spanish with no
English word of Django's leaking through, has a title, leaves no template tag unrendered and
is kept out of caches."""

import heapq
import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from poa.documents import pdf
from poa.models import Meta
from poa.services import modifications, years

ACCOUNTS = [
    "admin",
    "planeacion",
    "contraloria",
    "captura101",
    "captura102",
    "captura201",
    "aaron.alvarez",
    "fabiola.leon",
]
MAX_PAGES = 400
ADMIN = "/" + settings.POA_ADMIN_PATH
# Words of Django's English that would mean a page or a form escaped translation, and values
# printed raw from Python.
ENGLISH = [
    "Page not found",
    "Forbidden",
    "Select",
    "Submit",
    "This field is required",
    "Enter a valid",
    "---------",
    "None",
    "True",
    "False",
]
ENGLISH_PATTERN = re.compile("|".join(rf"(?<![\w-]){re.escape(word)}(?![\w-])" for word in ENGLISH))


class Page(HTMLParser):
    """The links, the title and the visible text of an HTML page."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.text, self.title = [], [], None
        self._open = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "input" and attrs.get("type") != "hidden" and attrs.get("value"):
            self.text.append(attrs["value"])  # what a field or a button shows
        if tag not in ("meta", "link", "input", "br", "img", "hr", "col", "source", "wbr"):
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data):
        if not data.strip() or self.HIDDEN & set(self._open):
            return
        if self._open and self._open[-1] == "title":
            self.title = (self.title or "") + data.strip()
        self.text.append(data)


def parse(html):
    page = Page()
    page.feed(html)
    page.close()
    return page


def internal(href, base):
    """The path and query of a same-origin link worth following, or None."""
    url = urljoin("http://testserver" + base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    # The same filters in another order are the same page.
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    path = parts.path + (f"?{query}" if query else "")
    if parts.path.startswith("/cuenta/logout"):
        return None
    if parts.path.startswith(ADMIN) and parts.path != ADMIN:
        return None
    return path


def problems_of(response):
    """What is wrong with one response to a link shown to this user."""
    found = []
    if response.status_code >= 400:
        return [f"{response.status_code}"]
    if response.status_code in (301, 302):
        return []
    cache = response.get("Cache-Control", "")
    if "private" not in cache or "no-store" not in cache:
        found.append(f"Cache-Control «{cache}»")
    if not response.get("Content-Type", "").startswith("text/html"):
        return found
    html = response.content.decode()
    if "{{" in html or "{%" in html:
        found.append("etiqueta de plantilla sin procesar")
    page = parse(html)
    if not page.title:
        found.append("sin <title>")
    text = " ".join(page.text)
    found += [f"inglés o valor crudo: «{m}»" for m in sorted(set(ENGLISH_PATTERN.findall(text)))]
    return found


def crawl(client):
    """Breadth first from the home page, every page without a query before the variants of
    a page (filters, sortings, downloads), so that the cap leaves out variants, not pages.
    Returns {path: [problems]} and the pages fetched. A sorted listing or a download is
    fetched but not followed: its links are those of the listing it sorts."""
    queue, seen, fetched, failures = [(0, 0, "/", "/")], {"/"}, [], {}
    while queue and len(fetched) < MAX_PAGES:
        _, _, path, came_from = heapq.heappop(queue)
        response = client.get(path)
        fetched.append(path)
        problems = problems_of(response)
        if problems:
            failures[path] = [f"{p} (enlace en {came_from})" for p in problems]
        for href in links_of(path, response):
            target = internal(href, path.split("?")[0])
            if target and target not in seen:
                seen.add(target)
                variant = len(parse_qsl(urlsplit(target).query))
                heapq.heappush(queue, (variant, len(seen), target, path))
    return failures, fetched


def links_of(path, response):
    if response.status_code in (301, 302):
        return [response["Location"]]
    if response.status_code != 200 or path == ADMIN or re.search(r"[?&](sort|_export)=", path):
        return []
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    return parse(response.content.decode()).links


@pytest.fixture
def demo(db):
    """The demo, plus what its year holds a few months on: a modificación programática
    approved (meta 303 has two versions) and one waiting for planeación (meta 305), and 2024
    started from 2023 with its programming in draft."""
    call_command("poa_demo", stdout=io.StringIO())
    users = get_user_model().objects.in_bulk(["captura201", "planeacion"], field_name="username")
    approved = request_change(303, users["captura201"], annual=80, q3=27)
    modifications.modification_approve(modificacion=approved, user=users["planeacion"])
    request_change(305, users["captura201"], annual=360, q3=120)
    years.year_create_from(source=2023, year=2024, user=users["planeacion"], copy_metas=True)


def request_change(numero, user, *, annual, q3):
    meta = Meta.objects.get(numero=numero, unidad_ejecutora__ramo__ejercicio__year=2023)
    programmed = [p.programado for p in meta.avances.order_by("quarter")]
    programmed[2] = q3
    return modifications.modification_request(
        meta=meta,
        user=user,
        justificacion="Se sumó una feria industrial en septiembre.",
        change=modifications.ChangeRequest(
            descripcion=meta.descripcion,
            unidad_medida=meta.unidad_medida,
            meta_anual=str(annual),
            programado=[str(value) for value in programmed],
        ),
    )


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_link_a_demo_account_sees_opens_in_spanish_and_uncached(
    demo, client, monkeypatch, username
):
    if username != "planeacion":
        # Planeación's walk draws every PDF there is; the others check who may open which
        # PDF, and the document is still built for them, only not drawn by WeasyPrint.
        monkeypatch.setattr(pdf, "write_pdf", lambda document, *args, **kwargs: b"%PDF-1.7")
    client.force_login(get_user_model().objects.get(username=username))
    failures, fetched = crawl(client)
    assert len(fetched) > 5, "el recorrido no pasó de la página de inicio"
    assert failures == {}
