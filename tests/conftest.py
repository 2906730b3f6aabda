import copy
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone

from poa.jobs import IMMEDIATE_BACKEND
from poa.models import Ejercicio, Meta, Persona, Report, ReportEvent, UnidadEjecutora
from poa.selectors.access import CONTRALORIA_GROUP, PLANEACION_GROUP
from poa.services import programming
from poa.services.periods import period_open
from poa.services.review import report_authorize, report_get_or_create, report_review, report_send

State = Report.State


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings, tmp_path):
    """Background jobs run as soon as they are enqueued (on commit), in the test itself; the
    files they keep, and the evidence files, go to folders of the test's own."""
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_BACKEND}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.MEDIA_ROOT)},
        },
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidencias")},
        },
    }


@pytest.fixture
def reference(db):
    """The real 2023 year of Ramo 59, as printed in the reference sheet."""
    load_reference()


REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference.json"
_reference_objects = []


def load_reference():
    """What `loaddata reference` writes, in a few queries: the fixture is read once, and each
    test inserts its rows model by model, with their líneas de acción, then moves the ids
    PostgreSQL hands out past them, as loaddata does."""
    if not _reference_objects:
        _reference_objects.extend(serializers.deserialize("json", REFERENCE.read_text()))
    by_model = {}
    for loaded in _reference_objects:
        by_model.setdefault(type(loaded.object), []).append(loaded)
    for model, loaded in by_model.items():
        model.objects.bulk_create([_fresh(item.object) for item in loaded])
        stamped = [f.name for f in model._meta.fields if getattr(f, "auto_now", False)]
        if stamped:  # bulk_create stamps them now; the fixture's dates stand, as in loaddata
            model.objects.bulk_update([_fresh(item.object) for item in loaded], stamped)
        for field_name in {name for item in loaded for name in item.m2m_data}:
            through = model._meta.get_field(field_name).remote_field.through
            source, target = _through_columns(through, model)
            through.objects.bulk_create(
                through(**{source: item.object.pk, target: pk})
                for item in loaded
                for pk in item.m2m_data.get(field_name, ())
            )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(by_model)):
            cursor.execute(sql)


def _fresh(instance):
    """A copy of a loaded instance that bulk_create may mark as saved."""
    fresh = copy.copy(instance)
    fresh._state = ModelState()
    return fresh


def _through_columns(through, model):
    """The attnames of an automatic many-to-many table: (this model's, the other's)."""
    fields = [f for f in through._meta.fields if f.is_relation]
    own = next(f for f in fields if f.related_model is model)
    other = next(f for f in fields if f is not own)
    return own.attname, other.attname


def make_user(username, **fields):
    from django.contrib.auth import get_user_model

    fields.setdefault("email", f"{username}@mexicali.example")
    return get_user_model().objects.create_user(username, password="x-123456", **fields)


def unit(clave, year=2023):
    """A unit of the reference year by its code: unit("102")."""
    return UnidadEjecutora.objects.select_related("ramo", "programa").get(
        ramo__ejercicio__year=year, clave=clave
    )


def make_capturista(username, *claves):
    user = make_user(username)
    for clave in claves:
        unit(clave).capturistas.add(user)
    return user


def make_head(username, persona_nombre):
    user = make_user(username)
    Persona.objects.filter(nombre=persona_nombre).update(usuario=user)
    return user


@pytest.fixture
def capturista_101(reference):
    return make_capturista("captura101", "101")


@pytest.fixture
def capturista_102(reference):
    return make_capturista("captura102", "102")


@pytest.fixture
def capturista_201(reference):
    return make_capturista("captura201", "201")


@pytest.fixture
def head_102(reference):
    """Fabiola León, head of UE 102 only."""
    return make_head("fabiola.leon", "LIC. FABIOLA LEÓN HUERTA CABRERA")


@pytest.fixture
def aaron(reference):
    """Head of UE 101 and 201, of both programs and of Ramo 59."""
    return make_head("aaron.alvarez", "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN")


@pytest.fixture
def planeacion(reference):
    user = make_user("planeacion")
    user.groups.add(Group.objects.get_or_create(name=PLANEACION_GROUP)[0])
    return user


@pytest.fixture
def contraloria(reference):
    """The órgano interno de control: reads everything, changes nothing."""
    user = make_user("contraloria")
    user.groups.add(Group.objects.get_or_create(name=CONTRALORIA_GROUP)[0])
    return user


@pytest.fixture
def outsider(reference):
    return make_user("outsider")


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@mexicali.example", "x-123456")


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def complete_quarter(clave, quarter):
    """Test data: every meta of the unit gets A (= P when missing) and an observation where A
    differs from P, as a unit ready to send would have."""
    from poa.models import QuarterlyProgress

    for progress in QuarterlyProgress.objects.filter(
        meta__unidad_ejecutora=unit(clave), quarter=quarter
    ):
        if progress.alcanzado is None:
            progress.alcanzado = progress.programado
        if progress.alcanzado != progress.programado and not progress.observaciones:
            progress.observaciones = "Explicación de la diferencia."
        progress.save()


def signer(persona):
    """The account a signatory signs with: the one linked to the persona, or a new one linked
    to it (a persona fixture such as `aaron` linked later takes over the persona)."""
    persona.refresh_from_db()
    if persona.usuario is None:
        persona.usuario = make_user(f"firma{persona.pk}")
        persona.save(update_fields=["usuario"])
    return persona.usuario


# From BORRADOR to each state: the services in order, each signed by the responsable of the
# unit, of its program and of its ramo.
SIGNING_PATH = [
    (report_send, lambda ue: ue.responsable),
    (report_review, lambda ue: ue.programa.responsable),
    (report_authorize, lambda ue: ue.ramo.responsable),
]
STEPS_TO = {State.BORRADOR: 0, State.ENVIADO: 1, State.REVISADO: 2, State.AUTORIZADO: 3}


def report_in_state(clave, quarter, state=State.BORRADOR):
    """The report of the unit's quarter moved forward to `state` through the front door: a
    draft gets its quarter completed (complete_quarter), then the workflow services sign it
    with the responsables of the unit, its program and its ramo, as far as `state` needs."""
    ue = unit(clave)
    report = report_get_or_create(unidad_ejecutora=ue, quarter=quarter)
    done = STEPS_TO[report.state]
    if done == 0 and STEPS_TO[state]:
        complete_quarter(clave, quarter)
    for service, holder in SIGNING_PATH[done : STEPS_TO[state]]:
        service(report=report, user=signer(holder(ue)))
    report.refresh_from_db()
    return report


def backdate(report, *moments):
    """Moves the report's events, oldest first, to `moments`. The services sign at this very
    moment; a test about the dates a sheet prints changes nothing of an event but its date."""
    events = report.events.order_by("created_at", "id")
    for event, moment in zip(events, moments, strict=True):
        ReportEvent.objects.filter(pk=event.pk).update(created_at=moment)


def open_q3(planeacion, days=30):
    """Planeación opens the third quarter of 2023 for capture until `days` from now."""
    return period_open(
        ejercicio=Ejercicio.objects.get(year=2023),
        quarter=3,
        deadline=timezone.now() + timedelta(days=days),
        user=planeacion,
    )


@pytest.fixture
def q3_open(planeacion):
    return open_q3(planeacion)


def meta_admin_data(meta, **overrides):
    """The POST of the Meta admin page as the page shows it: the meta and its four quarters
    (`avances-<i>-<field>` keys in `overrides` change what is typed)."""
    data = {
        "unidad_ejecutora": meta.unidad_ejecutora_id,
        "numero": meta.numero,
        "descripcion": meta.descripcion,
        "unidad_medida": meta.unidad_medida_id,
        "meta_anual": str(meta.meta_anual),
        "lineas_accion": [linea.pk for linea in meta.lineas_accion.all()],
        "avances-TOTAL_FORMS": "4",
        "avances-INITIAL_FORMS": "4",
        "avances-MIN_NUM_FORMS": "4",
        "avances-MAX_NUM_FORMS": "4",
    }
    for i, avance in enumerate(meta.avances.order_by("quarter")):
        data |= {
            f"avances-{i}-id": avance.pk,
            f"avances-{i}-meta": meta.pk,
            f"avances-{i}-quarter": avance.quarter,
            f"avances-{i}-programado": str(avance.programado),
            f"avances-{i}-alcanzado": "" if avance.alcanzado is None else str(avance.alcanzado),
            f"avances-{i}-observaciones": avance.observaciones,
        }
    return data | overrides


def plan_row(numero, annual="4", programado=("1", "1", "1", "1"), measure="INFORME", lineas=None):
    """One meta as the programming screen posts it, for poa.planning.programming_save."""
    from poa.models import LineaAccion, UnidadMedida
    from poa.services.programming import PlanRow

    if lineas is None:
        lineas = [LineaAccion.objects.order_by("pk").first()]
    return PlanRow(
        key=f"nueva-{numero}",
        numero=str(numero),
        descripcion=f"Meta {numero} de prueba",
        unidad_medida=UnidadMedida.objects.get(nombre=measure),
        lineas=lineas,
        meta_anual=annual,
        programado=list(programado),
    )


def approve_programming(ue, *, head, planeacion, rows=None):
    """The unit's head drafts `rows` (one meta by default) and sends its programming;
    planeación approves it: the front door a new unit passes before capturing."""

    programacion = programming.programming_of(ue)
    rows = rows if rows is not None else [plan_row(programming.suggested_numero(ue))]
    programming.programming_save(programacion=programacion, user=head, version=0, rows=rows)
    programming.programming_send(programacion=programacion, user=head)
    programming.programming_approve(programacion=programacion, user=planeacion)
    return programacion


def make_unit(clave, *, like="201", head_of="102", nombre="DEPARTAMENTO DE VINCULACIÓN"):
    """A new unit of the 2023 reference year in the program of `like`, headed by the head of
    `head_of`: its programming not started."""
    base = unit(like)
    return UnidadEjecutora.objects.create(
        ramo=base.ramo,
        programa=base.programa,
        subfuncion=base.subfuncion,
        clave=clave,
        nombre=nombre,
        responsable=unit(head_of).responsable,
        cargo_responsable="JEFA DEL DEPARTAMENTO DE VINCULACIÓN",
    )


@pytest.fixture
def ue_202(reference):
    """UE 202, new in program 592 and headed by Fabiola León (head of 102 too): its metas are
    the 400s and its programming has not started."""
    return make_unit("202")


@pytest.fixture
def capturista_202(ue_202):
    user = make_user("captura202")
    ue_202.capturistas.add(user)
    return user


def draft_meta_of_202():
    """Meta 400 of the new UE 202, drafted by its head through poa.services.programming: a
    programming planeación has not approved yet, whose metas the admin may still correct."""

    ue = make_unit("202")
    head = ue.responsable.usuario or make_head("fabiola.leon", ue.responsable.nombre)
    programacion = programming.programming_of(ue)
    programming.programming_save(
        programacion=programacion, user=head, version=0, rows=[plan_row(400)]
    )
    return Meta.objects.get(unidad_ejecutora=ue, numero=400)


def planner_rows(table):
    """How many rows the database's planner believes `table` holds (0: it has no idea)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return max(cursor.fetchone()[0], 0)
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return 0
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else 0
