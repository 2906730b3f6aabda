"""Planeación's pages: opening and closing a quarter for capture, and a later deadline for one
unit. Nobody else may reach them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from poa.models import CaptureException, CapturePeriod, Ejercicio, Report
from poa.services.periods import exception_grant, period_close, period_open
from poa.services.review import report_send
from poa.web.forms import PeriodOpenForm
from tests.conftest import complete_quarter, open_q3, unit


def local_input(moment):
    """A moment as planeación types it: dd/mm/aaaa hh:mm, 24 hours, Mexicali's time."""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


@pytest.mark.parametrize("persona", ["capturista_201", "head_102", "aaron", "outsider"])
def test_only_planeacion_reaches_the_period_pages(request, client, planeacion, persona):
    period = open_q3(planeacion)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("poa:periods")).status_code == 403
    assert client.post(reverse("poa:period-close", args=[period.pk])).status_code == 403
    assert client.get(reverse("poa:exception-grant", args=[period.pk])).status_code == 403
    assert CapturePeriod.objects.get().closed_at is None


def test_periods_page_explains_when_nothing_was_opened(client, planeacion):
    client.force_login(planeacion)
    html = client.get(reverse("poa:periods")).content.decode()
    assert "Todavía no se ha abierto ningún trimestre." in html


def test_planeacion_opens_a_quarter_and_every_unit_gets_its_report(client, planeacion):
    client.force_login(planeacion)
    deadline = timezone.now() + timedelta(days=10)
    data = {
        "ejercicio": Ejercicio.objects.get(year=2023).pk,
        "quarter": 3,
        "deadline": local_input(deadline),
    }
    response = client.post(reverse("poa:periods"), data, follow=True)
    html = response.content.decode()
    assert "Se abrió la captura de 2023 · Jul-Sep" in html
    assert "3 en borrador" in html
    period = CapturePeriod.objects.get()
    assert period.quarter == 3 and abs(period.deadline - deadline) < timedelta(minutes=1)
    assert Report.objects.filter(quarter=3).count() == 3


def test_a_deadline_in_the_past_is_refused_in_spanish(client, planeacion):
    client.force_login(planeacion)
    data = {
        "ejercicio": Ejercicio.objects.get(year=2023).pk,
        "quarter": 3,
        "deadline": local_input(timezone.now() - timedelta(hours=1)),
    }
    response = client.post(reverse("poa:periods"), data)
    assert "La fecha límite debe ser posterior a este momento." in response.content.decode()
    assert not CapturePeriod.objects.exists()


def test_a_missing_deadline_is_refused_in_spanish(client, planeacion):
    client.force_login(planeacion)
    data = {"ejercicio": Ejercicio.objects.get(year=2023).pk, "quarter": 3, "deadline": ""}
    response = client.post(reverse("poa:periods"), data)
    assert "Indique la fecha y hora límite." in response.content.decode()


def test_closing_a_period_locks_the_grid(client, planeacion, capturista_201):
    period = open_q3(planeacion)
    client.force_login(planeacion)
    response = client.post(reverse("poa:period-close", args=[period.pk]), follow=True)
    assert "Se cerró la captura de 2023 · Jul-Sep." in response.content.decode()
    client.force_login(capturista_201)
    grid = client.get(reverse("poa:capture-grid", args=[2023, "59", "201", 3]))
    assert "La captura de este trimestre cerró el" in grid.content.decode()


def test_an_exception_needs_a_reason_and_a_future_deadline(client, planeacion):
    period = open_q3(planeacion)
    client.force_login(planeacion)
    url = reverse("poa:exception-grant", args=[period.pk])
    data = {
        "unidad_ejecutora": unit("201").pk,
        "deadline": local_input(timezone.now() - timedelta(days=1)),
        "reason": "  ",
    }
    html = client.post(url, data).content.decode()
    assert "Escriba el motivo de la prórroga." in html
    assert "La fecha límite debe ser posterior a este momento." in html
    assert not CaptureException.objects.exists()


def test_an_exception_reopens_capture_for_that_unit_only(client, planeacion, capturista_201):
    period = open_q3(planeacion)
    period_close(period=period, user=planeacion)
    client.force_login(planeacion)
    data = {
        "unidad_ejecutora": unit("201").pk,
        "deadline": local_input(timezone.now() + timedelta(days=3)),
        "reason": "Cambio de titular en la unidad.",
    }
    response = client.post(reverse("poa:exception-grant", args=[period.pk]), data, follow=True)
    html = response.content.decode()
    assert "Prórroga otorgada a la UE 201" in html and "Cambio de titular en la unidad (" in html
    client.force_login(capturista_201)
    grid = client.get(reverse("poa:capture-grid", args=[2023, "59", "201", 3])).content.decode()
    assert "-alcanzado" in grid and "por prórroga: Cambio de titular en la unidad." in grid
    assert "unidad.." not in grid


# The form to open a quarter -----------------------------------------------------------------

TIJUANA = ZoneInfo("America/Tijuana")


def open_quarters(planeacion, *quarters):
    for quarter in quarters:
        period_open(
            ejercicio=Ejercicio.objects.get(year=2023),
            quarter=quarter,
            deadline=timezone.now() + timedelta(days=5),
            user=planeacion,
        )


def periods_page(client, planeacion):
    client.force_login(planeacion)
    return client.get(reverse("poa:periods")).content.decode()


def test_the_form_proposes_the_quarter_after_the_last_opened_until_30_days_after_it_ends(
    planeacion,
):
    open_quarters(planeacion, 1, 2)
    form = PeriodOpenForm(now=datetime(2023, 7, 3, 9, 0, tzinfo=TIJUANA))
    assert form.initial["quarter"] == 3
    assert form.initial["deadline"] == datetime(2023, 10, 30, 23, 59, tzinfo=TIJUANA)
    assert 'value="30/10/2023 23:59"' in str(form["deadline"])


def test_with_q1_to_q3_opened_the_page_proposes_q4_and_30_days_from_now(client, planeacion):
    open_quarters(planeacion, 1, 2, 3)
    html = periods_page(client, planeacion)
    assert '<option value="4" selected>4. Oct-Dic</option>' in html
    day = timezone.localdate() + timedelta(days=30)
    assert f'value="{day:%d/%m/%Y} 23:59"' in html


def test_with_nothing_opened_the_page_proposes_the_first_quarter(client, planeacion):
    assert '<option value="1" selected>' in periods_page(client, planeacion)


def test_with_the_four_quarters_opened_nothing_is_proposed_and_the_page_says_why(
    client, planeacion
):
    open_quarters(planeacion, 1, 2, 3, 4)
    html = periods_page(client, planeacion)
    quarter = html[html.index('name="quarter"') :]
    quarter = quarter[: quarter.index("</select>")]
    assert '<option value="">Elija…</option>' in quarter and "selected" not in quarter
    assert "Los cuatro trimestres de 2023 ya se abrieron" in html


def test_the_deadline_is_typed_day_month_year_on_a_24_hour_clock(client, planeacion):
    html = periods_page(client, planeacion)
    assert 'type="datetime-local"' not in html
    assert 'placeholder="dd/mm/aaaa hh:mm"' in html
    assert "Hora de Mexicali, formato de 24 horas." in html
    field = PeriodOpenForm().fields["deadline"]
    assert field.clean("15/10/2023 18:00") == datetime(2023, 10, 15, 18, 0, tzinfo=TIJUANA)
    assert field.clean("2023-10-15T18:00") == datetime(2023, 10, 15, 18, 0, tzinfo=TIJUANA)


def test_a_date_that_does_not_exist_is_refused_next_to_the_field_keeping_what_was_typed(
    client, planeacion
):
    client.force_login(planeacion)
    data = {"ejercicio": Ejercicio.objects.get(year=2023).pk, "quarter": 3}
    html = client.post(reverse("poa:periods"), data | {"deadline": "31/02/2023 10:00"})
    html = html.content.decode()
    field = html[html.index('name="deadline"') :]
    assert 'value="31/02/2023 10:00"' in field[:300]
    feedback = field[: field.index("</div>")]
    assert "Escriba una fecha que exista como dd/mm/aaaa hh:mm (24 horas)" in feedback
    assert not CapturePeriod.objects.exists()


def test_an_hour_skipped_by_daylight_saving_is_refused_in_spanish(client, planeacion):
    field = PeriodOpenForm().fields["deadline"]
    with pytest.raises(ValidationError, match="Esa hora no existe o se repite en Mexicali"):
        field.clean("12/03/2023 02:30")


def test_no_select_we_render_offers_django_dashes(client, planeacion):
    period = open_q3(planeacion)
    client.force_login(planeacion)
    pages = [
        reverse("poa:periods"),
        reverse("poa:exception-grant", args=[period.pk]),
        reverse("poa:reports"),
    ]
    for url in pages:
        assert "---------" not in client.get(url).content.decode(), url
    grant = client.get(pages[1]).content.decode()
    assert '<option value="">Elija…</option>' in grant


def test_the_counts_of_a_period_agree_in_number(client, planeacion, aaron):
    open_q3(planeacion)
    complete_quarter("201", 3)
    report_send(report=Report.objects.get(unidad_ejecutora=unit("201"), quarter=3), user=aaron)
    html = periods_page(client, planeacion)
    assert "2 en borrador · 1 enviado · 0 revisados · 0 autorizados" in html
    complete_quarter("101", 3)
    report_send(report=Report.objects.get(unidad_ejecutora=unit("101"), quarter=3), user=aaron)
    assert "1 en borrador · 2 enviados · 0 revisados" in periods_page(client, planeacion)


def test_a_reason_ending_in_a_period_prints_one_period(client, planeacion, aaron):
    period = open_q3(planeacion)
    exception_grant(
        period=period,
        unidad_ejecutora=unit("201"),
        deadline=timezone.now() + timedelta(days=40),
        reason="Cambio de titular...",
        user=planeacion,
    )
    client.force_login(aaron)
    for name in ("poa:capture-grid", "poa:report"):
        html = client.get(reverse(name, args=[2023, "59", "201", 3])).content.decode()
        assert "(hora de Mexicali), por prórroga: Cambio de titular." in html, name
    assert "Cambio de titular (planeacion," in periods_page(client, planeacion)
    planeacion.first_name, planeacion.last_name = "Patricia", "Ramírez Soto"
    planeacion.save()
    assert "Cambio de titular (Patricia Ramírez Soto," in periods_page(client, planeacion)
