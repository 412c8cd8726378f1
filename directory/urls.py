from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.views.decorators.cache import cache_control

from orgs import views
from orgs.caching import PUBLIC_MAX_AGE
from orgs.health import healthz
from orgs.site_files import favicon, robots_txt
from orgs.sitemaps import SITEMAPS

public = cache_control(public=True, max_age=0, s_maxage=PUBLIC_MAX_AGE)

# Machine addresses and the admin are unprefixed; every public page is under /fr/ or
# /en/ (orgs/language.py), and an unprefixed page address redirects there.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path(
        "sitemap.xml",
        public(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("api/", include("orgs.api")),
    path("export/", include("orgs.exports")),
    # The snapshot is a file, the same in both languages.
    path("data/<str:name>", views.snapshot_file, name="snapshot"),
]
urlpatterns += i18n_patterns(path("", include("orgs.urls")))
