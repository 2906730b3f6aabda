"""The annual programming of each unit (its metas, annual targets and quarterly split) as it
moves to planeación's approval, the approved versions of each meta, and the changes to an
approved meta requested during the year (modificación programática). Only poa.services.programming
changes their state or their figures; the states and transitions are poa.rules.states'
PROGRAMMING and MODIFICATION."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from simple_history.models import HistoricalRecords

from poa.rules import figures
from poa.rules.states import MODIFICATION, PROGRAMMING

from .catalog import SIGNER_PATHS, UnidadEjecutora, UnidadMedida
from .plan import Meta, figure_field
from .review import Event

# The fields of MetaVersion holding what is programmed in each quarter.
QUARTER_FIELDS = tuple(f"programado_{q}" for q in figures.QUARTERS)


class ProgramacionQuerySet(models.QuerySet):
    def with_signers(self):
        return self.select_related(*(f"unidad_ejecutora__{path}" for path in SIGNER_PATHS))


class Programacion(models.Model):
    """The programming of one unit for its year: the metas the unit drafts and planeación
    approves. Approved, it is read only and changes meta by meta through a Modificacion."""

    State = PROGRAMMING.state_choices("State")

    unidad_ejecutora = models.OneToOneField(
        UnidadEjecutora,
        models.CASCADE,
        related_name="programacion",
        verbose_name="unidad ejecutora",
    )
    state = models.CharField(
        "estado", max_length=12, choices=State.choices, default=PROGRAMMING.initial.value
    )
    # Bumped by every save of the programming screen: a save against an older one is refused.
    version = models.PositiveIntegerField("versión", default=0)
    updated_at = models.DateTimeField("actualizada", auto_now=True)
    history = HistoricalRecords(verbose_name="historial de la programación")

    objects = ProgramacionQuerySet.as_manager()

    class Meta:
        verbose_name = "programación anual"
        verbose_name_plural = "programaciones anuales"
        ordering = ["unidad_ejecutora"]

    def __str__(self):
        ue = self.unidad_ejecutora
        return f"Programación {ue.ramo.ejercicio} · UE {ue.ramo.clave}-{ue.clave}"

    def get_absolute_url(self):
        return self.url("poa:programming")

    @property
    def address(self) -> tuple:
        """(year, ramo, ue): the arguments of every URL of the programming."""
        ue = self.unidad_ejecutora
        return (ue.ramo.ejercicio.year, ue.ramo.clave, ue.clave)

    def url(self, name, *extra) -> str:
        return reverse(name, args=[*self.address, *extra])

    @property
    def machine_state(self):
        return PROGRAMMING.state(self.state)

    @property
    def is_approved(self):
        return self.state == self.State.APROBADA


class ProgramacionEvent(Event):
    """One transition of a unit's programming."""

    machine = PROGRAMMING
    Action = PROGRAMMING.action_choices("Action")

    programacion = models.ForeignKey(
        Programacion, models.CASCADE, related_name="events", verbose_name="programación"
    )
    action = models.CharField("acción", max_length=12, choices=Action.choices)
    from_state = models.CharField(
        "estado anterior", max_length=12, choices=Programacion.State.choices
    )
    to_state = models.CharField("estado nuevo", max_length=12, choices=Programacion.State.choices)

    class Meta:
        verbose_name = "movimiento de la programación"
        verbose_name_plural = "movimientos de la programación"
        ordering = ["programacion", "created_at", "id"]


class PlannedFigures(models.Model):
    """What a meta promises: description, unit, annual target and its quarterly split."""

    descripcion = models.TextField("descripción")
    unidad_medida = models.ForeignKey(
        UnidadMedida, models.PROTECT, related_name="+", verbose_name="unidad de medida"
    )
    meta_anual = figure_field("meta anual autorizada")
    programado_1 = figure_field("programado Ene-Mar", default=0)
    programado_2 = figure_field("programado Abr-Jun", default=0)
    programado_3 = figure_field("programado Jul-Sep", default=0)
    programado_4 = figure_field("programado Oct-Dic", default=0)
    cancelada = models.BooleanField("cancelada", default=False)

    class Meta:
        abstract = True

    @property
    def programmed(self) -> list:
        return [getattr(self, f"programado_{q}") for q in figures.QUARTERS]


class MetaVersion(PlannedFigures):
    """An approved state of a meta: the first when the programming is approved, one more for
    each approved modification. The sheet of an authorized quarter prints the version that
    was in force when it was authorized."""

    meta = models.ForeignKey(Meta, models.CASCADE, related_name="versions", verbose_name="meta")
    numero = models.PositiveSmallIntegerField("versión")
    modificacion = models.OneToOneField(
        "Modificacion",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="version",
        verbose_name="modificación",
    )
    justificacion = models.TextField("justificación", blank=True)
    approved_at = models.DateTimeField("en vigor desde", default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="aprobada por"
    )

    class Meta:
        verbose_name = "versión de la meta"
        verbose_name_plural = "versiones de las metas"
        ordering = ["meta", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["meta", "numero"], name="meta_version_unique")
        ]

    def __str__(self):
        return f"Meta {self.meta.numero} · versión {self.numero}"

    @property
    def note(self) -> str:
        """What the sheet adds to OBSERVACIONES while a modification is in force:
        "Meta modificada el 15/07/2023: <justificación>"."""
        if self.modificacion_id is None:
            return ""
        what = "cancelada" if self.cancelada else "modificada"
        day = formats.date_format(timezone.localtime(self.approved_at), "SHORT_DATE_FORMAT")
        return f"Meta {what} el {day}: {self.justificacion}"


class Modificacion(PlannedFigures):
    """A change to an approved meta requested by its unit with a justification: the figures
    it proposes (a copy of the meta's, changed) until planeación approves or rejects it."""

    State = MODIFICATION.state_choices("State")

    meta = models.ForeignKey(
        Meta, models.CASCADE, related_name="modificaciones", verbose_name="meta"
    )
    state = models.CharField(
        "estado", max_length=12, choices=State.choices, default=MODIFICATION.initial.value
    )
    justificacion = models.TextField("justificación")
    # The version the request changes: approving it after another change would undo that one.
    base_version = models.ForeignKey(
        MetaVersion,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="versión modificada",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="solicitada por"
    )
    requested_at = models.DateTimeField("solicitada el", default=timezone.now)

    class Meta:
        verbose_name = "modificación programática"
        verbose_name_plural = "modificaciones programáticas"
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"Modificación de la meta {self.meta.numero} ({self.get_state_display()})"

    @property
    def machine_state(self):
        """The state's definition in poa.rules.states."""
        return MODIFICATION.state(self.state)

    @property
    def unidad_ejecutora(self):
        return self.meta.unidad_ejecutora


class ModificacionEvent(Event):
    """One decision on a modification."""

    machine = MODIFICATION
    Action = MODIFICATION.action_choices("Action")

    modificacion = models.ForeignKey(
        Modificacion, models.CASCADE, related_name="events", verbose_name="modificación"
    )
    action = models.CharField("acción", max_length=12, choices=Action.choices)
    from_state = models.CharField(
        "estado anterior", max_length=12, choices=Modificacion.State.choices
    )
    to_state = models.CharField("estado nuevo", max_length=12, choices=Modificacion.State.choices)

    class Meta:
        verbose_name = "decisión sobre la modificación"
        verbose_name_plural = "decisiones sobre las modificaciones"
        ordering = ["modificacion", "created_at", "id"]
