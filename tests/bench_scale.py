"""Benchmark of the pages everyone opens first at a large municipality's size: seguimiento (each
level), planeación's home and the programming overview, on municipalities that `poa_generate`
builds of 20, 2,000 and 6,400 metas (1 × 1 × 20, 10 × 10 × 20 and 20 × 16 × 20 ramos × UEs ×
metas). Run with `make bench` (python -m tests.bench_scale).

Prints, for each size and page, the wall milliseconds p50 and p95 of REPEAT requests in-process
(the test client, signed in as planeación), the process's CPU milliseconds p50 (which the rest
of a shared machine does not inflate) and the SQL queries. Fails when a page at 6,400 metas
takes 300 ms or more at p95. The queries are pinned by tests/test_scale_queries.py on like data
at each size; here they follow the generated data (planeación's home skips the queries of the
tasks it does not have: every report of the 20-meta municipality is authorized).

Each municipality is generated once into an SQLite file kept in the system's temporary folder
(keyed by size, seed and migrations): generating 6,400 metas through the services takes
minutes. BENCH_SCALE_SIZES (e.g. "20,2000") and BENCH_SCALE_REPEAT change the run."""

import gc
import hashlib
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHAPES = {20: (1, 1, 20), 2000: (10, 10, 20), 6400: (20, 16, 20)}
SIZES = tuple(int(s) for s in os.environ.get("BENCH_SCALE_SIZES", "20,2000,6400").split(","))
REPEAT = int(os.environ.get("BENCH_SCALE_REPEAT", "20"))
SEED = 2023
TARGET_MS = 300
TARGET_SIZE = 6400
QUARTER = 2
ROW = "{:>6}  {:<34} {:>8} {:>8} {:>8} {:>8}"


def database_path(size) -> Path:
    return cached_path(f"scale-{size}", SHAPES[size], SEED)


def cached_path(name, shape, seed) -> Path:
    """The SQLite file of a generated municipality, keyed by its shape, seed and migrations."""
    migrations = sorted(p.name for p in (ROOT / "poa" / "migrations").glob("0*.py"))
    key = hashlib.sha256(f"{shape} {seed} {migrations}".encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"poa-bench-{name}-{key}.sqlite3"


def generate(path, shape, seed=SEED):
    """The municipality of `shape` (ramos, UEs per ramo, metas per UE) into `path`, in a child
    process of its own (Django binds to one database per process)."""
    ramos, ues, metas = shape
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    env = os.environ | _settings_env(path)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    command = ["poa_generate", f"--ramos={ramos}", f"--ues-por-ramo={ues}"]
    command += [f"--metas-por-ue={metas}", f"--seed={seed}"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run([*manage, *command], env=env, check=True, cwd=ROOT, **quiet)
    done_marker(path).touch()


def done_marker(path) -> Path:
    """Written once the municipality is complete: an interrupted generation is redone."""
    return path.with_name(path.name + ".listo")


def _settings_env(path):
    # The suite's settings: production's, with a key (DEBUG would also keep every query).
    return {"DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": f"sqlite:///{path}"}


def setup_django(path):
    """Django on the database at `path`, in this process, as the test client needs it."""
    os.environ.update(_settings_env(path))
    import django

    django.setup()
    logging.disable(logging.WARNING)
    # WhiteNoise's notice that `collectstatic` was not run: the pages do not need it here.
    warnings.filterwarnings("ignore", message="No directory at")
    from django.conf import settings
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As the test runner does: one connection for the whole run, so queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["testserver"]


def measure(path):
    """[(page, [wall ms], [cpu ms], queries)] of every page, in this process."""
    setup_django(path)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from poa.models import Ejercicio
    from poa.services.generate import PLANEACION_USERNAME

    client = Client()
    client.force_login(get_user_model().objects.get(username=PLANEACION_USERNAME))
    year = Ejercicio.objects.get().year
    results = []
    for page, url in pages(year):
        assert client.get(url).status_code == 200, url  # warm: templates, caches
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            client.get(url)
        walls, cpus = [], []
        for _ in range(REPEAT):
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(url)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        results.append((page, walls, cpus, queries.count))
    return results


class QueryCounter:
    """A database execute wrapper that counts the queries it sees."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def pages(year):
    base = f"/seguimiento/{year}/{QUARTER}/"
    return [
        ("seguimiento · ramos", base),
        ("seguimiento · programas", base + "?nivel=programa"),
        ("seguimiento · unidades", base + "?nivel=ue"),
        ("seguimiento · metas", base + "?nivel=meta"),
        ("seguimiento · metas en rojo", base + "?nivel=meta&semaforo=rojo"),
        ("inicio de planeación", "/"),
        ("programación del año", f"/programacion/{year}/"),
    ]


def p95(values):
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def child(size):
    """Measures one size in this (child) process and prints its rows as JSON."""
    print(json.dumps(measure(database_path(size))))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
        return 0
    print(f"Páginas a escala ({REPEAT} peticiones cada una, en proceso; carga: {load()})")
    print(ROW.format("metas", "página", "p50 ms", "p95 ms", "CPU ms", "consultas"))
    slow = []
    for size in SIZES:
        path = database_path(size)
        if not done_marker(path).exists():
            print(f"  (generando {size:,} metas con poa_generate; se guarda en {path})")
            generate(path, SHAPES[size])
        output = subprocess.run(
            [sys.executable, "-m", "tests.bench_scale", "--child", str(size)],
            check=True, cwd=ROOT, capture_output=True, text=True,
        ).stdout  # fmt: skip
        for page, walls, cpus, count in json.loads(output.strip().splitlines()[-1]):
            high = p95(walls)
            print(ROW.format(f"{size:,}", page, f"{statistics.median(walls):,.0f}",
                             f"{high:,.0f}", f"{statistics.median(cpus):,.0f}", count))  # fmt: skip
            if size == TARGET_SIZE and high >= TARGET_MS:
                slow.append(page)
    print(f"carga al terminar: {load()}")
    if slow:
        print(f"FALLA: p95 de {TARGET_MS} ms o más a {TARGET_SIZE:,} metas en: " + ", ".join(slow))
    return 1 if slow else 0


def load():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
