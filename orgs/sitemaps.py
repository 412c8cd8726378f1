"""`/sitemap.xml`: every public page, in French and English, with hreflang alternates.

`/sitemap.xml` is an index of one file per kind of page (`/sitemap-organisations.xml`,
split into `?p=2`… past 10,000 addresses), so a directory of any size fits the
sitemap protocol's limits.

Django's sitemaps framework over the public read model: published organisations
(`Organisation.objects.public()`), public sources (`Source.objects.public()`),
every region, and the pages that list them. Each address is given in both
languages with its alternates and the unprefixed x-default, as on the pages.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Organisation, Region, Source


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 10_000  # addresses per file (two per page); the index lists the files


class PagesSitemap(PublicSitemap):
    priority = 1.0

    def items(self):
        return ["orgs:home", "orgs:org_list", "orgs:region_list", "orgs:source_list", "orgs:data"]

    def location(self, item):
        return reverse(item)


class OrganisationSitemap(PublicSitemap):
    def items(self):
        # Slugs and dates only: no text to withhold, and light at 100,000 organisations.
        return Organisation.objects.public().order_by("slug").values("slug", "updated")

    def location(self, org):
        return reverse("orgs:org_detail", args=[org["slug"]])

    def lastmod(self, org):
        return org["updated"]


class RegionSitemap(PublicSitemap):
    def items(self):
        return Region.objects.order_by("slug")


class SourceSitemap(PublicSitemap):
    def items(self):
        return Source.objects.public().order_by("slug")


SITEMAPS = {
    "pages": PagesSitemap,
    "organisations": OrganisationSitemap,
    "regions": RegionSitemap,
    "sources": SourceSitemap,
}
