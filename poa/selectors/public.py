"""What the public transparency portal and its open data read: only what was authorized, as it
was authorized. Every figure comes from the seal in force of an authorized report
(poa.models.Seal: its rows and signatures were copied when it was sealed), never from the
capture: a draft, a comment, an e-mail address or a modificación not approved has no way in.
A report reopened by planeación drops out until it is authorized again; meanwhile its unit's
quarter is «en revisión».

The caches of the public pages are keyed on stamp(): the latest authorization or reopening,
so that either shows at once."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from poa.models import ReportEvent, Seal, UnidadEjecutora
from poa.rules import figures, states
from poa.rules.dates import quarter_end
from poa.rules.states import REPORT
from poa.rules.text import clave_key, folded
from poa.selectors.tracking import GroupProgress, Progress, avance_method, groups_total

LICENSE = "Creative Commons Atribución 4.0 Internacional (CC BY 4.0)"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.es"
# The events that change what the public sees.
PUBLISHING_ACTIONS = (ReportEvent.Action.AUTHORIZE, ReportEvent.Action.REOPEN)
# The role each signature block names, by its label (ELABORÓ → RESPONSABLE DE LA UNIDAD …).
ROLE_OF_LABEL = {t.signs: states.ROLE_TITLES[t.signer_role] for t in REPORT.signing}


@dataclass(frozen=True)
class Stamp:
    """The latest authorization or reopening: its id keys the caches, its moment is the
    Last-Modified of every public page."""

    key: str
    modified: datetime | None


def stamp() -> Stamp:
    """One query, whatever the size of the municipality."""
    latest = ReportEvent.objects.filter(action__in=PUBLISHING_ACTIONS).aggregate(
        last=Max("id"), at=Max("created_at")
    )
    moment = latest["at"].isoformat() if latest["at"] else ""
    return Stamp(f"{latest['last'] or 0}:{moment}", latest["at"])


# One meta, one unit, one group --------------------------------------------------------------


@dataclass(frozen=True)
class PublicMeta:
    """A row of an authorized sheet, with its semáforo at the sheet's quarter."""

    numero: int
    descripcion: str
    unidad_medida: str
    annual: Decimal
    programmed: tuple[Decimal, ...]  # quarters 1 … the sheet's
    achieved: tuple[Decimal | None, ...]
    absolute: Decimal | None
    relative: Decimal | None
    observaciones: str
    progress: Progress

    @property
    def quarters(self):
        """(label, P, A) of each quarter up to the sheet's."""
        return [
            (figures.QUARTER_LABELS[q], p, a)
            for q, p, a in zip(figures.QUARTERS, self.programmed, self.achieved, strict=False)
        ]

    @property
    def light(self) -> str:
        return self.progress.light

    def quarter_progress(self, quarter) -> Progress:
        """Programmed and achieved up to `quarter` (≤ the sheet's), judged as seguimiento."""
        return _progress(self.programmed, self.achieved, quarter)


@dataclass
class PublicUnit:
    """The authorized sheet of a unit for a quarter: its seal in force and its metas."""

    ue: UnidadEjecutora
    seal: Seal
    metas: list[PublicMeta]
    progress: GroupProgress = field(default_factory=GroupProgress)

    @property
    def quarter(self) -> int:
        return self.seal.report.quarter

    @property
    def address(self) -> tuple:
        return (self.ue.ramo.ejercicio.year, self.quarter, self.ue.ramo.clave, self.ue.clave)

    @property
    def url(self) -> str:
        return reverse("poa:public-sheet", args=self.address)

    def meta(self, numero) -> PublicMeta | None:
        return next((meta for meta in self.metas if meta.numero == numero), None)

    @property
    def signatures(self) -> list[dict]:
        """The three signatures as sealed, with the role each block prints."""
        return [
            {
                **signature,
                "role": ROLE_OF_LABEL.get(signature["label"], ""),
                "at": datetime.fromisoformat(signature["at"]),
            }
            for signature in self.seal.signatures
        ]


@dataclass
class PublicGroup:
    """A ramo or a programa: its authorized units and their progress."""

    clave: str
    nombre: str
    ramo: str = ""
    units: list[PublicUnit] = field(default_factory=list)
    progress: GroupProgress = field(default_factory=GroupProgress)
    series: list = field(default_factory=lambda: [GroupProgress() for _ in figures.QUARTERS])


@dataclass
class PublicRamo(PublicGroup):
    programas: list[PublicGroup] = field(default_factory=list)
    in_review: list[UnidadEjecutora] = field(default_factory=list)


@dataclass
class PublicQuarter:
    """What the portal shows of a year and quarter: the authorized sheets by ramo and
    programa, and the units whose quarter is «en revisión»."""

    year: int
    quarter: int
    ramos: list[PublicRamo]
    programas: list[PublicGroup]
    units: list[PublicUnit]
    in_review: list[UnidadEjecutora]

    @property
    def quarter_label(self) -> str:
        return figures.QUARTER_LABELS[self.quarter]

    @property
    def method(self) -> str:
        """How a group's avance is computed, in one sentence (as seguimiento says it)."""
        return avance_method()

    @property
    def total(self) -> GroupProgress:
        return groups_total(self.ramos)

    @property
    def metas(self) -> list[tuple[PublicUnit, PublicMeta]]:
        return [(unit, meta) for unit in self.units for meta in unit.metas]

    def ramo(self, clave) -> PublicRamo | None:
        return next((ramo for ramo in self.ramos if ramo.clave == clave), None)

    def search(self, text) -> list[tuple[PublicUnit, PublicMeta]]:
        """The metas whose number, description, unit of measure, unit, programa or ramo
        contain every word of `text`, accents and case aside."""
        words = folded(text).split()
        if not words:
            return []
        return [(u, m) for u, m in self.metas if all(w in _searchable(u, m) for w in words)]


def _searchable(unit, meta) -> str:
    ue = unit.ue
    return folded(
        f"{meta.numero} {meta.descripcion} {meta.unidad_medida} {ue.clave} {ue.nombre} "
        f"{ue.programa.clave} {ue.programa.nombre} {ue.ramo.clave} {ue.ramo.nombre}"
    )


# Reading the seals ---------------------------------------------------------------------------


def _seals(year, quarter=None):
    seals = Seal.objects.with_report().filter(report__unidad_ejecutora__ramo__ejercicio__year=year)
    return seals.filter(report__quarter=quarter) if quarter else seals


def current_seals(year, quarter=None):
    """The seals in force (of reports authorized and not reopened since) of a year, or of
    one of its quarters."""
    return _seals(year, quarter).filter(superseded_at=None)


def in_review_units(year, quarter) -> list[UnidadEjecutora]:
    """The units whose authorized report of the quarter was reopened and is not authorized
    again yet."""
    seals = _seals(year, quarter).filter(superseded_at__isnull=False, superseded_by=None)
    units = {seal.report.unidad_ejecutora_id: seal.report.unidad_ejecutora for seal in seals}
    return sorted(units.values(), key=_unit_order)


def _unit_order(ue):
    return (clave_key(ue.ramo.clave), clave_key(ue.clave))


def quarters_published() -> list[tuple[int, int]]:
    """(year, quarter) of every quarter with an authorized sheet, or one reopened, newest
    first."""
    pairs = Seal.objects.values_list(
        "report__unidad_ejecutora__ramo__ejercicio__year", "report__quarter"
    ).distinct()
    return sorted(set(pairs), reverse=True)


def is_published(year, quarter=None) -> bool:
    """Whether the year (or quarter) ever had an authorized sheet, in force or reopened."""
    return _seals(year, quarter).exists()


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _progress(programmed, achieved, quarter) -> Progress:
    planned = figures.programmed_to_date(programmed, quarter)
    done = figures.avance_absoluto(achieved, quarter)
    return Progress.of(_cents(planned), _cents(done), captured=True)


def _cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def public_meta(row: dict) -> PublicMeta:
    """A sealed row of the sheet (poa.services.seals._figures) as the portal reads it."""
    programmed = tuple(Decimal(p) for p, _ in row["quarters"])
    achieved = tuple(_decimal(a) for _, a in row["quarters"])
    return PublicMeta(
        numero=int(row["numero"]),
        descripcion=row["descripcion"],
        unidad_medida=row["unidad_medida"],
        annual=Decimal(row["anual"]),
        programmed=programmed,
        achieved=achieved,
        absolute=_decimal(row["absoluto"]),
        relative=_decimal(row["relativo"]),
        observaciones=row.get("observaciones", ""),
        progress=_progress(programmed, achieved, len(programmed)),
    )


def public_unit(seal) -> PublicUnit:
    unit = PublicUnit(seal.report.unidad_ejecutora, seal, [public_meta(r) for r in seal.figures])
    for meta in unit.metas:
        unit.progress.add_meta(meta.progress)
    return unit


def public_quarter(year, quarter) -> PublicQuarter:
    """The portal's year and quarter, in two queries however many units: the seals in force
    and those reopened, each with its unit, ramo, programa and year. Its ramos, programas and
    metas answer what seguimiento's charts ask (poa.web.views.tracking.tracking_charts)."""
    seals = current_seals(year, quarter).select_related(
        "report__unidad_ejecutora__ramo__ejercicio", "report__unidad_ejecutora__programa"
    )
    units = sorted((public_unit(seal) for seal in seals), key=lambda u: _unit_order(u.ue))
    in_review = in_review_units(year, quarter)
    ramos, programas = _groups(units, quarter)
    for ue in in_review:
        ramo = ramos.setdefault(ue.ramo_id, PublicRamo(ue.ramo.clave, ue.ramo.nombre))
        ramo.in_review.append(ue)
    ordered = sorted(ramos.values(), key=lambda ramo: clave_key(ramo.clave))
    return PublicQuarter(year, quarter, ordered, list(programas.values()), units, in_review)


def _groups(units, quarter):
    ramos, programas = {}, {}
    for unit in units:
        ue = unit.ue
        ramo = ramos.setdefault(ue.ramo_id, PublicRamo(ue.ramo.clave, ue.ramo.nombre))
        key = (ue.ramo_id, ue.programa_id)
        if key not in programas:
            programas[key] = PublicGroup(ue.programa.clave, ue.programa.nombre, ramo=ramo.clave)
            ramo.programas.append(programas[key])
        for group in (ramo, programas[key]):
            group.units.append(unit)
            group.progress.add(unit.progress)
            for q in figures.QUARTERS[:quarter]:
                for meta in unit.metas:
                    group.series[q - 1].add_meta(meta.quarter_progress(q))
    return ramos, programas


def public_unit_of(year, quarter, ramo, ue) -> PublicUnit | None:
    """The authorized sheet in force of one unit and quarter; None when there is none."""
    seal = (
        current_seals(year, quarter)
        .filter(report__unidad_ejecutora__ramo__clave=ramo, report__unidad_ejecutora__clave=ue)
        .select_related("report__unidad_ejecutora__subfuncion__funcion__finalidad")
        .first()
    )
    return public_unit(seal) if seal else None


def unit_in_review(year, quarter, ramo, ue) -> UnidadEjecutora | None:
    return next(
        (u for u in in_review_units(year, quarter) if u.ramo.clave == ramo and u.clave == ue),
        None,
    )


# Open data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # as the data dictionary states it
    meaning: str


COLUMNS = (
    Column("ejercicio", "entero", "Año del Programa Operativo Anual."),
    Column("trimestre", "entero (1 a 4)", "Trimestre que informa la hoja autorizada."),
    Column("periodo_inicio", "fecha (AAAA-MM-DD)", "Primer día del trimestre."),
    Column("periodo_fin", "fecha (AAAA-MM-DD)", "Último día del trimestre (fecha de corte)."),
    Column("ramo_clave", "texto", "Clave del ramo (la dependencia o entidad)."),
    Column("ramo", "texto", "Nombre del ramo."),
    Column("programa_clave", "texto", "Clave del programa."),
    Column("programa", "texto", "Nombre del programa."),
    Column("ue_clave", "texto", "Clave de la unidad ejecutora."),
    Column("unidad_ejecutora", "texto", "Nombre de la unidad ejecutora."),
    Column("meta_numero", "entero", "Número de la meta dentro de su unidad ejecutora."),
    Column("meta_descripcion", "texto", "Descripción de la meta."),
    Column("unidad_medida", "texto", "Unidad de medida de la meta."),
    Column("meta_anual", "decimal", "Meta anual autorizada."),
    Column("programado_trimestre", "decimal", "Programado (P) en el trimestre."),
    Column("alcanzado_trimestre", "decimal", "Alcanzado (A) en el trimestre."),
    Column("programado_acumulado", "decimal", "Programado del primer trimestre al informado."),
    Column(
        "alcanzado_acumulado",
        "decimal",
        "Avance absoluto: alcanzado del primer trimestre al informado.",
    ),
    Column(
        "acumulado_relativo",
        "decimal (por ciento)",
        "Avance absoluto entre la meta anual, redondeado a entero como lo imprime la hoja; "
        "vacío si la meta anual es 0.",
    ),
    Column(
        "semaforo",
        "texto",
        "verde, amarillo, rojo, sobrecumplimiento o sin_programar: lo alcanzado contra lo "
        "programado a la fecha (verde desde {verde} %, amarillo desde {amarillo} %, "
        "sobrecumplimiento arriba de {sobre} %).",
    ),
    Column("observaciones", "texto", "Observaciones de la meta en la hoja autorizada."),
    Column("folio", "texto", "Folio del sello de la hoja autorizada."),
    Column("autorizado", "fecha y hora (ISO 8601)", "Momento de la autorización (sello)."),
    Column("hoja_url", "URL", "La hoja TMM-F004 autorizada en el portal de transparencia."),
    Column("verificacion_url", "URL", "La verificación pública del PDF sellado."),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)


def columns() -> list[Column]:
    """The data dictionary, with the semáforo's thresholds as configured."""
    thresholds = settings.POA_SEMAFORO
    return [
        Column(c.name, c.kind, c.meaning.format(**thresholds)) if "{" in c.meaning else c
        for c in COLUMNS
    ]


def site_url(path) -> str:
    return settings.POA_SITE_URL.rstrip("/") + path


def open_data_rows(year, quarter=None) -> list[dict]:
    """One record per meta and quarter of the authorized sheets in force, with the columns of
    COLUMNS: figures are Decimal, dates date or datetime (the writer formats them)."""
    seals = current_seals(year, quarter).select_related("report__unidad_ejecutora__programa")
    units = sorted(
        (public_unit(seal) for seal in seals), key=lambda u: (u.quarter, *_unit_order(u.ue))
    )
    return [_record(unit, meta) for unit in units for meta in unit.metas]


def _record(unit, meta) -> dict:
    ue, q, seal = unit.ue, unit.quarter, unit.seal
    year = ue.ramo.ejercicio.year
    values = (
        year,
        q,
        date(year, q * 3 - 2, 1),
        quarter_end(year, q),
        ue.ramo.clave,
        ue.ramo.nombre,
        ue.programa.clave,
        ue.programa.nombre,
        ue.clave,
        ue.nombre,
        meta.numero,
        meta.descripcion,
        meta.unidad_medida,
        meta.annual,
        meta.programmed[q - 1],
        meta.achieved[q - 1],
        figures.programmed_to_date(meta.programmed, q),
        meta.absolute,
        meta.relative,
        meta.light,
        meta.observaciones,
        seal.folio,
        timezone.localtime(seal.sealed_at),
        site_url(unit.url),
        site_url(reverse("poa:verify", args=[seal.folio])),
    )
    return dict(zip(COLUMN_NAMES, values, strict=True))
