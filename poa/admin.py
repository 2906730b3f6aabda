from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from poa import figures, planning, workflow
from poa.models import (
    CaptureException,
    CapturePeriod,
    Ejercicio,
    Finalidad,
    Funcion,
    LineaAccion,
    Meta,
    MetaVersion,
    Modificacion,
    ModificacionEvent,
    Persona,
    Programa,
    Programacion,
    ProgramacionEvent,
    QuarterlyProgress,
    Ramo,
    ReminderSent,
    Report,
    ReportEvent,
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
    """A unit proposed from a programming is accepted through planning.unit_accept (the
    action here, or planeación's overview)."""

    list_display = ["nombre", "admite_decimales", "aceptada", "propuesta_por"]
    list_filter = ["aceptada", "admite_decimales"]
    search_fields = ["nombre"]
    readonly_fields = ["aceptada", "propuesta_por"]
    actions = ["accept"]

    @admin.action(description="Aceptar las unidades de medida propuestas", permissions=["change"])
    def accept(self, request, queryset):
        try:
            for unidad in queryset.filter(aceptada=False):
                planning.unit_accept(unidad=unidad, user=request.user)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)


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


LOCKED_FIGURE_FIELDS = ("alcanzado", "observaciones")
LOCKED_HELP = "Bloqueado: el informe del trimestre no admite cambios."


class LockedFiguresForm(forms.ModelForm):
    """Disables what a unit captured once its report is locked (sent, authorized, or out of
    its window): a disabled field ignores whatever the POST says. Superusers may still fix."""

    enforce_lock = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.enforce_lock and self.instance.pk and workflow.progress_locked(self.instance):
            for name in LOCKED_FIGURE_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = LOCKED_HELP


def lock_form_for(form, request):
    return type(form.__name__, (form,), {"enforce_lock": not request.user.is_superuser})


class QuarterlyProgressInline(admin.TabularInline):
    model = QuarterlyProgress
    formset = QuarterlyProgressFormSet
    form = LockedFiguresForm
    extra = 0
    min_num = 4
    max_num = 4
    fields = ["quarter", "programado", "alcanzado", "observaciones"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = lock_form_for(self.form, request)
        return super().get_formset(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


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
    form = LockedFiguresForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = lock_form_for(self.form, request)
        return super().get_form(request, obj, change, **kwargs)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and workflow.progress_locked(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CapturePeriod)
class CapturePeriodAdmin(admin.ModelAdmin):
    """Opening goes through workflow.period_open so every unit gets its draft report."""

    list_display = ["ejercicio", "quarter", "deadline", "opened_by", "closed_at"]
    list_filter = ["ejercicio"]
    search_fields = ["ejercicio__year"]
    readonly_fields = ["opened_by", "opened_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        opened = workflow.period_open(
            ejercicio=obj.ejercicio, quarter=obj.quarter, deadline=obj.deadline, user=request.user
        )
        obj.pk = opened.pk


@admin.register(CaptureException)
class CaptureExceptionAdmin(admin.ModelAdmin):
    """Read only: planeación grants extensions on its periods page, through
    workflow.exception_grant, which checks the reason and the new deadline."""

    list_display = ["period", "unidad_ejecutora", "deadline", "granted_by", "granted_at"]
    list_filter = ["period"]
    search_fields = ["unidad_ejecutora__clave", "unidad_ejecutora__nombre", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "action",
        "from_state",
        "to_state",
        "user",
        "signer_name",
        "signer_position",
        "comment",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Read only: a report moves only through the workflow services."""

    list_display = ["unidad_ejecutora", "quarter", "state", "version", "updated_at"]
    list_filter = ["state", "quarter", "unidad_ejecutora__ramo__ejercicio"]
    search_fields = ["unidad_ejecutora__clave", "unidad_ejecutora__nombre"]
    list_select_related = ["unidad_ejecutora__ramo__ejercicio"]
    readonly_fields = ["unidad_ejecutora", "quarter", "state", "version", "updated_at"]
    inlines = [ReportEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    """What poa_recordatorios sent, for answering "nobody told us"; written only by the job."""

    list_display = ["report", "day", "overdue", "sent_at"]
    list_filter = ["overdue", "day"]
    search_fields = ["report__unidad_ejecutora__clave", "report__unidad_ejecutora__nombre"]
    list_select_related = ["report__unidad_ejecutora__ramo__ejercicio"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The annual programming: read only. Its states and planned figures change only through
# poa.planning (the programming screen and planeación's approval).


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows every field and allows no add, change or delete, for anyone."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


EVENT_FIELDS = [
    "created_at",
    "action",
    "from_state",
    "to_state",
    "user",
    "signer_name",
    "signer_position",
    "comment",
]


class ProgramacionEventInline(ReadOnlyInline):
    model = ProgramacionEvent
    fields = EVENT_FIELDS


@admin.register(Programacion)
class ProgramacionAdmin(ReadOnlyAdmin):
    list_display = ["unidad_ejecutora", "year", "state", "version", "updated_at"]
    list_filter = ["state", "unidad_ejecutora__ramo__ejercicio"]
    search_fields = ["unidad_ejecutora__clave", "unidad_ejecutora__nombre"]
    list_select_related = ["unidad_ejecutora__ramo__ejercicio"]
    inlines = [ProgramacionEventInline]

    @admin.display(description="ejercicio", ordering="unidad_ejecutora__ramo__ejercicio__year")
    def year(self, programacion):
        return programacion.unidad_ejecutora.ramo.ejercicio.year


@admin.register(ProgramacionEvent)
class ProgramacionEventAdmin(ReadOnlyAdmin):
    list_display = ["programacion", "action", "signer_name", "created_at"]
    list_filter = ["action", "programacion__unidad_ejecutora__ramo__ejercicio"]
    search_fields = ["programacion__unidad_ejecutora__clave", "signer_name", "comment"]
    list_select_related = ["programacion__unidad_ejecutora__ramo__ejercicio"]


@admin.register(MetaVersion)
class MetaVersionAdmin(ReadOnlyAdmin):
    list_display = ["meta", "numero", "meta_anual", "cancelada", "approved_at", "approved_by"]
    list_filter = ["meta__unidad_ejecutora__ramo__ejercicio", "meta__unidad_ejecutora"]
    search_fields = ["meta__numero", "meta__descripcion", "justificacion"]
    list_select_related = ["meta", "approved_by"]


class ModificacionEventInline(ReadOnlyInline):
    model = ModificacionEvent
    fields = EVENT_FIELDS


@admin.register(Modificacion)
class ModificacionAdmin(ReadOnlyAdmin):
    list_display = ["meta", "state", "meta_anual", "requested_by", "requested_at"]
    list_filter = ["state", "meta__unidad_ejecutora__ramo__ejercicio"]
    search_fields = ["meta__numero", "meta__descripcion", "justificacion"]
    list_select_related = ["meta", "requested_by"]
    inlines = [ModificacionEventInline]


@admin.register(ModificacionEvent)
class ModificacionEventAdmin(ReadOnlyAdmin):
    list_display = ["modificacion", "action", "signer_name", "created_at"]
    list_filter = ["action"]
    search_fields = ["modificacion__meta__numero", "signer_name", "comment"]
    list_select_related = ["modificacion__meta"]
