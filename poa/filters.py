"""Filters of the report list."""

import django_filters
from django.db.models import Q

from poa import figures
from poa.models import Ejercicio, Modificacion, Ramo, Report


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
