"""The load test runs as production does: nginx in front with the README's limits on the
public pages and its Spanish 429 page, and the crawlers in a process of their own that
reports back every request. Nothing is timed here."""

import re
import shutil
import subprocess
import threading
import time
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.loadtest import client, crawlers, proxy

ROOT = Path(__file__).resolve().parents[1]
STATIC_429 = ROOT / "static" / "poa" / "429.html"
needs_nginx = pytest.mark.skipif(proxy.binary() is None, reason="nginx no está instalado")


def rendered(tmp_path, port=8080, upstream=8000):
    return proxy.render(proxy.readme_block(), port=port, upstream=upstream, folder=tmp_path)


def test_the_load_test_s_nginx_has_the_readme_s_public_limits_and_429_page(tmp_path):
    config = rendered(tmp_path)
    public = re.search(r"location ~ \^/\(transparencia\|verificar\)/ \{(.*?)\}", config, re.S)[1]
    for line in (
        "limit_req zone=publico",
        "limit_conn publico_conn",
        "limit_conn publico_total",
        "limit_req_status 429",
        "limit_conn_status 429",
        "error_page 429 /429.html",
    ):
        assert line in public, line  # fmt: skip
    assert "limit_conn_zone $server_name zone=publico_total" in config
    assert f"root {ROOT}/static/poa;" in config and "add_header Retry-After" in config
    assert "listen 127.0.0.1:8080;" in config and "server 127.0.0.1:8000;" in config
    assert "ssl" not in config and "/srv/poa" not in config


@needs_nginx
def test_nginx_accepts_the_rendered_configuration(tmp_path):
    config = tmp_path / "nginx.conf"
    config.write_text(rendered(tmp_path))
    checked = subprocess.run(
        proxy.command(proxy.binary(), config, tmp_path, "-t"), capture_output=True
    )
    assert checked.returncode == 0, checked.stderr.decode()


def test_the_429_page_nginx_serves_says_the_portal_s_words_in_spanish():
    page = STATIC_429.read_text()
    template = (ROOT / "templates" / "transparency" / "429.html").read_text()
    assert '<html lang="es-MX">' in page and "<h1" in page
    for sentence in (
        "Demasiadas solicitudes",
        "Espere un segundo y vuelva a intentarlo.",
        "en CSV o JSON: un solo archivo por año.",
    ):
        assert sentence in template and sentence in page  # fmt: skip
    assert 'href="/transparencia/datos/"' in page


# A stand-in for gunicorn: the portal links one page, which answers 429 -------------------


class Portal(BaseHTTPRequestHandler):
    addresses = set()

    def do_GET(self):  # noqa: N802  (http.server's name)
        Portal.addresses.add(self.headers.get("X-Forwarded-For") or self.client_address[0])
        status = 429 if self.path == "/transparencia/limitada/" else 200
        body = b'<a href="/transparencia/limitada/">otra</a>'
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def portal():
    Portal.addresses = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address
    server.shutdown()
    server.server_close()


def test_the_crawlers_process_reports_every_request_back_from_addresses_of_their_own(portal):
    stats = client.Stats()
    robots = crawlers.Crawlers(portal, 2, stats, time.monotonic() + 2)
    robots.finish(stats)
    assert robots.process.exitcode == 0
    assert stats.times[client.CRAWL] and stats.times[client.CRAWL_LIMITED]
    assert not any(stats.errors.values()), stats.samples
    assert Portal.addresses == {"127.0.0.2", "127.0.0.3"}
    assert all(0 < second < 10 for second, _ in stats.times[client.CRAWL])


@needs_nginx
def test_behind_the_load_test_s_nginx_a_crawler_gets_the_spanish_429(portal, tmp_path):
    with proxy.front(portal[1], tmp_path, say=print) as front:
        answers = [get(front, "/transparencia/") for _ in range(40)]
    limited = [(headers, body) for status, headers, body in answers if status == 429]
    assert limited and any(status == 200 for status, *_ in answers)
    headers, body = limited[0]
    assert headers["Retry-After"] and "Demasiadas solicitudes" in body
    assert Portal.addresses == {"127.0.0.1"}  # nginx passed the address on


def get(server, path):
    connection = HTTPConnection(*server, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def test_without_nginx_the_clients_talk_to_gunicorn(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with proxy.front(8000, tmp_path, say=lambda *args: None) as front:
        assert front == ("127.0.0.1", 8000)
