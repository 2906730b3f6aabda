"""What production gives every page: the security headers and the CSP, no caching of what a
signed-in user sees, secure cookies, sessions that end with inactivity, and logins throttled
after five failures with the same Spanish message whether the account exists or not."""

import logging
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from poa.web.middleware import SessionActivityMiddleware
from poa.web.security import ACTIVE_KEY, lockout_message

LOGIN = "/cuenta/login/"
POLICY = (
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


@pytest.fixture
def admin_user(reference):
    return get_user_model().objects.create_superuser("raiz", "raiz@mexicali.example", "x-123456")


def pages(capturista_201, admin_user):
    """(who, address) of every kind of page: login, home, grid, sheet, PDF, admin, error."""
    return [
        (None, LOGIN),
        (capturista_201, "/"),
        (capturista_201, "/captura/2023/59/201/2/"),
        (capturista_201, "/informes/2023/59/201/2/"),
        (capturista_201, "/tmm-f004/2023/59/201/2/"),
        (capturista_201, "/tmm-f004/2023/59/201/2/pdf/"),
        (admin_user, "/admin/"),
        (admin_user, "/admin/poa/meta/"),
        (capturista_201, "/no-existe/"),
        (None, "/no-existe/"),
    ]


def visit(client, user, url):
    client.logout()
    if user:
        client.force_login(user)
    return client.get(url)


def test_every_kind_of_page_carries_the_csp_and_the_security_headers(
    client, capturista_201, admin_user
):
    for user, url in pages(capturista_201, admin_user):
        response = visit(client, user, url)
        assert response.status_code in (200, 404), url
        policy = response["Content-Security-Policy"]
        assert sorted(policy.split("; ")) == sorted(POLICY), url
        assert "unsafe" not in policy
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url


def test_pages_of_a_signed_in_user_and_downloads_are_never_cached(
    client, capturista_201, admin_user
):
    for user, url in pages(capturista_201, admin_user):
        response = visit(client, user, url)
        if user or url == LOGIN:
            cache = {part.strip() for part in response["Cache-Control"].split(",")}
            assert {"private", "no-store"} <= cache, url


def test_a_pdf_download_is_marked_private_and_not_stored(client, capturista_201):
    client.force_login(capturista_201)
    response = client.get("/tmm-f004/2023/59/201/2/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_the_session_and_csrf_cookies_are_secure_and_the_session_cookie_http_only(
    client, capturista_201
):
    client.get(LOGIN)
    client.post(LOGIN, {"username": "captura201", "password": "x-123456"})
    session, csrf = client.cookies["sessionid"], client.cookies["csrftoken"]
    assert session["secure"] and session["httponly"]
    assert csrf["secure"]
    assert session["max-age"] == 8 * 3600


def test_http_is_redirected_to_https_and_https_gets_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(LOGIN)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{LOGIN}"
    response = client.get(LOGIN, headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_session_without_activity_for_the_configured_hours_ends(client, capturista_201):
    client.force_login(capturista_201)
    key = client.session.session_key
    row = Session.objects.get(session_key=key)
    row.expire_date = timezone.now() - timedelta(seconds=1)
    row.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_activity_pushes_the_end_of_the_session_forward(client, capturista_201):
    client.force_login(capturista_201)
    session = client.session
    session[ACTIVE_KEY] = int(time.time()) - SessionActivityMiddleware.REFRESH - 1
    session.save()
    # as if the last activity had been almost eight hours ago
    rows = Session.objects.filter(session_key=session.session_key)
    rows.update(expire_date=timezone.now() + timedelta(minutes=1))
    client.get("/")
    expires = Session.objects.get(session_key=session.session_key).expire_date
    assert expires > timezone.now() + timedelta(hours=7, minutes=59)


def attempt(client, username, password, address):
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    return response.status_code, response.content.decode()


def alert(page):
    start = page.index('<div class="alert alert-danger')
    return page[page.index(">", start) + 1 : page.index("</div>", start)].strip()


def five_failures_then_the_right_password(client, username, address):
    answers = [attempt(client, username, "equivocada", address) for _ in range(5)]
    answers.append(attempt(client, username, "x-123456", address))
    return [(status, alert(page)) for status, page in answers]


def test_after_five_failures_the_sixth_login_is_refused_even_with_the_right_password(
    client, capturista_201
):
    answers = five_failures_then_the_right_password(client, "captura201", "192.0.2.10")
    status, message = answers[-1]
    assert status == 429
    assert message == (
        "Demasiados intentos fallidos de inicio de sesión. Por seguridad, espere 15 minutos "
        "antes de volver a intentarlo."
    )
    assert "_auth_user_id" not in client.session


def test_known_and_unknown_accounts_get_the_same_answers_attempt_by_attempt(client, capturista_201):
    known = five_failures_then_the_right_password(client, "captura201", "192.0.2.11")
    unknown = five_failures_then_the_right_password(client, "nadie", "192.0.2.12")
    assert known == unknown
    assert [status for status, _ in known] == [200] * 4 + [429, 429]


def test_failures_from_elsewhere_never_lock_the_account_out(client, capturista_201):
    five_failures_then_the_right_password(client, "captura201", "192.0.2.13")
    status, _ = attempt(client, "captura201", "x-123456", "198.51.100.7")
    assert status == 302


def test_failures_of_one_account_never_lock_the_address_for_another(client, capturista_201):
    five_failures_then_the_right_password(client, "planeacion", "192.0.2.16")
    status, _ = attempt(client, "captura201", "x-123456", "192.0.2.16")
    assert status == 302


def test_an_address_trying_many_accounts_is_locked_for_every_account(
    client, capturista_201, settings
):
    for number in range(settings.POA_LOGIN_ADDRESS_USERNAMES):
        attempt(client, f"usuario{number}", "equivocada", "192.0.2.17")
    status, page = attempt(client, "captura201", "x-123456", "192.0.2.17")
    assert (status, alert(page)) == (429, lockout_message())
    assert attempt(client, "captura201", "x-123456", "198.51.100.8")[0] == 302


def test_the_account_signs_in_again_once_the_cool_off_has_passed(client, capturista_201):
    from axes.models import AccessAttempt

    five_failures_then_the_right_password(client, "captura201", "192.0.2.14")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    status, _ = attempt(client, "captura201", "x-123456", "192.0.2.14")
    assert status == 302


def test_a_failed_login_is_logged_with_the_username_and_address_never_the_password(
    client, capturista_201, caplog
):
    with caplog.at_level(logging.WARNING, logger="poa.security"):
        attempt(client, "captura201", "secreto-equivocado", "192.0.2.15")
    [record] = [r for r in caplog.records if r.name == "poa.security"]
    assert record.getMessage() == "Inicio de sesión fallido"
    assert (record.username, record.ip) == ("captura201", "192.0.2.15")
    assert "secreto-equivocado" not in str(vars(record))


def test_behind_the_proxy_the_client_address_is_the_one_the_proxy_saw(rf, settings):
    from poa.web.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.20", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "127.0.0.1"
    settings.POA_TRUSTED_PROXIES = 1
    assert client_ip(request) == "192.0.2.20"


def test_the_pdf_fetcher_logs_each_refused_address_as_a_field(caplog):
    from poa.documents.pdf import RefusedURL, StaticOnlyFetcher

    with (
        caplog.at_level(logging.WARNING, logger="poa.documents.pdf"),
        pytest.raises(RefusedURL),
    ):
        StaticOnlyFetcher().fetch("https://intruso.example/robar.css")
    [record] = caplog.records
    assert record.url == "https://intruso.example/robar.css"
    assert record.getMessage() == "PDF: se rechazó un recurso externo"
