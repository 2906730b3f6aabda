"""Settings come from the environment; production without SECRET_KEY is reported."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.core.checks import run_checks


def test_language_time_zone_and_number_format_are_mexican():
    assert settings.LANGUAGE_CODE == "es-mx"
    assert settings.TIME_ZONE == "America/Tijuana"
    assert settings.THOUSAND_SEPARATOR == ","


def test_missing_secret_key_is_reported_by_the_deploy_check(settings):
    settings.DEBUG = False
    settings.SECRET_KEY_FROM_ENV = False
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "poa.W001" in ids
    settings.SECRET_KEY_FROM_ENV = True
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "poa.W001" not in ids


def read_settings(**environ):
    """The settings a fresh process builds from `environ`."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "db = s.DATABASES['default']; "
        "print(json.dumps([db['ENGINE'], str(db['NAME']), s.DEBUG, s.ALLOWED_HOSTS]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "poa.settings", **environ}
    for name in ("DATABASE_URL", "DEBUG", "ALLOWED_HOSTS"):
        if name not in environ:
            env.pop(name, None)
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(output.stdout)


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
