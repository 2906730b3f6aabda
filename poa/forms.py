"""Forms of the capture grid, the report transitions and the capture periods. The rules live
in poa.workflow; a form only puts the service's Spanish message next to its field."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from poa import workflow
from poa.models import Ejercicio, UnidadEjecutora
from poa.models.review import QUARTER_CHOICES

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


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


def deadline_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
        error_messages={
            "required": "Indique la fecha y hora límite.",
            "invalid": "Escriba una fecha y hora válidas, por ejemplo 15/10/2023 18:00.",
        },
        help_text="Hora de Mexicali (America/Tijuana).",
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
        choices=QUARTER_CHOICES,
        coerce=int,
        error_messages={"required": "Elija el trimestre."},
    )
    deadline = deadline_field("Fecha límite de captura")

    def clean_deadline(self):
        return _future(self.cleaned_data["deadline"])


class ExceptionGrantForm(forms.Form):
    unidad_ejecutora = forms.ModelChoiceField(
        label="Unidad ejecutora",
        queryset=UnidadEjecutora.objects.none(),
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


class YearExportForm(forms.Form):
    """Planeación downloads the workbook of a year (poa.yearbook)."""

    ejercicio = forms.ModelChoiceField(
        label="Ejercicio",
        queryset=Ejercicio.objects.all(),
        to_field_name="year",
        empty_label=None,
        error_messages={
            "required": "Elija el ejercicio.",
            "invalid_choice": "Ese ejercicio no existe.",
        },
    )
    avance = forms.BooleanField(
        label="Incluir lo alcanzado y las observaciones (hoja «Avance»)",
        required=False,
        initial=True,
    )


class YearImportForm(forms.Form):
    """Planeación uploads a year's workbook to preview its import (poa.imports)."""

    archivo = forms.FileField(
        label="Libro de Excel (.xlsx)",
        error_messages={
            "required": "Elija el libro .xlsx que desea importar.",
            "empty": "El archivo está vacío.",
            "invalid": "Elija un archivo.",
        },
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )
    aprobar = forms.BooleanField(
        label="Marcar la programación como aprobada y cargar lo alcanzado",
        required=False,
        help_text="Para un ejercicio ya aprobado fuera del sistema: planeación aprueba la "
        "programación de cada unidad al cargarla, y se cargan la hoja «Avance» y sus "
        "observaciones. Sin marcarla, las metas quedan en borrador para que cada unidad las "
        "envíe.",
    )

    def clean_archivo(self):
        from poa.imports import book, max_bytes

        archivo = self.cleaned_data["archivo"]
        problem = book.size_problem(archivo.size, max_bytes())
        if problem:
            raise forms.ValidationError(problem)
        return archivo
