"""The load test (`make loadtest`, tests.loadtest) kept working: its whole run, small and short,
against gunicorn on SQLite, and its verification shown to catch what it is there to catch. No
time is asserted here; the figures are `make loadtest`'s, on PostgreSQL."""

import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.loadtest import client, runner
from tests.loadtest.verify import Findings, verify


def quiet(*args):
    pass


def test_three_capturistas_saving_beside_crawlers_lose_nothing_and_old_versions_are_refused(
    tmp_path,
):
    config = runner.Config(
        ramos=1,
        ues=2,
        metas=3,
        capturistas=3,
        shared=1,  # two of the three save the same grid
        reviewers=1,
        crawlers=2,
        seconds=6,
        timing=client.Timing(ramp_up=1, think=(0.05, 0.2), read=(0.2, 0.5), stale_share=0.3),
    )
    result = runner.run(config, f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, say=quiet)
    findings = result.findings
    assert result.errors == 0, result.stats.samples
    assert (findings.lost, findings.mixed, findings.stale_accepted) == ([], [], [])
    assert findings.acks > 0 and result.ledger.stale_refused > 0
    assert result.passed(timed=False)
    # The crawlers were served the portal beside the capture, without an error.
    assert result.stats.times[client.CRAWL] and not result.stats.errors[client.CRAWL]


# The verification on a ledger written by hand ----------------------------------------------

PLAN = {"capturistas": [{"unit": 7, "grid": "/captura/2030/17/101/4/"}]}
BEFORE = {"values": {"1": [None, ""], "2": [None, ""]}, "version": 0}


def figures(first, second):
    return {1: (Decimal(first), ""), 2: (Decimal(second), "Se adelantó.")}


def snapshot(version, first, second, marks=0):
    values = {"1": [first, ""], "2": [second, "Se adelantó." if second else ""]}
    return {"reports": {"7": {"version": version, "values": values}}, "stale_marks": marks}


def check(ledger, after):
    return verify({**PLAN, "before": {"reports": {"7": BEFORE}}}, ledger, after)


def ack(base, first, second, user="cap-17-101"):
    return client.Ack(7, user, base, figures(first, second), 2, 2)


def test_a_chain_of_saves_ending_in_the_database_is_clean():
    ledger = client.Ledger(acks=[ack(0, 1, 2), ack(1, 3, 4)])
    ledger.seen.append(client.Seen(7, "cap2-17-101", 1, figures(1, 2)))
    findings = check(ledger, snapshot(2, "3.00", "4"))
    assert (findings.lost, findings.mixed, findings.stale_accepted) == ([], [], [])


def test_two_saves_acknowledged_on_the_same_version_are_a_lost_update():
    ledger = client.Ledger(acks=[ack(0, 1, 2), ack(0, 3, 4, user="cap2-17-101")])
    findings = check(ledger, snapshot(1, "3", "4"))
    assert findings.lost == ["UE 17-101: 2 guardados aceptados sobre la versión 0"]


def test_a_database_without_the_last_acknowledged_figures_is_a_lost_update():
    findings = check(client.Ledger(acks=[ack(0, 1, 2), ack(1, 3, 4)]), snapshot(2, "1", "2"))
    assert findings.lost == ["UE 17-101: la base no tiene lo último acusado (metas [1, 2])"]


def test_a_version_nobody_was_told_about_is_a_mixed_up_update():
    findings = check(client.Ledger(acks=[ack(0, 1, 2)]), snapshot(2, "1", "2"))
    assert findings.mixed == ["UE 17-101: 1 versiones sin acuse"]


def test_a_grid_showing_other_figures_than_those_saved_is_a_mixed_up_update():
    ledger = client.Ledger(acks=[ack(0, 1, 2)])
    ledger.seen.append(client.Seen(7, "cap2-17-101", 1, figures(1, 5)))
    findings = check(ledger, snapshot(1, "1", "2"))
    assert findings.mixed == [
        "UE 17-101: cap2-17-101 vio en la versión 1 otras cifras, no las guardadas en ella"
    ]


def test_a_grid_showing_the_figures_of_a_later_version_is_a_mixed_up_update():
    ledger = client.Ledger(acks=[ack(0, 1, 2), ack(1, 3, 4)])
    ledger.seen.append(client.Seen(7, "cap2-17-101", 1, figures(3, 4)))
    findings = check(ledger, snapshot(2, "3", "4"))
    assert findings.mixed == [
        "UE 17-101: cap2-17-101 vio en la versión 1 las de la versión 2, no las guardadas en ella"
    ]


def test_an_old_version_accepted_or_stored_is_reported():
    ledger = client.Ledger(stale_accepted=[(7, "cap-17-101", 0)])
    findings = check(ledger, snapshot(0, None, None, marks=2))
    assert (findings.lost, findings.mixed) == ([], [])
    assert findings.stale_accepted == [
        "UE 17-101: cap-17-101 envió la versión 0 de nuevo y se aceptó",
        "2 valores guardados vienen de versiones viejas",
    ]


# Its exit status ------------------------------------------------------------------------------


def test_without_postgresql_the_status_differs_from_a_failure_and_from_make_s(monkeypatch):
    from tests.loadtest import __main__ as loadtest

    monkeypatch.setattr(loadtest, "throwaway_database", lambda: None)

    assert loadtest.main() == 3


def test_a_missed_target_exits_1(monkeypatch, tmp_path):
    from tests.loadtest import __main__ as loadtest

    class Missed:
        errors, log = [], None

        def passed(self):
            return False

    monkeypatch.setattr(loadtest, "throwaway_database", lambda: ("postgres://x/y", lambda: None))
    monkeypatch.setattr(loadtest.proxy, "install", lambda: None)
    monkeypatch.setattr(runner, "run", lambda config, url, folder: Missed())
    monkeypatch.setattr(runner, "report", quiet)

    assert loadtest.main() == 1


# The saturated run (LOADTEST_SATURATE=1, `make loadtest SATURATE=1`) -------------------------


def test_the_saturated_run_has_everybody_logging_in_at_once_and_nobody_pausing():
    from tests.loadtest.__main__ import configured

    config = configured({"LOADTEST_SATURATE": "1", "LOADTEST_SECONDS": "30"})

    assert config.saturate and config.seconds == 30
    assert (config.timing.ramp_up, config.timing.think, config.timing.read) == (0, (0, 0), (0, 0))
    # The same people, and the same share of old versions sent on purpose.
    paced = configured({})
    assert (config.capturistas, config.reviewers) == (paced.capturistas, paced.reviewers)
    assert config.timing.stale_share == paced.timing.stale_share
    assert not paced.saturate and paced.timing.ramp_up > 0 and paced.timing.think[0] > 0


class SpanishBusyServer(threading.Thread):
    """A server past its capacity: the Spanish 503 «intente de nuevo» for every request, or a
    plain 503 of a proxy when told so."""

    def __init__(self, page):
        super().__init__(daemon=True)
        body = page.encode()

        class Busy(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(503)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Retry-After", "5")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Busy)

    def run(self):
        self.server.serve_forever()


@pytest.mark.parametrize(
    "page, busy, errors",
    [
        ("<h1>El sistema está atendiendo a muchas personas</h1> Intente de nuevo.", 1, 0),
        ("<h1>503 Service Unavailable</h1>", 0, 1),
    ],
)
def test_a_spanish_503_try_again_is_counted_apart_from_the_errors_and_misses_the_target(
    page, busy, errors
):
    server = SpanishBusyServer(page)
    server.start()
    stats = client.Stats()
    session = client.Session("127.0.0.1", server.server.server_port, stats)
    with pytest.raises(client.Failure):
        session.get(client.GRID, "/captura/")
    server.server.shutdown()

    assert (stats.busy[client.GRID], stats.errors[client.GRID]) == (busy, errors)
    config, ledger = runner.Config.saturated(), client.Ledger(stale_refused=1)
    result = runner.Result(config, {}, stats, ledger, Findings(acks=1), 1, "", "")
    missed = [what for what, _, _, met in result.targets(timed=False) if not met]
    busy_row, error_row = "Respuestas 503 «intente de nuevo»", "Errores (5xx, conexión,"
    assert [row.startswith(busy_row if busy else error_row) for row in missed] == [True]
