"""The rows of the capture grid: every meta of a unit with its four quarters and computed
figures at the report's quarter, and which metas sending the report asks for."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from poa.models import (
    Meta,
    MetaVersion,
    QuarterlyProgress,
    Report,
)
from poa.rules import figures
from poa.rules.dates import quarter_of_month


@dataclass(frozen=True)
class CaptureRow:
    meta: Meta
    progress: QuarterlyProgress | None
    programmed: list
    achieved: list
    figures: figures.MetaFigures
    # False for a meta cancelled before the quarter: sending does not ask for its figure.
    required: bool = True


def capture_rows(report) -> list[CaptureRow]:
    """The metas of the report's unit with their four quarters and computed figures at the
    report's quarter, in two queries (three when some meta is cancelled)."""
    metas = list(
        Meta.objects.filter(unidad_ejecutora_id=report.unidad_ejecutora_id)
        .select_related("unidad_medida")
        .prefetch_related(Prefetch("avances", queryset=QuarterlyProgress.objects.all()))
        .order_by("numero")
    )
    cancelled = cancellation_dates([meta for meta in metas if meta.cancelada])
    year = report.unidad_ejecutora.ramo.ejercicio.year if cancelled else None
    return [
        _capture_row(meta, report.quarter, capture_required(meta, report.quarter, year, cancelled))
        for meta in metas
    ]


def capture_rows_at_version(report, attempts=3) -> list[CaptureRow]:
    """capture_rows as they stood at the report's version, the one a save from the grid
    carries. The report and its rows are read one after the other: when a save lands in
    between, the report moves on to it and the rows are read again. Should saves keep
    landing, the last rows are kept with the version read before them, so that saving them
    is refused as stale rather than overwriting figures the grid never showed."""
    for attempt in range(attempts):
        rows = capture_rows(report)
        if report.pk is None:
            return rows
        current = Report.objects.filter(pk=report.pk).values_list("version", "state").get()
        if current == (report.version, report.state) or attempt == attempts - 1:
            return rows
        report.version, report.state = current
    return rows


def _capture_row(meta, quarter, required=True) -> CaptureRow:
    series = meta.quarter_series()
    progress = next((p for p in meta.avances.all() if p.quarter == quarter), None)
    programmed, achieved, _ = series
    return CaptureRow(
        meta, progress, programmed, achieved, meta.figures_at(quarter, series), required
    )


def cancellation_dates(metas) -> dict[int, date]:
    """The local day planeación approved the cancellation of each cancelled meta, by meta pk:
    the first approved version that cancels it."""
    if not metas:
        return {}
    versions = MetaVersion.objects.filter(meta__in=metas, cancelada=True).order_by("-numero")
    return {v.meta_id: timezone.localtime(v.approved_at).date() for v in versions}


def capture_required(meta, quarter, year, cancelled) -> bool:
    """Whether sending the report of `quarter` (of `year`) needs what the meta achieved. A
    meta cancelled by a modificación programática is captured up to the quarter in which its
    cancellation was approved and not from the next one on; it stays on the sheet with its
    note, and what it achieved may still be typed. `cancelled`: cancellation_dates()."""
    day = cancelled.get(meta.pk) if meta.cancelada else None
    if day is None:
        return True
    if day.year != year:
        return day.year > year
    return quarter <= quarter_of_month(day.month)
