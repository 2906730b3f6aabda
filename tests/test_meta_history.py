"""The meta's history and the timelines say what changed: how a new meta was programmed, each
change of its meta anual, and no entry where nothing changed («Borrador → Borrador»)."""

from django.urls import reverse

from poa.models import Meta
from poa.selectors.history import meta_history
from poa.services import modifications
from poa.services.review import report_get_or_create, report_mark_ready
from tests.conftest import approve_programming, complete_quarter, plan_row, unit
from tests.test_modifications import change


def fields(meta):
    return [(entry.field, entry.old, entry.new) for entry in meta_history(meta)]


def test_a_new_meta_shows_how_it_was_programmed(ue_202, head_102, planeacion):
    rows = [plan_row(400, annual="6", programado=("1", "2", "2", "1"))]
    approve_programming(ue_202, head=head_102, planeacion=planeacion, rows=rows)
    meta = Meta.objects.get(unidad_ejecutora=ue_202, numero=400)
    (entry,) = [e for e in meta_history(meta) if e.field == "programacion"]
    assert entry.new == "Meta anual 6; programado por trimestre 1 · 2 · 2 · 1 (aprobada)"
    assert entry.user == planeacion


def test_a_modification_of_the_meta_anual_is_in_the_history(client, capturista_201, planeacion):
    meta = Meta.objects.get(numero=305)
    modificacion = modifications.modification_request(
        meta=meta,
        user=capturista_201,
        justificacion="Se sumó una feria industrial.",
        change=change(annual="360", programado=("70", "100", "120", "70")),
    )
    modifications.modification_approve(modificacion=modificacion, user=planeacion)
    assert ("meta_anual", "340", "360") in fields(meta)
    client.force_login(capturista_201)
    page = client.get(reverse("poa:meta-detail", args=[meta.pk])).content.decode()
    history = page.split('class="table table-sm align-middle mb-0 meta-history"')[1]
    assert '<td class="small">Meta anual</td>' in history.split("</table>")[0]


def test_a_capture_marked_ready_leaves_no_empty_state_change(client, q3_open, capturista_201):
    complete_quarter("201", 3)
    report = report_get_or_create(unidad_ejecutora=unit("201"), quarter=3)
    report_mark_ready(report=report, user=capturista_201)
    meta = Meta.objects.get(numero=305)
    assert not [f for f in fields(meta) if f[0] == "estado" and f[1] == f[2]]
    client.force_login(capturista_201)
    page = client.get(reverse("poa:report", args=[2023, "59", "201", 3])).content.decode()
    assert "Borrador → Borrador" not in page
