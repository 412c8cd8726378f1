"""synth_orgs: fast, deterministic synthetic data for the benchmark, never by accident."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from orgs.models import Citation, Organisation
from tests.conftest import make_org


def synthesise(count, **options):
    call_command("synth_orgs", count, verbosity=0, **options)


def snapshot():
    return list(
        Organisation.objects.order_by("slug").values_list(
            "slug", "name", "kind", "founded", "hq_region__slug", "description_en"
        )
    )


@pytest.mark.django_db
def test_creates_published_and_unpublished_organisations_with_links(settings):
    settings.DEBUG = True
    synthesise(300, seed=7)
    orgs = Organisation.objects.all()
    assert orgs.count() == 300
    assert orgs.filter(slug__startswith="synth-").count() == 300
    assert 0 < orgs.exclude(status="published").count() < 60
    assert all(1 <= org.regions.count() <= 4 for org in orgs[:50])
    assert all(1 <= org.focus_areas.count() <= 4 for org in orgs[:50])
    assert Citation.objects.filter(fact="existence").count() == 300
    assert Organisation.history.count() == 0  # bulk inserts write no history rows
    assert orgs.exclude(search_text="").count() == 300


@pytest.mark.django_db
def test_common_terms_are_common_and_rare_terms_rare(settings):
    settings.DEBUG = True
    synthesise(1000, seed=1)
    femmes = Organisation.objects.filter(search_text__contains="femmes").count()
    apiculture = Organisation.objects.filter(search_text__contains="apicultur").count()
    bamako = Organisation.objects.filter(regions__slug="bamako").count()
    kidal = Organisation.objects.filter(regions__slug="kidal").count()
    assert femmes > 200
    assert 0 < apiculture < 30
    assert bamako > 3 * kidal


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data(settings):
    settings.DEBUG = True
    # The first run is rolled back rather than deleted: deleting a hundred organisations
    # one by one (signals, history) costs seconds, and proves nothing here.
    with transaction.atomic():
        synthesise(100, seed=42)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Organisation.objects.exists()
    synthesise(100, seed=42)
    assert len(first) == 100
    assert snapshot() == first


@pytest.mark.django_db
def test_refuses_next_to_real_organisations_without_yes(settings):
    settings.DEBUG = True
    make_org()
    with pytest.raises(CommandError, match="1 real organisations"):
        synthesise(10)
    assert Organisation.objects.count() == 1
    synthesise(10, yes=True)
    assert Organisation.objects.count() == 11


@pytest.mark.django_db
def test_refuses_with_debug_off_without_yes(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        synthesise(10)
    assert not Organisation.objects.exists()
