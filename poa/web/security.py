"""Login throttling (django-axes) as POA needs it: the client's address behind the proxy, the
Spanish lockout page, and one log line per failed login or lockout (never the password)."""

import logging
import time

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from poa.services import audit

logger = logging.getLogger("poa.security")
# When the session last pushed its expiry forward (SessionActivityMiddleware).
ACTIVE_KEY = "poa_active"


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses any login of a locked-out pair of account and address (django-axes counts the
    pair, so nobody elsewhere can lock an account out), and of an address that failed with
    many different accounts (address_locked). Every web login passes its request; a call
    without one (manage.py shell, the test client's login) has no address to throttle and is
    left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        if address_locked(client_ip(request)):
            request.axes_locked_out = True  # axes' middleware answers with lockout_response
            raise AxesBackendPermissionDenied("Dirección bloqueada por intentos fallidos")
        return super().authenticate(request, username=username, password=password, **kwargs)


def address_locked(address) -> bool:
    """Whether the address failed to log in with settings.POA_LOGIN_ADDRESS_USERNAMES
    different accounts within the cool-off: someone trying names, not a person mistyping."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failed = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    names = failed.values("username").distinct().count()
    return names >= settings.POA_LOGIN_ADDRESS_USERNAMES


def client_ip(request):
    """The browser's address: REMOTE_ADDR, or behind POA_TRUSTED_PROXIES proxies the entry
    of X-Forwarded-For the outermost of them wrote (what a client writes itself is ignored)."""
    hops = settings.POA_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if hops and len(addresses) >= hops:
        return addresses[-hops]
    return request.META.get("REMOTE_ADDR")


def lockout_message():
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return (
        "Demasiados intentos fallidos de inicio de sesión. Por seguridad, espere "
        f"{minutes} minutos antes de volver a intentarlo."
    )


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the same message whether the account exists or not."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "lockout": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    logger.warning(
        "Inicio de sesión fallido",
        extra={
            "username": credentials.get("username", ""),
            "ip": client_ip(request) if request else None,
            "path": request.path if request else None,
        },
    )


@receiver(user_locked_out)
def log_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    logger.warning(
        "Inicio de sesión bloqueado por intentos fallidos",
        extra={"username": username or "", "ip": ip_address},
    )


@receiver(user_logged_in)
def mark_session_active(sender, request=None, **kwargs):
    """The login saves the session anyway: it starts the inactivity clock."""
    if request is not None and hasattr(request, "session"):
        request.session[ACTIVE_KEY] = int(time.time())


@receiver(user_logged_in)
def record_login(sender, user=None, **kwargs):
    """Every login is an event of the audit trail."""
    if user is not None:
        audit.login_record(user)
