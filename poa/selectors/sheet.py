"""Selector: the TMM-F004 "Avance Físico Programático" of a unit and quarter as plain, frozen
dataclasses. Every renderer (HTML, PDF) and view starts from a Sheet; the figures come from
poa.rules.figures, never from here.

Queries are fixed whatever the number of metas or units: one for the units with their catalog
and signers, four for the metas (with unidad de medida, líneas de acción, avances and the
quarter's evidence files), and one or two for the reports and their events."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from poa.models import (
    Evidencia,
    Meta,
    MetaVersion,
    QuarterlyProgress,
    Report,
    ReportEvent,
    UnidadEjecutora,
)
from poa.rules import figures, states
from poa.rules.dates import quarter_end
from poa.rules.states import REPORT, State
from poa.rules.text import clave_key
from poa.selectors import access
from poa.selectors.evidence import EvidenceFile, evidence_file

FORM_CODE = "TMM-F004"


@dataclass(frozen=True)
class Code:
    """A catalog entry as the sheet prints it: its code and its name."""

    clave: str
    nombre: str


@dataclass(frozen=True)
class Signature:
    label: str  # ELABORÓ / REVISÓ / AUTORIZÓ
    role: str  # RESPONSABLE DE LA UNIDAD EJECUTORA ...
    name: str
    position: str
    signed_on: date | None


@dataclass(frozen=True)
class Row:
    meta_id: int
    numero: int
    codes: tuple[str, ...]
    descripcion: str
    unidad_medida: str
    annual: Decimal
    programmed: tuple[Decimal, ...]
    # None where not captured, and for every quarter after the sheet's.
    achieved: tuple[Decimal | None, ...]
    figures: figures.MetaFigures
    observaciones: str
    # The unit of measure admits two decimals (the XLSX formats its figures with them).
    admits_decimals: bool = False
    # The files that back what the meta achieved in the sheet's quarter.
    evidence: tuple[EvidenceFile, ...] = ()

    @property
    def evidence_note(self) -> str:
        """How many files back the row, as the sheet prints it under its observations."""
        count = len(self.evidence)
        if not count:
            return ""
        return f"Evidencias: {count:,} archivo{'' if count == 1 else 's'}"

    @property
    def quarters(self):
        """(label, programmed, achieved) per quarter, in order, for the table's columns."""
        return [
            (figures.QUARTER_LABELS[q], self.programmed[q - 1], self.achieved[q - 1])
            for q in figures.QUARTERS
        ]


@dataclass(frozen=True)
class SheetWarning:
    numero: int
    message: str


@dataclass(frozen=True)
class Sheet:
    municipio: str
    year: int
    quarter: int
    fecha: date
    ramo: Code
    programa: Code
    unidad_ejecutora: Code
    finalidad: Code
    funcion: Code
    subfuncion: Code
    lineas: tuple[Code, ...]
    rows: tuple[Row, ...]
    signatures: tuple[Signature, ...]
    state: State  # of its report (the absent one of REPORT when the quarter has none)
    warnings: tuple[SheetWarning, ...]
    form_code: str = FORM_CODE
    # The report and the event of its authorization in force: an authorized sheet is rendered
    # once and kept (poa.documents.stored); a new authorization makes a new document.
    report_id: int | None = None
    authorization_id: int | None = None

    @property
    def quarter_labels(self):
        return [figures.QUARTER_LABELS[q] for q in figures.QUARTERS]

    @property
    def filename_stem(self):
        """TMM-F004_2023_59-102_T2"""
        return (
            f"{self.form_code}_{self.year}_{self.ramo.clave}-{self.unidad_ejecutora.clave}"
            f"_T{self.quarter}"
        )


def build_sheet(unidad_ejecutora: UnidadEjecutora, quarter: int) -> Sheet:
    """The sheet of one unit at the end of `quarter` (1–4)."""
    units = UnidadEjecutora.objects.filter(pk=unidad_ejecutora.pk)
    return build_sheets(units, quarter)[0]


def build_sheets(units: QuerySet[UnidadEjecutora], quarter: int) -> list[Sheet]:
    """The sheets of several units (e.g. every visible unit of a ramo), ordered by unit code,
    in the same fixed number of queries as one sheet."""
    return sheets_of(list(_units_queryset(units)), quarter)


def sheets_of(units: list[UnidadEjecutora], quarter: int) -> list[Sheet]:
    """build_sheets of units already read with their signers and their subfunción's
    función and finalidad (access.get_unit_or_404 reads a unit so): a page that has just
    read its unit does not read it again."""
    if quarter not in figures.QUARTERS:
        raise ValueError(f"quarter must be 1-4, not {quarter!r}")
    metas = _metas_by_unit(units, quarter)
    reports = _reports_by_unit(units, quarter)
    return [_sheet(unit, metas.get(unit.pk, []), reports.get(unit.pk), quarter) for unit in units]


def _units_queryset(units):
    return (
        units.with_signers()
        .select_related("subfuncion__funcion__finalidad")
        .order_by("ramo__clave", "clave")
    )


def _metas_by_unit(units, quarter):
    evidence = Evidencia.objects.filter(quarter=quarter).order_by("uploaded_at", "id")
    metas = (
        Meta.objects.filter(unidad_ejecutora__in=units)
        .select_related("unidad_medida")
        .prefetch_related(
            "lineas_accion",
            Prefetch("avances", queryset=QuarterlyProgress.objects.order_by("quarter")),
            Prefetch(
                "versions",
                queryset=MetaVersion.objects.select_related("unidad_medida").order_by("numero"),
            ),
            Prefetch("evidencias", queryset=evidence, to_attr="quarter_evidence"),
        )
        .order_by("numero")
    )
    grouped = {}
    for meta in metas:
        grouped.setdefault(meta.unidad_ejecutora_id, []).append(meta)
    return grouped


def _reports_by_unit(units, quarter):
    events = ReportEvent.objects.order_by("created_at", "id")
    reports = Report.objects.filter(unidad_ejecutora__in=units, quarter=quarter).prefetch_related(
        Prefetch("events", queryset=events)
    )
    return {report.unidad_ejecutora_id: report for report in reports}


def _sheet(unit, metas, report, quarter):
    ramo, programa, subfuncion = unit.ramo, unit.programa, unit.subfuncion
    funcion = subfuncion.funcion
    authorization = _authorization(report)
    authorized_at = authorization.created_at if authorization else None
    rows = tuple(_row(meta, quarter, authorized_at) for meta in metas)
    return Sheet(
        municipio=ramo.ejercicio.municipio,
        year=ramo.ejercicio.year,
        quarter=quarter,
        fecha=quarter_end(ramo.ejercicio.year, quarter),
        ramo=Code(ramo.clave, ramo.nombre),
        programa=Code(programa.clave, programa.nombre),
        unidad_ejecutora=Code(unit.clave, unit.nombre),
        # Each level of the functional classification prints its own last digit: 3 / 4 / 2.
        finalidad=Code(funcion.finalidad.digit, funcion.finalidad.nombre),
        funcion=Code(funcion.digit, funcion.nombre),
        subfuncion=Code(subfuncion.digit, subfuncion.nombre),
        lineas=_lineas(metas),
        rows=rows,
        signatures=_signatures(unit, report),
        state=REPORT.state(report.state if report else None),
        warnings=tuple(
            SheetWarning(row.numero, message) for row in rows for message in row.figures.warnings
        ),
        report_id=report.pk if report else None,
        authorization_id=authorization.pk if authorization else None,
    )


def _lineas(metas):
    lineas = {linea.pk: linea for meta in metas for linea in meta.lineas_accion.all()}
    ordered = sorted(lineas.values(), key=lambda linea: clave_key(linea.clave))
    return tuple(Code(linea.clave, linea.nombre) for linea in ordered)


def _row(meta, quarter, authorized_at):
    """One meta as the sheet prints it: with the figures in force when the report was
    authorized, or today's while it is not, and the note of a modification in force."""
    programmed, achieved, observations = meta.quarter_series()
    version = _in_force(meta, authorized_at)
    planned = version if authorized_at and version else meta
    if planned is not meta:
        programmed = planned.programmed
    series = (programmed, achieved, observations)
    codes = sorted((linea.clave for linea in meta.lineas_accion.all()), key=clave_key)
    notes = [observations[quarter - 1], version.note if version else ""]
    return Row(
        meta_id=meta.pk,
        numero=meta.numero,
        codes=tuple(codes),
        descripcion=planned.descripcion,
        unidad_medida=planned.unidad_medida.nombre,
        annual=planned.meta_anual,
        programmed=tuple(programmed),
        # Quarters after the sheet's print P and an empty A.
        achieved=tuple(achieved[:quarter]) + (None,) * (len(figures.QUARTERS) - quarter),
        figures=meta.figures_at(quarter, series, annual=planned.meta_anual),
        observaciones="\n".join(note for note in notes if note),
        admits_decimals=planned.unidad_medida.admite_decimales,
        evidence=tuple(evidence_file(evidencia) for evidencia in meta.quarter_evidence),
    )


def _in_force(meta, moment):
    """The approved version of the meta in force at `moment` (the latest when None); the
    first one when every version came later (versions began after the moment)."""
    versions = list(meta.versions.all())  # by number
    if not versions:
        return None
    if moment is None:
        return versions[-1]
    before = [version for version in versions if version.approved_at <= moment]
    return before[-1] if before else versions[0]


def _authorization(report):
    """The event of the report's authorization in force; None while it is not authorized."""
    if report is None or report.state != Report.State.AUTORIZADO:
        return None
    return _current_signatures(report).get(ReportEvent.Action.AUTHORIZE)


def _signatures(unit, report):
    """The three blocks ELABORÓ / REVISÓ / AUTORIZÓ: who signed and when, or the catalog's
    responsable of each role while unsigned."""
    signed = _current_signatures(report)
    blocks = []
    for transition in REPORT.signing:
        role = transition.signer_role
        title = states.ROLE_TITLES[role]
        event = signed.get(transition.action)
        if event:
            day = timezone.localtime(event.created_at).date()
            blocks.append(
                Signature(transition.signs, title, event.signer_name, event.signer_position, day)
            )
        else:
            holder = access.signatory(role, unit)
            name = holder.responsable.nombre if holder.responsable else ""
            blocks.append(Signature(transition.signs, title, name, holder.cargo_responsable, None))
    return tuple(blocks)


def _current_signatures(report):
    """The latest event of each signing action since the report was last returned or
    reopened, by action."""
    if report is None:
        return {}
    signed = {}
    for event in report.events.all():  # oldest first
        if event.transition.restarts:
            signed = {}
        elif event.transition.signs:
            signed[event.action] = event
    return signed
