"""Forms of the capture grid, the report transitions, the capture periods and the annual
programming. The rules live in poa.services.review and poa.services.programming; a form only puts
the service's Spanish message next to its field."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone

from poa.models import (
    CapturePeriod,
    Ejercicio,
    LineaAccion,
    Persona,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.models.programming import QUARTER_FIELDS
from poa.models.review import QUARTER_CHOICES
from poa.rules import figures
from poa.rules.capture import read_figure, validate_capture_row
from poa.rules.dates import quarter_end
from poa.selectors.programming import units_of_measure_for
from poa.services import accounts, modifications, programming
from poa.services.imports import book, max_bytes

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
        # A meta cancelled before the quarter is sent without its figure (CaptureRow.required).
        self.row, self.sending = row, sending and row.required
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
        errors = validate_capture_row(
            meta=self.row.meta,
            programado=self.programado,
            alcanzado=alcanzado,
            observaciones=observaciones,
            sending=self.sending,
        )
        for field, message in errors.items():
            self.add_error(field, message)
        if not errors:
            data["alcanzado"] = read_figure(self.row.meta, alcanzado)
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
    """The comment of a transition and, when it signs with e.firma (`efirma`), the signer's
    certificate and key (or PKCS#12) and password. Their bytes are read in memory
    (poa.web.uploads) and handed to the service in `credentials`; never stored."""

    comment = forms.CharField(
        label="Comentario",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, transition, efirma=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_message = required_message = transition.comment_required
        if required_message:
            self.fields["comment"].required = True
            self.fields["comment"].label = "Motivo"
            self.fields["comment"].error_messages["required"] = required_message
        self.efirma = efirma
        if efirma:
            self.fields.update(efirma_fields())

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if self.required_message and not comment:
            raise forms.ValidationError(self.required_message)
        return comment

    def clean(self):
        data = super().clean()
        if self.efirma:
            data["credentials"] = _credentials(self, data)
        return data

    @property
    def efirma_boundfields(self):
        return [self[name] for name in EFIRMA_FIELDS]


EFIRMA_FIELDS = ("efirma_cer", "efirma_key", "efirma_p12", "efirma_password")


def efirma_fields():
    def upload(label, accept, help_text):
        return forms.FileField(
            label=label,
            required=False,
            help_text=help_text,
            widget=forms.ClearableFileInput(attrs={"accept": accept, "class": "form-control"}),
        )

    return {
        "efirma_cer": upload("Certificado (.cer)", ".cer,.crt", "Su certificado de e.firma."),
        "efirma_key": upload("Llave privada (.key)", ".key", "La llave que acompaña al .cer."),
        "efirma_p12": upload(
            "O bien: archivo .p12/.pfx", ".p12,.pfx", "Certificado y llave en un solo archivo."
        ),
        "efirma_password": forms.CharField(
            label="Contraseña de la llave privada",
            strip=False,
            max_length=200,
            widget=forms.PasswordInput(
                attrs={"class": "form-control", "autocomplete": "off"}, render_value=False
            ),
            error_messages={"required": "Escriba la contraseña de su llave privada."},
        ),
    }


def _credentials(form, data):
    files = {name: data.get(f"efirma_{name}") for name in ("cer", "key", "p12")}
    if not (files["p12"] or (files["cer"] and files["key"])):
        form.add_error(
            "efirma_cer",
            "Adjunte su certificado (.cer) y su llave privada (.key), o su archivo .p12/.pfx.",
        )
        return None
    read = {name: upload.read() for name, upload in files.items() if upload}
    return {**read, "password": data.get("efirma_password") or ""}


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


class YearQuarterForm(forms.Form):
    """An ejercicio and one of its quarters, both required."""

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


class PeriodOpenForm(YearQuarterForm):
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


# Modificación programática -------------------------------------------------------------------


def _text_area(rows):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


def _figure_input():
    return forms.TextInput(attrs={"class": "form-control text-end", "inputmode": "decimal"})


class ModificationRequestForm(forms.Form):
    """The unit's request to change an approved meta, prefilled with its figures today; the P
    of authorized quarters are shown and not taken (the rules are poa.services.programming's)."""

    descripcion = forms.CharField(label="Descripción", widget=_text_area(3), required=False)
    unidad_medida = forms.ModelChoiceField(
        label="Unidad de medida",
        queryset=UnidadMedida.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Elija una unidad de medida de la lista."},
    )
    meta_anual = forms.CharField(
        label="Meta anual autorizada", required=False, max_length=30, widget=_figure_input()
    )
    cancelar = forms.BooleanField(label="Cancelar la meta", required=False)
    confirmar_cancelacion = forms.BooleanField(
        label="Confirmo que la meta se cancela: a partir del trimestre siguiente a la "
        "aprobación ya no se captura, y en la hoja queda la nota de la cancelación.",
        required=False,
    )
    justificacion = forms.CharField(
        label="Justificación",
        widget=_text_area(3),
        max_length=2000,
        error_messages={"required": "Escriba la justificación de la modificación."},
    )

    def __init__(self, *args, meta, authorized, **kwargs):
        super().__init__(*args, **kwargs)
        self.meta, self.authorized = meta, authorized
        self.sum_error = ""
        self.fields["unidad_medida"].queryset = UnidadMedida.objects.filter(
            Q(aceptada=True) | Q(pk=meta.unidad_medida_id)
        )
        programmed, _, _ = meta.quarter_series()
        for quarter in figures.QUARTERS:
            label = figures.QUARTER_LABELS[quarter]
            self.fields[f"programado_{quarter}"] = forms.CharField(
                label=f"Programado {label}",
                required=False,
                max_length=30,
                widget=_figure_input(),
                disabled=quarter in authorized,
                help_text=f"Informe de {label} autorizado: no cambia."
                if quarter in authorized
                else "",
            )
        self.initial = {
            "descripcion": meta.descripcion,
            "unidad_medida": meta.unidad_medida_id,
            "meta_anual": _plain(meta.meta_anual),
            **{
                f"programado_{q}": _plain(p)
                for q, p in zip(figures.QUARTERS, programmed, strict=True)
            },
        }

    @property
    def quarter_fields(self):
        return [self[f"programado_{q}"] for q in figures.QUARTERS]

    def clean(self):
        data = super().clean()
        if data.get("cancelar") and not data.get("confirmar_cancelacion"):
            self.add_error(
                "confirmar_cancelacion",
                "Confirme que la meta se cancela, o desmarque la cancelación.",
            )
        return data

    def change(self):
        """The request for poa.modifications.modification_request."""
        data = self.cleaned_data
        return modifications.ChangeRequest(
            descripcion=data["descripcion"],
            unidad_medida=data["unidad_medida"],
            meta_anual=data["meta_anual"],
            programado=[data[f"programado_{q}"] for q in figures.QUARTERS],
            cancelar=data["cancelar"],
        )

    def add_service_errors(self, errors):
        """Puts the messages of poa.services.programming next to their fields: the sum of the
        quarters under the quarters, what concerns the whole request on top."""
        for field, message in errors.items():
            if field == "programado":
                self.sum_error = message
            else:
                self.add_error(field if field in self.fields else None, message)


# A new year from the last one ----------------------------------------------------------------


class NewYearForm(forms.Form):
    source = forms.ModelChoiceField(
        label="Copiar del ejercicio",
        queryset=Ejercicio.objects.all(),
        empty_label=None,
        error_messages={
            "required": "Elija el ejercicio que se copia.",
            "invalid_choice": "Elija un ejercicio de la lista.",
        },
    )
    year = forms.IntegerField(
        label="Año del ejercicio nuevo",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        error_messages={
            "required": "Escriba el año del ejercicio nuevo.",
            "invalid": "Escriba el año con cuatro dígitos, por ejemplo 2024.",
            "min_value": "El año debe estar entre 2000 y 2100.",
            "max_value": "El año debe estar entre 2000 y 2100.",
        },
    )
    pmd = forms.CharField(
        label="Plan municipal de desarrollo",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="Déjelo vacío para conservar el del ejercicio copiado y sus líneas de acción; "
        "con otro PMD las líneas no se copian.",
        error_messages={"max_length": "El nombre del PMD admite como máximo 200 caracteres."},
    )
    copy_metas = forms.BooleanField(
        label="Copiar también las metas, como borrador con la meta anual y lo programado en 0",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = Ejercicio.objects.order_by("-year").first()
        if latest and not self.is_bound:
            self.initial = {"source": latest.pk, "year": latest.year + 1}


# The annual programming --------------------------------------------------------------------

ROW_KEY = re.compile(r"(?:[0-9]+|nueva-[0-9]+)", re.ASCII)


class PlanRowForm(forms.Form):
    """One meta of the programming screen, as typed: number, description, unit of measure,
    líneas de acción, annual target and P of each quarter. programming/_row.html draws the
    inputs; the rules are poa.services.programming's (validate_plan_row), whose messages go next to
    each field."""

    # Text, not number fields: the service's message is the one shown for a bad figure.
    numero = forms.CharField(required=False, max_length=20)
    descripcion = forms.CharField(required=False, strip=False)
    unidad_medida = forms.ModelChoiceField(
        queryset=UnidadMedida.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Elija una unidad de medida de la lista."},
    )
    lineas = forms.ModelMultipleChoiceField(
        queryset=LineaAccion.objects.all(),
        required=False,
        error_messages={
            "invalid_choice": "Elija las líneas de acción de la lista.",
            "invalid_pk_value": "Elija las líneas de acción de la lista.",
        },
    )
    meta_anual = forms.CharField(required=False, strip=False)
    programado_1 = forms.CharField(required=False, strip=False)
    programado_2 = forms.CharField(required=False, strip=False)
    programado_3 = forms.CharField(required=False, strip=False)
    programado_4 = forms.CharField(required=False, strip=False)
    delete = forms.BooleanField(required=False)

    def __init__(self, *args, key, ue, meta=None, numero="", **kwargs):
        kwargs.setdefault("prefix", f"meta-{key}")
        super().__init__(*args, **kwargs)
        self.key, self.ue, self.meta = key, ue, meta
        self.fields["unidad_medida"].queryset = units_of_measure_for(ue)
        if meta is not None and not self.is_bound:
            self.initial = _meta_initial(meta)
        elif not self.is_bound:
            self.initial = {"numero": numero}

    @property
    def is_new(self):
        return not self.key.isdigit()

    @property
    def marked_deleted(self):
        return self.is_bound and self["delete"].data

    @property
    def unidad_value(self) -> str:
        """The chosen unit of measure's pk as the select compares it."""
        value = self["unidad_medida"].value()
        return "" if value is None else str(value)

    def quarter_fields(self):
        """(label, bound field) of the P of each quarter: Ene-Mar, Abr-Jun, …"""
        return [(figures.QUARTER_LABELS[q], self[f"programado_{q}"]) for q in figures.QUARTERS]

    def chosen_lineas(self) -> list:
        """The líneas the row shows as chosen: stored, or as posted when it came back."""
        if not self.is_bound:
            return list(self.meta.lineas_accion.all()) if self.meta else []
        keys = [k for k in self["lineas"].value() or [] if str(k).isdigit()]
        return list(LineaAccion.objects.filter(pk__in=keys).order_by("clave"))

    def clean(self):
        data = super().clean()
        if data.get("delete"):
            return data
        _, errors = programming.validate_plan_row(
            self.as_plan_row(), ejercicio_id=self.ue.ramo.ejercicio_id, unidad_ejecutora=self.ue
        )
        for field, message in errors.items():
            # A choice the form could not read already says so.
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, message)
        return data

    def as_plan_row(self) -> "programming.PlanRow":
        data = self.cleaned_data
        return programming.PlanRow(
            key=self.key,
            numero=data.get("numero") or "",
            descripcion=data.get("descripcion") or "",
            unidad_medida=data.get("unidad_medida"),
            lineas=list(data.get("lineas") or []),
            meta_anual=data.get("meta_anual") or "",
            programado=[data.get(name) or "" for name in QUARTER_FIELDS],
            delete=bool(data.get("delete")),
        )


def _meta_initial(meta):
    programmed = {p.quarter: p.programado for p in meta.avances.all()}
    return {
        "numero": str(meta.numero),
        "descripcion": meta.descripcion,
        "unidad_medida": meta.unidad_medida_id,
        "lineas": [linea.pk for linea in meta.lineas_accion.all()],
        "meta_anual": _plain(meta.meta_anual),
        **{f"programado_{q}": _plain(programmed.get(q, Decimal(0))) for q in (1, 2, 3, 4)},
    }


class MeasureProposeForm(forms.Form):
    """A unit of measure the catalog lacks, proposed from the programming screen."""

    nombre = forms.CharField(
        label="Nombre de la unidad de medida",
        max_length=100,
        error_messages={
            "required": "Escriba el nombre de la unidad de medida.",
            "max_length": "El nombre admite como máximo 100 caracteres.",
        },
    )
    admite_decimales = forms.BooleanField(
        label="Admite decimales (por ejemplo, kilómetros o toneladas)", required=False
    )


class YearExportForm(forms.Form):
    """Planeación downloads the workbook of a year (poa.documents.yearbook)."""

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
    """Planeación uploads a year's workbook to preview its import (poa.services.imports)."""

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
        archivo = self.cleaned_data["archivo"]
        problem = book.size_problem(archivo.size, max_bytes())
        if problem:
            raise forms.ValidationError(problem)
        return archivo


class SheetExportForm(YearQuarterForm):
    """The year and quarter of the ZIP of every sheet; proposes the last quarter opened."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            latest = CapturePeriod.objects.order_by("-ejercicio__year", "-quarter").first()
            if latest:
                self.initial = {"ejercicio": latest.ejercicio_id, "quarter": latest.quarter}


# Public verification of a sealed sheet --------------------------------------------------------


class VerifyUploadForm(forms.Form):
    """A PDF anyone uploads to compare with the sealed documents: read in memory
    (poa.web.uploads), never stored. `cleaned_data["documento"]` is its bytes."""

    documento = forms.FileField(
        label="PDF a comprobar",
        error_messages={
            "required": "Elija el archivo PDF que quiere comprobar.",
            "empty": "El archivo está vacío.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, too_big=False, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big, self.max_bytes = too_big, max_bytes
        if too_big:  # the file was stopped on its way: clean_documento says why
            self.fields["documento"].required = False

    def clean_documento(self):
        if self.too_big:
            raise forms.ValidationError(
                f"El archivo pasa de {self.max_bytes // (1024 * 1024)} MB: no es un PDF de "
                "POA. Compruebe el archivo que recibió."
            )
        return self.cleaned_data["documento"].read()


class AccountForm(forms.Form):
    """Planeación's page: one account, as a row of the «Cuentas» sheet."""

    usuario = forms.CharField(label="Usuario", max_length=150)
    nombre = forms.CharField(label="Nombre", max_length=200)
    correo = forms.EmailField(
        label="Correo", error_messages={"invalid": "Escriba un correo electrónico válido."}
    )
    rol = forms.ChoiceField(
        label="Rol", choices=[(rol, rol.capitalize()) for rol in accounts.ROLES]
    )
    unidades = forms.ModelMultipleChoiceField(
        label="Unidades que captura",
        queryset=UnidadEjecutora.objects.none(),
        required=False,
        help_text="Solo para un capturista.",
    )
    persona = forms.ModelChoiceField(
        label="Persona que firma",
        queryset=Persona.objects.order_by("nombre"),
        required=False,
        empty_label="Ninguna",
        help_text="Solo para un responsable: la persona del catálogo con la que firma.",
    )

    def __init__(self, *args, ejercicio=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio).select_related("ramo")
        self.fields["unidades"].queryset = units.order_by("ramo__clave", "clave")
        self.fields["unidades"].label_from_instance = lambda ue: (
            f"{ue.ramo.clave}-{ue.clave} {ue.nombre}"
        )

    def spec(self) -> accounts.AccountSpec:
        data = self.cleaned_data
        return accounts.AccountSpec(
            username=data["usuario"].strip(),
            nombre=" ".join(data["nombre"].split()),  # required on the page
            correo=data["correo"],
            rol=data["rol"],
            unidades=list(data["unidades"]),
            persona=data["persona"],
        )
