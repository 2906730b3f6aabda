"""Documents made in the background: the ZIP of every unit's TMM-F004 of a year and quarter,
which planeación asks for and downloads when it is ready (poa.services.batch)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .catalog import Ejercicio
from .review import QUARTER_CHOICES


class SheetExport(models.Model):
    """One request for the ZIP of every sheet of a year and quarter, with its progress as the
    background job (poa.services.batch.sheet_export) writes it."""

    class State(models.TextChoices):
        EN_COLA = "EN_COLA", "En cola"
        EN_PROCESO = "EN_PROCESO", "Generando"
        LISTA = "LISTA", "Lista"
        FALLIDA = "FALLIDA", "Falló"

    ejercicio = models.ForeignKey(
        Ejercicio, models.PROTECT, related_name="+", verbose_name="ejercicio"
    )
    quarter = models.PositiveSmallIntegerField("trimestre", choices=QUARTER_CHOICES)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="solicitó"
    )
    state = models.CharField("estado", max_length=10, choices=State.choices, default=State.EN_COLA)
    done = models.PositiveIntegerField("hojas listas", default=0)
    total = models.PositiveIntegerField("hojas", default=0)
    file = models.FileField("archivo", upload_to="tmm-f004/zip/", blank=True)
    error = models.TextField("error", blank=True)
    created_at = models.DateTimeField("solicitada", default=timezone.now)
    updated_at = models.DateTimeField("último avance", default=timezone.now)
    finished_at = models.DateTimeField("terminada", null=True, blank=True)

    class Meta:
        verbose_name = "ZIP de hojas TMM-F004"
        verbose_name_plural = "ZIP de hojas TMM-F004"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="sheet_export_quarter_1_to_4",
                violation_error_message="El trimestre debe ser 1, 2, 3 o 4.",
            ),
        ]

    def __str__(self):
        return f"{self.filename} · {self.get_state_display()}"

    @property
    def filename(self):
        """TMM-F004_2023_T2.zip, as the batch command names it too."""
        return f"TMM-F004_{self.ejercicio.year}_T{self.quarter}.zip"

    @property
    def pending(self):
        return self.state in (self.State.EN_COLA, self.State.EN_PROCESO)

    @property
    def ready(self):
        return self.state == self.State.LISTA

    @property
    def failed(self):
        return self.state == self.State.FALLIDA

    @property
    def percent(self):
        return 100 * self.done // self.total if self.total else 0

    @property
    def progress_text(self):
        """How far it got, as the page and its progress requests say it."""
        if self.state == self.State.EN_COLA:
            return "En cola: empieza en cuanto el proceso de tareas la tome."
        if self.state == self.State.EN_PROCESO:
            return f"{self.done:,} de {self.total:,} hojas ({self.percent} %)"
        if self.state == self.State.LISTA:
            return f"Listo: {self.total:,} hojas"
        return self.error
