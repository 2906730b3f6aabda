"""Benchmark of the batch export: every sheet of a generated municipality of 40 ramos × 8 UEs ×
20 metas (6,400 metas, 320 sheets) written by `manage.py poa_export_sheets` with one process
per core. Run with `make bench` (python -m tests.bench_batch), after tests.bench_sheet. It
builds its own throw-away SQLite database and storage in a temporary folder.

Prints the total seconds, the peak memory (the sum of the resident memory of the command and
its worker processes, sampled) and the ratio to the ideal: 320 × one 20-meta sheet's
WeasyPrint time ÷ cores. Targets: ratio ≤ 1.2, peak ≤ 1 GiB; a rerun draws nothing.

BENCH_RAMOS, BENCH_UES and BENCH_METAS make a smaller municipality for a quick look."""

import gc
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

RAMOS = int(os.environ.get("BENCH_RAMOS", "40"))
UES = int(os.environ.get("BENCH_UES", "8"))
METAS = int(os.environ.get("BENCH_METAS", "20"))
QUARTER = 2
MAX_RATIO = 1.2
MAX_PEAK = 1024**3
ROOT = Path(__file__).resolve().parents[1]


def setup_django(folder):
    # The suite's settings: production's, with a key (DEBUG would also keep every query).
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build_municipality():
    """The catalog, metas and quarters of RAMOS × UES units of METAS metas each, straight
    into the tables. Only this benchmark builds data so (tests.sheet_data, bulk inserts):
    the app's own generator, `poa_generate`, goes through the services and replaces this
    builder once it is on main."""
    from tests.sheet_data import SYNTHETIC_YEAR, make_ramo, make_unit

    for r in range(RAMOS):
        ramo = make_ramo(clave=str(10 + r))
        for u in range(UES):
            make_unit(metas=METAS, clave=str(101 + u), ramo=ramo)
    return SYNTHETIC_YEAR


def one_sheet_seconds(year):
    """WeasyPrint alone on one sheet of METAS metas: the fastest of three, as (wall seconds,
    CPU seconds)."""
    from poa.documents import html, pdf
    from poa.models import UnidadEjecutora
    from poa.selectors.sheet import build_sheet

    unit = UnidadEjecutora.objects.filter(ramo__ejercicio__year=year).first()
    _, _, document = html.render_sheet(build_sheet(unit, QUARTER))
    runs = []
    for _ in range(3):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        pdf.write_pdf(document.decode())
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    return min(runs)


class TreeMemory(threading.Thread):
    """Samples the resident memory of a process and all its descendants; keeps the peak."""

    def __init__(self, pid, every=0.2):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            self.peak = max(self.peak, sum(rss(pid) for pid in descendants(self.pid)))
            self.stopped.wait(self.every)

    def stop(self):
        self.stopped.set()
        self.join()


def descendants(root):
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, queue = [root], [root]
    while queue:
        parent = queue.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        queue += children
    return found


def rss(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def export(year, out, cores):
    """Runs the command as an operator would; returns (seconds, CPU seconds of the command and
    its workers, peak bytes, output)."""
    command = [sys.executable, "manage.py", "poa_export_sheets", "--year", str(year)]
    command += ["--quarter", str(QUARTER), "--out", str(out), "--procesos", str(cores)]
    start, before = time.perf_counter(), children_cpu()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    memory.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    memory.stop()
    if process.returncode:
        raise SystemExit(f"poa_export_sheets terminó con {process.returncode}:\n{output}")
    return seconds, children_cpu() - before, memory.peak, output


def children_cpu():
    """CPU seconds of the finished children and their own (the workers, waited for by the
    command): a machine busy with other work slows the wall clock, not this."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="poa-bench-") as folder:
        folder = Path(folder)
        setup_django(folder)
        start = time.perf_counter()
        year = build_municipality()
        sheets = RAMOS * UES
        print(
            f"Municipio: {RAMOS} ramos × {UES} UEs × {METAS} metas = {sheets * METAS:,} metas, "
            f"{sheets:,} hojas (generado en {time.perf_counter() - start:.0f} s)"
        )
        one, one_cpu = one_sheet_seconds(year)
        ideal = sheets * one / cores
        print(
            f"Una hoja de {METAS} metas, solo WeasyPrint: {one:.2f} s (mínimo de 3) · "
            f"carga de la máquina {os.getloadavg()[0]:.1f} en {cores} núcleos"
        )
        from django.db import connections

        connections.close_all()
        out = folder / "hojas"
        seconds, cpu, peak, _ = export(year, out, cores)
        ratio = seconds / ideal
        print(
            f"poa_export_sheets, {cores} procesos: {seconds:.1f} s · ideal {ideal:.1f} s "
            f"({sheets} × {one:.2f} s ÷ {cores}) · razón {ratio:.2f} · "
            f"memoria máxima {peak / 1024**2:,.0f} MiB"
        )
        print(
            f"  CPU de la exportación {cpu:.1f} s = {cpu / (sheets * one_cpu):.2f} × "
            f"({sheets} × {one_cpu:.2f} s de CPU de una hoja); arranque, consultas y ZIP incluidos"
        )
        again, _, _, output = export(year, out, cores)
        print(f"Repetición sobre las hojas ya escritas: {again:.1f} s · {output.splitlines()[-2]}")
        with zipfile.ZipFile(out / f"TMM-F004_{year}_T{QUARTER}.zip") as archive:
            entries = len(archive.namelist())
        failures = []
        if ratio > MAX_RATIO:
            failures.append(f"razón {ratio:.2f} > {MAX_RATIO}")
        if peak > MAX_PEAK:
            failures.append(f"memoria máxima {peak / 1024**2:,.0f} MiB > 1 GiB")
        if entries != sheets:
            failures.append(f"el ZIP tiene {entries} hojas, no {sheets}")
        if "0 generadas" not in output:
            failures.append("la repetición volvió a generar hojas")
        for failure in failures:
            print(f"FUERA DE META: {failure}")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
