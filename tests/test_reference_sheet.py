"""The TMM-F004 of the reference year reads as the printed Q2 2023 sheet: header, figures,
signatures, report state and the data's inconsistencies."""

import html as htmlmod
import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from poa.documents import html
from poa.models import Persona, QuarterlyProgress, Report
from poa.rules.dates import quarter_end, sheet_date
from poa.selectors.sheet import build_sheet
from poa.services.review import report_get_or_create, report_reopen, report_return, report_send
from tests.conftest import backdate, report_in_state, signer, unit
from tests.sheet_data import make_unit

# meta: (unit, abs, rel) as printed in the reference sheet for the second quarter of 2023
PRINTED = {
    100: ("101", "1", "50%"), 101: ("101", "26", "50%"), 102: ("101", "1", "17%"),
    103: ("101", "6", "150%"), 200: ("102", "2", "50%"), 201: ("102", "26", "50%"),
    202: ("102", "2", "50%"), 203: ("102", "2", "50%"), 204: ("102", "1", "50%"),
    205: ("102", "0", "0%"), 206: ("102", "1", "100%"), 207: ("102", "6", "50%"),
    300: ("201", "16", "107%"), 301: ("201", "26", "50%"), 302: ("201", "2", "50%"),
    303: ("201", "36", "50%"), 304: ("201", "10", "50%"), 305: ("201", "172", "51%"),
    306: ("201", "10", "50%"), 307: ("201", "4", "33%"),
}  # fmt: skip

State = Report.State
FABIOLA = "LIC. FABIOLA LEÓN HUERTA CABRERA"
AARON = "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"


def sheet_html(client, user, clave, quarter=2):
    client.force_login(user)
    response = client.get(reverse("poa:sheet", args=[2023, "59", clave, quarter]))
    assert response.status_code == 200
    return response.content.decode()


def row_cells(page, numero):
    """The text of each cell of a meta's row, in order."""
    row = re.search(rf'<tr class="meta" id="meta-{numero}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [htmlmod.unescape(re.sub(r"<[^>]+>", " ", cell)).split() for cell in cells]


def text_of(page):
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("numero", sorted(PRINTED))
def test_each_reference_meta_prints_its_absolute_and_relative(client, planeacion, numero):
    clave, absolute, relative = PRINTED[numero]
    cells = row_cells(sheet_html(client, planeacion, clave), numero)
    assert cells[12:14] == [[absolute], [relative]]


def test_meta_305_prints_every_quarter_and_leaves_later_achievements_empty(client, planeacion):
    cells = row_cells(sheet_html(client, planeacion, "201"), 305)
    assert cells[0] == ["3.1.1", "3.1.2", "3.2.1"]
    assert " ".join(cells[1]).startswith("305.- Generar actividades de prospección")
    assert cells[2:4] == [["PROSPECTO"], ["340"]]
    # Ene-Mar P A, Abr-Jun P A, Jul-Sep P A, Oct-Dic P A: after Q2 only P is printed
    assert cells[4:12] == [["70"], ["70"], ["100"], ["102"], ["100"], [], ["70"], []]
    assert " ".join(cells[14]).startswith("Debido al momento de oportunidad económica")


def test_the_header_reads_as_the_reference(client, planeacion):
    text = text_of(sheet_html(client, planeacion, "201"))
    for printed in [
        "XXIV AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA",
        "PROGRAMA OPERATIVO ANUAL 2023",
        "AVANCE FÍSICO PROGRAMÁTICO",
        "RAMO: 59 COMISIÓN DE DESARROLLO INDUSTRIAL DE MEXICALI",
        "PROGRAMA: 592 PROMOCIÓN Y ATRACCIÓN DE INVERSIONES SOSTENIBLES",
        "UNIDAD EJECUTORA: 201 DEPARTAMENTO DE PROMOCIÓN INDUSTRIAL",
        "FINALIDAD: 3 DESARROLLO ECONÓMICO",
        # The CONAC catalog's own names (the reference abbreviates them to MANUFACTURA)
        "FUNCIÓN: 4 MINERÍA, MANUFACTURAS Y CONSTRUCCIÓN",
        "SUBFUNCIÓN: 2 MANUFACTURAS",
        "LÍNEAS DE ACCIÓN: 2.3.1 SENSIBILIZACIÓN EN MATERIA DE GÉNERO Y DIVERSIDAD "
        "3.1.1 PROYECTO INTEGRAL PARA LA COMPETITIVIDAD 3.1.2 PROMOCIÓN DE INVERSIONES "
        "3.2.1 DIVERSIFICACIÓN Y REVITALIZACIÓN ECONÓMICA 3.2.3 INNOVACIÓN EN EL SECTOR "
        "SERVICIOS 3.3.1 VINCULACIÓN ENTRE GOBIERNO, INICIATIVA PRIVADA, ACADEMIA Y SOCIEDAD "
        "CIVIL 3.3.2 FORMACIÓN, CAPACITACIÓN E INCUBACIÓN",
        "TMM-F004",
        "FECHA: 30-jun.-23",
        "LÍNEA DE ACCIÓN P.M.D.",
        "DESCRIPCIÓN DE METAS Y ACCIONES",
        "UNIDAD DE MEDIDA",
        "META ANUAL AUTORIZADA",
        "Ene-Mar Abr-Jun Jul-Sep Oct-Dic",
        "AVANCE ABSOLUTO",
        "ACUMULADO RELATIVO",
        "OBSERVACIONES",
    ]:
        assert printed in text


def test_only_the_lineas_used_by_the_units_metas_are_listed(client, planeacion):
    text = text_of(sheet_html(client, planeacion, "102"))
    assert (
        "LÍNEAS DE ACCIÓN: 4.3.3 TRANSICIÓN HACIA LA TRANSPARENCIA PROACTIVA Y LOS DATOS "
        "ABIERTOS 4.6.1 MESURA EN EL EJERCICIO DE LOS RECURSOS PÚBLICOS"
    ) in text
    assert "2.3.1" not in text


@pytest.mark.parametrize(
    ("clave", "elaboro"),
    [
        ("102", "LIC. FABIOLA LEÓN HUERTA CABRERA COORDINADOR ADMINISTRATIVO"),
        ("201", "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN COORDINADOR DE PROMOCIÓN"),
    ],
)
def test_without_a_report_the_catalog_signs_without_date(client, planeacion, clave, elaboro):
    text = text_of(sheet_html(client, planeacion, clave))
    director = "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN ENCARGADO DEL DESPACHO DE LA DIRECCIÓN EJECUTIVA"
    assert f"ELABORÓ RESPONSABLE DE LA UNIDAD EJECUTORA {elaboro}" in text
    assert f"REVISÓ RESPONSABLE DEL PROGRAMA {director}" in text
    assert f"AUTORIZÓ RESPONSABLE DEL RAMO {director}" in text
    assert "Estado: Sin informe" in text
    assert all(s.signed_on is None for s in build_sheet(unit(clave), 2).signatures)


def july(day, hour=18, minute=0):
    return datetime(2023, 7, day, hour, minute, tzinfo=UTC)


def set_positions(ue, unidad, programa, ramo):
    """The cargos of the unit's three signatories in the catalog."""
    for holder, cargo in ((ue, unidad), (ue.programa, programa), (ue.ramo, ramo)):
        holder.cargo_responsable = cargo
        holder.save()


def test_signed_blocks_print_the_signer_position_and_local_date(client, planeacion):
    ue = unit("102")
    set_positions(ue, "JEFA INTERINA", "REVISOR", "DIRECTOR")
    report = report_in_state("102", 2, State.AUTORIZADO)
    # Signed now by the services: only the dates move back. 02:30 UTC on 6 July is still
    # 5 July in Mexicali.
    backdate(report, july(4), july(6, 2, 30), july(10, 17))
    # The sheet prints each signature as signed, whatever the catalog says later.
    set_positions(ue, "OTRO CARGO", "OTRO CARGO", "OTRO CARGO")
    Persona.objects.update(nombre="C. OTRO NOMBRE")
    text = text_of(sheet_html(client, planeacion, "102"))
    elaboro = f"ELABORÓ RESPONSABLE DE LA UNIDAD EJECUTORA {FABIOLA} JEFA INTERINA"
    assert f"{elaboro} FECHA: 04-jul.-23" in text
    assert f"REVISÓ RESPONSABLE DEL PROGRAMA {AARON} REVISOR FECHA: 05-jul.-23" in text
    assert f"AUTORIZÓ RESPONSABLE DEL RAMO {AARON} DIRECTOR FECHA: 10-jul.-23" in text
    assert "Estado: Autorizado" in text


def test_a_return_after_sending_clears_the_elaboro_date(planeacion, aaron):
    ue = unit("102")
    set_positions(ue, "OTRO CARGO", ue.programa.cargo_responsable, ue.ramo.cargo_responsable)
    report = report_in_state("102", 2, State.ENVIADO)
    report_return(report=report, user=aaron, comment="Falta la meta 206.")
    ue.cargo_responsable = "COORDINADOR ADMINISTRATIVO"
    ue.save()
    elaboro = build_sheet(unit("102"), 2).signatures[0]
    assert (elaboro.name, elaboro.position, elaboro.signed_on) == (
        FABIOLA,
        "COORDINADOR ADMINISTRATIVO",
        None,
    )


def test_the_latest_send_after_a_reopen_signs(planeacion, head_102):
    report = report_in_state("102", 2, State.AUTORIZADO)
    report_reopen(report=report, user=planeacion, comment="Cifra mal capturada.")
    ue = unit("102")
    ue.cargo_responsable = "CARGO DEL DÍA 8"
    ue.save()
    report_send(report=report, user=head_102)
    # Signed now by the services: only the dates move back (send, review, authorize on the
    # 4th, reopen on the 5th, send again on the 8th).
    backdate(report, july(4), july(4), july(4), july(5), july(8))
    elaboro, reviso, _ = build_sheet(unit("102"), 2).signatures
    assert (elaboro.name, elaboro.position, elaboro.signed_on) == (
        FABIOLA,
        "CARGO DEL DÍA 8",
        date(2023, 7, 8),
    )
    assert reviso.signed_on is None


def test_meta_206_without_observation_is_flagged_on_the_q2_sheet_of_102(client, planeacion):
    page = sheet_html(client, planeacion, "102")
    box = re.search(r'<div class="alert alert-warning[^"]*sheet-warnings".*?</div>', page, re.S)
    assert box, "the sheet of 102 must show its inconsistencies"
    assert "Meta 206" in box.group(0)
    assert "no tiene observación" in box.group(0)


def test_a_consistent_sheet_shows_no_warning_box(client, planeacion):
    assert "sheet-warnings" not in sheet_html(client, planeacion, "201")


def test_an_uncaptured_achievement_is_flagged(client, planeacion):
    QuarterlyProgress.objects.filter(meta__numero=305, quarter=2).update(alcanzado=None)
    text = text_of(sheet_html(client, planeacion, "201"))
    assert "Meta 305: Falta capturar lo alcanzado de Abr-Jun." in text


def test_figures_print_thousands_with_a_comma(client, planeacion):
    sheet = build_sheet(make_unit(metas=2), 2)
    _, _, document = html.render_sheet(sheet)
    cells = row_cells(document.decode(), 1)
    assert cells[3] == ["1,200"]
    assert cells[12:14] == [["590"], ["49%"]]


@pytest.mark.parametrize(
    ("year", "quarter", "printed"),
    [(2023, 1, "31-mar.-23"), (2023, 2, "30-jun.-23"), (2024, 3, "30-sep.-24"),
     (2023, 4, "31-dic.-23")],
)  # fmt: skip
def test_fecha_is_the_last_day_of_the_quarter(year, quarter, printed):
    assert sheet_date(quarter_end(year, quarter)) == printed


def test_the_query_count_does_not_grow_with_the_number_of_metas(db, django_assert_num_queries):
    small, large = make_unit(metas=20, clave="120"), make_unit(metas=200, clave="300")
    for ue in (small, large):
        report = report_get_or_create(unidad_ejecutora=ue, quarter=2)
        report_send(report=report, user=signer(ue.responsable))
    # units, metas, their líneas, avances, versions and evidence files, the report, its events
    with django_assert_num_queries(8):
        small_sheet = build_sheet(small, 2)
    with django_assert_num_queries(8):
        large_sheet = build_sheet(large, 2)
    assert (len(small_sheet.rows), len(large_sheet.rows)) == (20, 200)
    elaboro = large_sheet.signatures[0]
    assert elaboro.name == "ING. JEFE DE LA UNIDAD 300" and elaboro.signed_on is not None
