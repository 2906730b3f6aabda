from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from poa.models import (
    AuditEvent,
    CaptureException,
    CapturePeriod,
    Ejercicio,
    Evidencia,
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
    Seal,
    Subfuncion,
    UnidadEjecutora,
    UnidadMedida,
)
from poa.rules import figures
from poa.rules.capture import validate_capture_row
from poa.rules.states import WorkflowError
from poa.rules.text import NAME_CONTROL_MESSAGE, has_control_characters
from poa.selectors import access, locks
from poa.selectors.evidence import evidence_report
from poa.selectors.locks import (
    correction_needs_reason,
    correction_refusal,
    evidence_lock_reason,
    metas_lock_reason,
    progress_locked,
)
from poa.services import programming
from poa.services.capture import CORRECTION_REASON_MISSING, capture_correct
from poa.services.evidence import evidence_remove
from poa.services.periods import period_open
from poa.web.forms import PeriodOpenForm


class NoChanges:
    """Allows no add, change or delete, for anyone: what it shows changes only through the
    services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly(NoChanges):
    """Shows every field, read only."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


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
    list_display = ["nombre", "usuario", "email", "rfc"]
    search_fields = ["nombre", "usuario__username", "email", "rfc"]
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
    """A unit proposed from a programming is accepted through programming.measure_accept (the
    action here, or planeación's overview)."""

    list_display = ["nombre", "admite_decimales", "aceptada", "propuesta_por"]
    list_filter = ["aceptada", "admite_decimales"]
    search_fields = ["nombre"]
    readonly_fields = ["aceptada", "propuesta_por"]
    actions = ["accept"]

    @admin.action(description="Aceptar las unidades de medida propuestas", permissions=["change"])
    def accept(self, request, queryset):
        try:
            for measure in queryset.filter(aceptada=False):
                programming.measure_accept(measure=measure, user=request.user)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)


CAPTURED_FIELDS = ("alcanzado", "observaciones")
PLANNING_FIELDS = ("meta", "quarter", "programado")
# Everything of a meta that its sheet prints.
META_FIELDS = [
    "unidad_ejecutora",
    "numero",
    "descripcion",
    "unidad_medida",
    "meta_anual",
    "lineas_accion",
]


class QuarterlyProgressFormSet(forms.BaseInlineFormSet):
    """Checks the four programmed figures against the annual target as typed."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.programming_locked:
                raise ValidationError(form.programming_locked)
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


class QuarterlyProgressForm(forms.ModelForm):
    """A quarter of a meta. Its programming locks once a sheet that prints it is signed
    (metas_lock_reason); what the unit captured is disabled where workflow.capture_correct
    would refuse it and checked with the grid's rules. A disabled field ignores whatever the
    POST says, superusers' too."""

    motivo = forms.CharField(
        label="Motivo de la corrección",
        required=False,
        max_length=200,
        help_text="Obligatorio al corregir una captura cerrada.",
    )
    user = None  # who edits: set per request by progress_form_for
    programming_locked = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            ue_id, quarter = self.instance.meta.unidad_ejecutora_id, self.instance.quarter
            self.programming_locked = metas_lock_reason(ue_id, quarter)
            self._disable(PLANNING_FIELDS, self.programming_locked)
            refusal = correction_refusal(unidad_ejecutora_id=ue_id, quarter=quarter, user=self.user)
            self._disable((*CAPTURED_FIELDS, "motivo"), refusal and f"Bloqueado: {refusal}")

    def _disable(self, names, help_text):
        for name in names if help_text else ():
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = help_text

    def clean(self):
        data = super().clean()
        meta, quarter = data.get("meta"), data.get("quarter")
        if self.errors or meta is None or quarter is None:
            return data
        lock = metas_lock_reason(meta.unidad_ejecutora_id, quarter)
        if self.instance.pk is None and lock:
            raise ValidationError(lock)
        if set(CAPTURED_FIELDS) & set(self.changed_data):
            self._check_correction(meta, quarter, data)
        return data

    def _check_correction(self, meta, quarter, data):
        """The checks of workflow.capture_correct, to answer next to the fields."""
        where = {"unidad_ejecutora_id": meta.unidad_ejecutora_id, "quarter": quarter}
        refusal = correction_refusal(user=self.user, **where)
        if refusal:
            raise ValidationError(refusal)
        if correction_needs_reason(**where) and not data.get("motivo", "").strip():
            self.add_error("motivo", CORRECTION_REASON_MISSING)
        if meta.unidad_medida_id is None:
            return  # the meta's own form says what is missing
        errors = validate_capture_row(
            meta=meta,
            programado=data.get("programado") or 0,
            alcanzado=data.get("alcanzado"),
            observaciones=data.get("observaciones"),
            sending=False,
        )
        for name, message in errors.items():
            self.add_error(name, message)


def progress_form_for(request):
    return type("QuarterlyProgressForm", (QuarterlyProgressForm,), {"user": request.user})


def save_progress(request, form, save):
    """Saves a quarter edited in the admin: its programming as typed, with `save`; what the
    unit captured only through workflow.capture_correct, which moves the report's version."""
    progress, blank = form.instance, QuarterlyProgress()
    typed = {name: getattr(progress, name) for name in CAPTURED_FIELDS}
    for name in CAPTURED_FIELDS:  # what the row held before, or nothing for a new one
        setattr(progress, name, form.initial.get(name, getattr(blank, name)))
    if progress.pk is None or set(form.changed_data) - {*CAPTURED_FIELDS, "motivo"}:
        save()
    if not set(CAPTURED_FIELDS) & set(form.changed_data):
        return
    try:
        capture_correct(
            progress=progress, user=request.user, reason=form.cleaned_data["motivo"], **typed
        )
    except WorkflowError as error:
        # Only a report that moved since the form was checked gets here: nothing is saved.
        raise PermissionDenied(str(error)) from error


class QuarterlyProgressInline(admin.TabularInline):
    model = QuarterlyProgress
    formset = QuarterlyProgressFormSet
    form = QuarterlyProgressForm
    extra = 0
    min_num = 4
    max_num = 4
    fields = ["quarter", "programado", "alcanzado", "observaciones", "motivo"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = progress_form_for(request)
        return super().get_formset(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and metas_lock_reason(obj.unidad_ejecutora_id):
            return False
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class MetaForm(forms.ModelForm):
    """A meta joins or moves to a unit only while the unit's metas may change
    (metas_lock_reason)."""

    def clean_unidad_ejecutora(self):
        unidad = self.cleaned_data["unidad_ejecutora"]
        lock = unidad is not None and metas_lock_reason(unidad.pk)
        if lock:
            raise ValidationError(NO_NEW_METAS.get(lock, NO_NEW_METAS[None]))
        return unidad


NO_NEW_METAS = {
    locks.APPROVED_PROGRAMMING: (
        "La programación anual de la unidad ejecutora está aprobada: no admite metas nuevas."
    ),
    locks.SENT_PROGRAMMING: (
        "La programación anual de la unidad ejecutora está enviada a planeación: no admite "
        "metas nuevas."
    ),
    None: (
        "La unidad ejecutora tiene un trimestre autorizado: su hoja firmada no admite metas nuevas."
    ),
}


@admin.register(Meta)
class MetaAdmin(admin.ModelAdmin):
    """Everything an authorized sheet prints of a meta is read-only once the sheet exists."""

    form = MetaForm
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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and metas_lock_reason(obj.unidad_ejecutora_id):
            return META_FIELDS
        return super().get_readonly_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A locked meta's page says why its fields cannot change."""
        meta = self.get_object(request, object_id)
        lock = meta and metas_lock_reason(meta.unidad_ejecutora_id)
        if lock and request.method == "GET":
            self.message_user(request, lock, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and metas_lock_reason(obj.unidad_ejecutora_id):
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        """Saved with its quarters in the admin's transaction; a draft programming's version
        then moves on (poa.services.programming)."""
        super().save_related(request, form, formsets, change)
        programmed = any(
            "programado" in row.changed_data for formset in formsets for row in formset.forms
        )
        if form.has_changed() or programmed:
            programming.programming_edited(
                unidad_ejecutora=form.instance.unidad_ejecutora, user=request.user
            )

    def save_formset(self, request, form, formset, change):
        # commit=False gives new rows their meta and lists what changed or goes.
        formset.save(commit=False)
        for progress in formset.deleted_objects:
            progress.delete()
        changed = [obj for obj, _ in formset.changed_objects] + formset.new_objects
        for row in formset.forms:
            if any(row.instance is obj for obj in changed):
                save_progress(request, row, row.instance.save)


class HistoryAdmin(SimpleHistoryAdmin):
    """Shows who changed what, but never restores an old version: reports and figures change
    only through poa.services.review. SIMPLE_HISTORY_REVERT_DISABLED hides the button; this refuses
    the POST it would send."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("El historial se consulta; no restaura versiones.")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(QuarterlyProgress)
class QuarterlyProgressAdmin(HistoryAdmin):
    list_display = ["meta", "quarter", "programado", "alcanzado"]
    list_filter = ["quarter", "meta__unidad_ejecutora__ramo__ejercicio", "meta__unidad_ejecutora"]
    search_fields = ["meta__numero", "meta__descripcion", "observaciones"]
    list_select_related = ["meta"]
    form = QuarterlyProgressForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = progress_form_for(request)
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        save_progress(request, form, partial(super().save_model, request, obj, form, change))
        if "programado" in form.changed_data:
            programming.programming_edited(
                unidad_ejecutora=obj.meta.unidad_ejecutora, user=request.user
            )

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (
            metas_lock_reason(obj.meta.unidad_ejecutora_id, obj.quarter)
            or (not request.user.is_superuser and progress_locked(obj))
        ):
            return False
        return super().has_delete_permission(request, obj)


class CapturePeriodForm(forms.ModelForm):
    class Meta:
        model = CapturePeriod
        fields = ["ejercicio", "quarter", "deadline"]

    def clean_deadline(self):
        # The rule of planeación's periods page, which opens periods through the same service.
        return PeriodOpenForm.clean_deadline(self)


@admin.register(CapturePeriod)
class CapturePeriodAdmin(NoChanges, admin.ModelAdmin):
    """Opening goes through workflow.period_open so every unit gets its draft report. A
    period is then changed, closed or extended only on planeación's periods page, through
    the services; here it is read-only."""

    form = CapturePeriodForm
    list_display = ["ejercicio", "quarter", "deadline", "opened_by", "closed_at"]
    list_filter = ["ejercicio"]
    search_fields = ["ejercicio__year"]
    readonly_fields = ["opened_by", "opened_at", "closed_at"]

    def has_add_permission(self, request):
        allowed = admin.ModelAdmin.has_add_permission(self, request)
        return access.is_planeacion(request.user) and allowed

    def save_model(self, request, obj, form, change):
        opened = period_open(
            ejercicio=obj.ejercicio, quarter=obj.quarter, deadline=obj.deadline, user=request.user
        )
        obj.pk = opened.pk


@admin.register(CaptureException)
class CaptureExceptionAdmin(NoChanges, admin.ModelAdmin):
    """Read only: planeación grants extensions on its periods page, through
    workflow.exception_grant, which checks the reason and the new deadline."""

    list_display = ["period", "unidad_ejecutora", "deadline", "granted_by", "granted_at"]
    list_filter = ["period"]
    search_fields = ["unidad_ejecutora__clave", "unidad_ejecutora__nombre", "reason"]


class ReportEventInline(NoChanges, admin.TabularInline):
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
        "certificate_serial",
        "certificate_issuer",
        "comment",
    ]
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(NoChanges, HistoryAdmin):
    """Read only: a report, its version and its events move only through the workflow
    services."""

    list_display = ["unidad_ejecutora", "quarter", "state", "version", "updated_at"]
    list_filter = ["state", "quarter", "unidad_ejecutora__ramo__ejercicio"]
    search_fields = ["unidad_ejecutora__clave", "unidad_ejecutora__nombre"]
    list_select_related = ["unidad_ejecutora__ramo__ejercicio"]
    readonly_fields = ["unidad_ejecutora", "quarter", "state", "version", "updated_at"]
    inlines = [ReportEventInline]


@admin.register(ReminderSent)
class ReminderSentAdmin(NoChanges, admin.ModelAdmin):
    """What poa_recordatorios sent, for answering "nobody told us"; written only by the job."""

    list_display = ["report", "day", "overdue", "sent_at"]
    list_filter = ["overdue", "day"]
    search_fields = ["report__unidad_ejecutora__clave", "report__unidad_ejecutora__nombre"]
    list_select_related = ["report__unidad_ejecutora__ramo__ejercicio"]


# The annual programming: read only. Its states and planned figures change only through
# poa.services.programming (the programming screen and planeación's approval).


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


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


@admin.register(Evidencia)
class EvidenciaAdmin(HistoryAdmin):
    """Evidence is attached on the capture grid or the meta's page, through
    poa.services.evidence; here it is read, downloaded through POA, and removed only while
    its report may change (poa.selectors.locks.evidence_lock_reason), by the same service."""

    list_display = ["name", "meta", "quarter", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["quarter", "kind", "meta__unidad_ejecutora__ramo__ejercicio"]
    search_fields = ["name", "sha256", "meta__numero", "meta__unidad_ejecutora__clave"]
    list_select_related = ["meta__unidad_ejecutora", "uploaded_by"]
    fields = [
        "download",
        "meta",
        "quarter",
        "kind",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields

    @admin.display(description="archivo")
    def download(self, evidencia):
        url = reverse("poa:evidence-download", args=[evidencia.pk])
        return format_html('<a href="{}">{}</a>', url, evidencia.name)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.lock_reason(obj):
            return False
        return super().has_delete_permission(request, obj)

    @staticmethod
    def lock_reason(evidencia):
        unidad = evidencia.meta.unidad_ejecutora
        return evidence_lock_reason(evidence_report(unidad, evidencia.quarter))

    def delete_model(self, request, obj):
        try:
            evidence_remove(evidencia=obj, user=request.user)
        except WorkflowError as error:
            raise PermissionDenied(str(error)) from None

    def delete_queryset(self, request, queryset):
        locked = [evidencia for evidencia in queryset if self.lock_reason(evidencia)]
        if locked:
            messages.error(request, f"No se quitó ninguna evidencia. {self.lock_reason(locked[0])}")
            return
        for evidencia in queryset:
            self.delete_model(request, evidencia)


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    """Written only when a report is authorized or reopened (poa.services.seals)."""

    list_display = ["folio", "sealed_at", "sha256", "superseded_at"]
    list_filter = ["report__unidad_ejecutora__ramo__ejercicio"]
    search_fields = ["folio", "sha256"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "year", "kind", "username", "unidad_ejecutora", "quarter", "description"]
    list_filter = ["year", "kind"]
    search_fields = ["username", "description", "unidad_ejecutora__clave"]
    list_select_related = ["unidad_ejecutora__ramo"]
    date_hierarchy = "at"


# Accounts: Django's own admin, with names that hold no line break ---------------------------


class UserNameForm(UserChangeForm):
    """A name is printed in emails and on the sheet: one line, no control characters."""

    def clean_first_name(self):
        return _one_line_name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return _one_line_name(self.cleaned_data["last_name"])


def _one_line_name(name):
    if has_control_characters(name):
        raise ValidationError(NAME_CONTROL_MESSAGE)
    return name


class PoaUserAdmin(UserAdmin):
    form = UserNameForm


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, PoaUserAdmin)
