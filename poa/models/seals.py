"""The seal of an authorized TMM-F004: the folio, the SHA-256 of the PDF kept on authorization
and when, so that anyone can check a copy against it (/verificar/<folio>/, poa_verify). Only
poa.services.seals writes these rows; the stored bytes they describe never change."""

from django.db import models

from .review import Report, ReportEvent


class SealQuerySet(models.QuerySet):
    def with_report(self):
        """With the report's unit, ramo, program and year, and both events, in one query."""
        return self.select_related(
            "report__unidad_ejecutora__ramo__ejercicio",
            "report__unidad_ejecutora__programa",
            "authorization",
            "reopening",
            "superseded_by",
        )


class Seal(models.Model):
    """One authorization of a report, sealed. A reopening marks it superseded (it is kept, and
    still verifies as the document it was); the next authorization seals a new revision,
    whose folio ends in -R<n>."""

    report = models.ForeignKey(Report, models.PROTECT, related_name="seals", verbose_name="informe")
    authorization = models.OneToOneField(
        ReportEvent, models.PROTECT, related_name="seal", verbose_name="autorización"
    )
    folio = models.CharField("folio", max_length=80, unique=True)
    revision = models.PositiveSmallIntegerField("revisión", default=0)
    sealed_at = models.DateTimeField("sellado el")
    # The kept PDF (poa.documents.stored.kept_name); its SHA-256 is empty until the PDF is
    # rendered, in the background or on the first download, whichever comes first.
    file_name = models.CharField("archivo", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField("bytes", null=True, blank=True)
    superseded_at = models.DateTimeField("sustituido el", null=True, blank=True)
    reopening = models.OneToOneField(
        ReportEvent,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_seal",
        verbose_name="reapertura",
    )
    superseded_by = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name="sustituido por",
    )
    # What the public verification page shows, as authorized: the sheet's rows (figures
    # only) and its three signatures, copied when sealed, so that a reopened report's new
    # draft never shows through an old folio.
    figures = models.JSONField("cifras autorizadas", default=list, blank=True)
    signatures = models.JSONField("firmas", default=list, blank=True)
    # The evidence files sealed with the sheet, as [[name, sha256], …] (empty until the
    # report carries evidence).
    evidence = models.JSONField("evidencias", default=list, blank=True)

    objects = SealQuerySet.as_manager()

    class Meta:
        verbose_name = "sello de hoja autorizada"
        verbose_name_plural = "sellos de hojas autorizadas"
        ordering = ["report", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "revision"],
                name="seal_one_per_report_revision",
                violation_error_message="El informe ya tiene un sello con esa revisión.",
            ),
        ]

    def __str__(self):
        return self.folio

    @property
    def current(self) -> bool:
        return self.superseded_at is None

    @property
    def rendered(self) -> bool:
        return bool(self.sha256)
