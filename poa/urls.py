from django.contrib import admin
from django.urls import include, path

from poa.views import dashboards, sheets

admin.site.site_header = "POA · Administración"
admin.site.site_title = "POA"
admin.site.index_title = "Catálogos y registros"

app_urls = (
    [
        path("", dashboards.home, name="home"),
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
    path("admin/", admin.site.urls),
    path("cuenta/", include("django.contrib.auth.urls")),
]
