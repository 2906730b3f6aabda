"""The simulated people of the load test, speaking HTTP to the server as a browser does: a
session's cookies, the CSRF token of each form, one connection per request (as nginx talks to
gunicorn). Capturistas save their grid over and over and, now and then, send an old version
again on purpose; reviewers read seguimiento, sheets and PDFs. What the server acknowledged
goes to the Ledger, what every request took to the Stats."""

import html
import random
import re
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

# Kinds of request, as the report names them.
LOGIN = "inicio de sesión"
GRID = "captura: abrir"
SAVE = "captura: guardar"
STALE_SAVE = "captura: guardar versión vieja"
TRACKING = "seguimiento"
SHEET = "hoja TMM-F004"
PDF = "PDF"
CRAWL = "transparencia (rastreador)"
CRAWL_LIMITED = "transparencia: 429"
KINDS = (LOGIN, GRID, SAVE, STALE_SAVE, TRACKING, SHEET, PDF, CRAWL, CRAWL_LIMITED)
# The public links a crawler follows (never a sealed PDF: the portal links them, a crawler
# of pages has no use for them).
PUBLIC_LINK = re.compile(r'href="(/(?:transparencia|verificar)/[^"#]*)"')
CRAWL_FRONTIER = 5000

SAVED = re.compile(r"Se guardaron las cifras de (\d[\d,]*) metas?|No había cambios que guardar")
STALE = "Otra persona guardó este informe mientras usted capturaba"
# Observations of the old versions sent on purpose: none may ever reach the database.
STALE_MARK = "[versión vieja]"
REASONS = (
    "se reprogramó una actividad",
    "hubo más solicitudes de las previstas",
    "faltó personal en el periodo",
    "se atendió una contingencia",
)


@dataclass
class Timing:
    """How a simulated person paces itself, in seconds."""

    ramp_up: float = 20.0  # people start (and log in) spread over this
    think: tuple = (2.0, 8.0)  # between loading the grid and saving it
    read: tuple = (1.0, 4.0)  # a reviewer between two pages
    stale_share: float = 0.15  # saves followed by a resend of the old version

    @classmethod
    def saturated(cls):
        """The deadline afternoon (LOADTEST_SATURATE): everybody logs in at the same moment
        and nobody pauses between two requests."""
        return cls(ramp_up=0.0, think=(0.0, 0.0), read=(0.0, 0.0))


# The Spanish 503 of a server past its capacity (poa.web.views.errors): counted apart from
# the errors, as a refusal the person can act on.
BUSY_PAGE = "intente de nuevo"


class Stats:
    """Every request by kind as (second of the run it ended, milliseconds it took), the
    requests that failed, the Spanish 503s «intente de nuevo» (`busy`, not errors), and when
    each person had logged in."""

    def __init__(self):
        self.lock = threading.Lock()
        self.start = time.monotonic()
        self.times = {kind: [] for kind in KINDS}
        self.errors = {kind: 0 for kind in KINDS}
        self.busy = {kind: 0 for kind in KINDS}
        self.samples = []  # the first failures, to show
        self.logged_in = []  # seconds of the run

    def now(self):
        return time.monotonic() - self.start

    def add(self, kind, millis, error=None):
        with self.lock:
            self.times[kind].append((self.now(), millis))
            if error:
                self.errors[kind] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind}: {error}")

    def measured(self, kinds=KINDS):
        """What was measured of `kinds`, as plain data another process can send."""
        with self.lock:
            return {
                "times": {kind: self.times[kind] for kind in kinds},
                "errors": {kind: self.errors[kind] for kind in kinds},
                "busy": {kind: self.busy[kind] for kind in kinds},
                "samples": self.samples,
            }

    def merge(self, measured):
        """Adds what another Stats measured (its measured()) on the same clock."""
        with self.lock:
            for kind, times in measured["times"].items():
                self.times[kind].extend(times)
                self.errors[kind] += measured["errors"][kind]
                self.busy[kind] += measured["busy"][kind]
            self.samples.extend(measured["samples"][: max(0, 10 - len(self.samples))])

    def refuse(self, kind):
        """A Spanish 503 «intente de nuevo»: the server said it is past its capacity (kept
        out of the times, which are of requests served)."""
        with self.lock:
            self.busy[kind] += 1

    def fail(self, kind, error):
        """A request whose answer was wrong although it came back: counted as an error."""
        with self.lock:
            self.errors[kind] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{kind}: {error}")


@dataclass
class Ack:
    """A save the server acknowledged: made on `base`, the report is now at base + 1."""

    unit: int
    user: str
    base: int
    values: dict  # {meta pk: (Decimal alcanzado, observaciones)}
    changed_shown: int  # "Se guardaron las cifras de N metas"
    changed_expected: int  # rows that differ from the grid as it was loaded


@dataclass
class Seen:
    """A grid as a capturista saw it: its version and values."""

    unit: int
    user: str
    version: int
    values: dict


@dataclass
class Ledger:
    """Everything the server told the capturistas, for the verification afterwards."""

    acks: list = field(default_factory=list)
    seen: list = field(default_factory=list)
    stale_refused: int = 0  # old versions sent on purpose and refused in Spanish
    stale_accepted: list = field(default_factory=list)  # [(unit, user, base)] must stay empty
    races_refused: int = 0  # saves refused because the other capturista saved first
    in_doubt: list = field(default_factory=list)  # [(unit, user, base)] saves without answer
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name, item):
        with self.lock:
            getattr(self, name).append(item)

    def count(self, name):
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class Failure(Exception):
    """An answer that stops the person's current step (already counted in the stats)."""


class Session:
    """One browser: its cookies, and the stats every request it makes goes to."""

    def __init__(self, host, port, stats, source=None):
        self.host, self.port, self.stats = host, port, stats
        self.source = (source, 0) if source else None  # the address it connects from
        self.cookies = {}

    def request(self, kind, method, path, data=None, expect=(200,)):
        """(status, location, body); a connection failure or a status not expected is counted
        as an error of `kind` and raises Failure."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        headers["Connection"] = "close"
        # When the request was sent, as nginx stamps it (poa.web.middleware.QueueTimeMiddleware).
        headers["X-Request-Start"] = f"t={time.time():.3f}"
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            status, location, content = self._send(method, path, body, headers)
        except OSError as error:
            self.stats.add(kind, _millis(start), f"{method} {path}: {error!r}")
            raise Failure(str(error)) from error
        if status == 503 and status not in expect and is_busy_page(content):
            self.stats.refuse(kind)
            raise Failure(f"{method} {path}: HTTP 503 {BUSY_PAGE}")
        error = None if status in expect else f"{method} {path}: HTTP {status}"
        self.stats.add(kind, _millis(start), error)
        if error:
            raise Failure(error)
        return status, location, content

    def _send(self, method, path, body, headers):
        connection = HTTPConnection(self.host, self.port, timeout=120, source_address=self.source)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        location = urlsplit(response.headers.get("Location", "")).path
        if "text/html" in response.headers.get("Content-Type", ""):
            content = content.decode()
        return response.status, location, content

    def get(self, kind, path):
        return self.request(kind, "GET", path)[2]

    def log_in(self, username, password):
        page = self.get(LOGIN, "/cuenta/login/")
        data = {"username": username, "password": password, "csrfmiddlewaretoken": token(page)}
        self.request(LOGIN, "POST", "/cuenta/login/", data, expect=(302,))


def is_busy_page(content):
    return isinstance(content, str) and BUSY_PAGE in content.lower()


def _millis(start):
    return (time.perf_counter() - start) * 1000


def token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def alerts(page):
    """The messages a page shows: [(bootstrap colour, text)]."""
    found = re.findall(
        r'<div class="alert alert-(\w+) alert-dismissible[^>]*>(.*?)<button', page, re.S
    )
    return [(colour, " ".join(html.unescape(text).split())) for colour, text in found]


# The capture grid ---------------------------------------------------------------------------


@dataclass
class Row:
    prefix: str  # meta-<pk>
    programado: Decimal
    decimals: bool
    alcanzado: Decimal | None
    observaciones: str


@dataclass
class Grid:
    version: int
    csrf: str
    rows: list

    @property
    def values(self):
        return {_pk(row.prefix): (row.alcanzado, row.observaciones) for row in self.rows}


ROW = re.compile(r'<tr id="meta-[^"]*" class="capture-row"(.*?)</tr>', re.S)


def parse_grid(page) -> Grid:
    """The version, token and editable rows of a capture grid page."""
    version = re.search(r'<input type="hidden" name="version" value="(\d+)">', page)
    rows = [_row(match[1]) for match in ROW.finditer(page)]
    if version is None or not rows or any(row is None for row in rows):
        raise Failure("la captura no se mostró editable")
    return Grid(int(version[1]), token(page), rows)


def _row(block):
    programado = re.search(r'data-programado="([^"]*)"', block)
    decimals = re.search(r'data-decimales="([01])"', block)
    field = re.search(r'name="(meta-\d+)-alcanzado"[^>]*?value="([^"]*)"', block, re.S)
    notes = re.search(r'name="meta-\d+-observaciones"[^>]*>(.*?)</textarea>', block, re.S)
    if not (programado and decimals and field and notes):
        return None
    alcanzado = field[2].replace(",", "")
    return Row(
        prefix=field[1],
        programado=Decimal(programado[1]),
        decimals=decimals[1] == "1",
        alcanzado=Decimal(alcanzado) if alcanzado else None,
        observaciones=html.unescape(notes[1]).strip(),
    )


def _pk(prefix):
    return int(prefix.split("-")[1])


def new_values(grid, rng, note) -> dict:
    """{meta pk: (alcanzado, observaciones)} as a capturista would type them: on plan or not,
    with the explanation the grid asks for where they differ; at least one row changes."""
    values = {}
    for row in grid.rows:
        planned = row.programado
        if rng.random() < 0.4:
            achieved = planned
        elif row.decimals:
            achieved = Decimal(rng.randint(0, int(planned * 200) + 500)) / 100
        else:
            achieved = Decimal(rng.randint(0, int(planned * 2) + 5))
        values[_pk(row.prefix)] = (achieved, _explanation(achieved, planned, rng, note))
    if values == grid.values:
        row = grid.rows[0]
        achieved = row.programado + 1
        values[_pk(row.prefix)] = (achieved, _explanation(achieved, row.programado, rng, note))
    return values


def _explanation(achieved, planned, rng, note):
    return "" if achieved == planned else f"{note}: {rng.choice(REASONS)}."


def form(grid, values, version=None):
    data = {"csrfmiddlewaretoken": grid.csrf, "save": "1"}
    data["version"] = str(grid.version if version is None else version)
    for pk, (achieved, notes) in values.items():
        data[f"meta-{pk}-alcanzado"] = f"{achieved:f}"
        data[f"meta-{pk}-observaciones"] = notes
    return data


def changed_rows(grid, values):
    loaded = grid.values
    return sum(1 for pk, value in values.items() if loaded.get(pk) != value)


# The people ---------------------------------------------------------------------------------


class Person(threading.Thread):
    def __init__(self, server, account, stats, ledger, timing, deadline, seed):
        super().__init__(daemon=True, name=account["username"])
        self.session = Session(*server, stats)
        self.account, self.stats, self.ledger = account, stats, ledger
        self.timing, self.deadline = timing, deadline
        self.rng = random.Random(seed)

    def pause(self, bounds):
        time.sleep(self.rng.uniform(*bounds))

    def more(self):
        return time.monotonic() < self.deadline

    def run(self):
        time.sleep(self.rng.uniform(0, self.timing.ramp_up))
        if not self.log_in():
            return
        with self.stats.lock:
            self.stats.logged_in.append(self.stats.now())
        while self.more():
            try:
                self.step()
            except Failure:
                time.sleep(1)  # counted already; as a person would, try again shortly

    def log_in(self):
        """Whether the person got in before the run ended: a refusal (a 503 «intente de
        nuevo» under saturation) is tried again a second later, as a person would."""
        while self.more():
            try:
                self.session.log_in(self.account["username"], self.account["password"])
                return True
            except Failure:
                time.sleep(1)
        return False


class Capturista(Person):
    """Loads the grid, types, saves, reads what the server says; sometimes sends the version
    it had before once more, which must be refused."""

    page = None
    saves = 0

    def step(self):
        path, unit, user = self.account["grid"], self.account["unit"], self.account["username"]
        page = self.page or self.session.get(GRID, path)
        self.page = None
        try:
            grid = parse_grid(page)
        except Failure as error:
            self.stats.fail(GRID, f"{path}: {error}")
            raise
        self.ledger.add("seen", Seen(unit, user, grid.version, grid.values))
        self.pause(self.timing.think)
        self.saves += 1
        values = new_values(grid, self.rng, f"{user} guardado {self.saves}")
        try:
            status, location, page = self.session.request(
                SAVE, "POST", path, form(grid, values), expect=(200, 302)
            )
        except Failure:
            self.ledger.add("in_doubt", (unit, user, grid.version))
            raise
        if status == 200:
            self.refused(page)
            return
        try:
            self.page = self.session.get(GRID, location)
        except Failure:
            self.ledger.add("in_doubt", (unit, user, grid.version))
            raise
        self.acknowledged(grid, values, self.page)
        if self.rng.random() < self.timing.stale_share:
            self.resend_old(grid)

    def refused(self, page):
        """A save answered with the grid again: only "someone else saved" is expected."""
        if any(colour == "danger" and STALE in text for colour, text in alerts(page)):
            self.ledger.count("races_refused")
        else:
            self.stats.fail(SAVE, f"guardado no aceptado: {alerts(page)}")

    def acknowledged(self, grid, values, page):
        shown = [SAVED.search(text) for colour, text in alerts(page) if colour == "success"]
        shown = [match for match in shown if match]
        if not shown:
            self.stats.fail(SAVE, f"sin mensaje de guardado: {alerts(page)}")
            where = (self.account["unit"], self.account["username"], grid.version)
            self.ledger.add("in_doubt", where)
            return
        changed = int(shown[0][1].replace(",", "")) if shown[0][1] else 0
        ack = Ack(
            self.account["unit"],
            self.account["username"],
            grid.version,
            values,
            changed,
            changed_rows(grid, values),
        )
        self.ledger.add("acks", ack)

    def resend_old(self, grid):
        """The same grid, with other figures, on the version the save just replaced."""
        self.saves += 1
        note = f"{STALE_MARK} {self.account['username']} guardado {self.saves}"
        values = new_values(grid, self.rng, note)
        where = (self.account["unit"], self.account["username"], grid.version)
        _, _, page = self.session.request(
            STALE_SAVE, "POST", self.account["grid"], form(grid, values), expect=(200, 302)
        )
        if isinstance(page, str) and any(
            colour == "danger" and STALE in text for colour, text in alerts(page)
        ):
            self.ledger.count("stale_refused")
        else:
            self.ledger.add("stale_accepted", where)
            self.stats.fail(STALE_SAVE, "una versión vieja no se rechazó")
        self.page = None  # the page after a refusal holds typed figures: load it again


class Reviewer(Person):
    """Reads the seguimiento at every level, and the sheets and PDFs of its units."""

    def step(self):
        account, rng = self.account, self.rng
        choice = rng.random()
        if choice < 0.45:
            self.read(TRACKING, rng.choice(account["tracking"]), "<title>Seguimiento")
        elif choice < 0.8:
            self.read(SHEET, rng.choice(account["units"])["sheet"], "<title>TMM-F004")
        else:
            self.read(PDF, rng.choice(account["units"])["pdf"], b"%PDF")
        self.pause(self.timing.read)

    def read(self, kind, path, start):
        """A page or document, which must be what was asked for, not just any 200."""
        content = self.session.get(kind, path)
        if type(content) is not type(start) or start not in content[:4000]:
            self.stats.fail(kind, f"{path} no devolvió lo esperado")


class Crawler(threading.Thread):
    """A robot on the public portal, without an account and without pause: from
    /transparencia/ it follows every public link it finds, connecting from a loopback
    address of its own (127.0.0.n), so that nginx sees one address per robot as it would in
    production. The rate limit's 429 is an expected answer (counted apart, its Retry-After
    ignored: a rude robot asks again at once); anything else but 200 is an error."""

    def __init__(self, server, address, stats, deadline, seed):
        super().__init__(daemon=True, name=f"rastreador-{address}")
        self.session = Session(*server, stats, source=address)
        self.address, self.stats, self.deadline = address, stats, deadline
        self.rng = random.Random(seed)
        self.known, self.seen = ["/transparencia/"], {"/transparencia/"}

    def run(self):
        while time.monotonic() < self.deadline:
            try:
                self.step()
            except Failure:
                time.sleep(0.1)

    def step(self):
        path = self.rng.choice(self.known)
        start = time.perf_counter()
        try:
            status, _, page = self.session._send("GET", path, None, {"Connection": "close"})
        except OSError as error:
            self.stats.add(CRAWL, _millis(start), f"GET {path}: {error!r}")
            raise Failure(str(error)) from error
        if status == 429:
            self.stats.add(CRAWL_LIMITED, _millis(start))
            return
        if status == 503 and is_busy_page(page):
            self.stats.refuse(CRAWL)
            return
        error = None if status == 200 else f"GET {path}: HTTP {status}"
        self.stats.add(CRAWL, _millis(start), error)
        if isinstance(page, str):
            self.learn(page)

    def learn(self, page):
        for link in PUBLIC_LINK.findall(html.unescape(page)):
            fresh = link not in self.seen and not link.endswith("/pdf/")
            if fresh and len(self.known) < CRAWL_FRONTIER:
                self.seen.add(link)
                self.known.append(link)


def run(server, plan, *, seconds, timing, seed=1, stats=None):
    """Runs every person of the plan against server = (host, port) for `seconds` from
    stats.start; returns (stats, ledger, elapsed seconds). The crawlers run elsewhere
    (tests.loadtest.crawlers)."""
    stats, ledger = stats or Stats(), Ledger()
    start = stats.start
    deadline = start + seconds
    people = [
        Capturista(server, account, stats, ledger, timing, deadline, seed * 1000 + n)
        for n, account in enumerate(plan["capturistas"])
    ]
    people += [
        Reviewer(server, account, stats, ledger, timing, deadline, seed * 2000 + n)
        for n, account in enumerate(plan["reviewers"])
    ]
    for person in people:
        person.start()
    for person in people:
        person.join()
    return stats, ledger, time.monotonic() - start
