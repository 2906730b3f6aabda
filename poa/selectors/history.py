"""What changed, when and by whom: the figures and observations of a meta (simple-history
records of QuarterlyProgress), how it was programmed and each change of its meta anual (its
approved versions, MetaVersion), its evidence files (of Evidencia) and the state of its reports
(ReportEvent)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from poa.models import Evidencia, MetaVersion, QuarterlyProgress, Report, ReportEvent
from poa.rules import figures

State = Report.State
STALE_FALLBACK = "El informe cambió desde que abrió la captura; vuelva a cargarlo."


def record_baseline(progresses):
    """Figures loaded from fixtures have no history yet; record what they held before the
    first change so that every change shows its old value."""
    stored = [p for p in progresses if p.pk]
    with_history = set(
        QuarterlyProgress.history.filter(id__in=[p.pk for p in stored]).values_list("id", flat=True)
    )
    missing = [p.pk for p in stored if p.pk not in with_history]
    if missing:
        originals = list(QuarterlyProgress.objects.filter(pk__in=missing))
        QuarterlyProgress.history.bulk_history_create(
            originals, default_change_reason="Valor inicial"
        )


TRACKED_FIELDS = ("programado", "alcanzado", "observaciones")


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    user: object
    quarter: int | None  # None: the whole meta
    field: str
    old: str
    new: str
    meta_numero: int | None = None

    @property
    def user_name(self):
        return self.user.username if self.user else "sistema"


def _display(field, value):
    if field in ("programado", "alcanzado"):
        return figures.format_figure(value) if value is not None else "(vacío)"
    return value or "(vacío)"


def _changes(records):
    """HistoryEntry for every tracked field that differs from the previous record of the
    same row; records must be ordered oldest first."""
    previous, entries = {}, []
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if before is None:
            continue
        for name in TRACKED_FIELDS:
            old, new = getattr(before, name), getattr(record, name)
            if old != new:
                entries.append(
                    HistoryEntry(
                        record.history_date,
                        record.history_user,
                        record.quarter,
                        name,
                        _display(name, old),
                        _display(name, new),
                        record.meta.numero,
                    )
                )
    return entries


def _history_of(**filters):
    return list(
        QuarterlyProgress.history.filter(**filters)
        .select_related("history_user", "meta")
        .order_by("history_date", "history_id")
    )


def meta_history(meta) -> list[HistoryEntry]:
    """Every change of a meta's figures and observations, how it was programmed and each
    change of its meta anual, and every state change of its unit's reports, newest first:
    when, who, quarter, field, old and new value."""
    entries = _changes(_history_of(meta_id=meta.pk)) + _evidence_changes(meta)
    entries += _version_changes(meta)
    events = ReportEvent.objects.filter(
        report__unidad_ejecutora_id=meta.unidad_ejecutora_id
    ).select_related("user", "report")
    for event in events:
        if event.from_state == event.to_state:
            continue  # a notice (the capture is ready), not a change of state
        entries.append(
            HistoryEntry(
                event.created_at,
                event.user,
                event.report.quarter,
                "estado",
                State(event.from_state).label,
                State(event.to_state).label,
            )
        )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def _version_changes(meta) -> list[HistoryEntry]:
    """From its approved versions: how the meta was first programmed and each later change
    of its meta anual (the quarters' P are in the figures' own history)."""
    versions = MetaVersion.objects.filter(meta_id=meta.pk).select_related("approved_by")
    entries, previous = [], None
    for version in versions.order_by("numero"):
        if previous is None:
            entries.append(_programmed_entry(version))
        elif version.meta_anual != previous.meta_anual:
            old, new = (figures.format_figure(v.meta_anual) for v in (previous, version))
            entries.append(
                HistoryEntry(version.approved_at, version.approved_by, None, "meta_anual", old, new)
            )
        previous = version
    return entries


def _programmed_entry(version) -> HistoryEntry:
    quarters = " · ".join(figures.format_figure(p) for p in version.programmed)
    how = "por modificación programática" if version.modificacion_id else "aprobada"
    new = (
        f"Meta anual {figures.format_figure(version.meta_anual)}; "
        f"programado por trimestre {quarters} ({how})"
    )
    return HistoryEntry(version.approved_at, version.approved_by, None, "programacion", "", new)


def _evidence_changes(meta) -> list[HistoryEntry]:
    """Each file attached to or removed from the meta: its name and what happened to it."""
    records = Evidencia.history.filter(meta_id=meta.pk, history_type__in=("+", "-"))
    entries = []
    for record in records.select_related("history_user").order_by("history_date", "history_id"):
        added = record.history_type == "+"
        old, new = ("", f"«{record.name}» adjuntada") if added else (f"«{record.name}»", "quitada")
        entries.append(
            HistoryEntry(
                record.history_date, record.history_user, record.quarter, "evidencia", old, new
            )
        )
    return entries


def changes_since(report, version) -> list[str]:
    """Spanish lines saying what others changed in the report's quarter after `version`."""
    since = (
        Report.history.filter(id=report.pk, version=version)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    if since is None:
        return [STALE_FALLBACK]
    records = _history_of(
        meta__unidad_ejecutora_id=report.unidad_ejecutora_id, quarter=report.quarter
    )
    lines = []
    for entry in _changes(records):
        if entry.when <= since or entry.field == "programado":
            continue
        when = timezone.localtime(entry.when).strftime("%d/%m/%Y %H:%M")
        lines.append(
            f"Meta {entry.meta_numero}, {entry.field}: {_short(entry.old)} → "
            f"{_short(entry.new)} ({entry.user_name}, {when})"
        )
    return lines or [STALE_FALLBACK]


def _short(text, limit=60):
    return text if len(text) <= limit else text[: limit - 1] + "…"
