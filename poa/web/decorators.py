"""Who may open a page, checked before the view runs."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from poa.selectors import access

PLANEACION_ONLY = "Solo planeación tiene acceso a esta página."
AUDITORS_ONLY = "Solo planeación y la contraloría consultan la auditoría."


def planeacion_required(view):
    """Pages of planeación alone: anyone else signed in gets the Spanish 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.is_planeacion(request.user):
            raise PermissionDenied(PLANEACION_ONLY)
        return view(request, *args, **kwargs)

    return wrapped


def auditor_required(view):
    """Pages of planeación and the contraloría: anyone else signed in gets the Spanish 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.can_audit(request.user):
            raise PermissionDenied(AUDITORS_ONLY)
        return view(request, *args, **kwargs)

    return wrapped
