"""What every response gets whatever the view: no caching of what a signed-in user sees, the
inactivity expiry of sessions, and a Spanish answer instead of a 500 when the database is
busy or cannot be reached, or when the server is past its capacity."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from poa.selectors import access
from poa.web.security import ACTIVE_KEY
from poa.web.views import errors

logger = logging.getLogger("poa.faults")

BUSY_MESSAGE = (
    "El sistema está ocupado guardando otros cambios; no se guardó nada. "
    "Intente de nuevo en unos segundos."
)


class NoStoreMiddleware:
    """Cache-Control: private, no-store on every page of a signed-in user, every download and
    every server error, so that neither a shared proxy nor the browser's history keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 500
            or response.has_header("Content-Disposition")
            or _signed_in(request)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request):
    user = getattr(request, "user", None)
    try:
        return bool(user and user.is_authenticated)
    except DatabaseError:
        return True  # unknown: never cache


READ_ONLY_MESSAGE = (
    "La contraloría consulta todo y no cambia nada: esta acción no está disponible para su cuenta."
)
# What a reader still sends by POST without changing the municipality's data: leaving, their
# own password, and the public check of a sealed PDF (read in memory, never kept).
READER_POSTS = {"logout", "password_change", "poa:verify"}


class ReadOnlyAuditorMiddleware:
    """Every POST, PUT, PATCH or DELETE of a member of «Contraloría» is refused with the
    Spanish 403 before its view runs, on every page and in the admin."""

    SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in self.SAFE or not access.is_contraloria(request.user):
            return None
        if request.resolver_match and request.resolver_match.view_name in READER_POSTS:
            return None
        raise PermissionDenied(READ_ONLY_MESSAGE)


class SessionActivityMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without activity. Each request of a signed-in
    user pushes the expiry forward, saving the session at most once every REFRESH seconds
    so that reading pages does not write to the database every time."""

    REFRESH = 300

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or response.status_code >= 500:
            return response
        now = int(time.time())
        if SESSION_KEY in session and now - session.get(ACTIVE_KEY, 0) >= self.REFRESH:
            session[ACTIVE_KEY] = now
        return response


class QueueTimeMiddleware:
    """A request that waited in the queue in front of gunicorn longer than
    POA_QUEUE_SECONDS gets the Spanish 503 «intente de nuevo» at once, before it costs a
    session or a query: past capacity the queue stays as long as people are willing to wait,
    not as long as it grows. The proxy stamps when it received the request (nginx:
    `proxy_set_header X-Request-Start "t=${msec}";`); without the stamp nothing is checked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        waited = queue_seconds(request.META.get("HTTP_X_REQUEST_START", ""), time.time())
        limit = settings.POA_QUEUE_SECONDS
        if limit and waited is not None and waited > limit:
            logger.warning(
                "Petición descartada tras %.1f s en la cola",
                waited,
                extra={"fault": errors.SATURATED, "method": request.method, "path": request.path},
            )
            response = errors.database_unavailable(errors.SATURATED)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


def queue_seconds(stamp, now):
    """Seconds since the proxy's stamp «t=1733300000.123» (or a bare number); None when
    there is none or it cannot be right (unreadable, in the future, older than a day)."""
    try:
        received = float(stamp.removeprefix("t="))
    except ValueError:
        return None
    waited = now - received
    return waited if 0 <= waited < 24 * 3600 else None


class DatabaseFaultMiddleware:
    """A database lock that did not come free (SQLite "database is locked", PostgreSQL
    deadlock or serialization failure) sends a form back to its page with a Spanish "try
    again"; a request that found every connection of the pool in use for POA_DB_POOL_TIMEOUT
    seconds (the server past its capacity) and a database that cannot be reached get the
    Spanish 503 page with Retry-After. The transaction was rolled back either way, so
    nothing is half-saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        fault = errors.database_fault(exception)
        if fault is None:
            return None
        log = logger.error if fault == errors.UNAVAILABLE else logger.warning
        log(
            "Base de datos: %s",
            exception,
            exc_info=fault == errors.UNAVAILABLE,
            extra={"fault": fault, "method": request.method, "path": request.path},
        )
        if fault == errors.BUSY and request.method == "POST":
            messages.error(request, BUSY_MESSAGE)
            return redirect(request.get_full_path())
        return errors.database_unavailable(fault)
