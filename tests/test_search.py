"""Search as a reader meets it, on the real database (SQLite or PostgreSQL)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgs import public_text
from orgs.filters import OrganisationFilter
from orgs.models import FocusArea, Organisation, Person, Region, Submission
from orgs.search import matching_ids, normalise, query_words
from orgs.search_schema import repair_sqlite_index
from orgs.search_upkeep import update_search_text

from .conftest import change_form_data, cite, make_org, make_orgs_in_bulk


def slugs(queryset):
    return [org.slug for org in queryset]


def search(query):
    return slugs(Organisation.objects.published().search(query))


@pytest.fixture
def regions(reference_data):
    return {region.slug: region for region in Region.objects.all()}


def test_normalise_folds_case_accents_and_punctuation():
    assert normalise("  Allô, GOUVERNANCE! Ségou—l'Œuvre ") == "allo gouvernance segou l oeuvre"


def test_normalise_folds_the_letters_accent_stripping_leaves_whole():
    """Letters that are not a base letter plus an accent, folded as PostgreSQL's
    unaccent folds them, in both cases."""
    assert normalise("Œuvre Æsir Øst Łódź Đakovo Ðór Þing Dıyar Ħal Ŧeo") == (
        "oeuvre aesir ost lodz dakovo dor thing diyar hal teo"
    )
    assert normalise("œ æ ø ł đ ð þ ı ħ ŧ") == "oe ae o l d d th i h t"


def test_normalise_gives_no_word_for_no_text():
    assert normalise("") == normalise(None) == ""


def test_single_letters_are_read_as_one_acronym_from_two_letters_on():
    assert query_words("A.B.") == query_words("a b") == ["ab"]
    assert query_words("A.J.E.C.") == ["ajec"]
    assert query_words("a") == ["a"]
    assert query_words("a bc") == ["a", "bc"]


def test_search_on_another_database_says_which_ones_it_supports():
    """Django compiles an expression with as_<vendor> when there is one, else as_sql."""
    from orgs.search import _Matches

    class MySQL:
        vendor = "mysql"

    with pytest.raises(NotImplementedError, match="supports SQLite and PostgreSQL, not mysql"):
        _Matches('"women"', "'women'").as_sql(None, MySQL())


@pytest.mark.django_db
def test_accents_and_case_do_not_matter(regions):
    make_org(name="Allô Gouvernance", slug="allo", hq_region=regions["segou"])
    make_org(name="Unrelated", slug="other")
    assert search("segou") == search("Ségou") == search("SÉGOU") == ["allo"]
    assert search("ALLO GOUVERNANCE") == ["allo"]


@pytest.mark.django_db
def test_finds_the_name_in_its_own_language():
    make_org(name="Women's Association", name_original="Association des Femmes", slug="f")
    assert search("femmes") == ["f"]
    assert search("association femmes") == ["f"]


@pytest.mark.django_db
def test_exact_acronym_ranks_first_ajec_above_ajcet():
    make_org(name="Ajec Friends Club", slug="club")
    make_org(
        name="Jeunes Citoyens", acronym="AJCET", slug="ajcet", description_en="Works with AJEC."
    )
    make_org(name="Jeunes pour l'Éducation Civique", acronym="AJEC", slug="ajec")
    results = Organisation.objects.published().search("AJEC")
    assert slugs(results) == ["ajec", "club", "ajcet"]
    assert [org.relevance for org in results] == [3, 2, 1]
    assert search("a.j.e.c.")[0] == "ajec"


@pytest.mark.django_db
def test_add_is_not_adt_and_the_exact_acronym_outranks_prefix_noise():
    make_org(name="Additional Development Network", slug="additional")
    make_org(name="Action pour le Développement", acronym="ADT", slug="adt")
    make_org(name="Aide au Développement Durable", acronym="ADD", slug="add")
    assert search("ADD") == ["add", "additional"]
    assert "adt" not in search("add")


@pytest.mark.django_db
def test_description_is_searched():
    make_org(name="Kenedougou Solidarité", slug="ks", description_en="Radio programmes on land.")
    assert search("radio land") == ["ks"]


@pytest.mark.django_db
def test_focus_area_labels_in_english_and_french(reference_data):
    peace = FocusArea.objects.get(slug="peacebuilding")
    org = make_org(slug="p")
    org.focus_areas.add(peace)
    make_org(name="Other", slug="o")
    assert search("consolidation de la paix") == ["p"]
    assert search("médiation") == ["p"]
    assert search("peacebuilding") == ["p"]


@pytest.mark.django_db
def test_region_other_spellings_find_regions_of_work_and_headquarters(regions):
    works = make_org(name="Works There", slug="works")
    works.regions.add(regions["tombouctou"])
    make_org(name="Based There", slug="based", hq_region=regions["tombouctou"])
    make_org(name="Elsewhere", slug="elsewhere", hq_region=regions["kayes"])
    assert search("Timbuktu") == ["based", "works"]
    assert search("tumbuktu") == search("Tombouctou") == ["based", "works"]


@pytest.mark.django_db
def test_several_words_narrow_the_result(regions):
    both = make_org(name="Women Together", slug="both")
    both.regions.add(regions["kayes"])
    make_org(name="Women Elsewhere", slug="women", hq_region=regions["mopti"])
    make_org(name="Kayes Farmers", slug="kayes")
    assert search("women kayes") == ["both"]
    assert sorted(search("women")) == ["both", "women"]


@pytest.mark.django_db
def test_longer_words_match_as_prefixes_short_words_do_not():
    make_org(name="Womens Peacebuilding Forum", slug="w")
    assert search("peacebuild") == ["w"]
    assert search("women") == ["w"]
    assert search("wo") == []


@pytest.mark.django_db
def test_a_word_of_sixty_characters_matches_a_longer_one_finds_nothing(client):
    make_org(name="Long Word", slug="long", description_en=f"The {'k' * 70} method.")
    sixty, sixty_one = "k" * 60, "k" * 61
    assert search(sixty) == ["long"]  # a prefix of the 70-letter word
    assert search(sixty_one) == []
    assert search(f"method {sixty_one}") == []
    listing = [client.get("/en/orgs/", {"q": word}) for word in (sixty, sixty_one)]
    assert [page.status_code for page in listing] == [200, 200]
    assert 'href="/en/orgs/long/"' in listing[0].content.decode()
    assert 'href="/en/orgs/long/"' not in listing[1].content.decode()


@pytest.mark.django_db
def test_the_ids_search_upkeep_reads_follow_the_same_sixty_character_limit():
    """`matching_ids`, by which a name newly withheld finds the organisations to
    reindex, reads a word of 60 characters as search does, and nothing longer."""
    long = make_org(name="Long Word", slug="long", description_en=f"The {'k' * 70} method.")
    make_org(name="Other", slug="other", description_en="The method.")
    everyone = Organisation.objects.all()
    assert list(matching_ids(everyone, "k" * 60)) == [long.pk]
    assert list(matching_ids(everyone, "k" * 61)) == []
    assert matching_ids(everyone, "!!!") is None  # no words: no filter


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("organisations", "query", "ranked"),
    [
        # A word of one or two letters matches whole words only, in the names as in
        # the text: "Adama" does not hold the word "ad", so it is no names match.
        (
            [
                {"name": "Adama Solidarité", "slug": "adama", "description_en": "With AD."},
                {"name": "Zone AD Network", "slug": "zone-ad"},
            ],
            "ad",
            [("zone-ad", 2), ("adama", 1)],
        ),
        # "RE-SO" asks for the acronym RE-SO (kept without its spaces): its words,
        # joined, are the acronym, which ranks above a name holding both words.
        (
            [
                {"name": "Zeta Network", "acronym": "RE-SO", "slug": "reso"},
                {"name": "Aube Re So Club", "slug": "club"},
            ],
            "RE-SO",
            [("reso", 3), ("club", 2)],
        ),
    ],
    ids=["short-word-in-names", "acronym-in-parts"],
)
def test_ranking_tiers(organisations, query, ranked):
    for fields in organisations:
        make_org(**fields)
    results = Organisation.objects.published().search(query)
    assert [(org.slug, org.relevance) for org in results] == ranked


@pytest.mark.django_db
def test_organisations_of_the_same_name_and_rank_come_in_id_order():
    """Name order within a tier, then the id: stored in another order than their ids,
    namesakes still come lowest id first, page after page."""
    for pk in (905, 903, 904, 901, 902):
        make_org(pk=pk, name="Femmes Solidaires", slug=f"femmes-{pk}")
    results = Organisation.objects.published().search("femmes")
    assert [org.pk for org in results] == [901, 902, 903, 904, 905]


@pytest.mark.django_db
def test_words_after_the_thirty_second_do_not_count():
    words = [f"w{i:02d}x" for i in range(40)]
    make_org(name="Many Words", slug="many", description_en=" ".join(words[:32]))
    # 32 words, all in the text, and an absent 33rd: the 33rd is not read.
    assert search(" ".join([*words[:32], "absent"])) == ["many"]
    # The 32nd word counts: absent from the text, it leaves nothing.
    assert search(" ".join([*words[:31], "absent"])) == []


@pytest.mark.django_db
def test_headquarters_town_and_people_are_not_searched():
    org = make_org(name="Quiet Group", slug="q", hq_town="Diré", sensitive=True)
    org.people.create(name="Amadou Traoré", is_public=False)
    assert search("dire") == []
    assert search("traore") == []


@pytest.mark.django_db
def test_drafts_never_show_through_search():
    make_org(name="Secret Draft", slug="d", status=Organisation.Status.DRAFT)
    assert search("secret") == []


# Hostile queries, each with whether "Women of Kayes" matches it: a query without
# words (letters or digits) leaves the listing unfiltered; otherwise the words decide.
HOSTILE = [
    ("", True),
    ("   ", True),
    ('"', True),
    ("'", True),
    ('"unterminated', False),
    ("AND", False),
    ("OR NOT", False),
    ("NEAR(a b)", False),
    ("women*", True),
    ("^women", True),
    ("search_text:women", False),
    ("( )", True),
    ('"" AND ""', False),
    ("a:* & b | !c <-> d", False),
    ("\x00", True),
    ("women\x00kayes", True),
    ("x" * 10_000, False),
    ("women " * 2_000, True),
    (" ".join(f"w{i}" for i in range(3_000)), False),
    ("🙂🕊️", True),
    ("!!! ??? ...", True),
    ("%_\\", True),
    ("'; DROP TABLE orgs_organisation; --", False),
    ("Ségou\u0301\u0301", False),
    ("ｆｕｌｌｗｉｄｔｈ", False),
]


@pytest.mark.parametrize("query, matches", HOSTILE)
def test_hostile_input_never_errors(women_of_kayes, query, matches):
    assert search(query) == (["w"] if matches else [])


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "  ", "!!!", "🙂", "\x00", "-- ' \""])
def test_a_query_without_words_leaves_the_listing_unfiltered(query):
    make_org(name="One", slug="one")
    make_org(name="Two", slug="two")
    assert sorted(search(query)) == ["one", "two"]


@pytest.fixture
def women_of_kayes(db):
    """A published organisation and a draft of the same name."""
    make_org(name="Women of Kayes", slug="w")
    make_org(name="Women of Kayes", slug="draft", status=Organisation.Status.DRAFT)


@settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.text(max_size=200))
def test_search_never_raises_for_any_text(women_of_kayes, query):
    """Any text: no error, never a draft, and no words means the whole listing."""
    found = search(query)
    assert set(found) <= {"w"}
    if not normalise(query):
        assert found == ["w"]


@pytest.mark.django_db
def test_admin_style_save_and_m2m_changes_keep_the_index_in_step(regions):
    org = make_org(name="Old Name", slug="o")
    org.name = "Fresh Name"
    org.save()
    assert search("fresh") == ["o"]
    assert search("old") == []
    org.regions.set([regions["mopti"]])
    assert search("mopti") == ["o"]
    org.regions.remove(regions["mopti"])
    assert search("mopti") == []
    org.regions.add(regions["gao"])
    assert search("gao") == ["o"]
    org.regions.clear()
    assert search("gao") == []


@pytest.mark.django_db
def test_curator_editing_in_the_admin_updates_search(client, regions):
    admin = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-long-1")
    client.force_login(admin)
    org = make_org(name="Before", slug="b")
    cite(org)
    cite(org, "region", region=regions["segou"])  # a published organisation's facts are cited
    url = f"/admin/orgs/organisation/{org.pk}/change/"
    data = change_form_data(client.get(url))
    data.update(name="After Edit", regions=[str(regions["segou"].pk)])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert search("after edit") == ["b"]
    assert search("segu") == ["b"]


@pytest.mark.django_db
def test_changing_a_regions_spellings_or_a_focus_label_reindexes(regions):
    org = make_org(slug="o")
    org.regions.add(regions["kidal"])
    org.focus_areas.add(FocusArea.objects.get(slug="peacebuilding"))
    make_org(name="Based in Kidal", slug="based", hq_region=regions["kidal"])
    region = regions["kidal"]
    region.aliases = [*region.aliases, "Kidalville"]
    region.save()
    assert search("kidalville") == ["based", "o"]
    focus = FocusArea.objects.get(slug="peacebuilding")
    focus.label_fr = "Paix durable"
    focus.save()
    assert search("durable") == ["o"]
    assert search("consolidation") == []


@pytest.mark.django_db
def test_linking_from_the_region_or_focus_area_side_keeps_the_index_in_step(regions, settings):
    """With history off, as synth_orgs writes (simple_history records an organisation's
    links only from its own side, and fails on a region's or focus area's)."""
    settings.SIMPLE_HISTORY_ENABLED = False
    org = make_org(slug="o")
    other = make_org(name="Other", slug="other")
    gao = regions["gao"]
    gao.organisations.add(org)
    assert search("gao") == ["o"]
    gao.organisations.remove(org)
    assert search("gao") == []
    gao.organisations.add(org, other)
    assert search("gao") == ["other", "o"]
    gao.organisations.clear()
    assert search("gao") == []
    bees = FocusArea.objects.create(slug="bees", label_en="Beekeeping", label_fr="Apiculture")
    bees.organisations.add(org)
    assert search("apiculture") == ["o"]
    bees.organisations.clear()
    assert search("apiculture") == []


@pytest.mark.django_db
def test_saving_named_fields_reindexes_only_when_search_reads_one():
    org = make_org(name="Old Name", slug="o")
    org.name = "Fresh Name"
    org.save(update_fields=["name"])
    assert search("fresh") == ["o"]
    org.founded = 1999
    founded = queries_of(lambda: org.save(update_fields=["founded"]))
    named = queries_of(lambda: org.save(update_fields=["name"]))  # the same name, read again
    assert len(founded) < len(named)  # no reindex for a field search does not read
    org.name_original = "Nom Nouveau"
    org.save(update_fields=["name_original"])
    assert search("nouveau") == ["o"]


def queries_of(action):
    with CaptureQueriesContext(connection) as queries:
        action()
    return [query["sql"] for query in queries]


def naming(queries, table):
    return [sql for sql in queries if table in sql]


@pytest.mark.django_db
def test_a_region_or_focus_area_reindexes_its_organisations_only_when_its_words_change(
    regions,
):
    """Saving one reads no organisation unless its words changed; saving or deleting one
    reads no person unless it reindexes: who is withheld does not depend on them."""
    org = make_org(slug="o", hq_region=regions["gao"])
    org.regions.add(regions["kidal"])
    bees = FocusArea(slug="bees", label_en="Beekeeping", label_fr="Apiculture")
    created = queries_of(bees.save)  # new: no organisation names it yet
    assert [sql.split()[0] for sql in created] == ["INSERT"]  # and nothing read
    org.focus_areas.add(bees)
    for reference in (regions["gao"], regions["kidal"], bees):
        reference.zone = "north"  # not searched (a focus area has no zone: ignored)
        saved = queries_of(reference.save)
        assert naming(saved, "orgs_organisation") == naming(saved, "orgs_person") == []
    unused = FocusArea(pk=9000, slug="salt", label_en="Salt", label_fr="Sel")  # its id given
    assert naming(queries_of(unused.save), "orgs_organisation") == []
    deleted = queries_of(unused.delete)
    assert naming(deleted, "orgs_organisation_focus") != []  # its links, by the delete
    assert naming(deleted, "orgs_person") == []
    bees.label_en = "Bee farming"
    assert naming(queries_of(bees.save), "orgs_organisation") != []
    assert search("farming") == ["o"]


@pytest.mark.django_db
def test_a_submissions_regions_and_focus_areas_leave_search_alone(regions):
    """A submission links regions and focus areas too: no organisation is reindexed."""
    submission = Submission.objects.create(kind="correction", message="m")
    bees = FocusArea.objects.create(slug="bees", label_en="Beekeeping", label_fr="Apiculture")
    linked = queries_of(lambda: submission.regions.add(regions["gao"]))
    linked += queries_of(lambda: submission.focus_areas.add(bees))
    assert naming(linked, "orgs_organisation") == []
    assert list(submission.regions.all()) == [regions["gao"]]


@pytest.mark.django_db
def test_search_composes_with_other_filters_and_facet_counts(regions):
    kayes = make_org(name="Women Kayes", slug="wk", kind=Organisation.Kind.NATIONAL_NGO)
    kayes.regions.add(regions["kayes"])
    mopti = make_org(name="Women Mopti", slug="wm")
    mopti.regions.add(regions["mopti"])
    make_org(name="Women Draft", slug="wd", status=Organisation.Status.DRAFT)
    searched = Organisation.objects.published().search("women")
    assert slugs(searched.filter(regions=regions["kayes"])) == ["wk"]
    assert slugs(searched.in_regions([regions["kayes"], regions["mopti"]])) == ["wk", "wm"]
    kinds = dict(
        searched.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    assert kinds == {"national_ngo": 1, "local_association": 1}
    by_region = (
        Region.objects.filter(organisations__in=searched)
        .values("slug")
        .annotate(n=Count("organisations"))
        .order_by("slug")
    )
    assert list(by_region.values_list("slug", "n")) == [("kayes", 1), ("mopti", 1)]


@pytest.mark.django_db
def test_a_page_of_results_is_one_query(django_assert_num_queries):
    for i in range(30):
        make_org(name=f"Women Group {i}", slug=f"w{i}", acronym=f"WG{i}")
    with django_assert_num_queries(1):
        page = list(Organisation.objects.published().search("women group")[:25])
    assert len(page) == 25


@pytest.mark.django_db
def test_listing_filter_orders_by_relevance_and_keeps_other_filters(regions):
    ajec = make_org(name="Jeunes", acronym="AJEC", slug="ajec")
    ajec.regions.add(regions["mopti"])
    other = make_org(name="Partner", slug="partner", description_en="Partner of AJEC")
    other.regions.add(regions["mopti"])
    filterset = OrganisationFilter(
        {"q": "ajec", "region": ["mopti"]}, queryset=Organisation.objects.published()
    )
    assert slugs(filterset.qs) == ["ajec", "partner"]
    with_nul = OrganisationFilter({"q": "aj\x00ec"}, queryset=Organisation.objects.published())
    assert sorted(slugs(with_nul.qs)) == ["ajec", "partner"]  # invalid q: the form says why
    assert "q" in with_nul.errors
    unfiltered = OrganisationFilter({"q": "!!"}, queryset=Organisation.objects.published()).qs
    assert sorted(slugs(unfiltered)) == ["ajec", "partner"]


def bulk_orgs(prefix, count, region=None):
    """`count` organisations named "<prefix> <i>", made in bulk (no signals, so no
    search text), working in `region` if one is given."""
    return make_orgs_in_bulk(
        [(f"{prefix} {i}", f"{prefix.lower()}-{i}") for i in range(count)],
        regions=[region] if region is not None else [],
    )


@pytest.mark.django_db
def test_update_search_text_indexes_bulk_created_organisations_in_fixed_queries(regions):
    few = bulk_orgs("few", 5, regions["gao"])
    many = bulk_orgs("many", 200, regions["gao"])
    Organisation.objects.update(status=Organisation.Status.PUBLISHED)
    assert search("gao") == []
    public_text.current()  # the table of withheld text: built once per change of the data
    with CaptureQueriesContext(connection) as for_few:
        update_search_text(Organisation.objects.filter(pk__in=[o.pk for o in few]))
    public_text.current()  # writing search text is a new data version: its table, once
    with CaptureQueriesContext(connection) as for_many:
        update_search_text(Organisation.objects.filter(pk__in=[o.pk for o in many]))
    assert len(for_many) == len(for_few)
    assert len(search("gao many")) == 200
    assert len(search("gao")) == 205
    # Ids work too, and a second run writes nothing.
    assert update_search_text([o.pk for o in many]) == 0


@pytest.mark.django_db
def test_sqlite_index_survives_triggers_dropped_by_a_table_remake():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's table remake is the risk; PostgreSQL alters in place")
    with connection.cursor() as cursor:
        for trigger in ("ai", "au", "ad"):
            cursor.execute(f"DROP TRIGGER orgs_organisation_fts_{trigger}")
    make_org(name="Inserted Meanwhile", slug="m")
    assert search("meanwhile") == []
    repair_sqlite_index()  # what post_migrate runs after every migrate
    assert search("meanwhile") == ["m"]


@pytest.mark.django_db
def test_a_large_reindex_leaves_search_and_later_edits_working(regions, monkeypatch):
    # SQLite's drop-trigger-rebuild path
    monkeypatch.setattr("orgs.search_upkeep.BULK_REBUILD", 10)
    orgs = bulk_orgs("large", 30, regions["menaka"])
    Organisation.objects.update(status=Organisation.Status.PUBLISHED)
    update_search_text(Organisation.objects.all())
    assert len(search("menaka large")) == 30
    org = orgs[0]
    org.refresh_from_db()
    org.name = "Renamed Later"
    org.save()
    assert search("renamed") == [org.slug]


@pytest.mark.django_db
def test_from_bulk_rebuild_rows_on_sqlite_the_index_is_rebuilt_once(monkeypatch):
    """Past BULK_REBUILD rows, SQLite's index is rebuilt at once rather than row by row
    through its trigger (about 3 s rather than 40 for 100,000 rows); below, it is not."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's index follows a generated column")
    monkeypatch.setattr("orgs.search_upkeep.BULK_REBUILD", 3)
    bulk_orgs("Bulk", 3)
    Organisation.objects.update(status=Organisation.Status.PUBLISHED)
    ids = list(Organisation.objects.values_list("pk", flat=True))
    below = queries_of(lambda: update_search_text(ids[:2]))
    assert naming(below, "'rebuild'") == []
    at = queries_of(lambda: update_search_text(ids))
    assert len(naming(at, "'rebuild'")) == 1
    assert sorted(search("bulk")) == ["bulk-0", "bulk-1", "bulk-2"]


@pytest.mark.django_db
def test_deleting_a_focus_area_reindexes_its_organisations(reference_data):
    org = make_org(slug="o")
    focus = FocusArea.objects.create(slug="bees", label_en="Beekeeping", label_fr="Apiculture")
    org.focus_areas.add(focus)
    assert search("apiculture") == ["o"]
    deleted = queries_of(focus.delete)
    assert search("apiculture") == []
    assert len(naming(deleted, '"search_text"')) == 2  # its organisations read and written once


# --- What the public-text rule withholds is not searchable -----------------------------


def test_a_withheld_name_or_town_finds_nothing_until_it_is_public(regions):
    mopti = regions["mopti"]
    org = make_org(slug="wells", description_en="Kadiatou Sow digs wells near Konna.")
    quiet = make_org(slug="quiet", hq_region=mopti, hq_town="Konna", sensitive=True)
    person = Person.objects.create(organisation=org, name="Kadiatou Sow")
    assert search("wells") == ["wells"]  # the rest of the description still is searched
    assert search("kadiatou") == [] and search("konna") == []
    person.is_public = True
    person.save()
    assert search("kadiatou") == ["wells"]
    quiet.sensitive = False
    quiet.save()
    assert search("konna") == ["wells"]


def test_a_person_hidden_later_stops_being_found_at_once(regions):
    make_org(slug="wells", description_en="Kadiatou digs wells.")
    assert search("kadiatou") == ["wells"]
    other = make_org(slug="other", status=Organisation.Status.DRAFT)
    Person.objects.create(organisation=other, name="Kadiatou Keita", is_public=True)
    assert search("kadiatou") == []  # a person of a draft organisation is not public
    other.delete()
    assert search("kadiatou") == ["wells"]


def test_making_an_organisation_sensitive_withholds_its_town_from_search(regions):
    make_org(slug="wells", description_en="Wells near Konna.")
    quiet = make_org(slug="quiet", hq_region=regions["mopti"], hq_town="Konna")
    assert search("konna") == ["wells"]
    quiet.sensitive = True
    quiet.save()
    assert search("konna") == []


def test_a_name_of_short_words_only_is_withheld_from_search_once_hidden(db):
    """A name whose words are all short (never withheld alone) is withheld whole: the
    organisations whose text holds it are found by the whole name and reindexed."""
    make_org(slug="talks", description_en="Talks with Ly Ba in Gao.")
    assert search("ly ba") == ["talks"]
    other = make_org(slug="other")
    Person.objects.create(organisation=other, name="Ly Ba")
    assert search("ly ba") == []
    assert search("talks gao") == ["talks"]


def test_a_name_in_a_french_description_only_is_found_again_once_public(db):
    make_org(slug="puits", description_fr="Kadiatou Sow creuse des puits.")
    person = Person.objects.create(organisation=make_org(slug="other"), name="Kadiatou Sow")
    assert search("kadiatou") == []
    person.is_public = True
    person.save()
    assert search("kadiatou") == ["puits"]


@pytest.mark.django_db
def test_the_searched_columns_hold_each_text_once_in_a_fixed_order():
    """Names (the acronym also without its spaces), the description in both languages,
    the regions and focus areas in slug order whatever their ids (so a restore, which
    gives new ids, rewrites no row), then the headquarters' region; the name folded for
    the order by name. A spelling that is not text is left out."""
    plateau = Region.objects.create(
        slug="zz-plateau",
        name="Plateau Dogon",
        name_en="Dogon Plateau",
        aliases=["Pays Dogon", 7],
        zone="centre",
    )
    delta = Region.objects.create(slug="aa-delta", name="Delta Intérieur", zone="centre")
    office = Region.objects.create(slug="mm-office", name="Kéniéba", zone="south")
    bees = FocusArea.objects.create(slug="zz-bees", label_en="Beekeeping", label_fr="Apiculture")
    salt = FocusArea.objects.create(slug="aa-salt", label_en="Salt trade", label_fr="Sel")
    org = make_org(
        name="Réseau Éveil",
        name_original="Awakening Network",
        acronym="RE SO",
        description_en="Wells and radio",
        description_fr="Puits et radio",
        hq_region=office,
    )
    org.regions.add(plateau, delta)
    org.focus_areas.add(bees, salt)
    org.refresh_from_db()
    names = "re so reso reseau eveil awakening network"
    assert (org.search_text, org.search_names, org.search_acronym, org.sort_name) == (
        f"{names} wells and radio puits et radio delta interieur "
        "plateau dogon dogon plateau pays dogon salt trade sel beekeeping apiculture kenieba",
        names,
        "reso",
        "reseau eveil",
    )
    single = make_org(name="Jeunes", acronym="AJEC", slug="ajec")  # its acronym once
    single.refresh_from_db()
    assert (single.search_text, single.search_names, single.search_acronym) == (
        "ajec jeunes",
        "ajec jeunes",
        "ajec",
    )


@pytest.mark.django_db
def test_update_search_text_counts_the_rows_it_changed_in_every_batch(monkeypatch):
    monkeypatch.setattr("orgs.search_upkeep.BATCH_SIZE", 2)
    bulk_orgs("Bulk", 5)
    assert update_search_text([]) == 0
    assert update_search_text(Organisation.objects.all()) == 5
    assert update_search_text(Organisation.objects.all()) == 0


def page_version_moves():
    """How often the page version's row was updated in this transaction (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_xact_tuples_updated('orgs_page_version'::regclass)")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_on_postgresql_each_batch_of_search_text_is_written_in_one_statement(monkeypatch):
    """Every statement on the organisations moves the data versions (orgs.db_token),
    one-row tables; in one transaction each move reads every version written before
    it, so writing 100,000 organisations' text row by row took minutes."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite updates a version's row in place, whatever the statements")
    monkeypatch.setattr("orgs.search_upkeep.BATCH_SIZE", 3)
    bulk_orgs("Bulk", 7)
    Organisation.objects.update(status=Organisation.Status.PUBLISHED)
    before = page_version_moves()

    assert update_search_text(Organisation.objects.all()) == 7

    assert page_version_moves() - before == 3  # batches of 3, 3 and 1
    assert sorted(search("bulk")) == [f"bulk-{i}" for i in range(7)]
    assert search("bulk 6") == ["bulk-6"]
    assert Organisation.objects.get(slug="bulk-4").sort_name == "bulk 4"


@pytest.mark.django_db
def test_results_of_the_same_rank_come_in_name_order_ignoring_case_and_accents():
    make_org(name="Zèbre Women", slug="zebre")
    make_org(name="école Women", slug="ecole")
    make_org(name="Atelier Women", slug="atelier")
    assert search("women") == ["atelier", "ecole", "zebre"]


def test_a_new_sensitive_organisation_withholds_its_town_from_search_at_once(regions):
    make_org(slug="wells", description_en="Wells near Konna.")
    assert search("konna") == ["wells"]
    make_org(slug="quiet", hq_region=regions["mopti"], hq_town="Konna", sensitive=True)
    assert search("konna") == []


def test_deleting_a_sensitive_organisation_gives_its_town_back_to_search(regions):
    make_org(slug="wells", description_en="Wells near Konna.")
    quiet = make_org(slug="quiet", hq_region=regions["mopti"], hq_town="Konna", sensitive=True)
    assert search("konna") == []
    quiet.delete()
    assert search("konna") == ["wells"]


def test_a_town_that_is_not_withheld_costs_a_new_organisation_nothing_more(db):
    """Who is withheld is read again only when a write can change it."""
    make_org(slug="first")
    without_town = queries_of(lambda: make_org(slug="plain"))
    with_town = queries_of(lambda: make_org(slug="town", hq_town="Kati"))
    assert len(with_town) == len(without_town)
    plain = Organisation.objects.get(slug="plain")
    plain.name = "Plain Renamed"
    renamed = queries_of(plain.save)  # nothing withheld changes: no one is read
    assert naming(renamed, "orgs_person") == []


def reads_of_hidden_names(queries):
    return [sql for sql in queries if sql.startswith('SELECT DISTINCT "orgs_person"."name"')]


def test_deleting_an_organisation_reads_who_is_withheld_once_before_and_once_after(db):
    """Each person deleted with an organisation may change who is withheld, but the
    table is read once before the deletion and once after, whatever their number (it
    was read twice per person: at 100,000 people, seconds per deletion)."""
    reads = []
    for count in (2, 6):
        org = make_org(slug=f"org-{count}")
        Person.objects.bulk_create(
            Person(organisation=org, name=f"Awa Person{i}") for i in range(count)
        )
        reads.append(len(reads_of_hidden_names(queries_of(org.delete))))
    assert reads == [2, 2]


def test_saving_a_person_unchanged_reads_no_one(db):
    person = Person.objects.create(organisation=make_org(slug="org"), name="Awa Traore")
    search("awa")  # the table read for the data as it is
    assert reads_of_hidden_names(queries_of(person.save)) == []
    person.name = "Awa Keita"
    assert len(reads_of_hidden_names(queries_of(person.save))) == 1  # after the write
