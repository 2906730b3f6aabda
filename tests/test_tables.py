"""The app's tables (templates/tables/table.html) write each row's cells with its own
attributes, as django-tables2 does."""

import django_tables2 as tables
from django.test import RequestFactory


class Parity(tables.Table):
    name = tables.Column(attrs={"td": {"class": "name"}})
    parity = tables.Column(attrs={"td": {"data-parity": lambda record: record["parity"]}})

    class Meta:
        template_name = "tables/table.html"


def test_a_cell_attribute_computed_from_its_row_is_computed_for_every_row():
    data = [{"name": "uno", "parity": "impar"}, {"name": "dos", "parity": "par"}]
    html = Parity(data).as_html(RequestFactory().get("/"))
    assert '<td data-parity="impar">impar</td>' in html
    assert '<td data-parity="par">par</td>' in html
    assert html.count('<td class="name">') == 2
