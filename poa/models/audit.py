"""The audit trail the contraloría reads: one row per thing that happened in POA (a
transition, a capture, a period, an import, a download of evidence, a login), written by the
services only and never changed."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .catalog import UnidadEjecutora


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        TRANSITION = "transicion", "Transición"
        CAPTURE = "captura", "Captura"
        CORRECTION = "correccion", "Corrección"
        MODIFICATION = "modificacion", "Modificación programática"
        PERIOD = "periodo", "Periodo de captura"
        IMPORT = "importacion", "Importación"
        EVIDENCE = "evidencia", "Evidencia"
        LOGIN = "inicio", "Inicio de sesión"
        ACCOUNT = "cuenta", "Cuenta"

    at = models.DateTimeField("fecha y hora", default=timezone.now, db_index=True)
    year = models.PositiveSmallIntegerField("ejercicio", db_index=True)
    kind = models.CharField("tipo", max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="usuario",
    )
    # Kept as written: the account may be renamed or removed later.
    username = models.CharField("usuario", max_length=150)
    unidad_ejecutora = models.ForeignKey(
        UnidadEjecutora,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="unidad ejecutora",
    )
    quarter = models.PositiveSmallIntegerField("trimestre", null=True, blank=True)
    description = models.TextField("descripción")

    class Meta:
        verbose_name = "evento de auditoría"
        verbose_name_plural = "eventos de auditoría"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["year", "kind"], name="audit_year_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.username} · {self.description}"
