"""What each unit promised for the year (Meta) and what it programmed and achieved per
quarter (QuarterlyProgress). Computed figures live in poa.rules.figures, never here."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from poa.rules import figures

from .catalog import LineaAccion, UnidadEjecutora, UnidadMedida

NON_NEGATIVE = MinValueValidator(0, figures.FIGURE_MESSAGES["negative"])
FIGURE_DIGITS = figures.FIGURE_DIGITS


def figure_field(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name,
        max_digits=FIGURE_DIGITS,
        decimal_places=2,
        validators=[NON_NEGATIVE],
        **kwargs,
    )


def whole_number_error(measure, value):
    """The Spanish message for a fraction typed in a unit that only counts whole things."""
    if value is None or measure is None or measure.admite_decimales:
        return None
    if Decimal(value) == Decimal(value).to_integral_value():
        return None
    return figures.whole_number_message(measure)


class Meta(models.Model):
    unidad_ejecutora = models.ForeignKey(
        UnidadEjecutora, models.PROTECT, related_name="metas", verbose_name="unidad ejecutora"
    )
    numero = models.PositiveIntegerField("número")
    descripcion = models.TextField("descripción")
    unidad_medida = models.ForeignKey(
        UnidadMedida, models.PROTECT, related_name="metas", verbose_name="unidad de medida"
    )
    meta_anual = figure_field("meta anual autorizada")
    lineas_accion = models.ManyToManyField(
        LineaAccion, related_name="metas", verbose_name="líneas de acción"
    )
    # Set by an approved modificación programática: the unit no longer captures it.
    cancelada = models.BooleanField("cancelada", default=False)

    class Meta:
        verbose_name = "meta"
        verbose_name_plural = "metas"
        ordering = ["unidad_ejecutora", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["unidad_ejecutora", "numero"],
                name="meta_numero_unique_per_ue",
                violation_error_message="Ya existe una meta con este número en la unidad "
                "ejecutora.",
            ),
            models.CheckConstraint(
                condition=Q(meta_anual__gte=0),
                name="meta_anual_non_negative",
                violation_error_message="La meta anual autorizada no puede ser negativa.",
            ),
        ]

    def __str__(self):
        return f"{self.numero}.- {self.descripcion}"

    def clean(self):
        super().clean()
        error = whole_number_error(
            self.unidad_medida if self.unidad_medida_id else None, self.meta_anual
        )
        if error:
            raise ValidationError({"meta_anual": error})
        if self.pk:
            programmed = [p.programado for p in self.avances.order_by("quarter")]
            if len(programmed) == len(figures.QUARTERS):
                self.validate_programmed_total(programmed)

    def quarter_series(self):
        """(programmed, achieved, observations), each a list for quarters 1–4, read from the
        meta's avances (prefetch them when reading many metas). A missing quarter reads as
        nothing programmed and nothing captured."""
        by_quarter = {progress.quarter: progress for progress in self.avances.all()}
        rows = [by_quarter.get(quarter) for quarter in figures.QUARTERS]
        return (
            [row.programado if row else Decimal(0) for row in rows],
            [row.alcanzado if row else None for row in rows],
            [row.observaciones if row else "" for row in rows],
        )

    def figures_at(self, quarter, series=None, annual=None):
        """The computed columns of the sheet at the end of `quarter`, with this government's
        observation threshold and semáforo (settings); `annual` and the series' programmed
        figures may be those of an earlier version of the meta."""
        programmed, achieved, observations = series or self.quarter_series()
        return figures.meta_figures(
            annual=self.meta_anual if annual is None else annual,
            programmed=programmed,
            achieved=achieved,
            observations=observations,
            quarter=quarter,
            observation_threshold=settings.POA_OBSERVATION_THRESHOLD,
            thresholds=settings.POA_SEMAFORO,
        )

    def validate_programmed_total(self, programmed):
        """The four quarterly programmed figures must add up to the annual target."""
        if self.meta_anual is None:
            return
        if figures.programmed_total_difference(self.meta_anual, programmed):
            raise ValidationError(figures.programmed_total_message(self.meta_anual, programmed))


class QuarterlyProgress(models.Model):
    """One quarter of one meta: programado is planned with the POA; alcanzado stays empty
    (not 0) until the unit captures it."""

    meta = models.ForeignKey(Meta, models.CASCADE, related_name="avances", verbose_name="meta")
    quarter = models.PositiveSmallIntegerField(
        "trimestre",
        choices=[(q, f"{q}. {figures.QUARTER_LABELS[q]}") for q in figures.QUARTERS],
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    programado = figure_field("programado", default=0)
    alcanzado = figure_field("alcanzado", null=True, blank=True)
    observaciones = models.TextField("observaciones", blank=True, max_length=1000)
    history = HistoricalRecords(verbose_name="historial de avance")

    class Meta:
        verbose_name = "avance trimestral"
        verbose_name_plural = "avances trimestrales"
        ordering = ["meta", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["meta", "quarter"],
                name="progress_one_row_per_quarter",
                violation_error_message="Esta meta ya tiene un registro para ese trimestre.",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="progress_quarter_1_to_4",
                violation_error_message="El trimestre debe ser 1, 2, 3 o 4.",
            ),
            models.CheckConstraint(
                condition=Q(programado__gte=0),
                name="progress_programado_non_negative",
                violation_error_message="Lo programado no puede ser negativo.",
            ),
            models.CheckConstraint(
                condition=Q(alcanzado__isnull=True) | Q(alcanzado__gte=0),
                name="progress_alcanzado_non_negative",
                violation_error_message="Lo alcanzado no puede ser negativo.",
            ),
        ]

    def __str__(self):
        return f"Meta {self.meta.numero}, {figures.QUARTER_LABELS.get(self.quarter, '')}"

    def clean(self):
        super().clean()
        if not self.meta_id:
            return
        measure = self.meta.unidad_medida
        errors = {}
        for name in ("programado", "alcanzado"):
            error = whole_number_error(measure, getattr(self, name))
            if error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)
