"""Before a programming goes to planeación: a capturista tells the head of the unit that its
metas are ready, and whoever sends or approves it is told of metas with nothing to achieve."""

from django.core import mail
from django.urls import reverse

from poa.models import Programacion, ProgramacionEvent
from poa.services import programming
from tests.conftest import plan_row

Action = ProgramacionEvent.Action
READY_DONE = "Se avisó al responsable de la unidad que la programación está lista."
EMPTY_WARNING = "tiene meta anual 0 y nada programado en ningún trimestre"


def url(*extra, name="poa:programming"):
    return reverse(name, args=[2023, "59", "202", *extra])


def drafted(ue, user, rows=None):
    programacion = programming.programming_of(ue)
    rows = rows if rows is not None else [plan_row(400)]
    programming.programming_save(programacion=programacion, user=user, version=0, rows=rows)
    return programacion


def test_the_capturista_tells_the_head_the_programming_is_ready(
    client, ue_202, head_102, capturista_202, django_capture_on_commit_callbacks
):
    drafted(ue_202, capturista_202)
    client.force_login(capturista_202)
    assert "Avisar al responsable: programación lista" in client.get(url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("avisar", name="poa:programming-transition"), follow=True)
    assert READY_DONE in response.content.decode()
    event = Programacion.objects.get(unidad_ejecutora=ue_202).events.get()
    assert (event.action, event.from_state, event.to_state) == (
        Action.READY,
        "borrador",
        "borrador",
    )
    (email,) = mail.outbox
    assert email.to == [head_102.email]
    assert "programación lista para enviar" in email.subject


def test_a_programming_that_could_not_be_sent_is_not_announced(ue_202, capturista_202):
    programacion = drafted(ue_202, capturista_202, rows=[plan_row(400, lineas=[])])
    try:
        programming.programming_mark_ready(programacion=programacion, user=capturista_202)
    except programming.WorkflowError as error:
        assert "faltan en las metas 400" in str(error)
    else:
        raise AssertionError("se avisó de una programación que no puede enviarse")
    assert not programacion.events.exists()


def test_only_a_capturista_of_the_unit_announces_it(client, ue_202, head_102, capturista_202):
    drafted(ue_202, capturista_202)
    client.force_login(head_102)
    response = client.post(url("avisar", name="poa:programming-transition"))
    assert response.status_code == 403
    assert not Programacion.objects.get(unidad_ejecutora=ue_202).events.exists()


def test_the_sender_and_planeacion_are_told_of_a_meta_with_nothing_to_achieve(
    client, ue_202, head_102, planeacion
):
    empty = plan_row(401, annual="0", programado=("0", "0", "0", "0"))
    programacion = drafted(ue_202, head_102, rows=[plan_row(400), empty])
    client.force_login(head_102)
    assert f"La meta 401 {EMPTY_WARNING}" in client.get(url()).content.decode()
    programming.programming_send(programacion=programacion, user=head_102)
    client.force_login(planeacion)
    assert f"La meta 401 {EMPTY_WARNING}" in client.get(url()).content.decode()
    page = client.get(url("aprobar", name="poa:programming-transition")).content.decode()
    assert f"La meta 401 {EMPTY_WARNING}" in page


def test_no_warning_when_every_meta_programs_something(client, ue_202, head_102):
    drafted(ue_202, head_102)
    client.force_login(head_102)
    assert EMPTY_WARNING not in client.get(url()).content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_saving_and_sending_a_meta_with_nothing_to_achieve_warns_the_sender(
    client, ue_202, head_102
):
    from tests.test_programming_views import post_rows, row_data

    client.force_login(head_102)
    rows = [
        ("nueva-1", row_data("nueva-1", 400)),
        ("nueva-2", row_data("nueva-2", 401, "0", ("0", "0", "0", "0"))),
    ]
    post_rows(client, rows, send="1")
    assert Programacion.objects.get(unidad_ejecutora=ue_202).state == "enviada"
    (warning,) = [m for m in messages_of(client.get(url())) if EMPTY_WARNING in m]
    assert warning.startswith("La meta 401 ") and "se envió así" in warning


def test_sending_and_approving_warn_of_a_meta_with_nothing_to_achieve(
    client, ue_202, head_102, planeacion
):
    empty = plan_row(401, annual="0", programado=("0", "0", "0", "0"))
    drafted(ue_202, head_102, rows=[plan_row(400), empty])
    client.force_login(head_102)
    response = client.post(url("enviar", name="poa:programming-transition"), follow=True)
    assert any("La meta 401" in m and "se envió así" in m for m in messages_of(response))
    client.force_login(planeacion)
    response = client.post(url("aprobar", name="poa:programming-transition"), follow=True)
    assert Programacion.objects.get(unidad_ejecutora=ue_202).state == "aprobada"
    assert any("La meta 401" in m and "quedó aprobada así" in m for m in messages_of(response))
