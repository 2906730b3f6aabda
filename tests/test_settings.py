"""Settings come from the environment; production refuses to start without SECRET_KEY, is
secure by default, and logs one JSON line per record."""

import json
import os
import random
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def test_language_time_zone_and_number_format_are_mexican():
    assert settings.LANGUAGE_CODE == "es-mx"
    assert settings.TIME_ZONE == "America/Tijuana"
    assert settings.THOUSAND_SEPARATOR == ","


def server_environment(**environ):
    """A server's environment: SECRET_KEY and what is given, none of the POA_* switches."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("POA_", "DJANGO_"))
        and name not in {"DATABASE_URL", "DEBUG", "ALLOWED_HOSTS"}
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "poa.settings", **environ}


def run_python(code, **environ):
    return subprocess.run(
        [sys.executable, "-c", code],
        env=server_environment(**environ),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def setting_values(*names, **environ):
    """The given settings as a fresh process builds them from `environ`."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([getattr(s, n) for n in {list(names)!r}], default=str))"
    )
    output = run_python(code, **environ)
    assert output.returncode == 0, output.stderr
    return json.loads(output.stdout)


def read_settings(**environ):
    databases, debug, hosts = setting_values("DATABASES", "DEBUG", "ALLOWED_HOSTS", **environ)
    db = databases["default"]
    return [db["ENGINE"], str(db["NAME"]), debug, hosts]


def test_sqlite_file_is_the_default_database():
    engine, name, debug, hosts = read_settings()
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("db.sqlite3")
    assert debug is False
    assert hosts == ["localhost", "127.0.0.1"]


def test_environment_selects_postgresql_debug_and_hosts():
    engine, name, debug, hosts = read_settings(
        DATABASE_URL="postgres://poa:secreto@db.example:5432/poa_prod",
        DEBUG="1",
        ALLOWED_HOSTS="poa.mexicali.gob.mx, 10.0.0.5",
    )
    assert (engine, name) == ("django.db.backends.postgresql", "poa_prod")
    assert debug is True
    assert hosts == ["poa.mexicali.gob.mx", "10.0.0.5"]


def test_without_secret_key_and_debug_the_server_refuses_to_start_saying_why_in_spanish():
    env = server_environment()
    env.pop("SECRET_KEY", None)
    output = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert output.returncode == 1
    assert output.stderr.startswith("Falta SECRET_KEY: POA no arranca con DEBUG desactivado")
    assert "Defina la variable de entorno SECRET_KEY" in output.stderr
    assert "Traceback" not in output.stderr
    assert len(output.stderr.splitlines()) == 1


def test_with_debug_a_development_key_is_used_without_secret_key():
    env = server_environment(DEBUG="1")
    env.pop("SECRET_KEY", None)
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG)"
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert output.stdout.strip() == "True", output.stderr


def test_the_deploy_check_reports_nothing_with_only_debug_off_a_key_and_the_hosts():
    output = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=server_environment(
            DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="poa.mexicali.gob.mx"
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert output.returncode == 0, output.stderr
    assert "System check identified no issues" in output.stdout


HTTPS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]


def test_with_debug_off_https_is_on_by_default():
    assert setting_values(*HTTPS) == [
        True,
        31536000,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
        True,
        True,
    ]


def test_each_https_switch_is_turned_off_where_the_proxy_already_does_it():
    values = setting_values(
        *HTTPS, POA_SSL_REDIRECT="0", POA_HSTS_SECONDS="0", POA_PROXY_SSL_HEADER="0"
    )
    assert values == [False, 0, True, None, True, True]


def test_sessions_last_the_configured_hours_of_inactivity():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert setting_values("SESSION_COOKIE_AGE", POA_SESSION_HOURS="2.5") == [9000]


def test_the_admin_lives_at_the_configured_path():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    assert run_python(code, POA_ADMIN_PATH="/gestion-interna/").stdout.strip() == (
        "/gestion-interna/"
    )
    assert settings.POA_ADMIN_PATH == "admin/"


def test_an_admin_path_over_one_of_poa_s_pages_is_refused():
    output = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=server_environment(POA_ADMIN_PATH="informes"),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert output.returncode != 0
    assert "poa.E001" in output.stderr


def test_uploads_go_to_the_media_folder_or_to_the_configured_storage():
    assert settings.STORAGES["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(settings.MEDIA_ROOT)},
    }
    [storages] = setting_values(
        "STORAGES",
        POA_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        POA_STORAGE_OPTIONS='{"bucket_name": "poa", "default_acl": "private"}',
    )
    assert storages["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "poa", "default_acl": "private"},
    }


def test_a_sqlite_file_is_opened_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection as c; "
        "cursor = c.cursor(); "
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0], "
        "cursor.execute('PRAGMA busy_timeout').fetchone()[0], c.transaction_mode)"
    )
    output = run_python(code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert output.stdout.split() == ["wal", "20000", "IMMEDIATE"], output.stderr


def test_a_workflow_record_prints_as_one_json_line_with_its_fields():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('poa.workflow').info('Informe enviado', extra={"
        "'user': 'aaron.alvarez', 'action': 'enviar', 'report': '2023/59/201/T3', "
        "'from_state': 'borrador', 'to_state': 'enviado'})"
    )
    output = run_python(code)
    [line] = output.stdout.splitlines()
    record = json.loads(line)
    assert record.pop("time").endswith("+00:00")
    assert record == {
        "level": "INFO",
        "logger": "poa.workflow",
        "message": "Informe enviado",
        "user": "aaron.alvarez",
        "action": "enviar",
        "report": "2023/59/201/T3",
        "from_state": "borrador",
        "to_state": "enviado",
    }


def test_an_error_with_its_exception_still_prints_as_one_line():
    code = (
        "import django, logging; django.setup()\n"
        "try:\n    1 / 0\n"
        "except ZeroDivisionError:\n"
        "    logging.getLogger('poa.documents').exception('PDF', extra={'quarter': 3})"
    )
    output = run_python(code)
    [line] = output.stdout.splitlines()
    record = json.loads(line)
    assert (record["level"], record["quarter"]) == ("ERROR", 3)
    assert "ZeroDivisionError" in record["exception"]


# gunicorn (gunicorn.conf.py) ------------------------------------------------------------------


def gunicorn_config(monkeypatch, **environ):
    for name in ("POA_WORKERS", "POA_THREADS", "POA_BACKLOG", "POA_TIMEOUT", "POA_MAX_REQUESTS",
                 "POA_WORKER_MAX_MB"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_takes_its_processes_queue_and_limits_from_the_environment(monkeypatch):
    config = gunicorn_config(
        monkeypatch, POA_WORKERS="2", POA_THREADS="3", POA_BACKLOG="64", POA_TIMEOUT="30",
        POA_MAX_REQUESTS="5000", POA_WORKER_MAX_MB="400",
    )  # fmt: skip
    assert (config["workers"], config["threads"], config["backlog"]) == (2, 3, 64)
    assert (config["timeout"], config["worker_max_mb"]) == (30, 400)
    assert (config["max_requests"], config["max_requests_jitter"]) == (5000, 500)
    # A worker takes no more connections than its threads can answer: the rest wait in the
    # queue every worker shares.
    assert config["worker_connections"] == 3 and config["keepalive"] == 0


def test_by_default_a_worker_is_replaced_for_its_memory_not_after_a_count_of_requests(
    monkeypatch,
):
    config = gunicorn_config(monkeypatch)
    assert config["workers"] == len(os.sched_getaffinity(0))  # one process per core
    assert config["max_requests"] == 0 and config["worker_max_mb"] > 0
    assert config["backlog"] >= 64  # every person of a deadline afternoon waits in it


def test_each_worker_draws_its_memory_limit_up_to_a_tenth_above_the_configured_one(monkeypatch):
    memory_limit = gunicorn_config(monkeypatch)["memory_limit"]
    limits = {memory_limit(600, random.Random(seed)) for seed in range(20)}
    assert len(limits) > 1
    assert all(600 * 2**20 <= limit <= 660 * 2**20 for limit in limits)
    assert memory_limit(0) is None


def test_a_worker_past_its_memory_limit_ends_after_its_request_and_one_below_goes_on(
    monkeypatch,
):
    config = gunicorn_config(monkeypatch)
    log = SimpleNamespace(info=lambda *args: None)
    small = SimpleNamespace(alive=True, pid=1, log=log, memory_limit=1024)  # 1 KB: passed
    large = SimpleNamespace(alive=True, pid=2, log=log, memory_limit=2**50)
    unlimited = SimpleNamespace(alive=True, pid=3, log=log, memory_limit=None)
    for worker in (small, large, unlimited):
        config["post_request"](worker, None, {}, None)
    assert (small.alive, large.alive, unlimited.alive) == (False, True, True)


def test_the_database_pool_is_bounded_by_the_environment_and_off_by_default():
    url = "postgres://poa:secreto@db.example:5432/poa_prod"
    (pooled,) = setting_values(
        "DATABASES", DATABASE_URL=url, POA_DB_POOL="4", POA_DB_POOL_TIMEOUT="2.5"
    )
    db = pooled["default"]
    assert db["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 2.5}
    assert db["CONN_MAX_AGE"] == 0  # Django refuses persistent connections beside a pool
    (persistent,) = setting_values("DATABASES", DATABASE_URL=url, POA_DB_POOL="0")
    assert "pool" not in persistent["default"]["OPTIONS"]
    assert persistent["default"]["CONN_MAX_AGE"] > 0


def test_passwords_are_kept_with_argon2id_and_an_old_pbkdf2_one_is_rewritten_at_login(
    client, capturista_201
):
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    (hashers,) = setting_values("PASSWORD_HASHERS")
    assert hashers[0] == "poa.web.hashers.Argon2idPasswordHasher"
    with override_settings(PASSWORD_HASHERS=hashers):
        # A password kept before, with Django's PBKDF2.
        capturista_201.password = make_password("Clave-2023-ok", hasher="pbkdf2_sha256")
        capturista_201.save()
        response = client.post(
            "/cuenta/login/", {"username": capturista_201.username, "password": "Clave-2023-ok"}
        )
        assert response.status_code == 302
        capturista_201.refresh_from_db()
        assert capturista_201.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert capturista_201.check_password("Clave-2023-ok")
