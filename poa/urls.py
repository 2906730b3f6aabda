from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from poa.views import capture, dashboards, planning, review, sheets

admin.site.site_header = "POA · Administración"
admin.site.site_title = "POA"
admin.site.index_title = "Catálogos y registros"

app_urls = (
    [
        path("", dashboards.home, name="home"),
        path("informes/", dashboards.reports, name="reports"),
        path(
            "captura/<int:year>/<str:ramo>/<str:ue>/<int:quarter>/",
            capture.capture_grid,
            name="capture-grid",
        ),
        path("metas/<int:pk>/", capture.meta_detail, name="meta-detail"),
        path(
            "informes/<int:year>/<str:ramo>/<str:ue>/<int:quarter>/", review.report, name="report"
        ),
        path(
            "informes/<int:year>/<str:ramo>/<str:ue>/<int:quarter>/<slug:action>/",
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
        path("tmm-f004/<int:year>/<str:ramo>/<str:ue>/<int:quarter>/", sheets.sheet, name="sheet"),
        path(
            "tmm-f004/<int:year>/<str:ramo>/<str:ue>/<int:quarter>/pdf/",
            sheets.sheet_pdf,
            name="sheet-pdf",
        ),
        path("tmm-f004/<int:year>/<str:ramo>/<int:quarter>/pdf/", sheets.ramo_pdf, name="ramo-pdf"),
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
handler500 = "poa.views.errors.server_error"
