"""The pages everyone opens first cost the same queries at 20, 2,000 and 6,400 metas:
seguimiento at every level, planeación's home and the programming overview (their time at
those sizes is measured by tests.bench_scale, not here)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from poa.models import Ejercicio
from poa.services.periods import period_open
from poa.services.review import report_get_or_create
from tests.sheet_data import SYNTHETIC_YEAR, make_ramo, make_unit

METAS_PER_UNIT = 20
# (ramos, units per ramo): 20, 2,000 and 6,400 metas of 20 each
SHAPES = {20: (1, 1), 2000: (10, 10), 6400: (20, 16)}
TRACKING = f"/seguimiento/{SYNTHETIC_YEAR}/2/"
PAGES = {
    "ramos": (TRACKING, 15),
    "programas": (TRACKING + "?nivel=programa", 15),
    "unidades": (TRACKING + "?nivel=ue", 15),
    "metas": (TRACKING + "?nivel=meta", 15),
    "metas en rojo": (TRACKING + "?nivel=meta&semaforo=rojo", 15),
    "home": ("/", 23),
    "programación": (f"/programacion/{SYNTHETIC_YEAR}/", 8),
}


def build_municipality(size, planeacion):
    """Test data: `size` metas in units of 20 (tests.sheet_data), a Q2 report for each unit
    and Q2 open for capture, so that the home page shows this year."""
    ramos, units = SHAPES[size]
    for r in range(ramos):
        ramo = make_ramo(clave=str(10 + r))
        for u in range(units):
            unit = make_unit(metas=METAS_PER_UNIT, clave=str(101 + u), ramo=ramo)
            report_get_or_create(unidad_ejecutora=unit, quarter=2)
    period_open(
        ejercicio=Ejercicio.objects.get(year=SYNTHETIC_YEAR),
        quarter=2,
        deadline=timezone.now() + timedelta(days=10),
        user=planeacion,
    )
    if connection.vendor == "postgresql":
        # The rows live in the test's own transaction, which autovacuum never sees: without
        # statistics PostgreSQL plans the aggregate as if the tables were empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@pytest.mark.parametrize("size", [20, 2000, pytest.param(6400, marks=pytest.mark.slow)])
def test_every_page_costs_the_same_queries_whatever_the_metas(
    size, client, planeacion, django_assert_num_queries
):
    # 6,400 metas take seconds to build; each size is built once, for all its pages.
    build_municipality(size, planeacion)
    client.force_login(planeacion)
    for name, (url, queries) in PAGES.items():
        client.get(url)  # the session's first touch is not the page's cost
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200, name
