"""OrganisationFilter: the filters combined, validation that keeps the valid filters,
and facet counts checked against the rows in the database."""

import pytest
from django.core.exceptions import ValidationError

from orgs.filters import KnownSlugsField, OrganisationFilter
from orgs.models import FocusArea, Organisation, Region, Zone

from .conftest import make_org


def run(data):
    return OrganisationFilter(data, queryset=Organisation.objects.published())


def published_rows():
    return list(
        Organisation.objects.published()
        .select_related("hq_region")
        .prefetch_related("regions", "focus_areas")
    )


def region_slugs(org):
    """Regions an organisation counts in: where it works and where it is based."""
    return {r.slug for r in org.regions.all()} | ({org.hq_region.slug} if org.hq_region else set())


def zones_of(org):
    return {r.zone for r in org.regions.all()} | ({org.hq_region.zone} if org.hq_region else set())


def matches(org, region=(), zone=None, focus=(), kind=(), founded_min=None, founded_max=None):
    """The filters' meaning, written plainly in Python over one organisation."""
    if region and not region_slugs(org) & set(region):
        return False
    if zone and zone not in zones_of(org):
        return False
    if focus and not {f.slug for f in org.focus_areas.all()} & set(focus):
        return False
    if kind and org.kind not in kind:
        return False
    if founded_min is not None and (org.founded is None or org.founded < founded_min):
        return False
    if founded_max is not None and (org.founded is None or org.founded > founded_max):
        return False
    return True


def slugs(queryset):
    return {org.slug for org in queryset}


def test_filter_names_are_the_shared_contract():
    assert list(OrganisationFilter.base_filters) == [
        "q",
        "region",
        "zone",
        "focus",
        "kind",
        "founded_min",
        "founded_max",
        "order",
    ]


def test_region_focus_kind_and_years_combine(directory):
    criteria = {
        "region": ["mopti", "gao"],
        "focus": ["youth", "womens-rights"],
        "kind": ["local_association", "network", "national_ngo"],
        "founded_min": 1995,
        "founded_max": 2015,
    }
    result = run({**criteria, "founded_min": "1995", "founded_max": "2015"})
    assert result.is_valid(), result.errors
    expected = {org.slug for org in published_rows() if matches(org, **criteria)}
    assert expected  # the data makes this a real test
    assert slugs(result.qs) == expected
    assert "draft-secret" not in expected


def test_region_filter_counts_headquarters_as_well_as_regions_of_work(directory):
    result = run({"region": ["gao"]})
    # gao-women is based in Gao without listing it as a region of work.
    assert {"gao-women", "timbuktu-peace"} <= slugs(result.qs)
    assert slugs(result.qs) == {o.slug for o in published_rows() if matches(o, region=["gao"])}


@pytest.mark.parametrize("zone", [value for value, _ in Zone.choices])
def test_zone_selects_its_regions(directory, zone):
    expected = {o.slug for o in published_rows() if matches(o, zone=zone)}
    assert slugs(run({"zone": zone}).qs) == expected


def test_results_are_distinct_when_several_regions_match(directory):
    result = run({"region": ["mopti", "segou"], "focus": ["youth", "access-to-justice"]})
    names = [org.slug for org in result.qs]
    assert len(names) == len(set(names))
    assert "prison-mopti" in names


def test_without_a_query_results_are_in_name_order(directory):
    names = [org.name for org in run({}).qs]
    assert names == sorted(names)


@pytest.mark.django_db
def test_a_query_orders_best_match_first_unless_an_order_is_asked():
    make_org(name="Ajec Friends Club", slug="club")  # AJEC in a name
    make_org(name="Jeunes Citoyens", acronym="AJCET", slug="ajcet", description_en="With AJEC.")
    make_org(name="Jeunes pour l'Éducation Civique", acronym="AJEC", slug="ajec")  # exact
    in_name_order = ["club", "ajcet", "ajec"]
    assert [o.slug for o in run({"q": "AJEC"}).qs] == ["ajec", "club", "ajcet"]
    assert [o.slug for o in run({"q": "AJEC", "order": "name"}).qs] == in_name_order
    assert [o.slug for o in run({}).qs] == in_name_order


def test_a_text_query_combines_with_the_filters(directory):
    result = run({"q": "prison", "region": ["mopti"]})
    assert "prison-mopti" in slugs(result.qs)
    assert all(matches(org, region=["mopti"]) for org in result.qs)
    assert not slugs(run({"q": "prison", "region": ["kayes"]}).qs)


def test_an_unknown_value_is_reported_and_the_known_values_still_apply(directory):
    result = run({"region": ["mopti", "atlantis"], "focus": ["youth", "nonsense"]})
    assert not result.is_valid()
    assert "“atlantis”" in result.errors["region"][0]
    assert "“nonsense”" in result.errors["focus"][0]
    rows = published_rows()
    expected = {o.slug for o in rows if matches(o, region=["mopti"], focus=["youth"])}
    assert expected and slugs(result.qs) == expected


def test_the_unknown_values_message_shows_five_values_of_forty_characters(directory):
    long_value = "a" * 40 + "TAIL"
    result = run({"kind": [long_value, "k1", "k2", "k3", "k4", "k5"]})
    message = result.errors["kind"][0]
    assert message == (f"Not known, so left out: “{'a' * 40}”, “k1”, “k2”, “k3”, “k4”.")


def test_a_query_of_two_hundred_characters_searches_a_longer_one_is_an_error(directory):
    query = "prison " * 28 + "pris"  # 200 characters
    assert len(query) == 200
    searched = run({"q": query})
    assert searched.is_valid()
    assert slugs(searched.qs) == {"prison-mopti"}

    too_long = run({"q": query + "o"})
    assert list(too_long.errors) == ["q"]
    assert slugs(too_long.qs) == {o.slug for o in published_rows()}  # the rest still apply


def test_only_unknown_values_filter_nothing(directory):
    result = run({"kind": ["spaceship"], "founded_min": "2000"})
    assert "kind" in result.errors
    assert slugs(result.qs) == {o.slug for o in published_rows() if matches(o, founded_min=2000)}


def test_founded_from_after_until_drops_only_the_upper_bound(directory):
    result = run({"founded_min": "2010", "founded_max": "2000"})
    assert list(result.errors) == ["founded_max"]
    assert result.errors["founded_max"] == [
        "“Founded until” (2000) is before “founded from” (2010)."
    ]
    assert slugs(result.qs) == {o.slug for o in published_rows() if matches(o, founded_min=2010)}


@pytest.mark.parametrize(
    "data, field",
    [
        ({"founded_min": "abc"}, "founded_min"),
        ({"founded_min": "1e400"}, "founded_min"),
        ({"founded_max": "9" * 40}, "founded_max"),
        ({"founded_max": "-5"}, "founded_max"),
        ({"kind": ["spaceship"]}, "kind"),
        ({"zone": "east"}, "zone"),
        ({"focus": ["<script>"]}, "focus"),
        ({"q": "x" * 10_000}, "q"),
    ],
)
def test_bad_values_are_errors_not_crashes(directory, data, field):
    result = run(data)
    assert field in result.errors
    assert slugs(result.qs) == {o.slug for o in published_rows()}


def test_facet_counts_apply_every_other_filter(directory):
    criteria = {"region": ["mopti"], "focus": ["youth"], "kind": ["local_association"]}
    counts = run(criteria).facet_counts()
    rows = published_rows()
    options = {
        "region": Region.objects.values_list("slug", flat=True),
        "zone": [value for value, _ in Zone.choices],
        "focus": FocusArea.objects.values_list("slug", flat=True),
        "kind": [value for value, _ in Organisation.Kind.choices],
    }
    for facet, values in options.items():
        others = {k: v for k, v in criteria.items() if k != facet}
        for value in values:
            option = value if facet == "zone" else [value]
            want = sum(matches(o, **others, **{facet: option}) for o in rows)
            assert counts[facet].get(value, 0) == want, (facet, value)
    assert counts["region"]["mopti"] >= 2  # the data makes this a real test


def test_facet_counts_with_no_filter_count_every_published_organisation(directory):
    counts = run({}).facet_counts()
    rows = published_rows()
    assert sum(counts["kind"].values()) == len(rows)
    for region in Region.objects.all():
        assert counts["region"].get(region.slug, 0) == sum(
            region.slug in region_slugs(o) for o in rows
        )
    for zone, _ in Zone.choices:
        assert counts["zone"].get(zone, 0) == sum(zone in zones_of(o) for o in rows)


def test_a_year_range_of_one_year_gives_that_years_organisations(directory):
    """From 2005 until 2005 is a range, not ends swapped: no error, that year's results."""
    result = run({"founded_min": "2005", "founded_max": "2005"})
    assert result.is_valid(), result.errors
    expected = {o.slug for o in published_rows() if o.founded == 2005}
    assert expected and slugs(result.qs) == expected


def test_a_value_with_a_nul_character_is_left_out_without_a_word(directory):
    """No database stores NUL in a slug (PostgreSQL refuses it in a query), and a page
    should not echo it back: the value is dropped and the others apply."""
    result = run({"region": ["mopti", "mo\x00pti"]})
    assert result.is_valid(), result.errors
    expected = {o.slug for o in published_rows() if matches(o, region=["mopti"])}
    assert expected and slugs(result.qs) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("empty", [None, [], ""])
def test_an_empty_region_or_focus_value_is_an_empty_list_and_a_required_one_an_error(empty):
    """Not the field's `none()` queryset, whose emptiness compiles SQL on every request."""
    field = KnownSlugsField(queryset=Region.objects.all(), to_field_name="slug", required=False)
    assert field.clean(empty) == []
    required = KnownSlugsField(queryset=Region.objects.all(), to_field_name="slug")
    with pytest.raises(ValidationError):
        required.clean(empty)
