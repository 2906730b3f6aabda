"""The evidence behind a meta's figure of a quarter («medios de verificación»): the files a unit
attaches while its report is editable, kept in the private storage STORAGES["evidence"] and
read only through POA. Only poa.services.evidence adds or removes them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from poa.rules import evidence, figures

from .plan import Meta
from .review import QUARTER_CHOICES

# The alias in settings.STORAGES of where evidence files are kept.
EVIDENCE_STORAGE = "evidence"


class Evidencia(models.Model):
    """One file backing what a meta achieved in a quarter."""

    Kind = models.TextChoices(
        "Kind", [(k.code.upper(), (k.code, k.label)) for k in evidence.KINDS.values()]
    )

    meta = models.ForeignKey(Meta, models.PROTECT, related_name="evidencias", verbose_name="meta")
    quarter = models.PositiveSmallIntegerField("trimestre", choices=QUARTER_CHOICES)
    # Its name in STORAGES["evidence"], chosen by POA (never the uploaded name).
    stored_name = models.CharField("archivo guardado", max_length=255, unique=True)
    name = models.CharField("nombre", max_length=evidence.NAME_LENGTH)
    kind = models.CharField("tipo", max_length=4, choices=Kind.choices)
    size = models.PositiveBigIntegerField("tamaño (bytes)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="adjuntó"
    )
    uploaded_at = models.DateTimeField("adjuntado el", default=timezone.now)
    history = HistoricalRecords(verbose_name="historial de evidencias")

    class Meta:
        verbose_name = "evidencia"
        verbose_name_plural = "evidencias"
        ordering = ["meta", "quarter", "uploaded_at", "id"]
        indexes = [models.Index(fields=["meta", "quarter"], name="evidence_meta_quarter")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="evidence_quarter_1_to_4",
                violation_error_message="El trimestre debe ser 1, 2, 3 o 4.",
            ),
        ]

    def __str__(self):
        return f"{self.name} · meta {self.meta.numero}, {figures.QUARTER_LABELS[self.quarter]}"

    @property
    def kind_info(self) -> evidence.Kind:
        """The kind's label, MIME type and extensions (poa.rules.evidence.KINDS)."""
        return evidence.KINDS[self.kind]
