"""The database side of the load test, run with the server's settings and database:

    python -m tests.loadtest.data prepare --out plan.json --password … [--ramos 5 …]
    python -m tests.loadtest.data snapshot --plan plan.json --out after.json

`prepare` generates the municipality (poa_generate), opens its fourth quarter for capture
(every unit gets a BORRADOR report), gives some units a second capturista, and writes the plan:
who logs in, which grid each capturista saves, what each reviewer reads, and every grid's
version and figures before the load. `snapshot` writes the same figures and versions after it,
and how many stored values, present or past, carry the mark of an old version sent on purpose.
"""

import argparse
import json
import sys
from datetime import timedelta

QUARTER = 4  # the generator leaves it unopened; the load test opens it for capture
LEVELS = ("ramo", "programa", "ue", "meta")


def prepare(options) -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from poa.models import Ejercicio, UnidadEjecutora
    from poa.services import generate
    from poa.services.periods import period_open

    call_command(
        "poa_generate",
        ramos=options.ramos,
        ues_por_ramo=options.ues,
        metas_por_ue=options.metas,
        seed=options.seed,
        password=options.password,
        stdout=sys.stderr,
    )
    ejercicio = Ejercicio.objects.order_by("-year").first()
    planeacion = _user(generate.PLANEACION_USERNAME)
    period_open(
        ejercicio=ejercicio,
        quarter=QUARTER,
        deadline=timezone.now() + timedelta(days=30),
        user=planeacion,
    )
    units = list(
        UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio)
        .select_related("ramo__responsable__usuario")
        .prefetch_related("capturistas")
        .order_by("ramo__clave", "clave")
    )
    active = units[: options.capturistas - options.shared]
    if options.shared > len(active):
        raise SystemExit("Hay más unidades compartidas que unidades con capturista.")
    capturistas = [_capturista(ue, ue.capturistas.get(), options.password) for ue in active]
    for ue in active[: options.shared]:
        capturistas.append(_capturista(ue, _second(ue, options.password), options.password))
    plan = {
        "year": ejercicio.year,
        "quarter": QUARTER,
        "units": len(units),
        "shared": options.shared,
        "capturistas": capturistas,
        "reviewers": _reviewers(ejercicio.year, active, options),
    }
    plan["before"] = snapshot(plan)
    return plan


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _second(ue, password):
    """A second capturista of the unit, as the admin adds one: the two save the same grid."""
    from django.contrib.auth import get_user_model

    username = f"cap2-{ue.ramo.clave}-{ue.clave}"
    user = get_user_model().objects.create_user(username, password=password)
    ue.capturistas.add(user)
    return user


def _capturista(ue, user, password):
    return {
        "username": user.username,
        "password": password,
        "unit": ue.pk,
        "grid": f"/captura/{ue.ramo.ejercicio.year}/{ue.ramo.clave}/{ue.clave}/{QUARTER}/",
    }


def _reviewers(year, units, options):
    """Planeación reads everything; the heads of the first ramos read their ramo."""
    from poa.services import generate

    ramos = []
    for ue in units:
        if ue.ramo not in ramos:
            ramos.append(ue.ramo)
    readers = [(generate.PLANEACION_USERNAME, units, None)]
    for ramo in ramos[: options.reviewers - 1]:
        mine = [ue for ue in units if ue.ramo_id == ramo.pk]
        readers.append((ramo.responsable.usuario.username, mine, ramo.clave))
    return [
        {
            "username": username,
            "password": options.password,
            "tracking": _tracking(year, ramo),
            "units": [_documents(year, ue, quarter) for ue in mine for quarter in (3, QUARTER)],
        }
        for username, mine, ramo in readers
    ]


def _tracking(year, ramo):
    """The seguimiento at every level, of the quarter being captured and of the one before,
    with and without filters."""
    paths = []
    for quarter in (3, QUARTER):
        base = f"/seguimiento/{year}/{quarter}/"
        paths += [f"{base}?nivel={level}" for level in LEVELS]
        paths += [f"{base}?nivel=ue&estado=borrador", f"{base}?nivel=meta&semaforo=rojo"]
        if ramo:
            paths.append(f"{base}?nivel=meta&ramo={ramo}")
    return paths


def _documents(year, ue, quarter):
    sheet = f"/tmm-f004/{year}/{ue.ramo.clave}/{ue.clave}/{quarter}/"
    return {"sheet": sheet, "pdf": f"{sheet}pdf/"}


def snapshot(plan) -> dict:
    """{"reports": {unit pk: {"version", "values": {meta pk: [alcanzado, observaciones]}}},
    "stale_marks": stored values, now or in the history, from an old version}."""
    from poa.models import QuarterlyProgress, Report
    from tests.loadtest.client import STALE_MARK

    units = {account["unit"] for account in plan["capturistas"]}
    reports = {
        report.unidad_ejecutora_id: {"version": report.version, "values": {}}
        for report in Report.objects.filter(unidad_ejecutora__in=units, quarter=plan["quarter"])
    }
    progresses = QuarterlyProgress.objects.filter(
        meta__unidad_ejecutora__in=units, quarter=plan["quarter"]
    ).select_related("meta")
    for progress in progresses:
        value = None if progress.alcanzado is None else str(progress.alcanzado)
        values = reports[progress.meta.unidad_ejecutora_id]["values"]
        values[progress.meta_id] = [value, progress.observaciones]
    marked = QuarterlyProgress.history.filter(observaciones__contains=STALE_MARK).count()
    return {"reports": reports, "stale_marks": marked}


def main(argv=None):
    import django

    parser = argparse.ArgumentParser(prog="python -m tests.loadtest.data")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("prepare")
    build.add_argument("--out", required=True)
    build.add_argument("--password", required=True)
    for name, default in [
        ("ramos", 5),
        ("ues", 10),
        ("metas", 8),
        ("seed", 7),
        ("capturistas", 50),
        ("shared", 5),
        ("reviewers", 5),
    ]:
        build.add_argument(f"--{name}", type=int, default=default)
    after = commands.add_parser("snapshot")
    after.add_argument("--plan", required=True)
    after.add_argument("--out", required=True)
    options = parser.parse_args(argv)
    django.setup()
    if options.command == "prepare":
        result = prepare(options)
    else:
        with open(options.plan) as source:
            result = snapshot(json.load(source))
    with open(options.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
