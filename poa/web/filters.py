"""Filters of the report list and of the overview of the annual programming."""

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from poa.models import (
    AuditEvent,
    Ejercicio,
    Meta,
    Modificacion,
    Programacion,
    Ramo,
    Report,
    UnidadEjecutora,
)
from poa.rules import figures
from poa.rules.states import PROGRAMMING, REPORT

# A placeholder, not a help text under the field: the filters' fields stay aligned in one row.
UNIT_SEARCH = forms.TextInput(attrs={"placeholder": "Clave o nombre, p. ej. 102"})


class QuickSelect(forms.Select):
    """A select whose options are written in Python, not through one template each: at a
    large municipality's size the seguimiento's filters list hundreds of units and líneas,
    and their templates took longer than the figures."""

    def render(self, name, value, attrs=None, renderer=None):
        options = "".join(
            f'<option value="{conditional_escape(option)}"{chosen}>{conditional_escape(label)}'
            "</option>"
            for option, chosen, label in self._options(self.format_value(value))
        )
        attrs = self.build_attrs(self.attrs, attrs) | {"name": name}
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))

    def _options(self, selected):
        """(value, " selected" or "", label) of each choice; as Select does, only the first
        option with the value is selected."""
        found = False
        for option_value, label in self.choices:
            option_value = "" if option_value is None else option_value
            chosen = not found and str(option_value) in selected
            found = found or chosen
            yield option_value, " selected" if chosen else "", label


class ReportFilter(django_filters.FilterSet):
    year = django_filters.ModelChoiceFilter(
        label="Ejercicio",
        field_name="unidad_ejecutora__ramo__ejercicio",
        queryset=Ejercicio.objects.all(),
        empty_label="Todos",
    )
    quarter = django_filters.ChoiceFilter(
        label="Trimestre",
        choices=[(q, f"{q}. {figures.QUARTER_LABELS[q]}") for q in figures.QUARTERS],
        empty_label="Todos",
    )
    state = django_filters.ChoiceFilter(
        label="Estado", choices=Report.State.choices, empty_label="Todos"
    )
    unidad = django_filters.CharFilter(
        label="Unidad ejecutora",
        method="filter_unidad",
        widget=UNIT_SEARCH,
    )

    class Meta:
        model = Report
        fields = ["year", "quarter", "state", "unidad"]

    def filter_unidad(self, queryset, name, value):
        return by_unit(queryset, value)


class ProgrammingFilter(django_filters.FilterSet):
    """The units of planeación's overview of the annual programming."""

    state = django_filters.ChoiceFilter(
        label="Programación",
        field_name="programming_state",
        choices=[(PROGRAMMING.absent.value, PROGRAMMING.absent.label), *Programacion.State.choices],
        empty_label="Todas",
    )
    unidad = django_filters.CharFilter(
        label="Unidad ejecutora",
        method="filter_unidad",
        widget=UNIT_SEARCH,
    )

    class Meta:
        model = UnidadEjecutora
        fields = ["state", "unidad"]

    def filter_unidad(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(clave=value)
        # SQLite folds the case of ASCII letters only; catalog names are upper case.
        return queryset.filter(Q(nombre__icontains=value) | Q(nombre__icontains=value.upper()))


class TrackingFilter(django_filters.FilterSet):
    """The seguimiento's filters on the metas of a year the user may see; the semáforo is
    read by the view, on the rows of the level shown."""

    ramo = django_filters.ChoiceFilter(
        label="Ramo",
        field_name="unidad_ejecutora__ramo__clave",
        empty_label="Todos",
        widget=QuickSelect,
    )
    programa = django_filters.ChoiceFilter(
        label="Programa",
        field_name="unidad_ejecutora__programa__clave",
        empty_label="Todos",
        widget=QuickSelect,
    )
    ue = django_filters.ChoiceFilter(
        label="Unidad ejecutora",
        field_name="unidad_ejecutora__clave",
        empty_label="Todas",
        widget=QuickSelect,
    )
    linea = django_filters.ChoiceFilter(
        label="Línea de acción",
        field_name="lineas_accion__clave",
        empty_label="Todas",
        distinct=True,
        widget=QuickSelect,
    )
    estado = django_filters.ChoiceFilter(
        label="Estado del informe",
        choices=[(REPORT.absent.value, REPORT.absent.label), *Report.State.choices],
        empty_label="Todos",
        method="filter_estado",
    )
    semaforo = django_filters.ChoiceFilter(
        label="Semáforo", choices=[], empty_label="Todos", method="filter_none"
    )

    class Meta:
        model = Meta
        fields = ["ramo", "programa", "ue", "linea", "estado", "semaforo"]

    def __init__(self, *args, quarter, lights, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter = quarter
        metas = self.queryset
        self.filters["ramo"].extra["choices"] = _choices(
            metas, "unidad_ejecutora__ramo__clave", "unidad_ejecutora__ramo__nombre"
        )
        self.filters["programa"].extra["choices"] = _choices(
            metas, "unidad_ejecutora__programa__clave", "unidad_ejecutora__programa__nombre"
        )
        self.filters["ue"].extra["choices"] = _choices(
            metas, "unidad_ejecutora__clave", "unidad_ejecutora__nombre"
        )
        self.filters["linea"].extra["choices"] = _choices(
            metas, "lineas_accion__clave", "lineas_accion__nombre"
        )
        self.filters["semaforo"].extra["choices"] = lights

    def filter_estado(self, queryset, name, value):
        reports = Report.objects.filter(quarter=self.quarter)
        if value == REPORT.absent.value:
            return queryset.exclude(unidad_ejecutora__reports__in=reports)
        units = reports.filter(state=value).values("unidad_ejecutora")
        return queryset.filter(unidad_ejecutora__in=units)

    def filter_none(self, queryset, name, value):
        return queryset

    @property
    def light(self):
        """The semáforo asked for, once the form is valid; "" for any."""
        return self.form.cleaned_data.get("semaforo", "") if self.form.is_valid() else ""


def _choices(metas, clave, nombre):
    pairs = metas.order_by(clave).values_list(clave, nombre).distinct()
    return [(c, f"{c} {n}") for c, n in pairs if c]


class ModificacionFilter(django_filters.FilterSet):
    """Planeación's list of requests of modificación programática."""

    state = django_filters.ChoiceFilter(
        label="Estado", choices=Modificacion.State.choices, empty_label="Todos"
    )
    year = django_filters.ModelChoiceFilter(
        label="Ejercicio",
        field_name="meta__unidad_ejecutora__ramo__ejercicio",
        queryset=Ejercicio.objects.all(),
        empty_label="Todos",
    )
    ramo = django_filters.ChoiceFilter(
        label="Ramo", field_name="meta__unidad_ejecutora__ramo__clave", empty_label="Todos"
    )

    class Meta:
        model = Modificacion
        fields = ["state", "year", "ramo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A ramo keeps its code from one year to the next: one choice per code, newest name.
        ramos = dict(
            Ramo.objects.order_by("clave", "ejercicio__year").values_list("clave", "nombre")
        )
        self.filters["ramo"].extra["choices"] = [
            (clave, f"{clave} {nombre}") for clave, nombre in ramos.items()
        ]


class AuditFilter(django_filters.FilterSet):
    """The Auditoría page's filters on the events of one year."""

    unidad = django_filters.CharFilter(
        label="Unidad ejecutora", method="filter_unidad", widget=UNIT_SEARCH
    )
    persona = django_filters.CharFilter(
        label="Persona",
        method="filter_persona",
        widget=forms.TextInput(attrs={"placeholder": "Usuario, p. ej. captura102"}),
    )
    kind = django_filters.ChoiceFilter(
        label="Tipo", choices=AuditEvent.Kind.choices, empty_label="Todos"
    )
    desde = django_filters.DateFilter(
        label="Desde",
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hasta = django_filters.DateFilter(
        label="Hasta",
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["unidad", "persona", "kind", "desde", "hasta"]

    def filter_unidad(self, queryset, name, value):
        return by_unit(queryset, value)

    def filter_persona(self, queryset, name, value):
        return queryset.filter(username__iexact=value.strip())


def by_unit(queryset, value):
    """Rows of the unit whose clave is `value`, or whose name contains it."""
    value = value.strip()
    if value.isdigit():
        return queryset.filter(unidad_ejecutora__clave=value)
    # SQLite folds the case of ASCII letters only; catalog names are upper case.
    return queryset.filter(
        Q(unidad_ejecutora__nombre__icontains=value)
        | Q(unidad_ejecutora__nombre__icontains=value.upper())
    )
