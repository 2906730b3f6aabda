"""`make loadtest`: the load test on a throw-away PostgreSQL database (see tests.loadtest).

The database is DATABASE_URL's server with `_loadtest` added to its name when DATABASE_URL
names a PostgreSQL database (its role must be allowed to create databases); otherwise, as
root on Debian, the local cluster (installed and started as .ci/run does) with a role and a
database `poa_loadtest`. It is dropped at the end unless LOADTEST_KEEP=1. As root on Debian,
nginx is installed too when missing (tests.loadtest.proxy puts it in front of gunicorn).

LOADTEST_SECONDS (default 90, the first 20 to log everybody in) shortens or lengthens the
run; LOADTEST_CRAWLERS (default 20; 0 for none) sets how many robots crawl /transparencia/
without pause beside the capturistas. LOADTEST_SATURATE=1 (`make loadtest SATURATE=1`) is the
deadline afternoon: everybody logs in at the same moment and nobody pauses, with targets of
its own (runner.SATURATED_*). Exit status 0 when every target was met, 1 when one was
missed (or the run broke), 3 when there is no PostgreSQL to run on: not 2, which `make` gives
for any failed recipe and Python for a wrong command line."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

from tests.loadtest import proxy, runner

LOCAL_NAME = "poa_loadtest"
PASSED, FAILED, NO_POSTGRESQL = 0, 1, 3


def main():
    database = throwaway_database()
    if database is None:
        print(
            "No hay PostgreSQL para la prueba de carga: defina DATABASE_URL con una base "
            "PostgreSQL (su usuario debe poder crear bases) o instale PostgreSQL "
            "(apt-get install postgresql) y corra `make loadtest` como root.",
            file=sys.stderr,
        )
        return NO_POSTGRESQL
    url, drop = database
    proxy.install()
    config = configured(os.environ)
    try:
        with tempfile.TemporaryDirectory(prefix="poa-carga-") as folder:
            result = runner.run(config, url, folder)
            runner.report(result)
            if result.errors:
                kept = shutil.copy(result.log, tempfile.mkdtemp(prefix="poa-carga-registro-"))
                print(f"Registro del servidor: {kept}")
    finally:
        if os.environ.get("LOADTEST_KEEP") == "1":
            print(f"La base se conserva: {url}")
        else:
            drop()
    return PASSED if result.passed() else FAILED


def configured(environ):
    """The run the environment asks for (LOADTEST_SECONDS, LOADTEST_CRAWLERS,
    LOADTEST_SATURATE)."""
    make = runner.Config.saturated if environ.get("LOADTEST_SATURATE") == "1" else runner.Config
    return make(
        seconds=float(environ.get("LOADTEST_SECONDS") or 90),
        crawlers=int(environ.get("LOADTEST_CRAWLERS") or 20),
    )


def throwaway_database():
    """(url, drop) of an empty PostgreSQL database, or None when there is none to be had."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        return from_url(given)
    if os.geteuid() != 0:
        return None
    if not shutil.which("pg_ctlcluster") and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        install = ["apt-get", "install", "-y", "-qq", "postgresql"]
        subprocess.run(install, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not shutil.which("pg_ctlcluster"):
        return None
    return from_local_cluster()


def from_url(given):
    """A database named after DATABASE_URL's, on its server, made anew."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(given)
    name = sql.Identifier(parts.path.lstrip("/") + "_loadtest")
    server = parts._replace(path="/postgres").geturl()

    def execute(*statements):
        with psycopg.connect(server, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name)
    try:
        execute(drop, sql.SQL("CREATE DATABASE {}").format(name))
    except psycopg.Error as error:
        print(
            f"No se pudo crear la base de la prueba en {parts.hostname}: {error}", file=sys.stderr
        )
        return None
    url = parts._replace(path=f"/{parts.path.lstrip('/')}_loadtest").geturl()
    return url, lambda: execute(drop)


def from_local_cluster():
    """The newest local cluster, started if needed, with a role and database of its own."""
    version = sorted(os.listdir("/usr/lib/postgresql"), key=_version)[-1]
    if not os.path.isdir(f"/etc/postgresql/{version}/main"):
        subprocess.run(["pg_createcluster", version, "main"], capture_output=True)
    subprocess.run(["pg_ctlcluster", version, "main", "start"], capture_output=True)
    port = _port(version)
    for _ in range(30):
        ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", port])
        if ready.returncode == 0:
            break
        time.sleep(1)
    else:
        return None
    name = LOCAL_NAME
    script = f"""
SELECT 'CREATE ROLE {name} LOGIN PASSWORD ''{name}'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}')\\gexec
DROP DATABASE IF EXISTS {name} WITH (FORCE);
CREATE DATABASE {name} OWNER {name};
"""
    if not _psql(script, port):
        return None
    url = f"postgres://{name}:{name}@127.0.0.1:{port}/{name}"
    return url, lambda: _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE);", port)


def _psql(script, port):
    command = ["su", "postgres", "-c", f"psql -q -v ON_ERROR_STOP=1 -p {port}"]
    done = subprocess.run(command, input=script, text=True, capture_output=True)
    if done.returncode:
        print(done.stderr.strip(), file=sys.stderr)
    return done.returncode == 0


def _version(name):
    return [int(part) if part.isdigit() else 0 for part in name.split(".")]


def _port(version):
    """The port of the cluster, from pg_lsclusters; 5432 when it does not say."""
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        fields = line.split()
        if fields[:2] == [version, "main"] and len(fields) > 2:
            return fields[2]
    return "5432"


if __name__ == "__main__":
    sys.exit(main())
