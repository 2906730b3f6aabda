"""Services of the evidence files («medios de verificación»): attach a file to a meta's quarter,
remove it, open it for a download, and the check that sending a report makes when planeación
requires evidence. The only code that adds or removes evidence; each change is recorded in the
file's history (who, when). Whether they may change: poa.selectors.locks.evidence_lock_reason;
what a file must be: poa.rules.evidence."""

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db import transaction

from poa.models import EVIDENCE_STORAGE, Evidencia, Report
from poa.rules import evidence
from poa.rules.evidence import EvidenceRefused
from poa.rules.figures import QUARTER_LABELS
from poa.rules.states import WorkflowError
from poa.selectors import access
from poa.selectors.evidence import evidence_report, evidence_total, metas_lacking_evidence
from poa.selectors.locks import evidence_lock_reason
from poa.services import audit

CHUNK = 64 * 1024


def evidence_storage():
    """Where the files are kept: STORAGES["evidence"], never served by the web server."""
    return storages[EVIDENCE_STORAGE]


def evidence_add(*, meta, quarter, upload, user) -> Evidencia:
    """Keeps `upload` (a Django File, read in pieces: an upload streamed to disk is never
    read whole into memory) as evidence of what `meta` achieved in `quarter`.

    Refused, with nothing stored, by PermissionDenied when the user does not capture for the
    unit, by WorkflowError while the quarter's report may not change, and by EvidenceRefused
    (Spanish, naming the file) when the file is too large, the report's files would weigh too
    much together, or its content is not an admitted kind (POA_EVIDENCE_TYPES) or fails the
    checks of its kind."""
    unidad = meta.unidad_ejecutora
    _check_may_change(user, evidence_report(unidad, quarter))
    size = upload.size
    _refuse(evidence.size_refusal(name=upload.name, size=size, limit=_file_limit()))
    kind = evidence.judge(upload, name=upload.name, allowed=settings.POA_EVIDENCE_TYPES)
    digest = _sha256(upload)
    with transaction.atomic():
        _check_may_change(user, _locked_report(unidad, quarter))
        total = evidence_total(unidad.pk, quarter) + size
        _refuse(
            evidence.total_refusal(
                name=upload.name, total=total, limit=settings.POA_EVIDENCE_REPORT_BYTES
            )
        )
        evidencia = Evidencia(
            meta=meta,
            quarter=quarter,
            name=evidence.clean_name(upload.name, kind),
            kind=kind.code,
            size=size,
            sha256=digest,
            uploaded_by=user,
        )
        evidencia.stored_name = _store(upload, unidad, quarter, kind)
        try:
            _save(evidencia, user, "Evidencia adjuntada")
        except BaseException:
            evidence_storage().delete(evidencia.stored_name)
            raise
    return evidencia


def evidence_remove(*, evidencia, user) -> None:
    """Removes a file while its report may still change; its history keeps who attached and
    who removed it, with its name and SHA-256. The stored file goes once this commits."""
    unidad = evidencia.meta.unidad_ejecutora
    with transaction.atomic():
        _check_may_change(user, _locked_report(unidad, evidencia.quarter))
        stored = evidencia.stored_name
        evidencia._history_user = user
        evidencia._change_reason = "Evidencia quitada"
        _audit_change(evidencia, user, "Evidencia quitada")
        evidencia.delete()
        transaction.on_commit(lambda: evidence_storage().delete(stored))


def evidence_open(*, evidencia, user):
    """The stored file, open for reading, for whoever may read the sheet it backs
    (PermissionDenied otherwise). Every download of an evidence file passes here."""
    if not access.can_view_evidence(user, evidencia):
        raise PermissionDenied("No tiene acceso a las evidencias de esta unidad ejecutora.")
    stored = evidence_storage().open(evidencia.stored_name, "rb")
    audit.meta_record(
        kind=audit.Kind.EVIDENCE,
        user=user,
        meta=evidencia.meta,
        quarter=evidencia.quarter,
        description=f"Descargó la evidencia «{evidencia.name}».",
    )
    return stored


def evidence_send_check(report) -> None:
    """With POA_EVIDENCE_REQUIRED, a report is sent (ELABORÓ) only when every meta that
    achieved something in its quarter has a file behind it: WorkflowError naming the metas
    that lack one."""
    if not settings.POA_EVIDENCE_REQUIRED:
        return
    lacking = metas_lacking_evidence(report)
    if lacking:
        raise WorkflowError(evidence.lacking_message(lacking, QUARTER_LABELS[report.quarter]))


def _file_limit():
    return settings.POA_EVIDENCE_FILE_BYTES


def _refuse(refusal):
    if refusal:
        raise EvidenceRefused(refusal)


def _check_may_change(user, report):
    if not access.can_change_evidence(user, report.unidad_ejecutora):
        raise PermissionDenied(
            "Solo los capturistas de la unidad y su responsable adjuntan o quitan evidencias."
        )
    reason = evidence_lock_reason(report)
    if reason:
        raise WorkflowError(reason)


def _locked_report(unidad, quarter) -> Report:
    """The quarter's report, locked until the transaction ends, so that no file is added
    or removed while it is being sent (a quarter nobody opened gets its row here)."""
    report, _ = Report.objects.select_for_update(of=("self",)).get_or_create(
        unidad_ejecutora=unidad, quarter=quarter
    )
    report.unidad_ejecutora = unidad
    return report


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _store(upload, unidad, quarter, kind) -> str:
    """Saved under a name of POA's choosing: year, unit, quarter and a random id."""
    year = unidad.ramo.ejercicio.year
    name = f"{year}/{unidad.ramo.clave}-{unidad.clave}/T{quarter}/{uuid.uuid4().hex}.{kind.code}"
    upload.seek(0)
    return evidence_storage().save(name, upload)


def _save(evidencia, user, reason):
    evidencia._history_user = user
    evidencia._change_reason = reason
    evidencia.full_clean(exclude=["meta", "uploaded_by"])
    evidencia.save()
    _audit_change(evidencia, user, reason)


def _audit_change(evidencia, user, reason):
    audit.meta_record(
        kind=audit.Kind.EVIDENCE,
        user=user,
        meta=evidencia.meta,
        quarter=evidencia.quarter,
        description=f"{reason}: «{evidencia.name}» (SHA-256 {evidencia.sha256}).",
    )
