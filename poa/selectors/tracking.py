"""Seguimiento: how every meta, unit, programa and ramo the user may see is doing at the end of
a quarter, in a fixed number of queries however many metas.

Each level adds up what its metas programmed up to the quarter and what they achieved, and
compares the two as the sheet's semáforo does (poa.rules.figures.light, thresholds from settings):
the percent of a unit, programa or ramo is the sum of its metas' achievements over the sum of
what they programmed, so it always agrees with the two figures printed beside it; the count of
metas in each colour shows what a sum may hide. A meta whose achievement of the quarter is not
captured yet is judged on the quarters before it. A cancelled meta is no longer tracked."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from poa.models import CapturePeriod, Meta, QuarterlyProgress, Report
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


@dataclass
class Progress:
    """Programmed and achieved up to the quarter, for a meta or the metas of a level."""

    programmed: Decimal = Decimal(0)
    achieved: Decimal = Decimal(0)
    metas: int = 0
    captured: int = 0  # metas whose achievement of the quarter is captured
    lights: dict = field(default_factory=lambda: dict.fromkeys(figures.LIGHTS, 0))

    def add(self, other: "Progress"):
        self.programmed += other.programmed
        self.achieved += other.achieved
        self.metas += other.metas
        self.captured += other.captured
        for key, count in other.lights.items():
            self.lights[key] += count

    @property
    def percent(self) -> Decimal | None:
        return figures.percent_tenths(self.achieved, self.programmed)

    @property
    def light(self) -> str:
        return figures.light(self.achieved, self.programmed, settings.POA_SEMAFORO)

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]

    @property
    def light_icon(self) -> str:
        return LIGHT_ICONS[self.light]

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


@dataclass
class MetaRow:
    meta: Meta
    progress: Progress
    observation: str  # of the quarter
    needs_observation: bool  # A differs from P in the quarter and nothing explains it

    @property
    def unidad_ejecutora(self):
        return self.meta.unidad_ejecutora


@dataclass
class UnitRow:
    unidad_ejecutora: object
    report: Report | None
    window: CaptureWindow | None
    progress: Progress = field(default_factory=Progress)
    now: datetime | None = None

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
    progress: Progress = field(default_factory=Progress)
    units: int = 0
    sent: int = 0
    series: list = field(default_factory=lambda: [Progress() for _ in figures.QUARTERS])


@dataclass
class Tracking:
    year: int
    quarter: int
    metas: list[MetaRow]
    units: list[UnitRow]
    programas: list[GroupRow]
    ramos: list[GroupRow]

    @property
    def total(self) -> Progress:
        total = Progress()
        for ramo in self.ramos:
            total.add(ramo.progress)
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
    `quarter`: five queries plus the capture windows' two, whatever the number of metas."""
    now = now or timezone.now()
    metas = list(
        metas.select_related(
            "unidad_medida",
            "unidad_ejecutora__ramo__ejercicio",
            "unidad_ejecutora__programa",
            "unidad_ejecutora__programacion",
        )
        .prefetch_related(
            Prefetch("avances", queryset=QuarterlyProgress.objects.order_by("quarter")),
        )
        .order_by("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave", "numero")
    )
    units = _unit_rows(metas, quarter, now)
    meta_rows = [_meta_row(meta, quarter) for meta in metas]
    for row in meta_rows:
        units[row.meta.unidad_ejecutora_id].progress.add(row.progress)
    programas, ramos = _groups(metas, units, quarter)
    return Tracking(year, quarter, meta_rows, list(units.values()), programas, ramos)


def _meta_progress(meta, quarter) -> tuple[Progress, str, bool]:
    programmed, achieved, observations = meta.quarter_series()
    # While the quarter's own achievement is not captured, the meta is judged on the
    # quarters before it: an empty capture is not yet a shortfall (the capture column and
    # the days late say it is missing).
    judged = quarter if achieved[quarter - 1] is not None else quarter - 1
    planned = figures.programmed_to_date(programmed, judged)
    done = figures.avance_absoluto(achieved, quarter)
    light = figures.light(done, planned, settings.POA_SEMAFORO)
    progress = Progress(
        programmed=planned,
        achieved=done,
        metas=1,
        captured=int(achieved[quarter - 1] is not None),
    )
    progress.lights[light] += 1
    observation = observations[quarter - 1]
    unexplained = not observation.strip() and figures.needs_observation(
        programmed[quarter - 1], achieved[quarter - 1], settings.POA_OBSERVATION_THRESHOLD
    )
    return progress, observation, unexplained


def _meta_row(meta, quarter) -> MetaRow:
    progress, observation, unexplained = _meta_progress(meta, quarter)
    return MetaRow(meta, progress, observation, unexplained)


def _unit_rows(metas, quarter, now):
    unit_objects = {}
    for meta in metas:
        unit_objects.setdefault(meta.unidad_ejecutora_id, meta.unidad_ejecutora)
    reports = {
        report.unidad_ejecutora_id: report
        for report in Report.objects.filter(unidad_ejecutora__in=unit_objects, quarter=quarter)
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


def _groups(metas, units, quarter):
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
    for meta in metas:
        ue = meta.unidad_ejecutora
        for q in figures.QUARTERS[:quarter]:
            progress, _, _ = _meta_progress(meta, q)
            programas[ue.programa_id].series[q - 1].add(progress)
            ramos[ue.ramo_id].series[q - 1].add(progress)
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
    if not data.metas:
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
    metas = result.tracking.metas
    result.red = [row for row in metas if row.progress.light == "rojo"]
    result.unexplained_over = [
        row
        for row in metas
        if row.progress.light == "sobrecumplimiento" and not row.observation.strip()
    ]
