"""The public transparency portal and its open data, without an account: only the authorized
sheets in force appear, as they were authorized; a reopened one gives way to «en revisión»;
nothing private reaches a page, the CSV or the JSON; the files answer 304 to a conditional
request and may be read from any site, and an authorization or a reopening shows at once."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from poa.models import Meta, QuarterlyProgress
from poa.rules import figures
from poa.selectors.sheet import build_sheet
from poa.selectors.tracking import avance_method
from poa.services import modifications
from poa.services.review import report_reopen, report_return
from tests.conftest import State, report_in_state, signer, unit

PORTAL = "/transparencia/"
QUARTER = "/transparencia/2023/2/"
RAMO = "/transparencia/2023/2/59/"
SHEET_102 = "/transparencia/2023/2/59/102/"
META_207 = "/transparencia/2023/2/59/102/meta/207/"
DATA_YEAR = "/transparencia/datos/2023.csv"
DATA_QUARTER = "/transparencia/datos/2023-T2.csv"
JSON_YEAR = "/transparencia/datos/2023.json"
JSON_QUARTER = "/transparencia/datos/2023-T2.json"
DICTIONARY = "/transparencia/datos/"
PAGES = (PORTAL, QUARTER, RAMO, SHEET_102, META_207)
DATA = (DATA_YEAR, DATA_QUARTER, JSON_YEAR, JSON_QUARTER)
FOLIO = "TMM-F004-2023-59-102-T2"


def authorize(clave, quarter=2):
    return report_in_state(clave, quarter, State.AUTORIZADO)


def text_of(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode("utf-8-sig")


def page(client, url):
    status, text = text_of(client, url)
    assert status == 200, (url, status)
    return text


def csv_rows(client, url):
    return list(csv.DictReader(io.StringIO(page(client, url))))


def description_207():
    return Meta.objects.get(unidad_ejecutora=unit("102"), numero=207).descripcion


@pytest.fixture
def authorized_102(reference):
    return authorize("102")


def test_the_portal_walks_from_the_quarter_to_the_authorized_sheet(client, authorized_102):
    for url in (PORTAL, QUARTER):
        assert "59 COMISIÓN DE DESARROLLO INDUSTRIAL DE MEXICALI" in page(client, url)
    ramo = page(client, RAMO)
    assert "Programa 511" in ramo and "UE 102 DEPARTAMENTO ADMINISTRATIVO" in ramo
    assert META_207 in ramo and SHEET_102 in ramo
    meta = page(client, META_207)
    assert description_207() in meta and SHEET_102 in meta
    sheet = page(client, SHEET_102)
    assert reverse("poa:verify", args=[FOLIO]) in sheet
    assert reverse("poa:verify-pdf", args=[FOLIO]) in sheet
    assert "ELABORÓ</strong> (RESPONSABLE DE LA UNIDAD EJECUTORA): LIC. FABIOLA LEÓN" in sheet
    assert "AUTORIZÓ</strong> (RESPONSABLE DEL RAMO): LIC. AARÓN ALEXIS ÁLVAREZ MARÍN" in sheet


def test_the_portal_draws_the_charts_of_seguimiento(client, authorized_102):
    text = page(client, QUARTER)
    assert text.count("<svg") == 3
    assert "Avance por programa en cada trimestre" in text and "Metas por semáforo" in text


def test_the_search_finds_a_meta_by_its_words_without_accents(client, authorized_102):
    words = description_207().split()[:2]
    text = page(client, QUARTER + "?q=" + "+".join(words).lower())
    assert "Resultados de" in text and META_207 in text
    assert "Ninguna meta publicada" in page(client, QUARTER + "?q=zzzinexistente")


# Which public address shows a report, by its state --------------------------------------------


def reopened(clave):
    report = authorize(clave)
    report_reopen(report=report, user=planeacion_user(), comment="Falta un acuse.")
    return report


def planeacion_user():
    from django.contrib.auth.models import Group

    from poa.selectors.access import PLANEACION_GROUP
    from tests.conftest import make_user

    user = make_user("planeacion-publica")
    user.groups.add(Group.objects.get_or_create(name=PLANEACION_GROUP)[0])
    return user


STATES = {
    "borrador": lambda: report_in_state("102", 2, State.BORRADOR),
    "enviado": lambda: report_in_state("102", 2, State.ENVIADO),
    "revisado": lambda: report_in_state("102", 2, State.REVISADO),
    "autorizado": lambda: authorize("102"),
    "reabierto": lambda: reopened("102"),
}


@pytest.mark.parametrize("state", STATES)
def test_only_an_authorized_report_is_public(client, reference, state):
    authorize("201")  # the quarter has something public either way
    STATES[state]()
    shown = description_207()
    seen = {}
    for url in (*PAGES, *DATA):
        status, text = text_of(client, url)
        seen[url] = (status, shown in text)
    authorized = state == "autorizado"
    for url in (RAMO, SHEET_102, META_207, *DATA):
        assert seen[url][1] == authorized, (url, seen[url])
    expected_sheet_status = 200 if state in ("autorizado", "reabierto") else 404
    assert seen[SHEET_102][0] == expected_sheet_status
    in_review = "en revisión" in page(client, QUARTER)
    assert in_review == (state == "reabierto")
    if state == "reabierto":
        assert "trimestre 2 en revisión" in page(client, SHEET_102)


def test_an_authorization_and_a_reopening_show_at_once(client, authorized_102):
    assert "UE 201" not in page(client, RAMO)
    report_201 = authorize("201")
    assert "UE 201" in page(client, RAMO)
    report_reopen(report=report_201, user=planeacion_user(), comment="Revisar 305.")
    text = page(client, RAMO)
    assert "UE 201 DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL: <strong>en revisión</strong>" in text
    assert "/transparencia/2023/2/59/201/meta/" not in text


# Nothing private -------------------------------------------------------------------------------

RETURN_COMMENT = "DEVOLUCION-PRIVADA corrija la meta 203"
DRAFT_OBSERVATION = "OBSERVACION-PRIVADA de un borrador"
JUSTIFICACION = "JUSTIFICACION-PRIVADA de una modificacion pendiente"
PENDING_DESCRIPTION = "DESCRIPCION-PENDIENTE de la meta 305"
AUTHORIZE_COMMENT = "AUTORIZACION-COMENTARIO interno"
PRIVATE = (RETURN_COMMENT, DRAFT_OBSERVATION, JUSTIFICACION, PENDING_DESCRIPTION, AUTHORIZE_COMMENT)


def plant_private_values():
    """UE 102 authorized after a return with a comment; UE 201's Q2 in draft with an
    observación; a modificación of meta 305 pending with its justificación; UE 101
    authorized with a comment on its authorization."""
    report = report_in_state("102", 2, State.ENVIADO)
    ue = report.unidad_ejecutora
    report_return(report=report, user=signer(ue.programa.responsable), comment=RETURN_COMMENT)
    authorize("102")
    report_in_state("101", 2, State.REVISADO)
    from poa.models import Report
    from poa.services.review import report_authorize

    report_101 = Report.objects.get(unidad_ejecutora=unit("101"), quarter=2)
    ramo_head = signer(unit("101").ramo.responsable)
    report_authorize(report=report_101, user=ramo_head, comment=AUTHORIZE_COMMENT)
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=2).update(
        observaciones=DRAFT_OBSERVATION
    )
    meta = Meta.objects.select_related("unidad_ejecutora__ramo", "unidad_medida").get(numero=305)
    capturista = unit("201").capturistas.first() or _capturista_201()
    change = modifications.ChangeRequest(
        descripcion=PENDING_DESCRIPTION,
        unidad_medida=meta.unidad_medida,
        meta_anual="360",
        programado=["70", "100", "120", "70"],
    )
    modifications.modification_request(
        meta=meta, user=capturista, justificacion=JUSTIFICACION, change=change
    )


def _capturista_201():
    from tests.conftest import make_capturista

    return make_capturista("captura201", "201")


def public_urls(client):
    """Every public page and file of the quarter: the portal's links followed one level."""
    urls = {*PAGES, *DATA, DICTIONARY, QUARTER + "?q=meta"}
    for source in [RAMO, *links(client, RAMO)]:
        urls.update(links(client, source))
    return sorted(urls)


def links(client, url):
    found = set()
    for chunk in page(client, url).split('href="')[1:]:
        link = chunk.split('"', 1)[0]
        if link.startswith(("/transparencia/", "/verificar/")) and not link.endswith("/pdf/"):
            found.add(link)
    return found


def test_no_private_value_reaches_a_public_page_or_file(client, reference):
    plant_private_values()
    urls = public_urls(client)
    assert any("/meta/" in url for url in urls) and any("/verificar/" in url for url in urls)
    for url in urls:
        text = page(client, url)
        for value in PRIVATE:
            assert value not in text, (url, value)
        assert "@mexicali.example" not in text, url
        assert not re.search(r"firma\d", text), url  # the signers' account names


# Open data -----------------------------------------------------------------------------------


def test_open_data_equals_the_authorized_sheets(client, reference):
    for clave in ("101", "102", "201"):
        authorize(clave)
    rows = csv_rows(client, DATA_QUARTER)
    expected = {}
    for clave in ("101", "102", "201"):
        for row in build_sheet(unit(clave), 2).rows:
            expected[(clave, str(row.numero))] = (
                row.annual,
                row.programmed[1],
                row.achieved[1],
                row.figures.absolute,
                row.figures.relative,
            )
    got = {
        (row["ue_clave"], row["meta_numero"]): (
            Decimal(row["meta_anual"]),
            Decimal(row["programado_trimestre"]),
            Decimal(row["alcanzado_trimestre"]),
            Decimal(row["alcanzado_acumulado"]),
            Decimal(row["acumulado_relativo"]),
        )
        for row in rows
    }
    assert got == expected
    assert {row["trimestre"] for row in rows} == {"2"}
    assert csv_rows(client, DATA_YEAR) == rows  # nothing authorized in another quarter
    document = json.loads(page(client, JSON_QUARTER))
    assert len(document["registros"]) == len(rows) == 20
    assert document["licencia"].endswith("(CC BY 4.0)")
    first = document["registros"][0]
    assert list(first) == list(rows[0])
    assert str(first["meta_anual"]) == rows[0]["meta_anual"]


def test_the_dictionary_documents_every_column_and_the_license(client, authorized_102):
    text = page(client, DICTIONARY)
    for column in csv_rows(client, DATA_YEAR)[0]:
        assert f"<code>{column}</code>" in text
    assert "CC BY 4.0" in text and DATA_QUARTER in text and JSON_YEAR in text


def test_a_conditional_request_gets_304_until_something_is_authorized(client, authorized_102):
    first = client.get(DATA_QUARTER)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(DATA_QUARTER, headers={"if-none-match": etag}).status_code == 304
    assert client.get(DATA_QUARTER, headers={"if-modified-since": modified}).status_code == 304
    sheet_etag = client.get(SHEET_102)["ETag"]
    assert client.get(SHEET_102, headers={"if-none-match": sheet_etag}).status_code == 304
    authorize("201")
    again = client.get(DATA_QUARTER, headers={"if-none-match": etag})
    assert again.status_code == 200 and again["ETag"] != etag


def test_data_files_alone_may_be_read_from_any_site(client, authorized_102):
    for url in DATA:
        response = client.get(url)
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert "public" in response["Cache-Control"]
    for url in (*PAGES, DICTIONARY):
        assert not client.get(url).has_header("Access-Control-Allow-Origin"), url


def test_a_year_without_authorized_sheets_has_no_data(client, reference):
    assert client.get("/transparencia/datos/2023.csv").status_code == 404
    assert client.get("/transparencia/datos/2023.xml").status_code == 404
    assert "Aún no hay hojas autorizadas" in page(client, PORTAL)


def test_the_quarter_is_read_in_the_same_queries_however_many_sheets(
    reference, django_assert_num_queries
):
    from poa.selectors.public import public_quarter

    authorize("102")
    with django_assert_num_queries(2):
        assert len(public_quarter(2023, 2).units) == 1
    authorize("101")
    authorize("201")
    reopened_201 = reopened("201")
    assert reopened_201.state == State.BORRADOR
    with django_assert_num_queries(2):
        data = public_quarter(2023, 2)
    assert [u.ue.clave for u in data.units] == ["101", "102"]
    assert [ue.clave for ue in data.in_review] == ["201"]


def test_a_page_asked_again_is_served_from_the_cache_with_one_query(
    client, authorized_102, django_assert_num_queries
):
    first = page(client, QUARTER)
    with django_assert_num_queries(1):  # the latest authorization or reopening
        assert page(client, QUARTER) == first


def test_the_portal_reads_a_ramos_avance_as_the_mean_of_its_metas(client, reference):
    # Ramo 59 in Q2 2023: summing its metas' figures reads 100.3 % (350 of 349); the mean of
    # the 18 programmed metas, each capped at 100 %, reads 93.3 %, as seguimiento says.
    authorize("102")
    authorize("201")
    portal = page(client, QUARTER)
    assert figures.format_percent(Decimal("93.3")) in portal
    assert figures.format_percent(Decimal("100.3")) not in portal
    assert avance_method() in portal
