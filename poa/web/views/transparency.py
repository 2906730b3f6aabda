"""The public transparency portal, without an account: a year and quarter, then ramo →
programa → unidad ejecutora → meta, with the semáforo, a search box and seguimiento's charts;
each authorized sheet as HTML, its sealed PDF and its /verificar/ link; the open data (CSV
and JSON) and its data dictionary. Everything comes from poa.selectors.public (the seals in
force), and pages are rendered without the request's context, so nothing of whoever is signed
in can reach them or their cache.

Every public answer is cached under the latest authorization or reopening
(poa.selectors.public.stamp) and carries ETag and Last-Modified: a conditional request gets
304, and an authorization or a reopening shows on the next request. Planeación downloads the
platform's XLSX from its own page (login required)."""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from poa.documents import transparency
from poa.rules import figures
from poa.rules.dates import quarter_end
from poa.selectors import public
from poa.web.decorators import planeacion_required
from poa.web.views.tracking import tracking_charts

CACHE_SECONDS = 600  # bounds how long a renamed catalog entry may take to show
SEARCH_LIMIT = 200


def public_cached(view):
    """Serves the view's 200 answers from the cache keyed on the path and public.stamp(),
    with ETag and Last-Modified, and 304 to a conditional request that still holds."""

    @require_safe
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        current = public.stamp()
        digest = hashlib.sha256(f"{current.key}|{request.get_full_path()}".encode()).hexdigest()
        etag = quote_etag(digest[:32])
        modified = int(current.modified.timestamp()) if current.modified else None
        if not_modified := get_conditional_response(request, etag=etag, last_modified=modified):
            return _public_headers(not_modified, etag, current)
        cached = _from_cache(f"public:{digest}")
        response = cached or view(request, *args, **kwargs)
        if response.status_code == 200:
            if cached is None:
                _to_cache(f"public:{digest}", response)
            _public_headers(response, etag, current)
        return response

    return wrapped


def _from_cache(key):
    cached = cache.get(key)
    if cached is None:
        return None
    content, headers = cached
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response


def _to_cache(key, response):
    kept = ("Content-Type", "Access-Control-Allow-Origin")
    headers = {name: response[name] for name in kept if response.has_header(name)}
    cache.set(key, (response.content, headers), CACHE_SECONDS)


def _public_headers(response, etag, current):
    response["ETag"] = etag
    if current.modified:
        response["Last-Modified"] = http_date(current.modified.timestamp())
    # Any cache may keep it, but must ask again: an authorization shows at once.
    patch_cache_control(response, public=True, no_cache=True)
    return response


def _page(template, context, status=200):
    """A public page, rendered without the request: no user, no session, no messages."""
    return HttpResponse(render_to_string(template, context), status=status)


def _quarter_or_404(year, quarter):
    data = public.public_quarter(year, quarter)
    if not data.units and not data.in_review:
        raise Http404("No hay hojas autorizadas de ese trimestre.")
    return data


def _choices(year, quarter):
    """The quarters with something published, for the year and quarter selector."""
    return [
        {"year": y, "quarter": q, "label": f"{y} · T{q} ({figures.QUARTER_LABELS[q]})",
         "current": (y, q) == (year, quarter)}
        for y, q in public.quarters_published()
    ]  # fmt: skip


def _charts(data):
    return [
        (title, mark_safe(svg), table) for title, svg, table in tracking_charts(data, data.quarter)
    ]


# The portal ---------------------------------------------------------------------------------


@public_cached
def portal(request):
    """The latest quarter with an authorized sheet; a plain notice while there is none."""
    published = public.quarters_published()
    if not published:
        return _page("transparency/portal.html", {"data": None, "choices": []})
    return _quarter_page(request, *published[0])


@public_cached
def quarter_page(request, year, quarter):
    return _quarter_page(request, year, quarter)


def _quarter_page(request, year, quarter):
    data = _quarter_or_404(year, quarter)
    text = request.GET.get("q", "").strip()[:100]
    found = data.search(text) if text else None
    context = {
        "data": data,
        "choices": _choices(year, quarter),
        "query": text,
        "found": found[:SEARCH_LIMIT] if found is not None else None,
        "found_count": len(found) if found is not None else 0,
        "search_limit": SEARCH_LIMIT,
        "charts": _charts(data),
        "csv": reverse("poa:public-data-quarter", args=[year, quarter, "csv"]),
        "json": reverse("poa:public-data-quarter", args=[year, quarter, "json"]),
    }
    return _page("transparency/portal.html", context)


@public_cached
def ramo_page(request, year, quarter, ramo):
    data = _quarter_or_404(year, quarter)
    found = data.ramo(ramo)
    if found is None:
        raise Http404("Ese ramo no tiene hojas autorizadas en el trimestre.")
    context = {"data": data, "ramo": found, "choices": _choices(year, quarter)}
    return _page("transparency/ramo.html", context)


@public_cached
def sheet_page(request, year, quarter, ramo, ue):
    """The authorized sheet as HTML, with its sealed PDF and its verification; «en revisión»
    while planeación has it reopened."""
    unit = public.public_unit_of(year, quarter, ramo, ue)
    if unit is None:
        return _in_review_or_404(year, quarter, ramo, ue)
    context = {
        "unit": unit,
        "ue": unit.ue,
        "year": year,
        "quarter": quarter,
        "quarter_label": figures.QUARTER_LABELS[quarter],
        "quarter_labels": [figures.QUARTER_LABELS[q] for q in figures.QUARTERS[:quarter]],
        "fecha": quarter_end(year, quarter),
    }
    return _page("transparency/sheet.html", context)


def _in_review_or_404(year, quarter, ramo, ue):
    unit = public.unit_in_review(year, quarter, ramo, ue)
    if unit is None:
        raise Http404("Esa unidad no tiene hoja autorizada en el trimestre.")
    context = {"ue": unit, "year": year, "quarter": quarter,
               "quarter_label": figures.QUARTER_LABELS[quarter]}  # fmt: skip
    return _page("transparency/in_review.html", context)


@public_cached
def meta_page(request, year, quarter, ramo, ue, numero):
    unit = public.public_unit_of(year, quarter, ramo, ue)
    if unit is None:
        return _in_review_or_404(year, quarter, ramo, ue)
    meta = unit.meta(numero)
    if meta is None:
        raise Http404("Esa meta no está en la hoja autorizada.")
    context = {"unit": unit, "ue": unit.ue, "meta": meta, "year": year, "quarter": quarter,
               "quarter_label": figures.QUARTER_LABELS[quarter]}  # fmt: skip
    return _page("transparency/meta.html", context)


# Open data ----------------------------------------------------------------------------------

MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@public_cached
def data_dictionary(request):
    context = {
        "columns": public.columns(),
        "license": public.LICENSE,
        "license_url": public.LICENSE_URL,
        "files": _data_files(),
    }
    return _page("transparency/data.html", context)


def _data_files():
    """(label, csv address, json address) of each published year and quarter."""
    files, years = [], []
    for year, quarter in public.quarters_published():
        if year not in years:
            years.append(year)
            files.append((f"{year}, todo el año", *_data_urls("poa:public-data-year", year)))
        label = f"{year}, trimestre {quarter} ({figures.QUARTER_LABELS[quarter]})"
        files.append((label, *_data_urls("poa:public-data-quarter", year, quarter)))
    return files


def _data_urls(name, *args):
    return [reverse(name, args=[*args, kind]) for kind in ("csv", "json")]


@public_cached
def data_year(request, year, kind):
    return _data_file(year, None, kind)


@public_cached
def data_quarter(request, year, quarter, kind):
    return _data_file(year, quarter, kind)


def _data_file(year, quarter, kind):
    if kind not in MIMETYPES:
        raise Http404("Los datos se publican en CSV y en JSON.")
    rows = public.open_data_rows(year, quarter)
    if not rows and not public.is_published(year, quarter):
        raise Http404("No hay datos publicados de ese periodo.")
    if kind == "csv":
        content = transparency.open_data_csv(rows)
    else:
        dictionary = public.site_url(reverse("poa:public-data"))
        content = transparency.open_data_json(
            rows, year=year, quarter=quarter, dictionary_url=dictionary
        )
    response = HttpResponse(content, content_type=MIMETYPES[kind])
    # Data files only: any site may read them from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


# Planeación: the platform's format ---------------------------------------------------------


@planeacion_required
def platform_page(request):
    quarters = public.quarters_published()
    context = {
        "quarters": [(y, q, figures.QUARTER_LABELS[q]) for y, q in quarters],
        "columns": transparency.platform_format()["columnas"],
    }
    return render(request, "planning/transparency.html", context)


@planeacion_required
def platform_xlsx(request, year, quarter):
    rows = public.open_data_rows(year, quarter)
    filename, mimetype, content = transparency.platform_xlsx(rows, year=year, quarter=quarter)
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
