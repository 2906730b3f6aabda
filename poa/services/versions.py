"""A meta's approved versions: the one planeación's approval records, and the meta before
and after a modificación, field by field, as the pages, the emails and the sheet compare them."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max

from poa.models import QUARTER_FIELDS, MetaVersion, Modificacion, QuarterlyProgress
from poa.rules import figures

ModificationState = Modificacion.State


def version_of(meta, *, numero, user, when, modificacion=None, justificacion="") -> MetaVersion:
    """The meta as it stands now (its quarters prefetched in `avances`) as an unsaved approved
    version."""
    programmed = [p.programado for p in sorted(meta.avances.all(), key=lambda p: p.quarter)]
    return MetaVersion(
        meta=meta,
        numero=numero,
        descripcion=meta.descripcion,
        unidad_medida_id=meta.unidad_medida_id,
        meta_anual=meta.meta_anual,
        cancelada=meta.cancelada,
        modificacion=modificacion,
        justificacion=justificacion,
        approved_at=when,
        approved_by=user,
        **dict(zip(QUARTER_FIELDS, programmed, strict=True)),
    )


def new_version(meta, *, user, when, modificacion=None, justificacion="") -> MetaVersion:
    """Records the meta as it stands now as its next approved version."""
    last = meta.versions.aggregate(last=Max("numero"))["last"] or 0
    version = version_of(
        meta,
        numero=last + 1,
        user=user,
        when=when,
        modificacion=modificacion,
        justificacion=justificacion,
    )
    version.save()
    return version


def first_versions(metas, *, user, when) -> list[MetaVersion]:
    """The first approved version of each meta that has none (quarters and versions
    prefetched), in one query whatever their number: what the approval of a programming
    records."""
    return MetaVersion.objects.bulk_create(
        version_of(meta, numero=1, user=user, when=when)
        for meta in metas
        if not meta.versions.all()
    )


@dataclass(frozen=True)
class FigureChange:
    """One field of a meta before a modification and as the modification proposes it."""

    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _yes_no(value):
    return "Sí" if value else "No"


COMPARED = (
    ("Descripción", lambda planned: " ".join(planned.descripcion.split())),
    ("Unidad de medida", lambda planned: planned.unidad_medida.nombre),
    ("Meta anual autorizada", lambda planned: figures.format_figure(planned.meta_anual)),
    *(
        (
            f"Programado {figures.QUARTER_LABELS[q]}",
            lambda planned, q=q: figures.format_figure(planned.programmed[q - 1]),
        )
        for q in figures.QUARTERS
    ),
    ("Meta cancelada", lambda planned: _yes_no(planned.cancelada)),
)


def modification_changes(modificacion) -> list[FigureChange]:
    """The meta before the modification and as it proposes it, field by field, in the order
    of the sheet: what planeación compares, what the email lists and the pages mark."""
    before = planned_before(modificacion)
    return [FigureChange(label, show(before), show(modificacion)) for label, show in COMPARED]


def planned_before(modificacion):
    """What the modification changes: the meta as it is today while the request waits, and
    the version it was requested on once decided."""
    meta = modificacion.meta
    if modificacion.state == ModificationState.SOLICITADA:
        return current_planned(meta)
    if modificacion.base_version_id:
        return modificacion.base_version
    versions = meta.versions.select_related("unidad_medida").order_by("numero")
    if modificacion.state == ModificationState.APROBADA:
        # Requested before the meta had versions: the one recorded when it was approved.
        own = MetaVersion.objects.filter(modificacion=modificacion).first()
        previous = versions.filter(numero__lt=own.numero).last() if own else None
        return previous or current_planned(meta)
    return versions.first() or current_planned(meta)


def current_planned(meta) -> MetaVersion:
    """The meta's figures today, as an unsaved version (to compare or to show)."""
    programmed, _ = stored_series(meta)
    return MetaVersion(
        meta=meta,
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        meta_anual=meta.meta_anual,
        cancelada=meta.cancelada,
        **dict(zip(QUARTER_FIELDS, programmed, strict=True)),
    )


def stored_series(meta):
    """(programmed, achieved) of the meta's four quarters, as stored now."""
    rows = {p.quarter: p for p in QuarterlyProgress.objects.filter(meta_id=meta.pk)}
    programmed = [rows[q].programado if q in rows else Decimal(0) for q in figures.QUARTERS]
    achieved = [rows[q].alcanzado if q in rows else None for q in figures.QUARTERS]
    return programmed, achieved
