"""A new year from the last one: planeación creates ejercicio 2024 from 2023 in one action,
carrying over ramos, programas, units with their signatories and capturistas, the líneas de
acción when the PMD is the same, and optionally the metas as drafts with their targets
cleared. The source year is never changed."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F

from poa.models import Ejercicio, LineaAccion, Meta, Programa, Programacion, Ramo, UnidadEjecutora
from poa.rules import figures
from poa.rules.states import WorkflowError
from poa.selectors import access
from poa.services import programming


class YearCopyError(WorkflowError):
    """A new year that cannot be created: str = Spanish, `field` = the form's field."""

    def __init__(self, message, field=None):
        self.field = field
        super().__init__(message)


@dataclass
class YearCopy:
    """What a new year takes from its source: the counts the confirmation page shows before
    creating it, and the summary once created (`ejercicio` set)."""

    source: Ejercicio
    year: int
    pmd: str
    copy_metas: bool
    ramos: int = 0
    programas: int = 0
    unidades: int = 0
    responsables: int = 0  # people who sign for a ramo, programa or unit
    capturistas: int = 0
    lineas: int = 0
    metas: int = 0
    skipped: list = field(default_factory=list)  # metas not copied, with why
    ejercicio: Ejercicio | None = None

    @property
    def same_pmd(self) -> bool:
        return _same_pmd(self.pmd, self.source.pmd)

    @property
    def notes(self) -> list[str]:
        """What planeación must know besides the counts, in Spanish."""
        notes = []
        if not self.same_pmd:
            notes.append(
                f"El PMD de {self.year} es distinto del de {self.source.year}: las líneas de "
                "acción no se copian; registre las del nuevo plan antes de programar."
            )
            if self.copy_metas:
                notes.append(
                    "Las metas copiadas quedan sin línea de acción: cada unidad elige las del "
                    "nuevo plan antes de enviar su programación."
                )
        return notes + self.skipped

    @property
    def summary(self) -> list[str]:
        """The lines the command prints and the page shows once the year exists."""
        lines = [
            f"Ejercicio {self.year} creado a partir de {self.source.year}: "
            f"{_count(self.ramos, 'ramo', 'ramos')}, "
            f"{_count(self.programas, 'programa', 'programas')} y "
            f"{_count(self.unidades, 'unidad ejecutora', 'unidades ejecutoras')} con sus "
            f"responsables ({_count(self.responsables, 'persona', 'personas')}) y "
            f"{_count(self.capturistas, 'capturista', 'capturistas')}.",
            f"Líneas de acción copiadas: {self.lineas:,}.",
        ]
        if self.copy_metas:
            lines.append(
                f"Metas copiadas como borrador, con la meta anual y lo programado en 0: "
                f"{self.metas:,}."
            )
        lines.append("Cada unidad tiene su programación anual en borrador.")
        return lines + self.notes


def _count(number, one, many):
    return f"{number:,} {one if number == 1 else many}"


def _same_pmd(a, b):
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def year_plan(*, source, year, pmd=None, copy_metas=False) -> YearCopy:
    """What creating `year` from `source` (an Ejercicio or its year) would copy, without
    writing anything; YearCopyError when it cannot be created. An empty `pmd` keeps the
    source's plan, and with it its líneas de acción."""
    source = _source_year(source)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise YearCopyError("El año debe estar entre 2000 y 2100.", "year")
    if Ejercicio.objects.filter(year=year).exists():
        raise YearCopyError(f"El ejercicio {year} ya existe; no se copió nada.", "year")
    pmd = " ".join((pmd or "").split()) or source.pmd
    if len(pmd) > 200:
        raise YearCopyError("El nombre del PMD admite como máximo 200 caracteres.", "pmd")
    if _same_pmd(pmd, source.pmd):
        pmd = source.pmd
    plan = YearCopy(source=source, year=year, pmd=pmd, copy_metas=copy_metas)
    units = UnidadEjecutora.objects.filter(ramo__ejercicio=source)
    plan.ramos = source.ramos.count()
    plan.programas = Programa.objects.filter(ramo__ejercicio=source).count()
    plan.unidades = units.count()
    plan.responsables = len(_signers(source))
    plan.capturistas = (
        get_user_model().objects.filter(unidades_captura__in=units).distinct().count()
    )
    plan.lineas = source.lineas_accion.count() if plan.same_pmd else 0
    if copy_metas:
        metas = _source_metas(source)
        plan.skipped = [reason for meta in metas if (reason := _not_copied(meta))]
        plan.metas = len(metas) - len(plan.skipped)
    return plan


def _source_year(source) -> Ejercicio:
    if isinstance(source, Ejercicio):
        return source
    found = Ejercicio.objects.filter(year=source).first()
    if found is None:
        raise YearCopyError(f"No existe el ejercicio {source}: no hay de dónde copiar.", "source")
    return found


def _signers(source):
    people = set()
    for model, path in ((Ramo, "ejercicio"), (Programa, "ramo__ejercicio")):
        people |= set(model.objects.filter(**{path: source}).values_list("responsable", flat=True))
    people |= set(
        UnidadEjecutora.objects.filter(ramo__ejercicio=source).values_list("responsable", flat=True)
    )
    return people - {None}


def _source_metas(source):
    return list(
        Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=source)
        .select_related("unidad_medida", "unidad_ejecutora")
        .prefetch_related("lineas_accion")
        .order_by("unidad_ejecutora__clave", "numero")
    )


def _not_copied(meta) -> str | None:
    """Why a meta of the source does not go into the new year; None when it does."""
    where = f"La meta {meta.numero} de la UE {meta.unidad_ejecutora.clave}"
    if meta.cancelada:
        return f"{where} no se copió: está cancelada."
    if not meta.unidad_medida.aceptada:
        return (
            f"{where} no se copió: su unidad de medida «{meta.unidad_medida}» no está "
            "aceptada por planeación."
        )
    return None


def year_create_from(*, source, year, user, copy_metas=False, pmd=None) -> YearCopy:
    """Planeación creates ejercicio `year` from `source` (an Ejercicio or its year) in one
    transaction: same municipio and PMD (unless `pmd` names another), its ramos, programas
    and units with their responsables, positions, subfunción and capturistas (people and
    units of measure are shared by every year), its líneas de acción when the PMD is the
    same, and with `copy_metas` its metas as a draft with the annual target and P at 0
    (cancelled ones and those with a unit of measure planeación has not accepted stay out).
    Every unit starts its programming in BORRADOR. The source is not changed. Refused with
    PermissionDenied for anyone else, and YearCopyError when the year exists or the source
    does not."""
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación crea un ejercicio nuevo.")
    try:
        with transaction.atomic():
            plan = year_plan(source=source, year=year, pmd=pmd, copy_metas=copy_metas)
            source = plan.source
            ejercicio = Ejercicio.objects.create(
                year=year, municipio=source.municipio, pmd=plan.pmd
            )
            lineas = _copy_lineas(source, ejercicio) if plan.same_pmd else {}
            units = _copy_units(source, ejercicio)
            for unit in units.values():
                programming.programming_of(unit)
            if copy_metas:
                _copy_metas(_source_metas(source), units, lineas, user)
    except IntegrityError as error:
        # Someone created the same year at the same time.
        raise YearCopyError(f"El ejercicio {year} ya existe; no se copió nada.", "year") from error
    plan.ejercicio = ejercicio
    return plan


def _copy_lineas(source, ejercicio) -> dict:
    return {
        linea.pk: LineaAccion.objects.create(
            ejercicio=ejercicio, clave=linea.clave, nombre=linea.nombre
        )
        for linea in source.lineas_accion.all()
    }


def _signer_fields(entry):
    return {
        "clave": entry.clave,
        "nombre": entry.nombre,
        "responsable_id": entry.responsable_id,
        "cargo_responsable": entry.cargo_responsable,
    }


def _copy_units(source, ejercicio) -> dict:
    """The source's ramos, programas and units in the new year: {source unit pk: new unit}."""
    units = {}
    for ramo in source.ramos.prefetch_related("programas", "unidades__capturistas"):
        new_ramo = Ramo.objects.create(ejercicio=ejercicio, **_signer_fields(ramo))
        programas = {
            programa.pk: Programa.objects.create(ramo=new_ramo, **_signer_fields(programa))
            for programa in ramo.programas.all()
        }
        for ue in ramo.unidades.all():
            units[ue.pk] = new = UnidadEjecutora.objects.create(
                ramo=new_ramo,
                programa=programas[ue.programa_id],
                subfuncion_id=ue.subfuncion_id,
                **_signer_fields(ue),
            )
            new.capturistas.set(ue.capturistas.all())
    return units


def _copy_metas(metas, units, lineas, user):
    """Each unit's metas as its draft programming, through the programming's own checks."""
    by_unit = {}
    for meta in metas:
        if _not_copied(meta) is None:
            by_unit.setdefault(meta.unidad_ejecutora_id, []).append(_draft_row(meta, lineas))
    for source_pk, rows in by_unit.items():
        ue = units[source_pk]
        programming.draft_metas(unidad_ejecutora=ue, user=user, rows=rows)
        Programacion.objects.filter(unidad_ejecutora=ue).update(version=F("version") + 1)


def _draft_row(meta, lineas) -> programming.PlanRow:
    return programming.PlanRow(
        key=f"nueva-{meta.numero}",
        numero=str(meta.numero),
        descripcion=meta.descripcion,
        unidad_medida=meta.unidad_medida,
        lineas=[lineas[linea.pk] for linea in meta.lineas_accion.all() if linea.pk in lineas],
        meta_anual="0",
        programado=["0"] * len(figures.QUARTERS),
    )
