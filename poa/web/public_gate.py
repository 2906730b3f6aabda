"""The gate in front of the public pages (/transparencia/ and /verificar/): each address may
ask POA_PUBLIC_REQUESTS of them every POA_PUBLIC_WINDOW seconds; past that it gets the Spanish
429 page with Retry-After until the window ends. Besides, at most POA_PUBLIC_CONCURRENCY
public requests run at once in each process (gunicorn's other threads stay free for the
capture); one more is told to retry in a second. It is the first middleware, so a crawler
turned away costs neither a session nor a database query. The counts live in Django's cache
(per process with the default local memory cache: each gunicorn worker counts on its own)."""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

from poa.web.security import client_ip

PUBLIC_PREFIXES = ("/transparencia/", "/verificar/")


class PublicGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if settings.POA_PUBLIC_REQUESTS:
            retry = _over_limit(client_ip(request) or "desconocida")
            if retry:
                return too_many(retry)
        slot = slots()
        if slot is None:
            return self.get_response(request)
        if not slot.acquire(blocking=False):
            return too_many(1, busy=True)
        try:
            return self.get_response(request)
        finally:
            slot.release()


_slots = {}
_slots_lock = threading.Lock()


def slots() -> threading.BoundedSemaphore | None:
    """This process's places for public requests running at once; None without a limit."""
    size = settings.POA_PUBLIC_CONCURRENCY
    if not size:
        return None
    with _slots_lock:
        return _slots.setdefault(size, threading.BoundedSemaphore(size))


def _over_limit(address) -> int:
    """Counts the request; the seconds left in the window when the address is over its limit,
    0 otherwise (a fixed window: one cache entry per address and window)."""
    window = settings.POA_PUBLIC_WINDOW
    now = time.time()
    key = f"public-gate:{address}:{int(now // window)}"
    if cache.add(key, 1, window + 1):
        return 0
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window + 1)
        return 0
    if count <= settings.POA_PUBLIC_REQUESTS:
        return 0
    return max(1, int(window - now % window))


def too_many(retry, *, busy=False) -> HttpResponse:
    context = {
        "limit": settings.POA_PUBLIC_REQUESTS,
        "window": settings.POA_PUBLIC_WINDOW,
        "retry": retry,
        "busy": busy,
    }
    response = HttpResponse(render_to_string("transparency/429.html", context), status=429)
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    return response
