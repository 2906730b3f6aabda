"""A synthetic municipality for one year, built through the same services the app uses: its
catalog (ramos, programas, units, signatories with their accounts, líneas, units of measure),
each unit's annual programming drafted, sent and approved, three quarters opened, captured
and signed off, the fourth not opened. Deterministic for a seed: the same arguments give the
same names, figures and states (only timestamps differ, and a signatory's username takes a
number when another account already has it). `manage.py poa_generate` runs it.

Only random.Random(seed) draws; nothing depends on the clock, the database's ids or the
order of a query without ORDER BY."""

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from poa.models import (
    Ejercicio,
    LineaAccion,
    Meta,
    Persona,
    Programa,
    Ramo,
    Report,
    Subfuncion,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.rules import figures
from poa.selectors import access, consistency
from poa.services import generate_data as data
from poa.services import notifications, programming, statistics
from poa.services.capture import capture_save
from poa.services.periods import period_close, period_open
from poa.services.programming import PlanRow
from poa.services.review import (
    report_authorize,
    report_mark_ready,
    report_return,
    report_review,
    report_send,
)

FIRST_YEAR = 2030
MIN_YEAR, MAX_YEAR = 2000, 2100  # as Ejercicio admits
CAPTURED_QUARTERS = (1, 2, 3)  # the fourth is never opened
SIGNED_QUARTERS = (1, 2)  # closed once signed off; the third stays open
PLANEACION_USERNAME = "planeacion-sintetica"
EMAIL_DOMAIN = "municipio.example"
MAX_RAMOS = len(data.TOPICS) * len(data.RAMO_PREFIXES)
MAX_UES = 99
MAX_METAS = 500
# What happens to a report of the third quarter: the first four give every state at once.
Q3_FATES = ("autorizado", "revisado", "enviado", "devuelto", "lista", "borrador")
State = Report.State


class GenerationError(ValueError):
    """Arguments the generator cannot honour; str(error) is the Spanish explanation."""


@dataclass
class Unit:
    """A generated unit and who acts on it, with its metas' figures as programmed."""

    ue: UnidadEjecutora
    capturista: object
    head: object
    program_head: object
    ramo_head: object
    topic: data.Topic
    metas: list = field(default_factory=list)  # [(meta pk, [P1..P4], admits decimals)]


@dataclass(frozen=True)
class Generated:
    ejercicio: Ejercicio
    units: int
    metas: int
    report_states: dict  # {(quarter, state): count}
    planted: list  # [(kind, ramo, ue, meta número or None)] planted on purpose


def next_free_year() -> int:
    """The first year from 2030 on that has no ejercicio."""
    taken = set(Ejercicio.objects.filter(year__gte=FIRST_YEAR).values_list("year", flat=True))
    year = FIRST_YEAR
    while year in taken:
        year += 1
    return year


def generate_year(
    *,
    ramos,
    ues_por_ramo,
    metas_por_ue,
    seed,
    year=None,
    password=None,
    inconsistencies=False,
    progress=None,
) -> Generated:
    """Builds the year in one transaction (all or nothing), queuing no email. `password` is
    given to every account it creates or reuses (unusable otherwise); `inconsistencies`
    plants inconsistencies of every kind poa_check reports (Generated.planted says where),
    written past the services that refuse them; `progress(stage, done, total)` hears about
    each unit done. Raises GenerationError for sizes out of range or a year taken."""
    _check_sizes(ramos, ues_por_ramo, metas_por_ue)
    year = year or next_free_year()
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise GenerationError(f"Indique un año entre {MIN_YEAR} y {MAX_YEAR}.")
    if Ejercicio.objects.filter(year=year).exists():
        raise GenerationError(f"El ejercicio {year} ya existe; elija otro año.")
    builder = _Builder(random.Random(seed), year, password, progress or (lambda *args: None))
    with notifications.emails_off(), transaction.atomic():
        builder.catalog(ramos, ues_por_ramo)
        builder.programming(metas_por_ue)
        builder.quarters()
        planted = builder.plant() if inconsistencies else []
        statistics.refresh_after_commit()
    return Generated(
        builder.ejercicio,
        len(builder.units),
        sum(len(unit.metas) for unit in builder.units),
        report_states(builder.ejercicio),
        planted,
    )


def _check_sizes(ramos, ues, metas):
    if not 1 <= ramos <= MAX_RAMOS:
        raise GenerationError(f"Indique de 1 a {MAX_RAMOS} ramos.")
    if not 1 <= ues <= MAX_UES:
        raise GenerationError(f"Indique de 1 a {MAX_UES} unidades ejecutoras por ramo.")
    if not 1 <= metas <= MAX_METAS:
        raise GenerationError(f"Indique de 1 a {MAX_METAS} metas por unidad ejecutora.")


def report_states(ejercicio) -> dict:
    """{(quarter, state): how many reports} of the year."""
    rows = Report.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio).values_list(
        "quarter", "state"
    )
    return dict(sorted(Counter(rows).items()))


def _ascii_slug(text) -> str:
    """maría fernanda → maria"""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _contract(text) -> str:
    """PROMOCIÓN DE EL DEPORTE → PROMOCIÓN DEL DEPORTE"""
    return text.replace(" DE EL ", " DEL ").replace(" A EL ", " AL ")


class _Builder:
    def __init__(self, rng, year, password, progress):
        self.rng, self.year, self.progress = rng, year, progress
        self.hashed = make_password(password) if password else None
        self.units: list[Unit] = []
        self.names: set = set()
        self.usernames: set = set()
        self.subfunciones: dict = {}

    # Accounts --------------------------------------------------------------------------

    def account(self, username, first_name, last_name):
        """The account with that username, created the first time; a year generated again
        with the same seed reuses it (people stay from one year to the next)."""
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.first_name, user.last_name = first_name.title(), last_name.title()
            user.email = f"{username}@{EMAIL_DOMAIN}"
        if self.hashed:
            user.password = self.hashed  # hashed once: one hash per account would take minutes
        elif created:
            user.set_unusable_password()
        user.save()
        self.usernames.add(username)
        return user

    def person_name(self):
        """(woman, given names, surnames), new in this year."""
        while True:
            woman = self.rng.random() < 0.5
            given = self.rng.choice(data.WOMEN if woman else data.MEN)
            surnames = " ".join(self.rng.sample(data.SURNAMES, 2))
            if (given, surnames) not in self.names:
                self.names.add((given, surnames))
                return woman, given, surnames

    def signatory(self):
        """A Persona with a title and an account to sign with: (persona's user, woman)."""
        woman, given, surnames = self.person_name()
        title = self.rng.choice(data.TITLES)[woman]
        nombre = f"{title} {given} {surnames}"
        persona = Persona.objects.filter(nombre=nombre).select_related("usuario").first()
        if persona and persona.usuario:
            return self.account(persona.usuario.username, given, surnames), woman
        user = self.account(self.free_username(given, surnames), given, surnames)
        if persona is None:
            persona = Persona(nombre=nombre)
        persona.usuario, persona.email = user, user.email
        persona.full_clean()
        persona.save()
        return user, woman

    def free_username(self, given, surnames):
        base = f"{_ascii_slug(given.split()[0])}.{_ascii_slug(surnames.split()[0])}"
        taken = set(
            get_user_model()
            .objects.filter(username__startswith=base)
            .values_list("username", flat=True)
        )
        candidate, n = base, 1
        while candidate in taken or candidate in self.usernames:
            n += 1
            candidate = f"{base}{n}"
        return candidate

    # Catalog ---------------------------------------------------------------------------

    def catalog(self, n_ramos, n_ues):
        rng = self.rng
        town = rng.choice(data.MUNICIPIOS)
        self.ejercicio = _saved(
            Ejercicio(
                year=self.year,
                municipio=f"{rng.choice(data.LEGISLATURAS)} AYUNTAMIENTO DE {town}",
                pmd=f"PLAN MUNICIPAL DE DESARROLLO {self.year}-{self.year + 2}",
            )
        )
        self.planeacion = self.account(PLANEACION_USERNAME, "Planeación", "Sintética")
        self.planeacion.groups.add(Group.objects.get_or_create(name=access.PLANEACION_GROUP)[0])
        self.lineas = self.plan_lines()
        self.measures = self.units_of_measure()
        claves = sorted(rng.sample(range(10, 100) if n_ramos <= 45 else range(100, 1000), n_ramos))
        for clave, (prefix, topic) in zip(claves, self.ramo_subjects(n_ramos), strict=True):
            self.ramo(str(clave), prefix, topic, n_ues)
            self.progress("Catálogo", len(self.units), n_ramos * n_ues)

    def plan_lines(self) -> dict[int, list[LineaAccion]]:
        lineas = {}
        for eje, objects in data.LINE_OBJECTS.items():
            for estrategia, subject in enumerate(objects, start=1):
                verbs = self.rng.sample(data.LINE_VERBS, data.LINES_PER_STRATEGY)
                for numero, verb in enumerate(verbs, start=1):
                    linea = LineaAccion(
                        ejercicio=self.ejercicio,
                        clave=f"{eje}.{estrategia}.{numero}",
                        nombre=f"{verb} {subject}",
                    )
                    lineas.setdefault(eje, []).append(_saved(linea))
        return lineas

    def units_of_measure(self) -> dict[str, UnidadMedida]:
        """The catalog's units of measure, adding those the generator needs and lacks."""
        measures = {}
        for nombre, decimals in data.UNITS_OF_MEASURE:
            measure, _ = UnidadMedida.objects.get_or_create(
                nombre=nombre, defaults={"admite_decimales": decimals}
            )
            if not measure.aceptada:
                programming.measure_accept(measure=measure, user=self.planeacion)
            measures[nombre] = measure
        return measures

    def ramo_subjects(self, n):
        topics = self.rng.sample(data.TOPICS, len(data.TOPICS))
        subjects = []
        for i in range(n):
            topic = topics[i % len(topics)]
            used = {prefix for prefix, t in subjects if t == topic}
            prefix = self.rng.choice([p for p in data.RAMO_PREFIXES if p not in used])
            subjects.append((prefix, topic))
        return subjects

    def ramo(self, clave, prefix, topic, n_ues):
        rng = self.rng
        head, woman = self.signatory()
        position = data.RAMO_HEAD_POSITIONS[prefix][woman]
        ramo = _saved(
            Ramo(
                ejercicio=self.ejercicio,
                clave=clave,
                nombre=f"{prefix} {topic.name}",
                responsable=head.persona,
                cargo_responsable=position,
            )
        )
        programas = self.programas(ramo, topic, min(n_ues, rng.choice((1, 2, 2, 3))), head)
        sizes = figures.split_evenly(n_ues, [1] * len(programas))
        names = self.unit_names(sizes)
        for position_in_ramo, (programa, program_head) in enumerate(programas):
            for n in range(1, sizes[position_in_ramo] + 1):
                clave_ue = f"{position_in_ramo + 1}{n:02d}"
                self.unit(ramo, programa, clave_ue, names.pop(0), topic, program_head, head)

    def programas(self, ramo, topic, count, ramo_head):
        """[(programa, its head's account)]: 511 GESTIÓN ADMINISTRATIVA headed by the ramo's
        head, then programs of the ramo's subject."""
        rng = self.rng
        claves = sorted(rng.sample(range(520, 600), count - 1))
        rows = [(*data.ADMIN_PROGRAM, ramo_head, ramo.cargo_responsable)]
        for clave in claves:
            verb = rng.choice(data.PROGRAM_VERBS)
            if rng.random() < 0.5:
                head, position = ramo_head, ramo.cargo_responsable
            else:
                head, woman = self.signatory()
                position = data.PROGRAM_HEAD_POSITIONS[0][woman]
            rows.append((str(clave), _contract(f"{verb} {topic.article}"), head, position))
        return [
            (
                _saved(
                    Programa(
                        ramo=ramo,
                        clave=clave,
                        nombre=nombre,
                        responsable=head.persona,
                        cargo_responsable=position,
                    )
                ),
                head,
            )
            for clave, nombre, head, position in rows
        ]

    def unit_names(self, sizes):
        """The names of the ramo's units, programa by programa: the first programa's begin
        with the DIRECCIÓN and the DEPARTAMENTO ADMINISTRATIVO, as in the reference."""
        areas = self.rng.sample(data.AREAS, len(data.AREAS))
        names = list(data.FIRST_UNITS[: sizes[0]])
        for i in range(sum(sizes) - len(names)):
            if i < len(areas):
                names.append(f"{self.rng.choice(data.UNIT_KINDS)} {areas[i]}")
            else:
                names.append(f"DELEGACIÓN ZONA {i - len(areas) + 1}")
        return names

    def subfuncion(self, clave):
        if clave not in self.subfunciones:
            self.subfunciones[clave] = Subfuncion.objects.get(clave=clave)
        return self.subfunciones[clave]

    def unit(self, ramo, programa, clave, nombre, topic, program_head, ramo_head):
        if nombre == data.FIRST_UNITS[0]:
            head, position = ramo_head, ramo.cargo_responsable
        else:
            head, woman = self.signatory()
            position = data.UNIT_HEAD_POSITIONS[nombre.split()[0]][woman]
        ue = _saved(
            UnidadEjecutora(
                ramo=ramo,
                programa=programa,
                subfuncion=self.subfuncion(topic.subfuncion),
                clave=clave,
                nombre=nombre,
                responsable=head.persona,
                cargo_responsable=position,
            )
        )
        _, given, surnames = self.person_name()
        capturista = self.account(f"cap-{ramo.clave}-{clave}", given, surnames)
        ue.capturistas.add(capturista)
        self.units.append(Unit(ue, capturista, head, program_head, ramo_head, topic))

    # Annual programming --------------------------------------------------------------------

    def programming(self, metas_per_unit):
        """Each unit drafts its metas, its head sends them and planeación approves; about one
        in ten is returned once and sent again."""
        for done, unit in enumerate(self.units, start=1):
            programacion = programming.programming_of(unit.ue)
            rows = self.plan_rows(unit, metas_per_unit)
            programming.programming_save(
                programacion=programacion, user=unit.capturista, version=0, rows=rows
            )
            programming.programming_send(programacion=programacion, user=unit.head)
            if self.rng.random() < 0.1:
                programming.programming_return(
                    programacion=programacion,
                    user=self.planeacion,
                    comment=data.PROGRAMMING_RETURN,
                )
                programming.programming_send(programacion=programacion, user=unit.head)
            programming.programming_approve(programacion=programacion, user=self.planeacion)
            pks = dict(unit.ue.metas.values_list("numero", "pk"))
            unit.metas = [
                (pks[int(row.numero)], row.programado, row.unidad_medida.admite_decimales)
                for row in rows
            ]
            self.progress("Programación", done, len(self.units))

    def plan_rows(self, unit, count) -> list[PlanRow]:
        first = programming.suggested_numero(unit.ue)
        rows = []
        for i, (template, complement) in enumerate(self.meta_templates(unit, count)):
            descripcion = template.descripcion.format(topic=unit.topic.name.lower())
            if complement:
                descripcion = f"{descripcion} {complement}"
            annual, programmed = self.figures_for(template)
            rows.append(
                PlanRow(
                    key=f"nueva-{i}",
                    numero=str(first + i),
                    descripcion=descripcion,
                    unidad_medida=self.measures[template.unidad_medida],
                    lineas=self.lines_for(template, unit.topic),
                    meta_anual=str(annual),
                    programado=[str(p) for p in programmed],
                )
            )
        return rows

    def meta_templates(self, unit, count):
        """(template, complement) for each meta: the ramo's kinds of meta shuffled, then again
        with a place added when the unit has more metas than kinds."""
        eje = unit.topic.eje
        pool = [t for t in data.GENERIC_METAS + data.TOPIC_METAS if not t.ejes or eje in t.ejes]
        chosen = []
        for round_ in range(count // len(pool) + 1):
            complement = data.COMPLEMENTS[(round_ - 1) % len(data.COMPLEMENTS)] if round_ else ""
            chosen += [(t, complement) for t in self.rng.sample(pool, len(pool))]
        return chosen[:count]

    def figures_for(self, template):
        """(annual target, [P1..P4]) adding up exactly; in hundredths where decimals count."""
        if template.programado:
            return sum(template.programado), list(template.programado)
        low, high = template.annual
        season = self.rng.choice(data.SEASONS)
        if not self.measures[template.unidad_medida].admite_decimales:
            annual = self.rng.randint(low, high)
            return annual, figures.split_evenly(annual, season)
        cents = self.rng.randint(low * 100, high * 100)
        parts = figures.split_evenly(cents, season)
        return Decimal(cents) / 100, [Decimal(part) / 100 for part in parts]

    def lines_for(self, template, topic):
        """The meta's líneas: one of its eje (administrative metas serve eje 4, as meta 200
        serves 4.6.1 MESURA in the reference), sometimes a second from any eje."""
        eje = 4 if template in data.GENERIC_METAS else topic.eje
        lineas = [self.rng.choice(self.lineas[eje])]
        if self.rng.random() < 0.25:
            extra = self.rng.choice(self.lineas[self.rng.choice(list(self.lineas))])
            if extra not in lineas:
                lineas.append(extra)
        return lineas

    # Quarters ------------------------------------------------------------------------------

    def quarters(self):
        deadline = timezone.now() + timedelta(days=30)
        for quarter in CAPTURED_QUARTERS:
            period = period_open(
                ejercicio=self.ejercicio, quarter=quarter, deadline=deadline, user=self.planeacion
            )
            reports = {
                report.unidad_ejecutora_id: report
                for report in Report.objects.filter(
                    unidad_ejecutora__ramo__ejercicio=self.ejercicio, quarter=quarter
                )
            }
            for done, (unit, fate) in enumerate(self.fates(quarter), start=1):
                self.report(unit, reports[unit.ue.pk], fate)
                self.progress(f"Trimestre {quarter}", done, len(self.units))
            if quarter in SIGNED_QUARTERS:
                period_close(period=period, user=self.planeacion)

    def fates(self, quarter):
        """[(unit, what happens to its report)] in the order of the units. Most of the first
        two quarters end authorized, some after being returned once; the third is mixed."""
        if quarter == 3:
            order = self.rng.sample(range(len(self.units)), len(self.units))
            fates = {i: Q3_FATES[n % len(Q3_FATES)] for n, i in enumerate(order)}
            return [(unit, fates[i]) for i, unit in enumerate(self.units)]
        late = (("revisado", 0.05),) if quarter == 1 else (("enviado", 0.05), ("revisado", 0.1))
        chances = (*late, ("corregido", 0.1))
        return [(unit, self.draw(chances, "autorizado")) for unit in self.units]

    def draw(self, chances, otherwise):
        r = self.rng.random()
        for fate, chance in chances:
            if r < chance:
                return fate
            r -= chance
        return otherwise

    def report(self, unit, report, fate):
        """Captures the quarter and moves the report as far as its fate says."""
        rows = self.achieved(unit, report.quarter)
        if fate == "borrador":  # capture half done
            rows = dict(list(rows.items())[: max(1, len(rows) // 2)])
        result = capture_save(
            report=report, user=unit.capturista, version=report.version, rows=rows
        )
        report = result.report
        if fate == "borrador":
            return
        if fate == "lista":
            report_mark_ready(report=report, user=unit.capturista)
            return
        report_send(report=report, user=unit.head)
        if fate in ("devuelto", "corregido"):
            comment = self.rng.choice(data.RETURN_COMMENTS)
            report_return(report=report, user=unit.program_head, comment=comment)
        if fate == "devuelto":
            return
        if fate == "corregido":
            self.correct(unit, report, rows)
            report_send(report=report, user=unit.head)
        if fate == "enviado":
            return
        report_review(report=report, user=unit.program_head)
        if fate != "revisado":
            report_authorize(report=report, user=unit.ramo_head)

    def correct(self, unit, report, rows):
        """The unit answers a return: it adds the cause to its first observation."""
        explained = [(pk, row) for pk, row in rows.items() if row["observaciones"]]
        if not explained:
            return
        pk, row = explained[0]
        fixed = {pk: {**row, "observaciones": data.CORRECTION + row["observaciones"]}}
        report.refresh_from_db(fields=["version"])
        capture_save(report=report, user=unit.capturista, version=report.version, rows=fixed)

    def achieved(self, unit, quarter) -> dict:
        """What each meta achieved in the quarter, with an observation where it differs from
        what was programmed: mostly on plan, some below, some above, rarely unplanned."""
        rows = {}
        for pk, programmed, decimals in unit.metas:
            planned = Decimal(programmed[quarter - 1])
            achieved, note = self.outcome(planned, decimals)
            rows[pk] = {"alcanzado": achieved, "observaciones": note}
        return rows

    def outcome(self, planned, decimals):
        rng, step = self.rng, Decimal("0.01") if decimals else Decimal(1)
        r = rng.random()
        if not planned:
            if r < 0.08:
                return Decimal(rng.randint(1, 3)), data.UNPROGRAMMED_PLAN
            return Decimal(0), ""
        if r < 0.7:
            return planned, ""
        units = int(planned / step)
        delta = max(1, round(units * rng.uniform(0.05, 0.35))) * step
        if r < 0.85:
            achieved = max(Decimal(0), planned - delta)
            return achieved, rng.choice(data.BELOW_PLAN)
        return planned + delta, rng.choice(data.ABOVE_PLAN)

    # Inconsistencies planted on purpose ---------------------------------------------------

    def plant(self) -> list:
        """One inconsistency of each kind poa_check reports (three unexplained variances),
        each in a meta of its own. The services refuse every one of them, which is the point:
        they stand for figures typed past the application (an import, the database), as the
        reference sheet's slips were, so they are written here with the ORM."""
        metas = list(
            Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=self.ejercicio)
            .select_related("unidad_ejecutora__ramo")
            .prefetch_related("avances")
            .order_by("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave", "numero")
        )
        order = self.rng.sample(metas, len(metas))
        planted = []
        plans = (
            (consistency.UNEXPLAINED_VARIANCE, 3, _programmed_q2, _unexplain),
            (consistency.UNPROGRAMMED, 1, _programmed_q2, _unprogram),
            (consistency.PROGRAMMED_TOTAL, 1, _any, _unbalance),
            (consistency.AFTER_LAST_REPORT, 1, _any, _capture_q4),
            (consistency.NO_LINEA, 1, _any, _drop_lineas),
        )
        for kind, count, fits, spoil in plans:
            for meta in [m for m in order if fits(m)][:count]:
                order.remove(meta)
                spoil(meta)
                ue = meta.unidad_ejecutora
                planted.append((kind, ue.ramo.clave, ue.clave, meta.numero))
        unit = self.rng.choice(self.units).ue
        UnidadEjecutora.objects.filter(pk=unit.pk).update(cargo_responsable="")
        planted.append((consistency.NO_SIGNATORY, unit.ramo.clave, unit.clave, None))
        return planted


def _saved(instance):
    """Catalog rows are validated as the admin would before saving."""
    instance.full_clean()
    instance.save()
    return instance


def _progress_of(meta, quarter):
    return next(p for p in meta.avances.all() if p.quarter == quarter)


def _spoil(progress, **values):
    for name, value in values.items():
        setattr(progress, name, value)
    progress._change_reason = "Inconsistencia sembrada a propósito"
    progress.save()


def _any(meta):
    return True


def _programmed_q2(meta):
    return _progress_of(meta, 2).programado > 0


def _unexplain(meta):
    """Abr-Jun achieved one more than programmed, without a word."""
    progress = _progress_of(meta, 2)
    _spoil(progress, alcanzado=progress.programado + 1, observaciones="")


def _unprogram(meta):
    """Abr-Jun's P moved to Oct-Dic (the total holds) while its A stays, unexplained: meta
    206 of the reference."""
    progress, last = _progress_of(meta, 2), _progress_of(meta, 4)
    _spoil(last, programado=last.programado + progress.programado)
    _spoil(progress, programado=0, alcanzado=max(progress.alcanzado, 1), observaciones="")


def _unbalance(meta):
    progress = _progress_of(meta, 4)
    _spoil(progress, programado=progress.programado + 1)


def _capture_q4(meta):
    progress = _progress_of(meta, 4)
    _spoil(progress, alcanzado=progress.programado)


def _drop_lineas(meta):
    meta.lineas_accion.clear()
