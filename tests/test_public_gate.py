"""The public pages are rate-limited per address (poa.web.public_gate): past the limit an
address gets the Spanish 429 page with Retry-After, another address is still served, and the
capture side, from that same address, keeps working; past its places for public requests
running at once, a process turns the next one away and still serves the capture."""

import pytest
from django.core.cache import cache

from poa.web import public_gate
from tests.test_capture_views import achieved, grid_data, grid_url


@pytest.fixture
def limit_of_three(settings):
    settings.POA_PUBLIC_REQUESTS = 3
    settings.POA_PUBLIC_WINDOW = 60
    cache.clear()
    yield
    cache.clear()


def test_past_the_limit_an_address_gets_the_spanish_429(client, reference, limit_of_three):
    for _ in range(3):
        assert client.get("/transparencia/").status_code == 200
    response = client.get("/transparencia/datos/")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Demasiadas solicitudes" in text and "datos abiertos" in text
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get("/verificar/TMM-F004-2023-59-102-T2/").status_code == 429


def test_another_address_is_still_served(client, reference, limit_of_three):
    for _ in range(4):
        client.get("/transparencia/")
    assert client.get("/transparencia/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_capture_side_keeps_working_from_a_limited_address(
    client, q3_open, capturista_201, limit_of_three
):
    for _ in range(4):
        client.get("/transparencia/")
    assert client.get("/transparencia/").status_code == 429
    client.force_login(capturista_201)
    assert client.get(grid_url()).status_code == 200
    data = grid_data(values={305: ("90", "Menos prospectos por la temporada.")})
    response = client.post(grid_url(), data, follow=True)
    assert "Se guardaron las cifras de 8 metas." in response.content.decode()
    assert achieved(305) == 90


def test_the_limit_is_off_when_set_to_zero(client, reference, settings):
    settings.POA_PUBLIC_REQUESTS = 0
    cache.clear()
    assert all(client.get("/transparencia/").status_code == 200 for _ in range(5))


def test_past_its_places_a_process_turns_public_requests_away_but_not_the_capture(
    client, q3_open, capturista_201, settings
):
    settings.POA_PUBLIC_CONCURRENCY = 1
    slot = public_gate.slots()
    assert slot.acquire(blocking=False)  # a public request under way
    try:
        response = client.get("/transparencia/")
        assert response.status_code == 429 and response["Retry-After"] == "1"
        assert "atendiendo muchas consultas" in response.content.decode()
        client.force_login(capturista_201)
        assert client.get(grid_url()).status_code == 200
    finally:
        slot.release()
    assert client.get("/transparencia/").status_code == 200
