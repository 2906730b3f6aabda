"""Forms of the capture grid, the report transitions and the capture periods. The rules live
in poa.workflow; a form only puts the service's Spanish message next to its field."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

from poa import workflow
from poa.dates import quarter_end
from poa.models import CapturePeriod, Ejercicio, UnidadEjecutora
from poa.models.review import QUARTER_CHOICES

# Typed as 15/10/2023 18:00 (24 hours, as every screen prints it); ISO still read, as older
# pages and scripts send it.
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATETIME_INPUT_FORMATS = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
EMPTY_LABEL = "Elija…"
# Ley General de Contabilidad Gubernamental art. 58: published within 30 days of the close.
CAPTURE_DAYS = 30


class CaptureRowForm(forms.Form):
    """One meta of the grid: what was achieved in the report's quarter and why it differs.
    capture/grid.html draws the inputs; the rules are poa.workflow's."""

    # Text, not a number field: the service's message is the one shown for a bad figure.
    alcanzado = forms.CharField(required=False, max_length=30)
    observaciones = forms.CharField(required=False)

    def __init__(self, *args, row, sending=False, **kwargs):
        kwargs.setdefault("prefix", f"meta-{row.meta.pk}")
        super().__init__(*args, **kwargs)
        self.row, self.sending = row, sending
        if not self.is_bound:
            progress = row.progress
            self.initial = {
                "alcanzado": _plain(progress.alcanzado) if progress else "",
                "observaciones": progress.observaciones if progress else "",
            }

    @property
    def programado(self):
        return self.row.programmed[self.row.figures.quarter - 1]

    def clean(self):
        data = super().clean()
        alcanzado = data.get("alcanzado") or ""
        observaciones = (data.get("observaciones") or "").strip()
        errors = workflow.validate_capture_row(
            meta=self.row.meta,
            programado=self.programado,
            alcanzado=alcanzado,
            observaciones=observaciones,
            sending=self.sending,
        )
        for field, message in errors.items():
            self.add_error(field, message)
        if not errors:
            data["alcanzado"] = workflow.read_figure(self.row.meta, alcanzado)
            data["observaciones"] = observaciones
        return data

    def as_service_row(self):
        return {
            "alcanzado": self.cleaned_data["alcanzado"],
            "observaciones": self.cleaned_data["observaciones"],
        }


def _plain(value):
    """A stored figure as typed: 12 rather than 12.00."""
    if value is None:
        return ""
    value = Decimal(value)
    return str(value.quantize(Decimal(1)) if value == value.to_integral_value() else value)


class VersionForm(forms.Form):
    """The version of the report the grid was loaded at, to refuse overwriting a later save."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label="Comentario",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_message = required_message = transition.comment_required
        if required_message:
            self.fields["comment"].required = True
            self.fields["comment"].label = "Motivo"
            self.fields["comment"].error_messages["required"] = required_message

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if self.required_message and not comment:
            raise forms.ValidationError(self.required_message)
        return comment


def _future(value):
    if value is not None and value <= timezone.now():
        raise forms.ValidationError("La fecha límite debe ser posterior a este momento.")
    return value


class LocalDateTimeField(forms.DateTimeField):
    """A moment typed in Mexicali's time; an hour skipped or repeated by the change to or from
    daylight saving time is refused in plain Spanish."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if getattr(error, "code", None) != "ambiguous_timezone":
                raise
            raise forms.ValidationError(
                "Esa hora no existe o se repite en Mexicali por el cambio de horario; elija "
                "otra, por ejemplo una hora después.",
                code="ambiguous_timezone",
            ) from error


def deadline_field(label):
    # A text input: the browser's datetime-local follows its own locale and may show AM/PM.
    return LocalDateTimeField(
        label=label,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(
            attrs={
                "class": "form-control",
                "placeholder": "dd/mm/aaaa hh:mm",
                "autocomplete": "off",
            },
            format=DATETIME_FORMAT,
        ),
        error_messages={
            "required": "Indique la fecha y hora límite.",
            "invalid": "Escriba una fecha que exista como dd/mm/aaaa hh:mm (24 horas), por "
            "ejemplo 15/10/2023 18:00.",
        },
        help_text="Hora de Mexicali, formato de 24 horas.",
    )


class PeriodOpenForm(forms.Form):
    ejercicio = forms.ModelChoiceField(
        label="Ejercicio",
        queryset=Ejercicio.objects.all(),
        empty_label=None,
        error_messages={"required": "Elija el ejercicio."},
    )
    quarter = forms.TypedChoiceField(
        label="Trimestre",
        choices=[("", EMPTY_LABEL), *QUARTER_CHOICES],
        coerce=int,
        empty_value=None,
        error_messages={"required": "Elija el trimestre."},
    )
    deadline = deadline_field("Fecha límite de captura")

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.note = ""
        if not self.is_bound:
            self.initial, self.note = proposed_period(now or timezone.now())

    def clean_deadline(self):
        return _future(self.cleaned_data["deadline"])


def proposed_period(now):
    """What planeación most likely opens next, as (initial, note): the quarter after the last
    one opened of the latest ejercicio, until 30 days after that quarter ends (23:59, local
    time), or 30 days from now when that moment has passed. Nothing is proposed once the four
    quarters were opened; the note says so."""
    ejercicio = Ejercicio.objects.order_by("-year").first()
    if ejercicio is None:
        return {}, ""
    opened = CapturePeriod.objects.filter(ejercicio=ejercicio).values_list("quarter", flat=True)
    quarter = max(opened, default=0) + 1
    if quarter > 4:
        note = (
            f"Los cuatro trimestres de {ejercicio.year} ya se abrieron; elegir uno lo reabre "
            "con la nueva fecha límite."
        )
        return {"ejercicio": ejercicio}, note
    deadline = _end_of_day(quarter_end(ejercicio.year, quarter) + timedelta(days=CAPTURE_DAYS))
    if deadline <= now:
        deadline = _end_of_day(timezone.localdate(now) + timedelta(days=CAPTURE_DAYS))
    return {"ejercicio": ejercicio, "quarter": quarter, "deadline": deadline}, ""


def _end_of_day(day):
    """23:59 of `day` in Mexicali."""
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


class ExceptionGrantForm(forms.Form):
    unidad_ejecutora = forms.ModelChoiceField(
        label="Unidad ejecutora",
        queryset=UnidadEjecutora.objects.none(),
        empty_label=EMPTY_LABEL,
        error_messages={"required": "Elija la unidad ejecutora."},
    )
    deadline = deadline_field("Nueva fecha límite")
    reason = forms.CharField(
        label="Motivo",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=1000,
        error_messages={"required": "Escriba el motivo de la prórroga."},
    )

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unidad_ejecutora"].queryset = UnidadEjecutora.objects.filter(
            ramo__ejercicio=period.ejercicio
        ).select_related("ramo")

    def clean_deadline(self):
        return _future(self.cleaned_data["deadline"])

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Escriba el motivo de la prórroga.")
        return reason


class SheetExportForm(forms.Form):
    """The year and quarter of the ZIP of every sheet; proposes the last quarter opened."""

    ejercicio = forms.ModelChoiceField(
        label="Ejercicio",
        queryset=Ejercicio.objects.all(),
        empty_label=None,
        error_messages={"required": "Elija el ejercicio."},
    )
    quarter = forms.TypedChoiceField(
        label="Trimestre",
        choices=[("", EMPTY_LABEL), *QUARTER_CHOICES],
        coerce=int,
        empty_value=None,
        error_messages={"required": "Elija el trimestre."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            latest = CapturePeriod.objects.order_by("-ejercicio__year", "-quarter").first()
            if latest:
                self.initial = {"ejercicio": latest.ejercicio_id, "quarter": latest.quarter}
