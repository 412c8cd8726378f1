from django.contrib import admin
from django.urls import include, path

from orgs.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("api/", include("orgs.api")),
    path("export/", include("orgs.exports")),
    path("", include("orgs.urls")),
]
