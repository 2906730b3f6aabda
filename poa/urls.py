from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter

from poa.rules.states import MODIFICATION, PROGRAMMING, REPORT
from poa.web.converters import QuarterConverter
from poa.web.views import (
    accounts,
    audit,
    capture,
    consistency,
    dashboards,
    evidence,
    excel,
    modifications,
    periods,
    programming,
    review,
    sheets,
    tracking,
    transitions,
    transparency,
    verification,
    years,
)

register_converter(QuarterConverter, "quarter")

admin.site.site_header = "POA · Administración"
admin.site.site_title = "POA"
admin.site.index_title = "Catálogos y registros"

# The address of a unit's quarter, shared by its grid, report and sheet.
UNIT_QUARTER = "<int:year>/<str:ramo>/<str:ue>/<quarter:quarter>"
# The address of a unit's annual programming.
UNIT_YEAR = "<int:year>/<str:ramo>/<str:ue>"
# The portal's year and quarter.
PUBLIC_QUARTER = "<int:year>/<quarter:quarter>"

app_urls = (
    [
        path("", dashboards.home, name="home"),
        path("informes/", dashboards.reports, name="reports"),
        path(f"captura/{UNIT_QUARTER}/", capture.capture_grid, name="capture-grid"),
        path("metas/<int:pk>/", modifications.meta_detail, name="meta-detail"),
        path(
            "metas/<int:pk>/modificacion/",
            modifications.modification_request,
            name="modification-request",
        ),
        path(
            "metas/<int:pk>/evidencias/<quarter:quarter>/",
            evidence.evidence_upload,
            name="evidence-upload",
        ),
        path("evidencias/<int:pk>/", evidence.evidence_download, name="evidence-download"),
        path("evidencias/<int:pk>/quitar/", evidence.evidence_remove, name="evidence-remove"),
        path(f"informes/{UNIT_QUARTER}/", review.report, name="report"),
        path(
            f"informes/{UNIT_QUARTER}/<slug:action>/",
            transitions.transition,
            {"machine": REPORT.name},
            name="report-transition",
        ),
        path("seguimiento/", tracking.tracking_latest, name="tracking-latest"),
        path(
            "seguimiento/<int:year>/<quarter:quarter>/",
            tracking.tracking_page,
            name="tracking",
        ),
        path("planeacion/periodos/", periods.periods, name="periods"),
        path("planeacion/periodos/<int:pk>/cerrar/", periods.period_close, name="period-close"),
        path(
            "planeacion/periodos/<int:pk>/prorroga/",
            periods.exception_grant,
            name="exception-grant",
        ),
        path("planeacion/modificaciones/", modifications.modifications, name="modifications"),
        path(
            "planeacion/modificaciones/<int:pk>/",
            modifications.modification,
            name="modification",
        ),
        path(
            "planeacion/modificaciones/<int:pk>/<slug:action>/",
            transitions.transition,
            {"machine": MODIFICATION.name},
            name="modification-transition",
        ),
        path("planeacion/ejercicios/nuevo/", years.year_new, name="year-new"),
        path("planeacion/cuentas/", accounts.accounts_page, name="accounts"),
        path(
            "planeacion/cuentas/unidad/<int:pk>/desactivar/",
            accounts.unit_deactivate,
            name="unit-deactivate",
        ),
        path("auditoria/", audit.audit_latest, name="audit-latest"),
        path("auditoria/<int:year>/", audit.audit_page, name="audit"),
        path("programacion/", programming.programming_index, name="programming-index"),
        path(
            "programacion/<int:year>/",
            programming.programming_overview,
            name="programming-overview",
        ),
        path(
            "programacion/unidades-medida/<int:pk>/aceptar/",
            programming.measure_accept,
            name="unit-accept",
        ),
        path(f"programacion/{UNIT_YEAR}/", programming.programming, name="programming"),
        path(f"programacion/{UNIT_YEAR}/lineas/", programming.lineas, name="programming-lineas"),
        path(
            f"programacion/{UNIT_YEAR}/unidad-medida/",
            programming.measure_propose,
            name="unit-propose",
        ),
        path(
            f"programacion/{UNIT_YEAR}/<slug:action>/",
            transitions.transition,
            {"machine": PROGRAMMING.name},
            name="programming-transition",
        ),
        path("planeacion/excel/", excel.excel, name="excel"),
        path("planeacion/excel/descargar/", excel.excel_download, name="excel-download"),
        path("planeacion/excel/plantilla/", excel.excel_template, name="excel-template"),
        path("planeacion/excel/revision/", excel.excel_preview, name="excel-preview"),
        path("planeacion/excel/confirmar/", excel.excel_confirm, name="excel-confirm"),
        path("planeacion/excel/cancelar/", excel.excel_cancel, name="excel-cancel"),
        path("planeacion/hojas/", sheets.sheet_exports, name="sheet-exports"),
        path(
            "planeacion/hojas/<int:pk>/estado/",
            sheets.sheet_export_status,
            name="sheet-export-status",
        ),
        path("planeacion/hojas/<int:pk>/zip/", sheets.sheet_export_zip, name="sheet-export-zip"),
        path("planeacion/revision/", consistency.consistency_latest, name="consistency-latest"),
        path(
            "planeacion/revision/<int:year>/",
            consistency.consistency_page,
            name="consistency",
        ),
        path(f"tmm-f004/{UNIT_QUARTER}/", sheets.sheet, name="sheet"),
        path(f"tmm-f004/{UNIT_QUARTER}/pdf/", sheets.sheet_pdf, name="sheet-pdf"),
        path(
            "tmm-f004/<int:year>/<str:ramo>/<quarter:quarter>/pdf/",
            sheets.ramo_pdf,
            name="ramo-pdf",
        ),
        path(f"tmm-f004/{UNIT_QUARTER}/xlsx/", sheets.sheet_xlsx, name="sheet-xlsx"),
        path("planeacion/transparencia/", transparency.platform_page, name="platform"),
        path(
            "planeacion/transparencia/<int:year>/<quarter:quarter>/xlsx/",
            transparency.platform_xlsx,
            name="platform-xlsx",
        ),
        # Public, without an account: the transparency portal and its open data.
        path("transparencia/", transparency.portal, name="public-portal"),
        path("transparencia/datos/", transparency.data_dictionary, name="public-data"),
        path(
            "transparencia/datos/<int:year>.<str:kind>",
            transparency.data_year,
            name="public-data-year",
        ),
        path(
            "transparencia/datos/<int:year>-T<quarter:quarter>.<str:kind>",
            transparency.data_quarter,
            name="public-data-quarter",
        ),
        path(f"transparencia/{PUBLIC_QUARTER}/", transparency.quarter_page, name="public-quarter"),
        path(
            f"transparencia/{PUBLIC_QUARTER}/<str:ramo>/",
            transparency.ramo_page,
            name="public-ramo",
        ),
        path(
            f"transparencia/{PUBLIC_QUARTER}/<str:ramo>/<str:ue>/",
            transparency.sheet_page,
            name="public-sheet",
        ),
        path(
            f"transparencia/{PUBLIC_QUARTER}/<str:ramo>/<str:ue>/meta/<int:numero>/",
            transparency.meta_page,
            name="public-meta",
        ),
        # Public: anyone checks an authorized sheet by its folio, without an account.
        path("verificar/<str:folio>/", verification.verify, name="verify"),
        path("verificar/<str:folio>/pdf/", verification.verify_pdf, name="verify-pdf"),
    ],
    "poa",
)

urlpatterns = [
    path("", include(app_urls)),
    path(settings.POA_ADMIN_PATH, admin.site.urls),
    path("cuenta/", include("django.contrib.auth.urls")),
]

# 400, 403 and 404 are Django's views with our templates; the 500 tells a database that is
# down or busy (503) from any other failure.
handler500 = "poa.web.views.errors.server_error"
