from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from poa import figures
from poa.models import (
    Ejercicio,
    Finalidad,
    Funcion,
    LineaAccion,
    Meta,
    Persona,
    Programa,
    QuarterlyProgress,
    Ramo,
    Subfuncion,
    UnidadEjecutora,
    UnidadMedida,
)


@admin.register(Ejercicio)
class EjercicioAdmin(admin.ModelAdmin):
    list_display = ["year", "municipio"]
    search_fields = ["year", "municipio"]


class FuncionInline(admin.TabularInline):
    model = Funcion
    extra = 0


@admin.register(Finalidad)
class FinalidadAdmin(admin.ModelAdmin):
    list_display = ["clave", "nombre"]
    search_fields = ["clave", "nombre"]
    inlines = [FuncionInline]


@admin.register(Funcion)
class FuncionAdmin(admin.ModelAdmin):
    list_display = ["clave", "nombre", "finalidad"]
    list_filter = ["finalidad"]
    search_fields = ["clave", "nombre"]


@admin.register(Subfuncion)
class SubfuncionAdmin(admin.ModelAdmin):
    list_display = ["clave", "nombre", "funcion"]
    list_filter = ["funcion__finalidad"]
    search_fields = ["clave", "nombre", "funcion__nombre"]


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ["nombre", "usuario", "email"]
    search_fields = ["nombre", "usuario__username", "email"]
    autocomplete_fields = ["usuario"]


class SignatoryAdmin(admin.ModelAdmin):
    autocomplete_fields = ["responsable"]


@admin.register(Ramo)
class RamoAdmin(SignatoryAdmin):
    list_display = ["clave", "nombre", "ejercicio", "responsable", "cargo_responsable"]
    list_filter = ["ejercicio"]
    search_fields = ["clave", "nombre", "responsable__nombre"]


@admin.register(Programa)
class ProgramaAdmin(SignatoryAdmin):
    list_display = ["clave", "nombre", "ramo", "responsable", "cargo_responsable"]
    list_filter = ["ramo__ejercicio", "ramo"]
    search_fields = ["clave", "nombre", "responsable__nombre"]
    list_select_related = ["ramo", "responsable"]


@admin.register(UnidadEjecutora)
class UnidadEjecutoraAdmin(SignatoryAdmin):
    list_display = ["clave", "nombre", "programa", "ramo", "responsable", "cargo_responsable"]
    list_filter = ["ramo__ejercicio", "ramo", "programa"]
    search_fields = ["clave", "nombre", "responsable__nombre"]
    list_select_related = ["ramo", "programa", "responsable"]
    autocomplete_fields = ["responsable", "subfuncion"]


@admin.register(LineaAccion)
class LineaAccionAdmin(admin.ModelAdmin):
    list_display = ["clave", "nombre", "ejercicio"]
    list_filter = ["ejercicio"]
    search_fields = ["clave", "nombre"]


@admin.register(UnidadMedida)
class UnidadMedidaAdmin(admin.ModelAdmin):
    list_display = ["nombre", "admite_decimales"]
    list_filter = ["admite_decimales"]
    search_fields = ["nombre"]


class QuarterlyProgressFormSet(forms.BaseInlineFormSet):
    """Checks the four programmed figures against the annual target as typed."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(rows) != len(figures.QUARTERS):
            raise ValidationError("Capture los cuatro trimestres de la meta.")
        annual = self.instance.meta_anual
        programmed = [row["programado"] or 0 for row in rows]
        if annual is not None and figures.programmed_total_difference(annual, programmed):
            raise ValidationError(figures.programmed_total_message(annual, programmed))


class QuarterlyProgressInline(admin.TabularInline):
    model = QuarterlyProgress
    formset = QuarterlyProgressFormSet
    extra = 0
    min_num = 4
    max_num = 4
    fields = ["quarter", "programado", "alcanzado", "observaciones"]


@admin.register(Meta)
class MetaAdmin(admin.ModelAdmin):
    list_display = [
        "numero",
        "short_description",
        "unidad_ejecutora",
        "unidad_medida",
        "meta_anual",
    ]
    list_filter = [
        "unidad_ejecutora__ramo__ejercicio",
        "unidad_ejecutora__ramo",
        "unidad_ejecutora",
    ]
    search_fields = ["numero", "descripcion", "unidad_ejecutora__nombre"]
    list_select_related = ["unidad_ejecutora", "unidad_medida"]
    autocomplete_fields = ["unidad_medida", "lineas_accion"]
    inlines = [QuarterlyProgressInline]

    @admin.display(description="descripción")
    def short_description(self, meta):
        return meta.descripcion if len(meta.descripcion) < 80 else meta.descripcion[:77] + "…"


@admin.register(QuarterlyProgress)
class QuarterlyProgressAdmin(SimpleHistoryAdmin):
    list_display = ["meta", "quarter", "programado", "alcanzado"]
    list_filter = ["quarter", "meta__unidad_ejecutora__ramo__ejercicio", "meta__unidad_ejecutora"]
    search_fields = ["meta__numero", "meta__descripcion", "observaciones"]
    list_select_related = ["meta"]
