"""Error pages that render without the database (no request context, no user): the 500, the
503 when the database is busy or down, and the CSRF failure. 400, 403 and 404 are Django's
own views with our templates."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from psycopg_pool import PoolTimeout

BUSY = "ocupada"
SATURATED = "saturada"  # every connection of the pool in use past POA_DB_POOL_TIMEOUT
UNAVAILABLE = "no disponible"
RETRY_AFTER = {BUSY: "10", SATURATED: "5", UNAVAILABLE: "60"}
# PostgreSQL's serialization_failure, deadlock_detected and lock_not_available
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}


def database_fault(error):
    """BUSY for a lock that did not come free, SATURATED when no connection came free in
    time, UNAVAILABLE for a database that cannot be reached or used, None for anything
    else."""
    if not isinstance(error, OperationalError | InterfaceError):
        return None
    if isinstance(error.__cause__, PoolTimeout):
        return SATURATED
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES or "database is locked" in str(error):
        return BUSY
    return UNAVAILABLE


def database_unavailable(fault):
    content = render_to_string("503.html", {"fault": fault})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = RETRY_AFTER[fault]
    return response


def server_error(request):
    """handler500, also reached by database errors raised outside a view (in a middleware)."""
    fault = database_fault(sys.exc_info()[1])
    if fault:
        return database_unavailable(fault)
    return HttpResponse(render_to_string("500.html"), status=500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was too old or came without its cookie."""
    return HttpResponse(render_to_string("403_csrf.html"), status=403)
