from django.contrib import admin
from django.urls import include, path

from poa.views import dashboards

admin.site.site_header = "POA · Administración"
admin.site.site_title = "POA"
admin.site.index_title = "Catálogos y registros"

app_urls = (
    [
        path("", dashboards.home, name="home"),
    ],
    "poa",
)

urlpatterns = [
    path("", include(app_urls)),
    path("admin/", admin.site.urls),
    path("cuenta/", include("django.contrib.auth.urls")),
]
