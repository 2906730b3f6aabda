"""The quarterly report of a unit and its sign-off: capture windows, states and the events
that moved them. Only poa.services.review changes a report's state."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from poa.rules import figures
from poa.rules.states import REPORT

from .catalog import SIGNER_PATHS, Ejercicio, UnidadEjecutora

QUARTER_CHOICES = [(q, f"{q}. {figures.QUARTER_LABELS[q]}") for q in figures.QUARTERS]


class CapturePeriod(models.Model):
    """Planeación opens a quarter of a year for capture until a deadline."""

    ejercicio = models.ForeignKey(
        Ejercicio, models.PROTECT, related_name="periodos", verbose_name="ejercicio"
    )
    quarter = models.PositiveSmallIntegerField("trimestre", choices=QUARTER_CHOICES)
    deadline = models.DateTimeField("fecha límite")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="abierto por",
    )
    opened_at = models.DateTimeField("abierto el", default=timezone.now)
    closed_at = models.DateTimeField("cerrado el", null=True, blank=True)

    class Meta:
        verbose_name = "periodo de captura"
        verbose_name_plural = "periodos de captura"
        ordering = ["-ejercicio__year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["ejercicio", "quarter"],
                name="period_one_per_quarter",
                violation_error_message="Ese trimestre ya tiene un periodo de captura.",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="period_quarter_1_to_4",
                violation_error_message="El trimestre debe ser 1, 2, 3 o 4.",
            ),
        ]

    def __str__(self):
        return f"{self.ejercicio} · {figures.QUARTER_LABELS[self.quarter]}"


class CaptureException(models.Model):
    """A later deadline for one unit, granted by planeación with a reason."""

    period = models.ForeignKey(
        CapturePeriod, models.CASCADE, related_name="exceptions", verbose_name="periodo"
    )
    unidad_ejecutora = models.ForeignKey(
        UnidadEjecutora, models.CASCADE, related_name="+", verbose_name="unidad ejecutora"
    )
    deadline = models.DateTimeField("nueva fecha límite")
    reason = models.TextField("motivo")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="otorgada por"
    )
    granted_at = models.DateTimeField("otorgada el", default=timezone.now)

    class Meta:
        verbose_name = "prórroga de captura"
        verbose_name_plural = "prórrogas de captura"
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unidad_ejecutora"],
                name="exception_one_per_unit",
                violation_error_message="La unidad ya tiene una prórroga en este periodo.",
            )
        ]

    def __str__(self):
        return f"{self.period} · UE {self.unidad_ejecutora.clave}"


class ReportQuerySet(models.QuerySet):
    def with_signers(self):
        """The reports with their unit, year and the three signatories, in the same query."""
        return self.select_related(*(f"unidad_ejecutora__{path}" for path in SIGNER_PATHS))


class Report(models.Model):
    """The TMM-F004 of one unit for one quarter, as it moves towards authorization. Its
    states and transitions are defined in poa.rules.states.REPORT."""

    State = REPORT.state_choices("State")

    unidad_ejecutora = models.ForeignKey(
        UnidadEjecutora, models.PROTECT, related_name="reports", verbose_name="unidad ejecutora"
    )
    quarter = models.PositiveSmallIntegerField("trimestre", choices=QUARTER_CHOICES)
    state = models.CharField("estado", max_length=12, choices=State.choices, default=State.BORRADOR)
    # Bumped by every save of the capture grid: a save made against an older version is refused.
    version = models.PositiveIntegerField("versión", default=0)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    history = HistoricalRecords(verbose_name="historial del informe")

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "informe trimestral"
        verbose_name_plural = "informes trimestrales"
        ordering = ["unidad_ejecutora", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["unidad_ejecutora", "quarter"],
                name="report_one_per_unit_quarter",
                violation_error_message="La unidad ya tiene un informe de ese trimestre.",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="report_quarter_1_to_4",
                violation_error_message="El trimestre debe ser 1, 2, 3 o 4.",
            ),
        ]

    def __str__(self):
        ue = self.unidad_ejecutora
        return f"UE {ue.clave} · {figures.QUARTER_LABELS[self.quarter]} {ue.ramo.ejercicio}"

    def get_absolute_url(self):
        return self.url("poa:report")

    @property
    def address(self) -> tuple:
        """(year, ramo, ue, quarter): the arguments of every URL of the report."""
        ue = self.unidad_ejecutora
        return (ue.ramo.ejercicio.year, ue.ramo.clave, ue.clave, self.quarter)

    def url(self, name, *extra) -> str:
        """The path of one of the report's pages: report.url("poa:sheet-pdf")."""
        return reverse(name, args=[*self.address, *extra])

    @property
    def machine_state(self):
        """The state's definition in poa.rules.states, with what it waits for."""
        return REPORT.state(self.state)


class Event(models.Model):
    """One transition of a workflow of poa.rules.states: who, signing with which position, when, and
    why. Each subject has its own table (ReportEvent, ProgramacionEvent, …) naming its machine
    and the choices of its action and states."""

    machine = None

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="usuario"
    )
    # Snapshots: the sheet keeps printing who signed and how even if the catalog changes later.
    signer_name = models.CharField("nombre", max_length=200)
    signer_position = models.CharField("cargo", max_length=200, blank=True)
    comment = models.TextField("comentario", blank=True)
    created_at = models.DateTimeField("fecha", default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.get_action_display()} · {self.signer_name}"

    @property
    def transition(self):
        return self.machine.transition(self.action)


class ReportEvent(Event):
    """One transition of a report."""

    machine = REPORT
    Action = REPORT.action_choices("Action")

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="events", verbose_name="informe"
    )
    action = models.CharField("acción", max_length=12, choices=Action.choices)
    from_state = models.CharField("estado anterior", max_length=12, choices=Report.State.choices)
    to_state = models.CharField("estado nuevo", max_length=12, choices=Report.State.choices)
    # The e.firma certificate the signature was made with (empty when signed without one).
    certificate_serial = models.CharField(
        "número de serie del certificado", max_length=80, blank=True
    )
    certificate_issuer = models.CharField("emisor del certificado", max_length=300, blank=True)

    class Meta:
        verbose_name = "movimiento del informe"
        verbose_name_plural = "movimientos del informe"
        ordering = ["report", "created_at", "id"]


class ReminderSent(models.Model):
    """A capture reminder emailed to a unit: one a day at most, however often the job runs."""

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="reminders", verbose_name="informe"
    )
    day = models.DateField("día")
    overdue = models.BooleanField("captura vencida", default=False)
    sent_at = models.DateTimeField("enviado el", default=timezone.now)

    class Meta:
        verbose_name = "recordatorio enviado"
        verbose_name_plural = "recordatorios enviados"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "day"], name="reminder_once_a_day")
        ]

    def __str__(self):
        return f"{self.report} · {self.day:%d/%m/%Y}"
