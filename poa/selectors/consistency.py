"""The inconsistencies of a year's data that planeación must correct before a sheet is filed:
figures that break the rules of the TMM-F004 (poa.rules.figures) and catalog entries a sheet cannot
be signed without. A selector: it reads, in a fixed number of queries, and changes nothing.
`manage.py poa_check` and planeación's review page list what it finds."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Prefetch, Subquery
from django.utils import timezone

from poa.models import CapturePeriod, Meta, MetaVersion, QuarterlyProgress, Report, UnidadEjecutora
from poa.rules import figures
from poa.rules.dates import quarter_of_month
from poa.rules.states import PROGRAM_HEAD, RAMO_HEAD, REPORT, UE_HEAD
from poa.rules.text import clave_key

# Kinds of inconsistency: a short code (stable, used in URLs) and what the page calls it.
PROGRAMMED_TOTAL = "total"
UNEXPLAINED_VARIANCE = "variance"
UNPROGRAMMED = "unprogrammed"
AFTER_LAST_REPORT = "after-report"
NO_LINEA = "linea"
NO_SIGNATORY = "signatory"
KINDS = {
    PROGRAMMED_TOTAL: "Programado distinto de la meta anual",
    UNEXPLAINED_VARIANCE: "Diferencia sin observación",
    UNPROGRAMMED: "Alcanzado sin programar",
    AFTER_LAST_REPORT: "Avance posterior al último informe",
    NO_LINEA: "Meta sin línea de acción",
    NO_SIGNATORY: "Falta firmante o cargo",
}
# The checks about what was achieved: `quarter` limits them.
ACHIEVEMENT_KINDS = frozenset({UNEXPLAINED_VARIANCE, UNPROGRAMMED, AFTER_LAST_REPORT})


@dataclass(frozen=True)
class Inconsistency:
    """One problem of the data, where it is and what is wrong, in Spanish."""

    kind: str
    ramo: str
    ue: str | None
    meta: int | None  # the meta's número
    quarter: int | None
    message: str
    programa: str | None = None  # for a programa's own problem (its signatory)
    meta_id: int | None = None

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def where(self) -> str:
        """Ramo 59 · UE 102 · Meta 205"""
        parts = [f"Ramo {self.ramo}"]
        if self.programa:
            parts.append(f"Programa {self.programa}")
        if self.ue:
            parts.append(f"UE {self.ue}")
        if self.meta is not None:
            parts.append(f"Meta {self.meta}")
        return " · ".join(parts)

    def __str__(self):
        return f"{self.where}: {self.message}"


def find_inconsistencies(*, ejercicio, quarter=None) -> list[Inconsistency]:
    """Every inconsistency of the year, ramo by ramo and unit by unit, in five queries:

    - PROGRAMMED_TOTAL: the four P of a meta do not add up to its annual target.
    - UNEXPLAINED_VARIANCE: a quarter's A differs from its P (beyond the observation threshold
      of the settings, the capture's own rule) and has no observation.
    - UNPROGRAMMED: something was achieved in a quarter that programmed nothing, without an
      explanation (instead of UNEXPLAINED_VARIANCE, which it implies).
    - AFTER_LAST_REPORT: an A captured in a quarter after the unit's last report. The last
      report of a unit is the latest quarter its capture reached: the latest quarter of the
      year planeación opened for capture (a CapturePeriod, open or closed) or, when later, the
      latest quarter whose report of the unit left BORRADOR (sent, reviewed or authorized;
      a report returned since still counts through its period). A later A was typed where no
      capture window ever opened. A year with no period and no report beyond BORRADOR was
      loaded from its printed sheets (the reference year), not captured here: there is no
      calendar to compare with, and this check is skipped for it.
    - NO_LINEA: a meta without a línea de acción of the plan.
    - NO_SIGNATORY: a unit, its programa or its ramo without a responsable, or without the
      position they sign with (ELABORÓ, REVISÓ, AUTORIZÓ).

    `quarter` limits the checks of what was achieved to the quarters up to it. A cancelled meta
    (an approved modification) is exempt from them from the quarter in which it was cancelled
    on: its unit no longer captures it. Its earlier quarters, its programming and its líneas
    are checked as any other's."""
    units = list(
        UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio).select_related(
            "ramo__responsable", "programa__responsable", "responsable"
        )
    )
    metas = _metas_by_unit(ejercicio)
    last_reports = _last_reports(ejercicio)
    last_quarter = quarter or figures.QUARTERS[-1]
    found, seen = [], set()
    for ue in sorted(units, key=lambda u: (clave_key(u.ramo.clave), clave_key(u.clave))):
        found += _catalog_findings(ue, seen)
        for meta in metas.get(ue.pk, []):
            found += _meta_findings(meta, ue, ejercicio.year, last_quarter, last_reports)
    return found


def _metas_by_unit(ejercicio) -> dict[int, list[Meta]]:
    cancellations = MetaVersion.objects.filter(meta=OuterRef("pk"), cancelada=True).order_by(
        "numero"
    )
    metas = (
        Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio)
        .annotate(
            has_linea=Exists(Meta.lineas_accion.through.objects.filter(meta=OuterRef("pk"))),
            cancelled_at=Subquery(cancellations.values("approved_at")[:1]),
        )
        .prefetch_related(Prefetch("avances", queryset=QuarterlyProgress.objects.all()))
        .order_by("numero")
    )
    by_unit = {}
    for meta in metas:
        by_unit.setdefault(meta.unidad_ejecutora_id, []).append(meta)
    return by_unit


def _last_reports(ejercicio) -> dict[int, int] | None:
    """The quarter of each unit's last report (see find_inconsistencies), by unit pk, with
    the year's last opened quarter under None; None when the year has no calendar."""
    opened = CapturePeriod.objects.filter(ejercicio=ejercicio).aggregate(last=Max("quarter"))
    reported = (
        Report.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio)
        .exclude(state=Report.State.BORRADOR)
        .values("unidad_ejecutora_id")
        .annotate(last=Max("quarter"))
    )
    last = {row["unidad_ejecutora_id"]: row["last"] for row in reported}
    if opened["last"] is None and not last:
        return None
    last[None] = opened["last"] or 0
    return last


# The catalog: who signs -------------------------------------------------------------------

SIGNS = {t.signer_role: t.signs for t in REPORT.signing}


def _catalog_findings(ue, seen) -> list[Inconsistency]:
    """The signatories of the unit, and of its programa and ramo the first time they come."""
    found = []
    ramo, programa = ue.ramo, ue.programa
    if ("ramo", ramo.pk) not in seen:
        seen.add(("ramo", ramo.pk))
        message = _signatory_problem(
            ramo, RAMO_HEAD, f"El ramo {ramo.clave}", f"del ramo {ramo.clave}"
        )
        if message:
            found.append(Inconsistency(NO_SIGNATORY, ramo.clave, None, None, None, message))
    if ("programa", programa.pk) not in seen:
        seen.add(("programa", programa.pk))
        message = _signatory_problem(
            programa,
            PROGRAM_HEAD,
            f"El programa {programa.clave}",
            f"del programa {programa.clave}",
        )
        if message:
            found.append(
                Inconsistency(
                    NO_SIGNATORY, ramo.clave, None, None, None, message, programa=programa.clave
                )
            )
    message = _signatory_problem(ue, UE_HEAD, "La unidad", "de la unidad")
    if message:
        found.append(Inconsistency(NO_SIGNATORY, ramo.clave, ue.clave, None, None, message))
    return found


def _signatory_problem(holder, role, name, of_name) -> str | None:
    """ "La unidad no tiene responsable que firme ELABORÓ." and the like; None when it has
    one, with the position they sign with."""
    signs = SIGNS[role]
    if holder.responsable is None:
        return f"{name} no tiene responsable que firme {signs}."
    if not holder.cargo_responsable.strip():
        return (
            f"Falta el cargo con el que firma {signs} el responsable {of_name}, "
            f"{holder.responsable.nombre}."
        )
    return None


# The metas: programming and what was achieved ----------------------------------------------


def _meta_findings(meta, ue, year, last_quarter, last_reports) -> list[Inconsistency]:
    def finding(kind, message, quarter=None):
        return Inconsistency(
            kind, ue.ramo.clave, ue.clave, meta.numero, quarter, message, meta_id=meta.pk
        )

    programmed, achieved, observations = meta.quarter_series()
    found = []
    if figures.programmed_total_difference(meta.meta_anual, programmed):
        found.append(
            finding(PROGRAMMED_TOTAL, figures.programmed_total_message(meta.meta_anual, programmed))
        )
    if not meta.has_linea:
        found.append(finding(NO_LINEA, "La meta no tiene línea de acción."))
    reached = _reached(last_reports, ue.pk)
    for q in range(1, min(last_quarter + 1, _exempt_from(meta, year))):
        p, a, note = programmed[q - 1], achieved[q - 1], observations[q - 1]
        if a is None:
            continue
        if not note.strip():
            kind_message = _variance(q, p, a)
            if kind_message:
                found.append(finding(*kind_message, quarter=q))
        if reached is not None and q > reached:
            found.append(finding(AFTER_LAST_REPORT, _after_report_message(q, reached), q))
    return found


def _reached(last_reports, ue_pk) -> int | None:
    if last_reports is None:
        return None
    return max(last_reports.get(ue_pk, 0), last_reports[None])


def _exempt_from(meta, year) -> int:
    """The first quarter exempt from the checks of what was achieved, plus one past the last
    quarter (5) for a meta not cancelled: the quarter of the year it was cancelled in."""
    if meta.cancelled_at is None:
        return figures.QUARTERS[-1] + 1
    when = timezone.localtime(meta.cancelled_at)
    if when.year != year:
        return 1 if when.year < year else figures.QUARTERS[-1] + 1
    return quarter_of_month(when.month)


def _variance(quarter, programmed, achieved) -> tuple[str, str] | None:
    if figures.is_unprogrammed_achievement(programmed, achieved):
        label = figures.QUARTER_LABELS[quarter]
        return UNPROGRAMMED, (
            f"Lo alcanzado en {label} ({figures.format_figure(achieved)}) no estaba programado "
            f"({figures.format_figure(programmed)}) y no tiene explicación."
        )
    threshold = settings.POA_OBSERVATION_THRESHOLD
    if figures.needs_observation(programmed, achieved, threshold):
        return UNEXPLAINED_VARIANCE, figures.unexplained_variance_message(
            quarter, programmed, achieved
        )
    return None


def _after_report_message(quarter, reached) -> str:
    label = figures.QUARTER_LABELS[quarter]
    if not reached:
        return f"Hay avance capturado en {label}, y la unidad aún no tiene ningún informe."
    return (
        f"Hay avance capturado en {label}, posterior al último informe "
        f"({figures.QUARTER_LABELS[reached]})."
    )


def count_by_kind(found) -> dict[str, int]:
    """How many of each kind, in the order of KINDS, only the kinds found."""
    counts = {kind: 0 for kind in KINDS}
    for item in found:
        counts[item.kind] += 1
    return {kind: n for kind, n in counts.items() if n}
