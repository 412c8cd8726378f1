from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from orgs.health import healthz
from orgs.site_files import favicon, robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switch on every page posts without a CSRF token, so that public
    # pages set no cookie (only the forms' own pages do). A forged cross-site post
    # can do no more here than a link could: switch the reader's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/", include("orgs.api")),
    path("export/", include("orgs.exports")),
    path("", include("orgs.urls")),
]
