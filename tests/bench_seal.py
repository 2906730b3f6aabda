"""Benchmark of the seal and the e.firma: what they add to a report's sign-off, and how fast a
sealed PDF is served. Run with `make bench` (python -m tests.bench_seal). It builds its own
throw-away SQLite database, storage and demo certificate authority in a temporary folder.

1. The authorization of UE 102's second quarter as before the seal (the transition and one
   render of its PDF, kept), sealed (the transition, the seal, the PDF/A with its folio and QR,
   hashed) and, over the whole sign-off, the three signatures with e.firma (the sheet drawn at
   ELABORÓ, three incremental PAdES signatures, the seal) against the three steps before. The
   median of REPEAT runs of each, alternated. Target: each under 1.15 × before.
2. The sealed PDF served by gunicorn (gunicorn.conf.py, as `make serve`) at
   /verificar/<folio>/pdf/ to 4 clients at once, REQUESTS requests. Target: p95 under 50 ms."""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPEAT = int(os.environ.get("BENCH_SEAL_REPEAT", "5"))
REQUESTS = int(os.environ.get("BENCH_SEAL_REQUESTS", "400"))
CLIENTS = 4
MAX_RATIO = 1.15
MAX_P95_MS = 50
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-2023"


def setup_django(folder):
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    import django
    from django.core.management import call_command

    django.setup()
    from django.test.utils import override_settings

    from poa.jobs import IMMEDIATE_BACKEND

    # The seal's job runs at once, in this process, as soon as the authorization commits.
    override_settings(
        TASKS={"default": {"BACKEND": IMMEDIATE_BACKEND}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ).enable()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "reference", verbosity=0)


def demo_authority(folder):
    from django.conf import settings

    from poa.management.efirma_demo import make_authority, make_certificate

    authority = make_authority()
    (folder / "ac").mkdir()
    (folder / "ac" / "ac.cer").write_bytes(authority.cer)
    settings.POA_FIRMA_RAICES = str(folder / "ac")
    holders = {
        "LIC. FABIOLA LEÓN HUERTA CABRERA": "FABIOLA LEON HUERTA CABRERA",
        "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN": "AARON ALEXIS ALVAREZ MARIN",
    }
    credentials = {}
    for persona, name in holders.items():
        issued = make_certificate(authority, name=name)
        credentials[persona] = {
            "cer": issued.cer,
            "key": issued.key_file(PASSWORD),
            "password": PASSWORD,
        }
    return credentials


class SignOff:
    """UE 102's second quarter, signed off again and again: each run reopens it first."""

    def __init__(self):
        from poa.models import Persona, Report, UnidadEjecutora
        from tests.conftest import complete_quarter, make_user

        self.ue = UnidadEjecutora.objects.select_related(
            "responsable", "programa__responsable", "ramo__responsable"
        ).get(clave="102", ramo__ejercicio__year=2023)
        complete_quarter("102", 2)
        self.report, _ = Report.objects.get_or_create(unidad_ejecutora=self.ue, quarter=2)
        self.users = {}
        for persona in {
            self.ue.responsable,
            self.ue.programa.responsable,
            self.ue.ramo.responsable,
        }:
            user = make_user(f"bench{persona.pk}")
            Persona.objects.filter(pk=persona.pk).update(usuario=user)
            self.users[persona.nombre] = user
        self.planeacion = make_user("bench-planeacion", is_superuser=True)

    def user(self, persona):
        return self.users[persona.nombre]

    def reopen(self):
        from django.contrib.auth.models import Group

        from poa.selectors.access import PLANEACION_GROUP
        from poa.services.review import report_reopen

        self.planeacion.groups.add(Group.objects.get_or_create(name=PLANEACION_GROUP)[0])
        self.report.refresh_from_db()
        if self.report.state == "autorizado":
            report_reopen(report=self.report, user=self.planeacion, comment="Banco de pruebas.")

    def to_reviewed(self, credentials=None):
        from poa.services.review import report_review, report_send

        ue = self.ue
        report_send(
            report=self.report,
            user=self.user(ue.responsable),
            credentials=credentials and credentials[ue.responsable.nombre],
        )
        report_review(
            report=self.report,
            user=self.user(ue.programa.responsable),
            credentials=credentials and credentials[ue.programa.responsable.nombre],
        )

    def authorize(self, credentials=None, *, sealing=True):
        """The authorization through the one runner; without `sealing`, with the report flow
        as it was before the seal (no document, no seal job)."""
        from dataclasses import replace

        from poa.services import review
        from poa.services.transitions import transition_run

        holder = self.ue.ramo.responsable
        flow = review.FLOW if sealing else replace(review.FLOW, document=None, jobs={})
        transition_run(
            flow,
            subject=self.report,
            user=self.user(holder),
            action="authorize",
            credentials=credentials and credentials[holder.nombre],
        )


def before_seal(sign_off):
    """As before the seal: the authorization, then one render of the plain PDF, kept."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from poa.documents import pdf
    from poa.selectors.sheet import build_sheet

    sign_off.authorize(sealing=False)
    _, _, content = pdf.render_sheet(build_sheet(sign_off.ue, 2))
    default_storage.save(f"antes/{time.monotonic_ns()}.pdf", ContentFile(content))


def sealed(sign_off):
    """The authorization, sealed, and its PDF/A rendered with folio and QR, hashed, kept."""
    sign_off.authorize()  # the seal job runs at once (immediate backend) on commit


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return (time.perf_counter() - start) * 1000


def cpu_timed(function, *args):
    """CPU milliseconds of this process: what the work costs, whatever else the machine runs
    (the targets are read on it; wall times are printed beside)."""
    start, wall = time.process_time(), time.perf_counter()
    function(*args)
    return (time.process_time() - start) * 1000, (time.perf_counter() - wall) * 1000


def measure_authorization(sign_off, credentials):
    from django.test.utils import override_settings

    runs = {"antes": [], "sellada": [], "antes (3 firmas)": [], "e.firma (3 firmas)": []}
    for _ in range(REPEAT):
        for name in ("antes", "sellada"):
            sign_off.reopen()
            sign_off.to_reviewed()
            runs[name].append(cpu_timed(before_seal if name == "antes" else sealed, sign_off))
        sign_off.reopen()
        runs["antes (3 firmas)"].append(
            cpu_timed(lambda: (sign_off.to_reviewed(), before_seal(sign_off)))
        )
        sign_off.reopen()
        with override_settings(POA_FIRMA_ELECTRONICA=True):
            runs["e.firma (3 firmas)"].append(
                cpu_timed(
                    lambda: (sign_off.to_reviewed(credentials), sign_off.authorize(credentials))
                )
            )
    return {
        name: (statistics.median(c for c, _ in values), statistics.median(w for _, w in values))
        for name, values in runs.items()
    }


def serve_and_fetch(folder, folio):
    """gunicorn as `make serve` (without migrate and collectstatic: the database is ready and
    static files are served from static/), 4 clients fetching the sealed PDF."""
    port = 8765
    env = {**os.environ, "POA_BIND": f"127.0.0.1:{port}", "POA_WORKERS": "2"}
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "poa.wsgi"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/verificar/{folio}/pdf/"
    try:
        _wait_for(url)
        for _ in range(20):  # warm every worker and thread
            _get(url)
        return _fetch_concurrently(url)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
        assert response.status == 200 and body.startswith(b"%PDF"), response.status


def _wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn no respondió")


def _fetch_concurrently(url):
    times, lock = [], threading.Lock()
    per_client = REQUESTS // CLIENTS

    def client():
        for _ in range(per_client):
            ms = timed(_get, url)
            with lock:
                times.append(ms)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1], times[-1]


def main():
    with tempfile.TemporaryDirectory(prefix="poa-bench-sello-") as folder:
        folder = Path(folder)
        setup_django(folder)
        credentials = demo_authority(folder)
        sign_off = SignOff()
        print(
            f"Autorización de la UE 102, T2 (mediana de {REPEAT}) · carga de la máquina "
            f"{os.getloadavg()[0]:.1f} en {os.cpu_count()} núcleos"
        )
        medians = measure_authorization(sign_off, credentials)
        print(f"  {'':<20} {'CPU ms':>8} {'reloj ms':>9}")
        for name, (cpu, wall) in medians.items():
            print(f"  {name:<20} {cpu:8.0f} {wall:9.0f}")
        seal_ratio = medians["sellada"][0] / medians["antes"][0]
        efirma_ratio = medians["e.firma (3 firmas)"][0] / medians["antes (3 firmas)"][0]
        print(f"  CPU: sello {seal_ratio:.2f} × antes · e.firma {efirma_ratio:.2f} × antes")
        from django.db import connections

        from poa.models import Seal

        folio = Seal.objects.filter(superseded_at=None).get().folio
        connections.close_all()
        p50, p95, worst = serve_and_fetch(folder, folio)
        print(
            f"PDF sellado servido por gunicorn, {CLIENTS} clientes, {REQUESTS} peticiones: "
            f"p50 {p50:.0f} ms · p95 {p95:.0f} ms · máx {worst:.0f} ms"
        )
        failures = []
        if seal_ratio > MAX_RATIO:
            failures.append(f"el sello cuesta {seal_ratio:.2f} × la autorización de antes")
        if efirma_ratio > MAX_RATIO:
            failures.append(f"la e.firma cuesta {efirma_ratio:.2f} × las firmas de antes")
        if p95 >= MAX_P95_MS:
            failures.append(f"p95 del PDF sellado {p95:.0f} ms ≥ {MAX_P95_MS} ms")
        for failure in failures:
            print(f"FUERA DE META: {failure}")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
