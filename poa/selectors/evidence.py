"""Reads of the evidence files: those of a report's quarter by meta, those of a meta by quarter,
the list a seal records, the metas that still lack one when sending asks for it, and a file
by its id. Who may read them: poa.selectors.access; whether they may change:
poa.selectors.locks.evidence_lock_reason."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Sum
from django.http import Http404

from poa.models import Evidencia, QuarterlyProgress, Report


@dataclass(frozen=True)
class EvidenceFile:
    """A file as the sheet and the confirmations list it."""

    pk: int
    name: str
    kind: str  # PDF, JPG…
    size: int
    sha256: str
    uploaded_at: datetime


def evidence_file(evidencia) -> EvidenceFile:
    return EvidenceFile(
        evidencia.pk,
        evidencia.name,
        evidencia.kind_info.label,
        evidencia.size,
        evidencia.sha256,
        evidencia.uploaded_at,
    )


def _of_quarter(unidad_ejecutora_id, quarter):
    return Evidencia.objects.filter(meta__unidad_ejecutora_id=unidad_ejecutora_id, quarter=quarter)


def report_evidence(report) -> dict[int, list[Evidencia]]:
    """The files of the report's quarter by meta id, oldest first, in one query."""
    files = defaultdict(list)
    rows = _of_quarter(report.unidad_ejecutora_id, report.quarter).select_related("uploaded_by")
    for evidencia in rows.order_by("uploaded_at", "id"):
        files[evidencia.meta_id].append(evidencia)
    return dict(files)


def meta_evidence(meta) -> dict[int, list[Evidencia]]:
    """The files of the meta by quarter, oldest first, in one query."""
    files = defaultdict(list)
    for evidencia in meta.evidencias.select_related("uploaded_by").order_by("uploaded_at", "id"):
        files[evidencia.quarter].append(evidencia)
    return dict(files)


def evidence_manifest(report) -> list[tuple[str, str]]:
    """(name, SHA-256) of every file backing the report, by meta number and then as attached:
    what the seal of an authorized sheet records and the public verification page shows
    (never the files themselves)."""
    rows = _of_quarter(report.unidad_ejecutora_id, report.quarter).order_by(
        "meta__numero", "uploaded_at", "id"
    )
    return list(rows.values_list("name", "sha256"))


def evidence_total(unidad_ejecutora_id, quarter) -> int:
    """What the files of a unit's quarter weigh together, in bytes."""
    total = _of_quarter(unidad_ejecutora_id, quarter).aggregate(total=Sum("size"))["total"]
    return total or 0


def metas_lacking_evidence(report) -> list[int]:
    """The numbers of the metas that achieved something in the report's quarter and have no
    file behind it, in order."""
    files = Evidencia.objects.filter(meta_id=OuterRef("meta_id"), quarter=report.quarter)
    lacking = QuarterlyProgress.objects.filter(
        meta__unidad_ejecutora_id=report.unidad_ejecutora_id,
        quarter=report.quarter,
        alcanzado__gt=0,
    ).filter(~Exists(files))
    return sorted(lacking.values_list("meta__numero", flat=True))


def evidence_or_404(pk) -> Evidencia:
    """A file with its meta and unit's catalog; the caller asks access whether the user may
    read it."""
    evidencia = (
        Evidencia.objects.select_related(
            "meta__unidad_ejecutora__ramo__ejercicio",
            "meta__unidad_ejecutora__programa",
        )
        .filter(pk=pk)
        .first()
    )
    if evidencia is None:
        raise Http404("No existe ese archivo de evidencia.")
    return evidencia


def evidence_report(unidad_ejecutora, quarter) -> Report:
    """The report whose quarter the files back; unsaved when nobody opened the quarter."""
    report = Report.objects.filter(unidad_ejecutora=unidad_ejecutora, quarter=quarter).first()
    if report is None:
        report = Report(unidad_ejecutora=unidad_ejecutora, quarter=quarter)
    report.unidad_ejecutora = unidad_ejecutora
    return report


def unit_reports(unidad_ejecutora) -> dict[int, Report]:
    """The unit's reports by quarter, in one query, each carrying the unit already read."""
    reports = {r.quarter: r for r in Report.objects.filter(unidad_ejecutora=unidad_ejecutora)}
    for report in reports.values():
        report.unidad_ejecutora = unidad_ejecutora
    return reports
