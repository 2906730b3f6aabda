"""The cells of a table's row, as django-tables2's bootstrap5 template writes them, with each
column's attributes computed once per table instead of once per cell: on seguimiento's and
the home page's tables those attributes and the template's loop over the cells cost more
than the figures in them."""

from django import template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.safestring import mark_safe

register = template.Library()

CELL = "\n                            <td {}>{}</td>\n                        "


@register.simple_tag(takes_context=True)
def table_cells(context, row):
    static = context.render_context.setdefault(("poa_tables", id(row.table)), {})
    cells = []
    for column, cell in row.items():
        if column.name not in static:
            static[column.name] = _static_attrs(row.table, column)
        attrs = static[column.name]
        attrs = column.attrs["td"].as_html() if attrs is None else attrs
        cells.append(CELL.format(attrs, _content(context, column, cell)))
    return mark_safe("".join(cells))


def _static_attrs(table, column):
    """The column's <td> attributes when they are the same on every row (none is computed
    from the record); None otherwise."""
    groups = [table.attrs, column.column.attrs]
    for group in groups:
        for value in group.values():
            if callable(value) or (isinstance(value, dict) and any(map(callable, value.values()))):
                return None
    return column.attrs["td"].as_html()


def _content(context, column, cell):
    if column.localize is not None:
        cell = localize(cell) if column.localize else unlocalize(cell)
    return render_value_in_context(cell, context)
