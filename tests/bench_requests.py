"""Benchmark of what one request costs the server: the CPU milliseconds and SQL queries of the
requests the load test makes (tests/loadtest), on a municipality of its size (`poa_generate`,
5 ramos × 10 UEs × 8 metas, the fourth quarter open for capture). Run with `make bench`
(python -m tests.bench_requests).

Every request goes through the test client in this process, so the whole middleware stack
runs; the CPU time (time.process_time) is the process's own, which the rest of a shared
machine does not inflate. Prints, for each kind of request, the CPU milliseconds p50 and p95
of REPEAT requests, the wall milliseconds p50 and the SQL queries of one request:
- captura: abrir / guardar: a capturista opens their unit's grid, or saves it with new figures
  (as tests/loadtest/client.py does, a different set every time);
- hoja TMM-F004: the sheet in HTML of a captured quarter, as planeación;
- seguimiento, each level: as planeación, of the quarter before the one being captured;
- inicio de sesión: the login page and its POST, from a new browser.
The password hasher is the suite's (tests/settings.py), not production's third of a second.

The municipality is generated once into an SQLite file in the system's temporary folder, as
tests/bench_scale.py does; each run works on a copy. BENCH_REQUESTS_REPEAT changes the run."""

import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from tests.bench_scale import (
    QueryCounter,
    cached_path,
    done_marker,
    generate,
    load,
    p95,
    setup_django,
)

SHAPE = (5, 10, 8)  # as tests/loadtest/data.py
SEED = 7
QUARTER = 4  # open for capture
READ_QUARTER = 3  # captured by the generator
REPEAT = int(os.environ.get("BENCH_REQUESTS_REPEAT", "30"))
PASSWORD = "banco-de-pruebas-2023"
ROW = "{:<30} {:>9} {:>9} {:>9} {:>10}"


def prepare():
    """Opens the fourth quarter for capture and gives the first unit's capturista and
    planeación a password; (year, that unit, its capturista, planeación)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from poa.models import Ejercicio, UnidadEjecutora
    from poa.services.generate import PLANEACION_USERNAME
    from poa.services.periods import period_open

    ejercicio = Ejercicio.objects.get()
    planeacion = get_user_model().objects.get(username=PLANEACION_USERNAME)
    deadline = timezone.now() + timedelta(days=30)
    period_open(ejercicio=ejercicio, quarter=QUARTER, deadline=deadline, user=planeacion)
    ue = UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio).order_by("ramo__clave", "clave")
    ue = ue.select_related("ramo").first()
    capturista = ue.capturistas.get()
    for user in (capturista, planeacion):
        user.set_password(PASSWORD)
        user.save()
    return ejercicio.year, ue, capturista, planeacion


def measure(path):
    """[(kind, [cpu ms], [wall ms], queries)] of every kind of request, in this process."""
    setup_django(path)
    from django.test import Client

    year, ue, capturista, planeacion = prepare()
    unit = f"{year}/{ue.ramo.clave}/{ue.clave}"
    grid = f"/captura/{unit}/{QUARTER}/"
    capture, reader = Client(), Client()
    capture.force_login(capturista)
    reader.force_login(planeacion)
    saves = Saves(capture, grid)
    tracking = f"/seguimiento/{year}/{READ_QUARTER}/"
    kinds = [
        ("captura: abrir", lambda: capture.get(grid)),
        ("captura: guardar", saves),
        ("hoja TMM-F004 (HTML)", lambda: reader.get(f"/tmm-f004/{unit}/{READ_QUARTER}/")),
        ("seguimiento · ramos", lambda: reader.get(tracking)),
        ("seguimiento · programas", lambda: reader.get(tracking + "?nivel=programa")),
        ("seguimiento · unidades", lambda: reader.get(tracking + "?nivel=ue")),
        ("seguimiento · metas", lambda: reader.get(tracking + "?nivel=meta")),
        ("inicio de sesión (GET+POST)", lambda: log_in(capturista.username)),
    ]
    return [(kind, *timed(request)) for kind, request in kinds]


class Saves:
    """Saves the grid with new figures each call; the page is loaded before the clock runs."""

    def __init__(self, client, path):
        self.client, self.path = client, path
        self.rng = random.Random(SEED)
        self.count = 0
        self.data = None

    def setup(self):
        from tests.loadtest.client import form, new_values, parse_grid

        page = parse_grid(self.client.get(self.path).content.decode())
        self.count += 1
        self.data = form(page, new_values(page, self.rng, f"banco {self.count}"))

    def __call__(self):
        response = self.client.post(self.path, self.data)
        assert response.status_code == 302, response.status_code
        return response


def log_in(username):
    from django.test import Client

    from tests.loadtest.client import token

    client = Client()
    page = client.get("/cuenta/login/").content.decode()
    data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token(page)}
    response = client.post("/cuenta/login/", data)
    assert response.status_code == 302, response.status_code
    return response


def timed(request):
    """([cpu ms], [wall ms], queries) of REPEAT calls of `request` after a warm-up."""
    from django.db import connection

    setup = getattr(request, "setup", lambda: None)
    setup()
    assert request().status_code in (200, 302)  # warm: templates, caches
    setup()
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        request()
    cpus, walls = [], []
    for _ in range(REPEAT):
        setup()
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        request()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return cpus, walls, queries.count


def main():
    path = cached_path("requests", SHAPE, SEED)
    if not done_marker(path).exists():
        print(f"  (generando {SHAPE[0]}×{SHAPE[1]}×{SHAPE[2]} metas con poa_generate; en {path})")
        generate(path, SHAPE, SEED)
    work = Path(tempfile.mkdtemp(prefix="poa-bench-requests-")) / "poa.sqlite3"
    shutil.copyfile(path, work)
    print(f"Costo por petición ({REPEAT} de cada una, en proceso; carga: {load()})")
    print(ROW.format("petición", "CPU p50", "CPU p95", "pared p50", "consultas"))
    try:
        for kind, cpus, walls, queries in measure(work):
            cells = (statistics.median(cpus), p95(cpus), statistics.median(walls))
            print(ROW.format(kind, *(f"{value:,.1f}" for value in cells), queries))
    finally:
        shutil.rmtree(work.parent)
    print(f"carga al terminar: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
