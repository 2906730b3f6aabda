"""Tables of reports for the dashboards, and of the units' annual programming."""

import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django_tables2 import RequestConfig

from poa import figures
from poa.localtime import short_datetime
from poa.models import Programacion, ProgramacionEvent, Report, UnidadEjecutora
from poa.selectors import NO_PROGRAMMING, NO_PROGRAMMING_LABEL

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
        return render_to_string("review/_state_badge.html", {"report": record})

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


PROGRAMMING_LABELS = {NO_PROGRAMMING: NO_PROGRAMMING_LABEL, **dict(Programacion.State.choices)}


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
        context = {"state": value, "label": PROGRAMMING_LABELS.get(value, value)}
        return render_to_string("programming/_state_badge.html", context)

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
