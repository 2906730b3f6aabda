"""Planeación's review of a year's data: every inconsistency poa.selectors.consistency finds,
filtered by kind, ramo and unit, each linked to the meta or unit where it is corrected."""

import django_tables2 as tables
from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html

from poa.documents.exports import export_response
from poa.models import Ejercicio
from poa.rules import figures
from poa.selectors import consistency
from poa.web.decorators import planeacion_required
from poa.web.tables import configure


class ConsistencyFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Tipo", required=False)
    ramo = forms.ChoiceField(label="Ramo", required=False)
    ue = forms.CharField(
        label="Unidad ejecutora",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Clave, p. ej. 102"}),
    )
    quarter = forms.TypedChoiceField(
        label="Lo alcanzado hasta",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Todo el año")]
        + [(q, f"{q}. {figures.QUARTER_LABELS[q]}") for q in figures.QUARTERS],
    )

    def __init__(self, data, *, ramos):
        super().__init__(data)
        self.fields["kind"].choices = [("", "Todos"), *consistency.KINDS.items()]
        self.fields["ramo"].choices = [("", "Todos")] + [(r.clave, str(r)) for r in ramos]

    def keep(self, found):
        """The findings that match the filters (all of them when the form is invalid)."""
        if not self.is_valid():
            return found
        data = self.cleaned_data
        ue = data["ue"].strip()
        return [
            item
            for item in found
            if (not data["kind"] or item.kind == data["kind"])
            and (not data["ramo"] or item.ramo == data["ramo"])
            and (not ue or item.ue == ue)
        ]

    @property
    def up_to(self):
        return self.cleaned_data["quarter"] if self.is_valid() else None


class ConsistencyTable(tables.Table):
    """One inconsistency per row, in the order of the catalog; not sortable on purpose."""

    kind_label = tables.Column(verbose_name="Tipo")
    ramo = tables.Column(verbose_name="Ramo")
    ue = tables.Column(verbose_name="UE", default="")
    meta = tables.Column(verbose_name="Meta", default="")
    quarter = tables.Column(verbose_name="Trimestre", default="")
    message = tables.Column(verbose_name="Inconsistencia")
    link = tables.Column(verbose_name="", accessor="kind", exclude_from_export=True)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm align-middle bg-white consistency-table"}
        empty_text = "Ninguna inconsistencia coincide con los filtros."

    def __init__(self, data, *, year, **kwargs):
        self.year = year
        super().__init__(data, **kwargs)

    def render_ramo(self, record):
        return f"{record.ramo} · Prog. {record.programa}" if record.programa else record.ramo

    def render_quarter(self, value):
        return figures.QUARTER_LABELS[value]

    def render_link(self, record):
        url, label = self.target(record)
        if not url:
            return ""
        return format_html('<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>', url, label)

    def target(self, record):
        """The meta's page, or the unit's capture grid; the catalog of a ramo or programa is
        corrected in the administration, which the message names."""
        if record.meta_id:
            return reverse("poa:meta-detail", args=[record.meta_id]), "Ver meta"
        if record.ue:
            args = [self.year, record.ramo, record.ue, record.quarter or 1]
            return reverse("poa:capture-grid", args=args), "Ver unidad"
        return None, ""


@planeacion_required
def consistency_latest(request):
    """The review of the latest year."""
    ejercicio = Ejercicio.objects.order_by("-year").first()
    if ejercicio is None:
        raise Http404("No hay ejercicios registrados.")
    return redirect("poa:consistency", year=ejercicio.year)


@planeacion_required
def consistency_page(request, year):
    ejercicio = get_object_or_404(Ejercicio, year=year)
    form = ConsistencyFilterForm(request.GET or None, ramos=ejercicio.ramos.order_by("clave"))
    found = consistency.find_inconsistencies(ejercicio=ejercicio, quarter=form.up_to)
    shown = form.keep(found)
    table = configure(request, ConsistencyTable(shown, year=year))
    if response := export_response(request, table, f"revision_{year}"):
        return response
    context = {
        "ejercicio": ejercicio,
        "years": Ejercicio.objects.order_by("-year").values_list("year", flat=True),
        "form": form,
        "table": table,
        "found": found,
        "shown": shown,
        "counts": [(consistency.KINDS[k], n) for k, n in consistency.count_by_kind(found).items()],
        "quarter_label": figures.QUARTER_LABELS.get(form.up_to),
    }
    return render(request, "planning/consistency.html", context)
