"""One run of the load test on a database given by its URL: migrate, prepare the municipality
(tests.loadtest.data), serve it with gunicorn as `make serve` does, let the people of
tests.loadtest.client work for a while, stop the server, read the database again and check it
(tests.loadtest.verify)."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.loadtest import client, crawlers, proxy
from tests.loadtest.verify import verify

ROOT = Path(__file__).resolve().parents[2]
SAVE_P95_TARGET = 300  # ms, paced like people
# Saturated (LOADTEST_SATURATE): requests served per second in the steady phase, at least,
# and the p95 of a save, at most.
SATURATED_RATE_TARGET = 45
SATURATED_SAVE_P95_TARGET = 1500  # ms
CORES = os.cpu_count() or 1


@dataclass
class Config:
    ramos: int = 5
    ues: int = 10
    metas: int = 8
    seed: int = 7
    capturistas: int = 50
    shared: int = 5  # units whose grid two of the capturistas save
    reviewers: int = 5
    crawlers: int = 20  # robots on /transparencia/ without pause (LOADTEST_CRAWLERS)
    seconds: float = 90
    timing: client.Timing = field(default_factory=client.Timing)
    saturate: bool = False  # no pauses, everybody logs in at once (Timing.saturated)

    @classmethod
    def saturated(cls, **kwargs):
        return cls(timing=client.Timing.saturated(), saturate=True, **kwargs)

    @property
    def mode(self):
        if self.saturate:
            return "saturación: todos inician sesión a la vez y nadie hace pausas"
        return "al paso de las personas"


@dataclass
class Result:
    config: Config
    plan: dict
    stats: client.Stats
    ledger: client.Ledger
    findings: object
    elapsed: float
    workers: str
    log: Path
    load: tuple = ()  # the machine's load average before and after
    cpu: dict = field(default_factory=dict)  # {"client": seconds, "series": CpuMeter's}

    @property
    def errors(self):
        return sum(self.stats.errors.values())

    @property
    def busy(self):
        """Spanish 503s «intente de nuevo»: not errors, but the server did not keep up."""
        return sum(self.stats.busy.values())

    @property
    def steady_from(self):
        """The second from which everybody had logged in: the figures start there."""
        logged_in = self.stats.logged_in
        people = len(self.plan["capturistas"]) + len(self.plan["reviewers"])
        if len(logged_in) < people:
            return self.config.timing.ramp_up
        return max(logged_in)

    def times(self, kind, steady=True):
        """Milliseconds of the requests of `kind` in the steady phase (or before it)."""
        since = self.steady_from
        return [ms for t, ms in self.stats.times[kind] if (t >= since) == steady]

    def steady_cpu(self):
        """(gunicorn CPU seconds, PostgreSQL CPU seconds, wall seconds) of the steady phase."""
        series = self.cpu["series"]
        start = next((row for row in series if row[0] >= self.steady_from), series[-1])
        end = series[-1]
        return end[1] - start[1], end[2] - start[2], max(end[0] - start[0], 0.001)

    def steady_requests(self):
        return sum(len(self.times(kind)) for kind in client.KINDS)

    def save_p95(self):
        return percentile(self.times(client.SAVE), 95)

    def served_per_second(self):
        """Requests served per second in the steady phase, the crawlers' 429s left out."""
        served = self.steady_requests() - len(self.times(client.CRAWL_LIMITED))
        return served / max(self.elapsed - self.steady_from, 0.001)

    def targets(self, timed=True):
        """[(what, value as read, target, met)]."""
        findings = self.findings
        rows = [
            ("Errores (5xx, conexión, respuesta inesperada)", f"{self.errors:,}", "0",
             self.errors == 0),
            ("Respuestas 503 «intente de nuevo»", f"{self.busy:,}", "0", self.busy == 0),
            ("Actualizaciones perdidas", f"{len(findings.lost):,}", "0", not findings.lost),
            ("Actualizaciones mezcladas", f"{len(findings.mixed):,}", "0", not findings.mixed),
            ("Versiones viejas aceptadas", f"{len(findings.stale_accepted):,}", "0",
             not findings.stale_accepted),
            ("Versiones viejas rechazadas", f"{self.ledger.stale_refused:,}", "más de 0",
             self.ledger.stale_refused > 0),
            ("Guardados acusados", f"{findings.acks:,}", "más de 0", findings.acks > 0),
        ]  # fmt: skip
        if timed:
            rows += self.timed_targets()
        return rows

    def timed_targets(self):
        p95 = self.save_p95()
        if not self.config.saturate:
            return [
                ("p95 de guardar la captura", f"{p95:,.0f} ms", f"menos de {SAVE_P95_TARGET} ms",
                 p95 < SAVE_P95_TARGET)
            ]  # fmt: skip
        rate = self.served_per_second()
        return [
            ("Peticiones servidas por segundo en la fase estable", f"{rate:,.1f}",
             f"al menos {SATURATED_RATE_TARGET}", rate >= SATURATED_RATE_TARGET),
            ("p95 de guardar la captura", f"{p95:,.0f} ms",
             f"a lo más {SATURATED_SAVE_P95_TARGET:,} ms", p95 <= SATURATED_SAVE_P95_TARGET),
        ]  # fmt: skip

    def passed(self, timed=True):
        return all(met for *_, met in self.targets(timed))


def percentile(values, p):
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def environment(database_url, folder, port, proxied=True):
    """The settings of `make serve` on plain HTTP over the loopback: DEBUG off, a key, the
    host, and the HTTPS switches off (no TLS); behind one nginx when `proxied`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="poa.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        POA_SSL_REDIRECT="0",
        POA_SECURE_COOKIES="0",
        POA_HSTS_SECONDS="0",
        POA_PROXY_SSL_HEADER="0",
        POA_MEDIA_ROOT=str(folder / "media"),
        POA_BIND=f"127.0.0.1:{port}",
        # nginx passes each client's address in X-Forwarded-For; without it, the address
        # gunicorn sees is the client's own.
        POA_TRUSTED_PROXIES="1" if proxied else "0",
    )
    return env


def manage(env, *args):
    # The generator's log of every signature would bury the report.
    env = {**env, "POA_LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with gunicorn.conf.py, as `make serve` starts it; its output goes to a file."""

    def __init__(self, env, port, log):
        self.env, self.port, self.log = env, port, log

    def __enter__(self):
        self.output = open(self.log, "w")  # noqa: SIM115  (closed in __exit__)
        command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "poa.wsgi"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.output, stderr=subprocess.STDOUT
        )
        try:
            self.wait_until_serving()
        except BaseException:
            self.__exit__()
            raise
        return self

    def wait_until_serving(self):
        deadline = time.monotonic() + 60
        probe = client.Session("127.0.0.1", self.port, client.Stats())
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn terminó al arrancar; vea {self.log}")
            try:
                probe.request(client.LOGIN, "GET", "/cuenta/login/")
                return
            except client.Failure:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn no respondió en 60 s; vea {self.log}")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: requests under way finish
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


class CpuMeter(threading.Thread):
    """CPU seconds spent by gunicorn (the master and every worker it had) and by the
    PostgreSQL backends of the database, sampled from /proc twice a second: what the load
    cost, whatever else the machine was doing meanwhile. `series` holds (monotonic time,
    gunicorn seconds, PostgreSQL seconds) since the meter started."""

    def __init__(self, server_pid, database):
        super().__init__(daemon=True)
        self.server_pid, self.database = server_pid, database
        self.seen = {}  # pid: ("server" or "database", CPU seconds)
        self.stopped = threading.Event()
        self.series = []
        self.sample()
        self.before = {pid: cpu for pid, (_, cpu) in self.seen.items()}  # starting gunicorn

    def run(self):
        while not self.stopped.wait(0.5):
            self.sample()

    def stop(self):
        self.stopped.set()
        self.join()
        self.sample()

    def sample(self):
        tick = os.sysconf("SC_CLK_TCK")
        for pid, parent, cpu in processes():
            if pid == self.server_pid or parent == self.server_pid:
                self.seen[pid] = ("server", cpu / tick)
            elif self.database and self.database in cmdline(pid):
                self.seen[pid] = ("database", cpu / tick)
        before = getattr(self, "before", {})
        totals = {"server": 0.0, "database": 0.0}
        for pid, (kind, cpu) in self.seen.items():
            totals[kind] += cpu - before.get(pid, 0)
        self.series.append((time.monotonic(), totals["server"], totals["database"]))


def processes():
    """(pid, parent pid, CPU ticks) of every process."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        yield int(entry), int(fields[1]), int(fields[11]) + int(fields[12])


def cmdline(pid):
    """`postgres: 15/main: poa poa_loadtest 127.0.0.1(5123) idle` for a backend."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace") + " "
    except OSError:
        return ""


def run(config, database_url, folder, *, say=print) -> Result:
    """The whole run in `folder` (plan, snapshots, server log) on `database_url`."""
    folder = Path(folder)
    port = free_port()
    env = environment(database_url, folder, port, proxied=proxy.binary() is not None)
    password = secrets.token_urlsafe(12)
    say("Migrando y generando el municipio…")
    manage(env, "manage.py", "migrate", "--noinput", "--verbosity", "0")
    plan_file = folder / "plan.json"
    manage(
        env, "-m", "tests.loadtest.data", "prepare", "--out", str(plan_file),
        "--password", password, "--ramos", str(config.ramos), "--ues", str(config.ues),
        "--metas", str(config.metas), "--seed", str(config.seed),
        "--capturistas", str(config.capturistas), "--shared", str(config.shared),
        "--reviewers", str(config.reviewers),
    )  # fmt: skip
    plan = json.loads(plan_file.read_text())
    log = folder / "gunicorn.log"
    workers = gunicorn_shape(env)
    say(
        f"Carga durante {config.seconds:.0f} s contra gunicorn ({workers}) en "
        f"http://127.0.0.1:{port}…"
    )
    load = os.getloadavg()[0]
    database = urlsplit(database_url).path.lstrip("/") if "postgres" in database_url else ""
    with Server(env, port, log) as server, proxy.front(port, folder, say=say) as front:
        meter = CpuMeter(server.process.pid, f" {database} " if database else "")
        meter.start()
        own = time.process_time()
        stats = client.Stats()
        robots = crawlers.Crawlers(front, config.crawlers, stats, stats.start + config.seconds)
        stats, ledger, elapsed = client.run(
            front, plan, seconds=config.seconds, timing=config.timing, stats=stats
        )
        robots.finish(stats)
        client_cpu = time.process_time() - own
        meter.stop()
    cpu = {
        "client": client_cpu,
        "series": [(t - stats.start, server, db) for t, server, db in meter.series],
    }
    load = (load, os.getloadavg()[0])
    after_file = folder / "after.json"
    manage(env, "-m", "tests.loadtest.data", "snapshot", "--plan", str(plan_file),
           "--out", str(after_file))  # fmt: skip
    findings = verify(plan, ledger, json.loads(after_file.read_text()))
    return Result(config, plan, stats, ledger, findings, elapsed, workers, log, load, cpu)


def gunicorn_shape(env):
    """ "3 procesos" or "3 procesos × 4 hilos", as gunicorn.conf.py and the environment say."""
    command = [
        sys.executable, "-c",
        "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(c.get('workers', 1), c.get('threads', 1))",
    ]  # fmt: skip
    output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    workers, threads = (output.stdout.split() + ["?", "1"])[:2]
    extra = env.get("GUNICORN_CMD_ARGS", "")
    shape = f"{workers} procesos" + (f" × {threads} hilos" if threads != "1" else "")
    return f"{shape}, {extra}" if extra else shape


def report(result, *, timed=True, say=print):
    """The figures of the run and whether each target was met."""
    config, stats, ledger, plan = result.config, result.stats, result.ledger, result.plan
    since, elapsed = result.steady_from, result.elapsed
    say("")
    say(f"Modo: {config.mode}.")
    say(
        f"Municipio de {plan['units']} unidades ejecutoras de {config.metas} metas; "
        f"{len(plan['capturistas'])} capturistas en {result.findings.units} unidades "
        f"({plan['shared']} con dos capturistas), {len(plan['reviewers'])} revisores y "
        f"{config.crawlers} rastreadores sin pausa en /transparencia/ (en un proceso aparte, "
        f"con prioridad baja); "
        f"gunicorn con {result.workers}."
    )
    if result.load:
        say(f"Carga media de la máquina: {result.load[0]:.1f} antes, {result.load[1]:.1f} después.")
    if result.cpu:
        server, database, seconds = result.steady_cpu()
        requests = result.steady_requests()
        say(
            f"CPU en la fase estable: gunicorn {server:,.1f} s y PostgreSQL {database:,.1f} s "
            f"en {seconds:,.1f} s ({(server + database) / seconds / CORES:.0%} de {CORES} "
            f"núcleos), {server * 1000 / max(requests, 1):,.1f} + "
            f"{database * 1000 / max(requests, 1):,.1f} ms por petición; este cliente "
            f"{result.cpu['client']:,.1f} s en toda la prueba."
        )
    logins, early = result.times(client.LOGIN, steady=False), result.times(client.SAVE, False)
    say(
        f"Arranque, {since:.1f} s: {len(logins):,} peticiones de inicio de sesión "
        f"(p95 {percentile(logins, 95):,.0f} ms) y {len(early):,} guardados "
        f"(p95 {percentile(early, 95):,.0f} ms)."
    )
    steady = result.steady_requests()
    say(
        f"Fase estable, del segundo {since:.1f} al {elapsed:.1f}: {steady:,} peticiones, "
        f"{steady / max(elapsed - since, 0.001):,.1f} por segundo."
    )
    say(f"{'petición':<32}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'máx ms':>9}{'errores':>9}{'503':>6}")
    for kind in client.KINDS:
        times = result.times(kind)
        if times:
            say(
                f"{kind:<32}{len(times):>7,}{percentile(times, 50):>9,.0f}"
                f"{percentile(times, 95):>9,.0f}{max(times):>9,.0f}{stats.errors[kind]:>9,}"
                f"{stats.busy[kind]:>6,}"
            )
    if config.crawlers:
        served, limited = result.times(client.CRAWL), result.times(client.CRAWL_LIMITED)
        say(
            f"Rastreadores en la fase estable: {len(served):,} páginas servidas y "
            f"{len(limited):,} respuestas 429 del límite por dirección."
        )
    say(
        f"Guardados acusados: {result.findings.acks:,}; rechazados porque el otro capturista "
        f"de la unidad guardó antes: {ledger.races_refused:,}; sin respuesta: "
        f"{len(ledger.in_doubt):,}."
    )
    for sample in stats.samples:
        say(f"  error: {sample}")
    findings = result.findings
    for line in (findings.lost + findings.mixed + findings.stale_accepted)[:20]:
        say(f"  {line}")
    say("")
    for what, value, target, met in result.targets(timed):
        say(f"{'CUMPLE' if met else 'NO CUMPLE':<10} {what}: {value} (meta: {target})")
