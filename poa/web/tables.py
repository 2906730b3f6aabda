"""Tables of reports for the dashboards, and of the units' annual programming."""

import functools

import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django_tables2 import RequestConfig

from poa.models import Modificacion, ProgramacionEvent, Report, UnidadEjecutora
from poa.rules import figures
from poa.rules.localtime import short_datetime
from poa.rules.states import PROGRAMMING
from poa.selectors.access import signer_name

PER_PAGE = 25
PER_PAGE_CHOICES = (10, 25, 50, 100)


def configure(request, table, per_page=PER_PAGE):
    """Sorts and paginates the table from the query string; a page size other than the ones
    offered (?per_page=-1, ?per_page=abc) falls back to the default instead of failing, and a
    page out of range shows the last one."""
    requested = request.GET.get("per_page", "")
    size = int(requested) if requested.isdigit() and int(requested) in PER_PAGE_CHOICES else None
    # RequestConfig would read ?per_page itself, -1 included: it only sorts here.
    RequestConfig(request, paginate=False).configure(table)
    page = request.GET.get(table.prefixed_page_field, 1)
    try:
        table.paginate(page=page, per_page=size or per_page)
    except PageNotAnInteger:
        table.paginate(page=1, per_page=size or per_page)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    return table


def state_badge(state):
    """The badge of a workflow's State, as every page shows it."""
    return _badge(state, state.css)


@functools.lru_cache(maxsize=64)
def _badge(state, css):
    # Rendered once per state and process, not once per row: a badge is a template render.
    return render_to_string("_state_badge.html", {"state": state, "big": True})


class ReportTable(tables.Table):
    """Every report of the open periods, for planeación's overview."""

    period = tables.Column(
        verbose_name="Periodo",
        accessor="quarter",
        order_by=("unidad_ejecutora__ramo__ejercicio__year", "quarter"),
    )
    unidad = tables.Column(
        verbose_name="Unidad ejecutora",
        accessor="unidad_ejecutora",
        order_by=("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave"),
    )
    programa = tables.Column(verbose_name="Programa", accessor="unidad_ejecutora__programa__clave")
    state = tables.Column(verbose_name="Estado")
    updated_at = tables.DateTimeColumn(verbose_name="Actualizado", short=True)
    link = tables.Column(verbose_name="", accessor="pk", orderable=False)

    class Meta:
        model = Report
        fields = ()
        sequence = ("period", "unidad", "programa", "state", "updated_at", "link")
        attrs = {"class": "table table-sm align-middle bg-white reports-table"}
        empty_text = "No hay informes en los periodos abiertos."

    def render_period(self, record):
        year = record.unidad_ejecutora.ramo.ejercicio.year
        return f"{year} · T{record.quarter} {figures.QUARTER_LABELS[record.quarter]}"

    def render_unidad(self, value):
        return f"{value.ramo.clave}-{value.clave} {value.nombre}"

    def render_state(self, record):
        return state_badge(record.machine_state)

    def render_link(self, record):
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}">Abrir</a>',
            record.url("poa:report"),
        )


class ReportListTable(ReportTable):
    """Every report the user may see, with its sheet and PDF one click away."""

    documents = tables.Column(verbose_name="Hoja TMM-F004", accessor="pk", orderable=False)

    class Meta(ReportTable.Meta):
        sequence = ("period", "unidad", "programa", "state", "updated_at", "documents", "link")
        empty_text = "No hay informes que coincidan con la búsqueda."

    def render_documents(self, record):
        return format_html(
            '<a href="{}">Ver</a> · <a href="{}">PDF</a>',
            record.url("poa:sheet"),
            record.url("poa:sheet-pdf"),
        )


class ProgrammingTable(tables.Table):
    """Every unit of a year with its annual programming, for the overview: the units still
    to program first."""

    unidad = tables.Column(
        verbose_name="Unidad ejecutora", accessor="clave", order_by=("ramo__clave", "clave")
    )
    programa = tables.Column(verbose_name="Programa", accessor="programa__clave")
    state = tables.Column(
        verbose_name="Programación",
        accessor="programming_state",
        order_by=("pending_rank", "ramo__clave", "clave"),
    )
    n_metas = tables.Column(
        verbose_name="Metas", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    last = tables.Column(
        verbose_name="Último movimiento", accessor="last_at", default="Sin movimientos"
    )
    link = tables.Column(verbose_name="", accessor="pk", orderable=False)

    class Meta:
        model = UnidadEjecutora
        fields = ()
        sequence = ("unidad", "programa", "state", "n_metas", "last", "link")
        attrs = {"class": "table table-sm align-middle bg-white programming-table"}
        empty_text = "No hay unidades ejecutoras que coincidan con la búsqueda."

    def render_unidad(self, record):
        return f"{record.ramo.clave}-{record.clave} {record.nombre}"

    def render_state(self, value):
        return state_badge(PROGRAMMING.state(value))

    def render_n_metas(self, value):
        return figures.format_figure(value)

    def render_last(self, record):
        action = ProgramacionEvent.Action(record.last_action).label
        return format_html(
            "{}<br><span class='small text-body-secondary'>{} · {}</span>",
            action,
            short_datetime(record.last_at),
            record.last_by,
        )

    def render_link(self, record):
        year = record.ramo.ejercicio.year
        url = reverse("poa:programming", args=[year, record.ramo.clave, record.clave])
        return format_html('<a class="btn btn-sm btn-outline-primary" href="{}">Abrir</a>', url)


# Seguimiento ---------------------------------------------------------------------------------


class LightColumn(tables.Column):
    """The semáforo of a row: a badge with its shape and its word, never colour alone; the
    word alone in exports."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", "Semáforo")
        kwargs.setdefault("accessor", "progress__light")
        kwargs.setdefault("order_by", ("progress__light",))
        kwargs.setdefault("attrs", {"td": {"class": "col-light"}, "th": {"class": "col-light"}})
        super().__init__(**kwargs)

    def render(self, record):
        progress = record.progress
        return format_html(
            '<span class="badge light light-{}"><span aria-hidden="true">{}</span> {}</span>',
            progress.light,
            progress.light_icon,
            progress.light_label,
        )

    def value(self, record):
        return record.progress.light_label


class FigureColumn(tables.Column):
    """A figure as the sheet prints it (1,234 or 12.5); the number itself in exports."""

    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(**kwargs)

    def render(self, value):
        return figures.format_figure(value)

    def value(self, value):
        return value


class PercentColumn(FigureColumn):
    def render(self, value):
        return figures.format_percent(value)


class TrackingTable(tables.Table):
    """The columns every level of the seguimiento shares. A unit's, programa's or ramo's
    avance is the mean of its metas' capped percentages (poa.selectors.tracking): their
    figures count different things and are never added up."""

    percent = PercentColumn(
        verbose_name="Avance",
        accessor="progress__percent",
        attrs={"td": {"class": "num col-percent"}, "th": {"class": "num col-percent"}},
    )
    light = LightColumn()
    unprogrammed = tables.Column(
        verbose_name="Sin programar a la fecha",
        accessor="progress__unprogrammed",
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    capture = tables.Column(
        verbose_name="Captura", accessor="progress__capture_label", order_by=("progress__captured",)
    )

    class Meta:
        attrs = {"class": "table table-sm align-middle bg-white tracking-table"}
        empty_text = "No hay metas que coincidan con la búsqueda."
        template_name = "tables/table.html"


class RamoTrackingTable(TrackingTable):
    clave = tables.Column(verbose_name="Ramo")
    nombre = tables.Column(verbose_name="Nombre")
    reports = tables.Column(verbose_name="Informes enviados", accessor="sent", empty_values=())

    class Meta(TrackingTable.Meta):
        sequence = ("clave", "nombre", "reports", "...")

    def render_reports(self, record):
        return f"{record.sent:,} de {record.units:,}"


class ProgramaTrackingTable(RamoTrackingTable):
    ramo = tables.Column(verbose_name="Ramo")
    clave = tables.Column(verbose_name="Programa")

    class Meta(RamoTrackingTable.Meta):
        sequence = ("ramo", "clave", "nombre", "reports", "...")


class UnitTrackingTable(TrackingTable):
    unidad = tables.Column(
        verbose_name="Unidad ejecutora",
        accessor="unidad_ejecutora",
        order_by=("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave"),
    )
    programa = tables.Column(verbose_name="Programa", accessor="unidad_ejecutora__programa__clave")
    state = tables.Column(verbose_name="Informe", accessor="state_label")
    deadline = tables.DateTimeColumn(verbose_name="Fecha límite", short=True)
    days_late = tables.Column(verbose_name="Días de atraso", attrs={"td": {"class": "num"}})

    class Meta(TrackingTable.Meta):
        sequence = ("unidad", "programa", "state", "deadline", "days_late", "capture", "...")

    def __init__(self, data, *, quarter, **kwargs):
        super().__init__(data, **kwargs)
        self.quarter = quarter

    def render_unidad(self, value):
        address = [value.ramo.ejercicio.year, value.ramo.clave, value.clave, self.quarter]
        return format_html(
            '<a href="{}">{}-{} {}</a>',
            reverse("poa:sheet", args=address),
            value.ramo.clave,
            value.clave,
            value.nombre,
        )

    def value_unidad(self, value):
        return f"{value.ramo.clave}-{value.clave} {value.nombre}"

    def render_state(self, record):
        if record.report is None:
            return record.state_label
        return state_badge(record.report.machine_state)

    def render_days_late(self, value):
        return (
            format_html('<span class="text-danger fw-semibold">{} días</span>', value)
            if (value)
            else "—"
        )

    def value_days_late(self, value):
        return value


class MetaTrackingTable(TrackingTable):
    unidad = tables.Column(
        verbose_name="UE",
        accessor="unidad_ejecutora__clave",
        order_by=("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave", "meta__numero"),
        attrs={"td": {"class": "col-ue"}, "th": {"class": "col-ue"}},
    )
    # On a phone the meta stays at the left of its box while the figures scroll (app.css).
    meta = tables.Column(
        verbose_name="Meta",
        order_by=("meta__numero",),
        attrs={"td": {"class": "col-key"}, "th": {"class": "col-key"}},
    )
    unidad_medida = tables.Column(verbose_name="Unidad de medida", accessor="meta__unidad_medida")
    programmed = FigureColumn(verbose_name="Programado a la fecha", accessor="progress__programmed")
    achieved = FigureColumn(verbose_name="Alcanzado a la fecha", accessor="progress__achieved")
    observation = tables.Column(
        verbose_name="Observaciones",
        orderable=False,
        empty_values=(),
        attrs={"td": {"class": "col-notes"}, "th": {"class": "col-notes"}},
    )

    class Meta(TrackingTable.Meta):
        sequence = ("unidad", "meta", "unidad_medida", "programmed", "achieved", "...")
        exclude = ("capture", "unprogrammed")

    def render_meta(self, record, value):
        return format_html(
            '<a href="{}">{}</a>.- <span class="d-md-none">UE {}</span> '
            '<span class="meta-description">{}</span>',
            reverse("poa:meta-detail", args=[value.pk]),
            value.numero,
            record.unidad_ejecutora.clave,
            value.descripcion if len(value.descripcion) <= 90 else value.descripcion[:89] + "…",
        )

    def value_meta(self, value):
        return f"{value.numero}.- {value.descripcion}"

    def render_observation(self, record):
        if record.needs_observation:
            return format_html('<span class="text-danger">{}</span>', "Sin observación")
        return record.observation or "—"

    def value_observation(self, record):
        return record.observation


class ModificacionTable(tables.Table):
    """Requests of modificación programática for planeación: those waiting first."""

    requested_at = tables.DateTimeColumn(verbose_name="Solicitada", short=True)
    meta = tables.Column(
        verbose_name="Meta",
        accessor="meta__numero",
        order_by=("meta__unidad_ejecutora__ramo__ejercicio__year", "meta__numero"),
    )
    unidad = tables.Column(
        verbose_name="Unidad ejecutora",
        accessor="meta__unidad_ejecutora",
        order_by=("meta__unidad_ejecutora__ramo__clave", "meta__unidad_ejecutora__clave"),
    )
    state = tables.Column(verbose_name="Estado", order_by=("waiting", "state"))
    requested_by = tables.Column(verbose_name="Solicitó", orderable=False)
    link = tables.Column(verbose_name="", accessor="pk", orderable=False)

    class Meta:
        model = Modificacion
        fields = ()
        sequence = ("requested_at", "meta", "unidad", "state", "requested_by", "link")
        attrs = {"class": "table table-sm align-middle bg-white modifications-table"}
        empty_text = "No hay solicitudes de modificación que coincidan con la búsqueda."

    def render_meta(self, record):
        year = record.meta.unidad_ejecutora.ramo.ejercicio.year
        return f"{record.meta.numero} ({year})"

    def render_unidad(self, value):
        return f"{value.ramo.clave}-{value.clave} {value.nombre}"

    def render_state(self, record):
        return state_badge(record.machine_state)

    def render_requested_by(self, value):
        return signer_name(value)

    def render_link(self, record):
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
            reverse("poa:modification", args=[record.pk]),
            "Decidir" if record.state == Modificacion.State.SOLICITADA else "Ver",
        )


class AuditTable(tables.Table):
    """The events of a year on the Auditoría page, and its CSV and XLSX."""

    at = tables.DateTimeColumn(verbose_name="Fecha y hora", short=True)
    kind = tables.Column(verbose_name="Tipo")
    username = tables.Column(verbose_name="Persona")
    unidad = tables.Column(
        verbose_name="Unidad ejecutora",
        accessor="unidad_ejecutora",
        order_by=("unidad_ejecutora__ramo__clave", "unidad_ejecutora__clave"),
        default="",
    )
    quarter = tables.Column(verbose_name="Trimestre", default="")
    description = tables.Column(verbose_name="Descripción", orderable=False)

    class Meta:
        attrs = {"class": "table table-sm align-middle audit-table"}
        empty_text = "No hay eventos con estos filtros."
        order_by = ("-at",)

    def render_unidad(self, value):
        return f"{value.ramo.clave}-{value.clave} {value.nombre}"

    def value_unidad(self, value):
        return self.render_unidad(value)

    def render_quarter(self, value):
        return figures.QUARTER_LABELS[value]

    def value_quarter(self, value):
        return value
