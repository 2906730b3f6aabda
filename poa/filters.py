"""Filters of the report list and of the overview of the annual programming."""

import django_filters
from django.db.models import Q

from poa import figures
from poa.models import Ejercicio, Programacion, Report, UnidadEjecutora
from poa.selectors import NO_PROGRAMMING, NO_PROGRAMMING_LABEL


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
        label="Unidad ejecutora", method="filter_unidad", help_text="Clave o nombre"
    )

    class Meta:
        model = Report
        fields = ["year", "quarter", "state", "unidad"]

    def filter_unidad(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(unidad_ejecutora__clave=value)
        # SQLite folds the case of ASCII letters only; catalog names are upper case.
        return queryset.filter(
            Q(unidad_ejecutora__nombre__icontains=value)
            | Q(unidad_ejecutora__nombre__icontains=value.upper())
        )


class ProgrammingFilter(django_filters.FilterSet):
    """The units of planeación's overview of the annual programming."""

    state = django_filters.ChoiceFilter(
        label="Programación",
        field_name="programming_state",
        choices=[(NO_PROGRAMMING, NO_PROGRAMMING_LABEL), *Programacion.State.choices],
        empty_label="Todas",
    )
    unidad = django_filters.CharFilter(
        label="Unidad ejecutora", method="filter_unidad", help_text="Clave o nombre"
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
