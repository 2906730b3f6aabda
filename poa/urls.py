from django.contrib import admin
from django.urls import include, path, register_converter

from poa.converters import QuarterConverter
from poa.views import capture, consistency, dashboards, planning, review, sheets

register_converter(QuarterConverter, "quarter")

admin.site.site_header = "POA · Administración"
admin.site.site_title = "POA"
admin.site.index_title = "Catálogos y registros"

# The address of a unit's quarter, shared by its grid, report and sheet.
UNIT_QUARTER = "<int:year>/<str:ramo>/<str:ue>/<quarter:quarter>"

app_urls = (
    [
        path("", dashboards.home, name="home"),
        path("informes/", dashboards.reports, name="reports"),
        path(f"captura/{UNIT_QUARTER}/", capture.capture_grid, name="capture-grid"),
        path("metas/<int:pk>/", capture.meta_detail, name="meta-detail"),
        path(f"informes/{UNIT_QUARTER}/", review.report, name="report"),
        path(
            f"informes/{UNIT_QUARTER}/<slug:action>/",
            review.report_transition,
            name="report-transition",
        ),
        path("planeacion/periodos/", planning.periods, name="periods"),
        path("planeacion/periodos/<int:pk>/cerrar/", planning.period_close, name="period-close"),
        path(
            "planeacion/periodos/<int:pk>/prorroga/",
            planning.exception_grant,
            name="exception-grant",
        ),
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
    ],
    "poa",
)

urlpatterns = [
    path("", include(app_urls)),
    path("admin/", admin.site.urls),
    path("cuenta/", include("django.contrib.auth.urls")),
]
