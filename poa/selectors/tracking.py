"""Seguimiento: how every meta, unit, programa and ramo the user may see is doing at the end of
a quarter, in a fixed number of queries however many metas.

A meta compares what it achieved with what it programmed up to the quarter, as the sheet's
semáforo does (poa.rules.figures.light, thresholds from settings). A unit, programa or ramo
cannot add its metas' figures (they count different things): its avance is the mean of its
metas' percentages, each capped at POA_AVANCE_CAP, and metas with nothing programmed to date
are counted apart (poa.rules.figures.GroupAvance); the count of metas in each colour shows
what a mean may hide. A meta whose achievement of the quarter is not captured yet is judged on
the quarters before it. A cancelled meta is no longer tracked.

The figures are read as plain rows (values_list), not model instances: at a large
municipality's size (6,400 metas, 25,600 quarters) building the instances alone took seconds."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import connections
from django.db.models import BigIntegerField, F, FilteredRelation, Q
from django.db.models.functions import Cast, Round
from django.utils import timezone

from poa.models import CapturePeriod, Meta, Report, UnidadEjecutora
from poa.rules import figures
from poa.rules.states import REPORT
from poa.selectors import access
from poa.selectors.locks import CaptureWindow, capture_windows
from poa.selectors.reports import since_last_step

LIGHT_LABELS = {
    "verde": "Verde",
    "amarillo": "Amarillo",
    "rojo": "Rojo",
    "sobrecumplimiento": "Sobrecumplimiento",
    "sin_programar": "Sin programar",
}
# Besides its colour, each mark has a shape and its word: colour is never the only signal.
LIGHT_ICONS = {
    "verde": "●",
    "amarillo": "▲",
    "rojo": "■",
    "sobrecumplimiento": "★",
    "sin_programar": "○",
}
ZERO = Decimal(0)


def avance_method() -> str:
    """The sentence that says, next to a group's avance, how it is computed."""
    return figures.AVANCE_METHOD.format(cap=figures.format_figure(settings.POA_AVANCE_CAP))


class Marks:
    """The semáforo's words and shapes of a progress that has a `light`."""

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]

    @property
    def light_icon(self) -> str:
        return LIGHT_ICONS[self.light]


@dataclass
class Progress(Marks):
    """Programmed and achieved up to the quarter of one meta, in cents (exact, and cheap to add
    up at 25,600 quarters), its mark and its own percent (not capped: a meta's
    sobrecumplimiento shows as is)."""

    programmed_cents: int
    achieved_cents: int
    captured: int  # 1 when its achievement of the quarter is captured
    light: str
    metas: int = 1
    # achieved ÷ programmed in percent, unrounded: computed once for the mark, the percent
    # shown and the group's mean (seguimiento computes it for thousands of metas).
    ratio: Decimal | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, programmed_cents, achieved_cents, captured, thresholds=None):
        thresholds = thresholds or settings.POA_SEMAFORO
        ratio = figures.exact_percent(achieved_cents, programmed_cents)
        light = figures.ratio_light(ratio, achieved_cents, thresholds)
        return cls(programmed_cents, achieved_cents, int(captured), light, ratio=ratio)

    @property
    def programmed(self) -> Decimal:
        return Decimal(self.programmed_cents).scaleb(-2)

    @property
    def achieved(self) -> Decimal:
        return Decimal(self.achieved_cents).scaleb(-2)

    @property
    def percent(self) -> Decimal | None:
        return figures.tenths(self.ratio)


@dataclass
class GroupProgress(Marks):
    """The metas of a unit, programa, ramo or the whole: their avance (the mean of their capped
    percentages), how many are captured and how many are in each mark."""

    avance: figures.GroupAvance = field(
        default_factory=lambda: figures.GroupAvance(Decimal(settings.POA_AVANCE_CAP))
    )
    metas: int = 0
    captured: int = 0  # metas whose achievement of the quarter is captured
    lights: dict = field(default_factory=lambda: dict.fromkeys(figures.LIGHTS, 0))

    def add_meta(self, progress: Progress):
        self.avance.add_ratio(progress.ratio)
        self.metas += 1
        self.captured += progress.captured
        self.lights[progress.light] += 1

    def add(self, other: "GroupProgress"):
        self.avance.add(other.avance)
        self.metas += other.metas
        self.captured += other.captured
        for key, count in other.lights.items():
            self.lights[key] += count

    @property
    def percent(self) -> Decimal | None:
        return self.avance.percent

    @property
    def unprogrammed(self) -> int:
        """Metas with nothing programmed to date: out of the mean, counted apart."""
        return self.avance.unprogrammed

    @property
    def light(self) -> str:
        return figures.percent_light(self.avance.exact, settings.POA_SEMAFORO)

    @property
    def light_items(self) -> list[tuple[str, str, str, int]]:
        """(key, label, icon, how many metas) of every mark, in the semáforo's order."""
        return [(k, LIGHT_LABELS[k], LIGHT_ICONS[k], self.lights[k]) for k in figures.LIGHTS]

    @property
    def capture_label(self) -> str:
        """6 de 8 metas capturadas; 1 de 1 meta capturada"""
        if self.metas == 1:
            return f"{self.captured:,} de 1 meta capturada"
        return f"{self.captured:,} de {self.metas:,} metas capturadas"

    @property
    def unprogrammed_label(self) -> str:
        """2 metas sin programar a la fecha; empty when every meta is averaged."""
        n = self.unprogrammed
        if not n:
            return ""
        return f"{n:,} meta sin programar" if n == 1 else f"{n:,} metas sin programar"


@dataclass
class TrackedMeta:
    """What the seguimiento shows of a meta, read without building its model instance."""

    pk: int
    numero: int
    descripcion: str
    unidad_medida: str
    unidad_ejecutora_id: int
    unidad_ejecutora: UnidadEjecutora | None = None


@dataclass
class MetaRow:
    meta: TrackedMeta
    progress: Progress
    observation: str  # of the quarter
    needs_observation: bool  # A differs from P in the quarter and nothing explains it

    @property
    def unidad_ejecutora(self):
        return self.meta.unidad_ejecutora


def _quarter_avances():
    """The avance at the end of each quarter, for the charts."""
    cap = Decimal(settings.POA_AVANCE_CAP)
    return [figures.GroupAvance(cap) for _ in figures.QUARTERS]


@dataclass
class UnitRow:
    unidad_ejecutora: object
    report: Report | None
    window: CaptureWindow | None
    progress: GroupProgress = field(default_factory=GroupProgress)
    now: datetime | None = None
    series: list = field(default_factory=_quarter_avances)

    @property
    def state_label(self) -> str:
        return REPORT.state(self.report.state if self.report else None).label

    @property
    def deadline(self):
        return self.window.deadline if self.window else None

    @property
    def sent(self) -> bool:
        return self.report is not None and not self.report.machine_state.draft

    @property
    def days_late(self) -> int:
        """Whole days since the deadline passed with the report not yet sent; 0 otherwise."""
        if self.sent or self.deadline is None or self.now <= self.deadline:
            return 0
        return (timezone.localtime(self.now).date() - timezone.localtime(self.deadline).date()).days


@dataclass
class GroupRow:
    """A programa or a ramo: its code, name and the progress of its metas."""

    clave: str
    nombre: str
    ramo: str = ""
    progress: GroupProgress = field(default_factory=GroupProgress)
    units: int = 0
    sent: int = 0
    series: list = field(default_factory=_quarter_avances)


@dataclass
class Tracking:
    year: int
    quarter: int
    units: list[UnitRow]
    programas: list[GroupRow]
    ramos: list[GroupRow]
    # Every meta's figures and progress; their rows are built when a page shows the metas.
    measured: list = field(default_factory=list, repr=False)
    walk: "_MetaWalk | None" = field(default=None, repr=False)

    @cached_property
    def metas(self) -> list[MetaRow]:
        return [self.walk.meta_row(row, progress) for row, progress in self.measured]

    def metas_where(self, keep) -> list[MetaRow]:
        """The rows of the metas whose Progress `keep` accepts, built for them alone."""
        return [self.walk.meta_row(row, p) for row, p in self.measured if keep(p)]

    @property
    def total(self) -> GroupProgress:
        return groups_total(self.ramos)

    @property
    def method(self) -> str:
        return avance_method()


def groups_total(groups) -> GroupProgress:
    """The progress of every meta of `groups` (the ramos), as one group."""
    total = GroupProgress()
    for group in groups:
        total.add(group.progress)
    return total


def metas_visible_to(user, year):
    """The metas still pursued (not cancelled) of the year's units the user may see."""
    return Meta.objects.filter(
        unidad_ejecutora__in=access.units_visible_to(user),
        unidad_ejecutora__ramo__ejercicio__year=year,
        cancelada=False,
    )


def build_tracking(metas, *, year, quarter, now=None) -> Tracking:
    """The seguimiento of `metas` (a queryset, already scoped and filtered) at the end of
    `quarter`: the metas with their quarters, units, reports and the capture windows' one or
    two queries, whatever the number of metas."""
    now = now or timezone.now()
    rows = _meta_figures(metas, quarter)
    units = _unit_rows({row[4] for row in rows}, quarter, now)
    walk = _MetaWalk(quarter, units)
    measured = [(row, walk(row)) for row in rows]
    for unit in units.values():
        # the quarter's own avance is the unit's: computed once, for the table and the charts
        unit.series[quarter - 1] = unit.progress.avance
    programas, ramos = _groups(units)
    return Tracking(year, quarter, list(units.values()), programas, ramos, measured, walk)


def _meta_figures(metas, quarter) -> list[tuple]:
    """One row per meta: pk, numero, descripcion, unidad de medida, unit, then programado and
    alcanzado of each quarter in whole cents (alcanzado None while not captured), then the
    observation of `quarter`. The database turns the figures into integers and the rows are
    read as the driver gives them: at 6,400 metas Python's reading of decimals, and even
    Django's converters, cost more than the query. Each quarter is joined on its own (a meta
    has one row per quarter): a third cheaper than grouping the quarters back into one row.
    The metas are re-selected by pk so that a filter's joins (líneas de acción) never
    multiply the rows."""
    quarters, figures_of = {}, {}
    for q in figures.QUARTERS:
        quarters[f"q{q}"] = FilteredRelation("avances", condition=Q(avances__quarter=q))
        figures_of[f"p{q}"] = _cents(f"q{q}__programado")
        figures_of[f"a{q}"] = _cents(f"q{q}__alcanzado")
    figures_of["note"] = F(f"q{quarter}__observaciones")
    queryset = (
        Meta.objects.filter(pk__in=metas.values("pk"))
        .order_by("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave", "numero")
        .annotate(**quarters)
        .annotate(**figures_of)
        .values_list(
            "pk", "numero", "descripcion", "unidad_medida__nombre", "unidad_ejecutora_id",
            *figures_of,
        )
    )  # fmt: skip
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(*queryset.query.sql_with_params())
        return cursor.fetchall()


def _cents(name):
    return Cast(Round(F(name) * 100), BigIntegerField())


class _MetaWalk:
    """Adds the progress of a row of _meta_figures at `quarter` to its unit's, and at every
    quarter before it to the unit's series (the charts), in one pass over its quarters; later
    builds its MetaRow. Reads the settings once and computes each pair of figures' percent
    and mark once: it runs for every meta, and thousands of metas share the same pairs."""

    def __init__(self, quarter, units):
        self.quarter, self.units = quarter, units
        self.thresholds = settings.POA_SEMAFORO
        self.observation_threshold = settings.POA_OBSERVATION_THRESHOLD
        self.marks = {}

    def __call__(self, row) -> Progress:
        unit = self.units[row[4]]
        planned = done = judged = 0  # cumulative cents
        for q in figures.QUARTERS[: self.quarter]:
            if q > 1:
                unit.series[q - 2].add_ratio(self.mark(done, judged)[0])
            before = planned
            programado, alcanzado = row[3 + 2 * q] or 0, row[4 + 2 * q]
            planned += programado
            done += alcanzado or 0
            # While the quarter's own achievement is not captured, the meta is judged on the
            # quarters before it: an empty capture is not yet a shortfall (the capture
            # column and the days late say it is missing).
            judged = before if alcanzado is None else planned
        ratio, light = self.mark(done, judged)
        progress = Progress(judged, done, int(alcanzado is not None), light, ratio=ratio)
        unit.progress.add_meta(progress)
        return progress

    def mark(self, achieved, programmed) -> tuple:
        """(exact percent, semáforo) of achieved against programmed, in cents."""
        key = (achieved, programmed)
        if key not in self.marks:
            ratio = figures.exact_percent(achieved, programmed)
            self.marks[key] = (ratio, figures.ratio_light(ratio, achieved, self.thresholds))
        return self.marks[key]

    def meta_row(self, row, progress) -> MetaRow:
        meta = TrackedMeta(*row[:5])
        meta.unidad_ejecutora = self.units[meta.unidad_ejecutora_id].unidad_ejecutora
        programado, alcanzado = row[3 + 2 * self.quarter] or 0, row[4 + 2 * self.quarter]
        observation = row[-1] or ""
        unexplained = not observation.strip() and figures.needs_observation(
            programado, alcanzado, self.observation_threshold
        )
        return MetaRow(meta, progress, observation, unexplained)


def _unit_rows(unit_ids, quarter, now):
    unit_objects = UnidadEjecutora.objects.filter(pk__in=unit_ids).select_related(
        "ramo__ejercicio", "programa"
    )
    unit_objects = {
        ue.pk: ue for ue in sorted(unit_objects, key=lambda ue: (ue.ramo.clave, ue.clave))
    }
    reports = {
        report.unidad_ejecutora_id: report
        for report in Report.objects.filter(unidad_ejecutora__in=unit_ids, quarter=quarter)
    }
    for unit_id, report in reports.items():
        report.unidad_ejecutora = unit_objects[unit_id]
    windows = capture_windows(list(reports.values()), now)
    return {
        unit_id: UnitRow(
            ue,
            reports.get(unit_id),
            windows.get(reports[unit_id].pk) if unit_id in reports else None,
            now=now,
        )
        for unit_id, ue in unit_objects.items()
    }


def _groups(units):
    programas, ramos = {}, {}
    for unit in units.values():
        ue = unit.unidad_ejecutora
        for groups, key, clave, nombre in (
            (programas, ue.programa_id, ue.programa.clave, ue.programa.nombre),
            (ramos, ue.ramo_id, ue.ramo.clave, ue.ramo.nombre),
        ):
            group = groups.setdefault(key, GroupRow(clave, nombre, ramo=ue.ramo.clave))
            group.progress.add(unit.progress)
            group.units += 1
            group.sent += int(unit.sent)
            for total, part in zip(group.series, unit.series, strict=True):
                total.add(part)
    return list(programas.values()), list(ramos.values())


def quarter_series(groups, quarter, *, with_ramo=False) -> list[tuple[str, list]]:
    """(label, [percent per quarter, None after `quarter`]) of each programa or ramo, for
    poa.charts.progress_chart. `with_ramo` names a programa with its ramo ("59-511 …"):
    every ramo may have its own 511 GESTIÓN ADMINISTRATIVA."""
    return [
        (
            f"{group.ramo}-{group.clave} {group.nombre}"
            if with_ramo
            else f"{group.clave} {group.nombre}",
            [group.series[q - 1].percent if q <= quarter else None for q in figures.QUARTERS],
        )
        for group in groups
    ]


def light_counts(tracking) -> dict[str, int]:
    """How many metas are in each mark, for poa.charts.semaforo_chart."""
    return dict(tracking.total.lights)


# Home pages ----------------------------------------------------------------------------------

ATTENTION_LIMIT = 10


@dataclass
class Overview:
    """What the home page shows of the latest quarter opened: the progress of the user's
    units and, for planeación, what needs attention across the municipality."""

    year: int
    quarter: int
    tracking: Tracking
    not_sent: list = field(default_factory=list)  # UnitRow: still in capture
    late: list = field(default_factory=list)  # UnitRow: deadline passed, not sent
    returned: list = field(default_factory=list)  # UnitRow with the return that sent it back
    red: list = field(default_factory=list)  # MetaRow in rojo
    unexplained_over: list = field(default_factory=list)  # MetaRow over-achieved, no note

    @property
    def units(self):
        return sorted(self.tracking.units, key=lambda row: (row.progress.percent is None,
                                                            row.progress.percent or 0))  # fmt: skip


def latest_quarter():
    """(year, quarter) of the latest quarter opened for capture; None when none is."""
    period = (
        CapturePeriod.objects.select_related("ejercicio")
        .order_by("-ejercicio__year", "-quarter")
        .first()
    )
    return (period.ejercicio.year, period.quarter) if period else None


def overview(user, *, with_attention=False) -> Overview | None:
    """The Overview of the latest quarter opened for the metas the user may see; None when no
    quarter was opened or the user sees no meta of its year."""
    latest = latest_quarter()
    if latest is None:
        return None
    year, quarter = latest
    metas = metas_visible_to(user, year)
    data = build_tracking(metas, year=year, quarter=quarter)
    if not data.measured:
        return None
    result = Overview(year, quarter, data)
    if with_attention:
        _attention(result)
    return result


def _attention(result):

    units = result.tracking.units
    result.not_sent = [row for row in units if not row.sent]
    result.late = [row for row in units if row.days_late]
    since = since_last_step([row.report for row in units if row.report])
    result.returned = [
        (row, since[row.report.pk].returned)
        for row in units
        if row.report and row.report.pk in since and since[row.report.pk].returned
    ]
    tracking = result.tracking
    result.red = tracking.metas_where(lambda progress: progress.light == "rojo")
    over = tracking.metas_where(lambda progress: progress.light == "sobrecumplimiento")
    result.unexplained_over = [row for row in over if not row.observation.strip()]
