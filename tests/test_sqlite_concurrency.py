"""A small office on SQLite: ten tabs saving the same capture grid at once, and ten clicks on
each signature of the same report, against a real gunicorn (several processes, several
threads each) on a database file with the demo loaded. One wins; every other gets a Spanish
"someone else saved" or "busy, try again", and nobody gets a 500 ("database is locked")."""

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARALLEL = 10
GRID_201 = "/captura/2023/59/201/3/"
GRID_101 = "/captura/2023/59/101/3/"
REPORT_101 = "/informes/2023/59/101/3/"
# What a refused request tells the user: someone else saved first, the report is already in
# another state, or the database was busy; in every case, nothing of theirs was saved.
REFUSED = re.compile(r"no se guard|no está disponible|no se puede|intente de nuevo", re.IGNORECASE)

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "sqlite").split(":", 1)[0] != "sqlite",
    reason="Prueba de SQLite: PostgreSQL bloquea las filas con select_for_update.",
)


class Browser:
    """Cookies and CSRF token of one browser; its tabs share them, as real tabs do."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, data=None, cookies=None):
        """(status, headers, body, cookies after the response), following no redirect."""
        cookies = dict(self.cookies if cookies is None else cookies)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    cookies.pop(name, None)
                else:
                    cookies[name] = morsel.value
        return response.status, response.headers, content, cookies

    def get(self, path):
        status, _, content, self.cookies = self.request("GET", path)
        assert status == 200, (path, status)
        return content

    def post_and_follow(self, path, data):
        """A tab submits a form and reads the page it lands on: [statuses], final page."""
        status, headers, content, cookies = self.request("POST", path, data)
        statuses = [status]
        if status == 302:
            location = urlsplit(headers["Location"]).path
            status, _, content, _ = self.request("GET", location, cookies=cookies)
            statuses.append(status)
        return statuses, content

    def log_in(self, username):
        page = self.get("/cuenta/login/")
        data = {"username": username, "password": "poa-demo-2023", **hidden(page)}
        status, _, _, self.cookies = self.request("POST", "/cuenta/login/", data)
        assert status == 302, f"{username} no pudo iniciar sesión"


def hidden(page):
    return {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    }


def field_value(page, name):
    return re.search(rf'name="{name}" value="([^"]*)"', page)[1]


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with 3 processes of 4 threads on a fresh db.sqlite3 holding the demo."""
    folder = tmp_path_factory.mktemp("oficina")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("POA_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "poa.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "POA_SSL_REDIRECT": "0",
        "POA_BIND": f"127.0.0.1:{port}",
        "POA_WORKERS": "3",
        "GUNICORN_CMD_ARGS": "--threads 4",
    }
    for command in (["migrate", "--noinput", "-v0"], ["poa_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
            capture_output=True,
        )  # fmt: skip
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "poa.wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until_serving(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        process.wait(timeout=30)
        log.close()


def wait_until_serving(port, process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn terminó al arrancar"
        try:
            if Browser(port).request("GET", "/cuenta/login/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn no respondió en 30 s")


def all_at_once(function, count=PARALLEL):
    """Runs function(i) in `count` threads released together; their results in order."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        return function(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def alerts(page):
    """The messages a page shows: [(bootstrap colour, text)]."""
    found = re.findall(
        r'<div class="alert alert-(\w+) alert-dismissible[^>]*>(.*?)<button', page, re.S
    )
    return [(colour, " ".join(text.split())) for colour, text in found]


def outcome(results, success):
    """How many won (the success message), were refused in Spanish, or got a server error."""
    won = refused = 0
    for _, page in results:
        shown = alerts(page)
        won += any(c == "success" and success in text for c, text in shown)
        refused += any(c == "danger" and REFUSED.search(text) for c, text in shown)
    errors = [statuses for statuses, _ in results if any(s >= 500 for s in statuses)]
    return won, refused, errors


def filled_grid(grid, note):
    """The grid's form with every meta achieved (1) and explained: ready to save or send."""
    data = {"version": field_value(grid, "version"), "save": "1", **hidden(grid)}
    prefixes = set(re.findall(r'name="(meta-\d+)-alcanzado"', grid))
    assert prefixes, "la captura no mostró metas editables"
    for prefix in prefixes:
        data[f"{prefix}-alcanzado"] = "1"
        data[f"{prefix}-observaciones"] = note
    return data


def test_ten_tabs_saving_the_same_grid_version_give_one_save_and_nine_spanish_refusals(server):
    tab = Browser(server)
    tab.log_in("captura201")
    grid = tab.get(GRID_201)
    version = field_value(grid, "version")

    def save(i):
        return tab.post_and_follow(GRID_201, filled_grid(grid, f"Desde la pestaña {i + 1}."))

    won, refused, errors = outcome(all_at_once(save), "Se guardaron las cifras")
    assert (won, refused, errors) == (1, PARALLEL - 1, [])
    assert field_value(tab.get(GRID_201), "version") == str(int(version) + 1)


def test_ten_clicks_on_each_signature_give_one_transition_each_and_no_server_error(server):
    head = Browser(server)
    head.log_in("aaron.alvarez")
    statuses, page = head.post_and_follow(GRID_101, filled_grid(head.get(GRID_101), "Listo."))
    assert "Se guardaron las cifras" in page, statuses
    for slug, done in [
        ("enviar", "Informe enviado a revisión."),
        ("revisar", "Informe revisado."),
        ("autorizar", "Informe autorizado."),
    ]:
        url = f"{REPORT_101}{slug}/"
        data = {"comment": "Conforme.", **hidden(head.get(url))}
        results = all_at_once(lambda i, url=url, data=data: head.post_and_follow(url, data))
        assert outcome(results, done) == (1, PARALLEL - 1, []), slug
    assert "Autorizado" in head.get(REPORT_101)
