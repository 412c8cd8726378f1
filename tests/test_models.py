import pytest
from django.db import IntegrityError, transaction

from orgs.models import Citation, Partnership, Region, Source

from .conftest import make_org


@pytest.mark.django_db
def test_founded_year_must_be_plausible():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_org(founded=1200)


@pytest.mark.django_db
def test_organisation_cannot_partner_with_itself():
    org = make_org()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(organisation=org, partner=org, relation="partner_of")


@pytest.mark.django_db
def test_region_citation_must_name_its_region(reference_data):
    org = make_org()
    source = Source.objects.create(slug="s", publisher="P", title="T")
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(
            organisation=org, source=source, fact="region", locator="p. 1", quote="q"
        )
    Citation.objects.create(
        organisation=org,
        source=source,
        fact="region",
        region=Region.objects.get(slug="mopti"),
        locator="p. 1",
        quote="q",
    )


@pytest.mark.django_db
def test_citation_quote_cannot_be_empty():
    org = make_org()
    source = Source.objects.create(slug="s", publisher="P", title="T")
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(
            organisation=org, source=source, fact="existence", locator="p. 1", quote=""
        )
