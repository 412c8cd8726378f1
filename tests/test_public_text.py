"""The public-text rule (orgs.public_text) and the public read model that applies it."""

import re
from itertools import islice

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from orgs import public_text, public_text_version
from orgs.models import Citation, Organisation, Partnership, Person, Region, Source
from orgs.public_text import PublicText, name_terms, place_terms

from .conftest import make_org


@pytest.fixture(autouse=True)
def english():
    """Markers are in the active language; a request in French may have left it active."""
    with translation.override("en"):
        yield


def table(names=(), towns=()):
    return PublicText(
        [t for n in names for t in name_terms(n)], [t for w in towns for t in place_terms(w)]
    )


# --- The rule ----------------------------------------------------------------------


def test_full_name_and_each_distinctive_part_are_withheld():
    rule = table(["Kola Togo"])
    assert (
        rule.withhold("… says Kola Togo, the coordinator")
        == "… says [name withheld], the coordinator"
    )
    assert rule.withhold("Kola explains the work") == "[name withheld] explains the work"
    assert rule.withhold("Mr Togo left") == "Mr [name withheld] left"


def test_matching_is_whole_word_and_ignores_case_and_accents():
    rule = table(["Hawa Traoré"])
    assert rule.withhold("HAWA with a friend") == "[name withheld] with a friend"
    assert rule.withhold("Mme Traore, Traoré's and TRAORÉ.") == (
        "Mme [name withheld], [name withheld]'s and [name withheld]."
    )
    assert rule.withhold("Hawaii and Traorés are other words") == (
        "Hawaii and Traorés are other words"
    )


def test_a_full_name_with_other_punctuation_is_one_marker():
    rule = table(["Amadou ‘Samba’ Cissé"])
    assert rule.withhold("said Amadou Samba Cisse.") == "said [name withheld]."
    assert rule.withhold("said Amadou ‘Samba’ Cissé.") == "said [name withheld]."
    assert rule.withhold("Samba spoke") == "[name withheld] spoke"


def test_particles_and_short_parts_are_withheld_only_inside_the_full_name():
    rule = table(["Abdoul Aziz Ag Alwaly", "Moussa Ba"])
    assert rule.withhold("Ag Alwaly") == "Ag [name withheld]"
    assert rule.withhold("Abdoul Aziz Ag Alwaly spoke") == "[name withheld] spoke"
    assert rule.withhold("Ba and Moussa Ba") == "Ba and [name withheld]"
    assert name_terms("Abdoul Aziz Ag Alwaly") == [
        ("abdoul", "aziz", "ag", "alwaly"),
        ("abdoul",),
        ("aziz",),
        ("alwaly",),
    ]


def test_a_part_of_three_letters_is_withheld_on_its_own():
    rule = table(["Ali Maiga"])
    assert rule.withhold("Ali spoke to Maiga's aide") == (
        "[name withheld] spoke to [name withheld]'s aide"
    )


def test_a_town_and_its_spellings_are_withheld_as_a_place():
    rule = PublicText([], place_terms("Tombouctou", ["Tombouctou", "Timbuktu", "Tomboctou"]))
    assert rule.withhold("based in Timbuktu and TOMBOUCTOU") == (
        "based in [place withheld] and [place withheld]"
    )
    assert table(towns=["Ségou"]).withhold("near Segou") == "near [place withheld]"


def test_markers_are_in_the_readers_language():
    rule = table(["Kola Togo"], ["Ségou"])
    with translation.override("fr"):
        assert rule.withhold("Kola à Ségou") == "[nom masqué] à [lieu masqué]"
    with translation.override("en"):
        assert rule.withhold("Kola à Ségou") == "[name withheld] à [place withheld]"


def test_a_name_met_only_with_its_accents_is_withheld(monkeypatch):
    """The quick check for a term's first word folds accents too: "Traoré" alone is found,
    also by a process that meets "é" for the first time (its fold table starts empty)."""
    monkeypatch.setattr(public_text, "_FOLDING", public_text._Folding())
    assert table(["Hawa Traoré"]).withhold("Traoré spoke.") == "[name withheld] spoke."
    assert table(towns=["Ségou"]).withhold("à Ségou.") == "à [place withheld]."


def test_letters_that_fold_to_two_keep_the_text_around_the_marker():
    """ß folds to "ss" and Œ to "oe": the marker replaces exactly the name's letters."""
    rule = table(["Jonas Strauß"])
    assert rule.withhold("Œuvre de Strauß, avec STRAUSS. Fin") == (
        "Œuvre de [name withheld], avec [name withheld]. Fin"
    )
    assert rule.withhold("Œuvre de Jonas Strauß.") == "Œuvre de [name withheld]."


def test_the_search_index_reads_text_with_withheld_terms_blanked_out():
    """`searchable` takes each withheld term out (no marker: a marker's words would match)."""
    rule = table(["Kola Togo"], ["Konna"])
    assert rule.searchable("Led by Kola Togo in Konna, Mopti") == "Led by   in  , Mopti"
    assert rule.searchable("Peace in Mopti.") == "Peace in Mopti."
    assert rule.searchable(None) == ""
    assert PublicText().searchable("Kola Togo") == "Kola Togo"


def test_a_table_with_terms_is_true_and_an_empty_one_false():
    assert table(["Kola Togo"]) and not PublicText()
    assert table(["Kola Togo"]).kinds_in("Kola in Konna") == {"name"}
    assert table(["Kola"], ["Konna"]).kinds_in("Kola in Konna") == {"name", "place"}
    assert table(["Kola"]).kinds_in("Peace in Mopti") == set()
    assert table(["Kola"]).kinds_in(None) == set() == table(["Kola"]).kinds_in("")


def test_text_without_withheld_terms_is_unchanged():
    assert table(["Kola Togo"]).withhold("Peace in Mopti.") == "Peace in Mopti."
    assert PublicText().withhold("Kola Togo") == "Kola Togo"


# Words that overlap in every way the rule must tell apart: accents, case, letters
# that fold to two, particles, short parts, and words a term is only the start of.
WORDS = ["Kola", "kolà", "KOLA", "Kolanut", "Togo", "Ba", "Ag", "Awa", "Traoré", "traore"]
WORDS += ["Straße", "strasse", "Œuvre", "oeuvre", "Konna", "in", "the", "76", "12"]
SEPARATORS = [" ", "  ", ", ", "-", "’", "_", "\n", ". ", "/", "'s "]
phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
text = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=12)


def withheld_by_one_pattern(rule, text):
    """The rule as one regular expression of every term, longest first, over the folded
    text (as it was first written): the oracle for the word-by-word matcher."""
    if not rule:
        return text
    ordered = sorted(rule.terms(), key=lambda t: (-len(t), -len(" ".join(t))))
    alternatives = "|".join(r"[\W_]+".join(map(re.escape, term)) for term in ordered)
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")
    folded, origin = public_text.fold(text)
    pieces, last = [], 0
    for match in pattern.finditer(folded):
        kind = rule.terms()[tuple(public_text.words(match.group()))]
        pieces += [text[last : origin[match.start()]], f"[{kind} withheld]"]
        last = origin[match.end() - 1] + 1
    return "".join(pieces + [text[last:]])


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(phrase, max_size=4),
    towns=st.lists(phrase, max_size=2),
    words=text,
)
def test_the_word_matcher_withholds_what_one_pattern_of_every_term_would(names, towns, words):
    rule = table(names, towns)
    written = "".join(word + separator for word, separator in words)
    assert rule.withhold(written) == withheld_by_one_pattern(rule, written)


def test_empty_text_has_no_words():
    assert public_text.words("") == [] and public_text.words(None) == []
    assert name_terms("") == [] and place_terms("") == []


# --- Who is withheld, from the database ---------------------------------------------


@pytest.fixture
def people(reference_data):
    mopti = Region.objects.get(slug="mopti")
    shown = make_org(slug="shown", name="Shown Org", hq_region=mopti, hq_town="Sévaré")
    quiet = make_org(
        slug="quiet", name="Quiet Org", sensitive=True, hq_region=mopti, hq_town="Konna"
    )
    draft = make_org(slug="draft", name="Draft Org", status=Organisation.Status.DRAFT)
    Person.objects.create(organisation=shown, name="Hidden Hawa")
    Person.objects.create(organisation=shown, name="Public Penda", is_public=True)
    Person.objects.create(organisation=quiet, name="Sensitive Sidi", is_public=True)
    Person.objects.create(organisation=draft, name="Draft Dramane", is_public=True)
    return shown


def test_people_who_are_not_public_and_sensitive_towns_are_withheld(people):
    rule = PublicText.from_database()
    text = "Hidden, Penda, Sidi, Dramane, Konna, Sévaré"
    assert rule.withhold(text) == (
        "[name withheld], Penda, [name withheld], [name withheld], [place withheld], Sévaré"
    )
    # Konna is in Mopti, but is not its name: the region stays readable.
    assert rule.withhold("Konna, Mopti") == "[place withheld], Mopti"


def test_a_hidden_name_stored_with_a_non_breaking_space_is_withheld(people):
    """A name pasted from a document often holds a non-breaking space: it is a space
    between two words, as any other."""
    Person.objects.create(organisation=people, name="Awa\xa0Traoré")
    rule = PublicText.from_database()
    assert rule.withhold("Awa Traoré spoke; Traoré agreed.") == (
        "[name withheld] spoke; [name withheld] agreed."
    )


def test_a_sensitive_town_that_names_its_region_is_withheld_in_every_spelling(people):
    tombouctou = Region.objects.get(slug="tombouctou")
    make_org(slug="north", sensitive=True, hq_region=tombouctou, hq_town="Tombouctou")
    rule = PublicText.from_database()
    assert rule.withhold("From Timbuktu to Tumbuktu, not Gao.") == (
        "From [place withheld] to [place withheld], not Gao."
    )


def test_moving_a_sensitive_organisation_to_another_region_reindexes_its_towns_spellings(
    people,
):
    """A town named like its region is withheld in the region's every spelling; moved
    to another region, those spellings are text again, and found again."""
    tombouctou, mopti = Region.objects.get(slug="tombouctou"), Region.objects.get(slug="mopti")
    north = make_org(slug="north", sensitive=True, hq_region=tombouctou, hq_town="Tombouctou")
    make_org(slug="route", name="Route Org", description_en="Trucks to Timbuktu.")

    def found(word):
        return [o.slug for o in Organisation.objects.published().search(word)]

    assert found("trucks") == ["route"]  # a control: its other words are found
    assert "route" not in found("timbuktu")
    north.hq_region = mopti
    north.save()
    assert "route" in found("timbuktu")


def test_the_query_and_the_check_in_memory_agree_on_who_gives_terms(db):
    """Search upkeep asks an organisation in memory, the table's query asks the
    database: every mix of sensitivity, town and contact gets one answer from both,
    and the one the test expects (a sensitive town, or any contact written in text)."""
    expected = set()
    for sensitive in (False, True):
        for town in ("", "Konna"):
            for contact in (None, *public_text.CONTACTS_IN_TEXT):
                org = make_org(
                    slug=f"{sensitive}-{town or 'none'}-{contact or 'none'}".lower(),
                    sensitive=sensitive,
                    hq_town=town,
                    **({contact: "+223 76 12 34 56"} if contact else {}),
                )
                if (sensitive and town) or contact:
                    expected.add(org.pk)
                assert public_text.organisation_gives_withheld_terms(org) == (org.pk in expected)
    assert len(expected) == 4 + 2 * 2 * len(public_text.CONTACTS_IN_TEXT) - len(
        public_text.CONTACTS_IN_TEXT
    )
    found = Organisation.objects.filter(public_text.gives_withheld_terms())
    assert set(found.values_list("pk", flat=True)) == expected


def test_the_table_reads_only_the_organisations_that_give_terms_through_their_index(people):
    """At 100,000 organisations, reading every one to find the few with a sensitive
    town or a contact took most of a worker's start: the query is answered from a
    partial index of those few, on both databases."""
    make_org(slug="mailer", name="Mailer Org", contact_email="office@mailer.example")
    with CaptureQueriesContext(connection) as queries:
        rule = PublicText.from_database()
    assert rule.withhold("Konna, office@mailer.example") == "[place withheld], [contact withheld]"
    (sql,) = [q["sql"] for q in queries if '"hq_town"' in q["sql"]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # With a few rows a scan costs less: forbid it, to see whether the index fits.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "orgs_org_withheld_terms" in plan, plan


def test_the_table_follows_the_data_at_once(people):
    assert public_text.withhold("Hawa") == "[name withheld]"
    Person.objects.filter(name="Hidden Hawa").update(is_public=True)
    assert public_text.withhold("Hawa") == "Hawa"
    Person.objects.create(organisation=people, name="New Neba")
    assert public_text.withhold("Neba") == "[name withheld]"


def test_a_new_process_builds_the_table_on_its_first_call(people, monkeypatch):
    monkeypatch.setattr(public_text, "_current", None)  # as in a process just started
    assert public_text.withhold("Hawa and Penda") == "[name withheld] and Penda"


def test_without_its_data_version_the_table_is_built_again_at_every_call(people):
    """A database without the version's row (a flushed test database) gives no token:
    nothing then says the table is current, so it is never reused."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {public_text_version.TABLE}")
    assert public_text_version.current() is None
    assert public_text.withhold("Hawa") == "[name withheld]"
    Person.objects.filter(name="Hidden Hawa").update(is_public=True)
    assert public_text.withhold("Hawa") == "Hawa"


def test_the_table_is_built_once_per_data_change(people, django_assert_num_queries):
    built = public_text.current()
    with django_assert_num_queries(2):  # the data version, read by each call; no rebuild
        assert public_text.current() is built
        assert public_text.current() is built
    Person.objects.create(organisation=people, name="New Neba")
    assert public_text.current() is not built


# --- The public read model ----------------------------------------------------------


@pytest.fixture
def quoted(people):
    source = Source.objects.create(
        language="en", slug="s", publisher="P", title="Talks with Hidden Hawa"
    )
    Citation.objects.create(
        organisation=people,
        source=source,
        fact="existence",
        locator="Interview with Hawa",
        quote="Hawa founded it in Konna.",
    )
    people.description_en = "Led by Hawa."
    people.save()
    return people


def test_stored_text_is_never_changed(quoted):
    org = Organisation.objects.public().with_public_details().get(slug="shown")
    assert org.description_en == "Led by [name withheld]."
    assert org.public_citations[0].quote == "[name withheld] founded it in [place withheld]."
    assert org.public_citations[0].source.title == "Talks with [name withheld]"
    assert org.public_citations[0].locator == "Interview with [name withheld]"
    stored = Citation.objects.get()
    assert stored.quote == "Hawa founded it in Konna."
    assert Organisation.objects.get(slug="shown").description_en == "Led by Hawa."


def test_programmes_are_withheld_on_both_sides_of_a_partnership(quoted):
    partner = make_org(slug="partner", name="Partner Org")
    Partnership.objects.create(
        organisation=partner, relation="funded_by", partner=quoted, programme="Hawa's programme"
    )
    public = Organisation.objects.public().with_public_details()
    named = public.get(slug="partner").public_partnerships
    received = public.get(slug="shown").public_partnerships_received
    assert [p.programme for p in named] == ["[name withheld]'s programme"]
    assert [p.programme for p in received] == ["[name withheld]'s programme"]


def test_a_list_prefetched_two_relations_away_is_withheld(quoted):
    """A `Prefetch` list filled on each partnership's partner is read along with the
    public read, as a list on the organisation itself is, whatever its queryset."""
    partner = make_org(slug="partner", name="Partner Org")
    Partnership.objects.create(organisation=partner, relation="funded_by", partner=quoted)
    deep = Prefetch("partnerships__partner__citations", Citation.objects.all(), to_attr="cited")

    [read] = Organisation.objects.public().filter(slug="partner").prefetch_related(deep)

    [partnership] = read.partnerships.all()
    assert [c.quote for c in partnership.partner.cited] == [
        "[name withheld] founded it in [place withheld]."
    ]
    assert Citation.objects.get().quote == "Hawa founded it in Konna."


def test_a_public_copy_cannot_be_saved(quoted):
    org = Organisation.objects.public().get(slug="shown")
    with pytest.raises(RuntimeError, match="read for the public"):
        org.save()
    assert Organisation.objects.get(slug="shown").description_en == "Led by Hawa."


def test_a_sensitive_organisations_town_is_dropped(people):
    quiet = Organisation.objects.public().get(slug="quiet")
    assert quiet.hq_town == "" and Organisation.objects.get(slug="quiet").hq_town == "Konna"


@pytest.mark.parametrize("as_rows", ["values", "values_as_stored"])
def test_organisations_read_as_rows_get_the_rule_records_get(quoted, as_rows):
    """Both ways of reading rows: `values()`, and the exports' `values_as_stored()`."""
    Organisation.objects.filter(slug="quiet").update(
        description_en="Quiet.", contact_email="q@example.org", contact_email_public=True
    )
    Organisation.objects.filter(slug="shown").update(
        contact_phone="+223 76 12 34 56", contact_email="s@example.org", contact_email_public=True
    )
    fields = ["slug", "description_en", "hq_town", "sensitive"]
    fields += ["contact_email", "contact_email_public", "contact_phone", "contact_phone_public"]
    rows = getattr(Organisation.objects.public().order_by("slug"), as_rows)(*fields)
    # Both rows read at once, one with withheld terms and one without.
    assert [(r["slug"], r["description_en"], r["hq_town"]) for r in rows] == [
        ("quiet", "Quiet.", ""),
        ("shown", "Led by [name withheld].", "Sévaré"),
    ]
    assert [(r["contact_email"], r["contact_phone"]) for r in rows] == [
        ("", ""),  # sensitive: no contact, whatever its switches
        ("s@example.org", ""),  # its phone's switch is off
    ]
    one_by_one = getattr(Organisation.objects.public().filter(slug="shown"), as_rows)(*fields)
    one_by_one = one_by_one.iterator()
    assert next(one_by_one)["description_en"] == "Led by [name withheld]."
    # Stored as written, and read so by curators' (non-public) querysets.
    stored = Organisation.objects.values("description_en", "hq_town").get(slug="shown")
    assert stored == {"description_en": "Led by Hawa.", "hq_town": "Sévaré"}


def test_organisations_read_as_rows_of_every_field_have_the_names_values_gives(quoted):
    """`values_as_stored()` with no field named reads every field, as `values()` does."""
    public = Organisation.objects.public().order_by("slug")
    every_field = [list(row) for row in public.values()]
    assert every_field and "description_en" in every_field[0]
    assert [list(row) for row in public.values_as_stored()] == every_field


def test_a_row_with_a_contact_but_not_its_switch_is_refused(quoted):
    rows = Organisation.objects.public().values("slug", "contact_email")
    with pytest.raises(KeyError):
        list(rows)
    assert [r["slug"] for r in Organisation.objects.public().order_by("slug").values("slug")] == [
        "quiet",
        "shown",
    ]


@pytest.mark.parametrize(
    "read",
    [
        lambda: Organisation.objects.public().values_list("slug", "description_en"),
        lambda: Organisation.objects.public().values_list(),
        lambda: Organisation.objects.public().values_list("contact_phone", flat=True).iterator(),
        lambda: Source.objects.public().values("title"),
        lambda: Source.objects.public().values_as_stored("title"),
        lambda: Organisation.objects.public().values_as_stored("slug", "citations__quote"),
        lambda: Organisation.objects.public().values("slug", "citations__quote"),
        lambda: Organisation.objects.public().values("slug", "citations__source__title"),
        lambda: Citation.objects.public().values("locator"),
        lambda: Partnership.objects.public().values_list("programme", flat=True),
    ],
)
def test_rows_that_would_skip_the_rule_are_refused(quoted, read):
    with pytest.raises(TypeError) as refused:
        list(read())
    message = re.fullmatch(
        r"\[(.*)\] of a public (\w+) would be read without its text withheld: "
        r"read records, or organisations' values\(\)\.",
        str(refused.value),
    )
    assert message, str(refused.value)
    named = re.findall(r"'([\w_]+)'", message[1])
    assert named  # the refusal names what would skip the rule...
    assert not {"id", "slug"} & set(named)  # ...and only that, never a key read along


def test_citations_and_partnerships_read_directly_are_withheld_with_all_read_along(quoted):
    """Not only through an organisation's prefetches: any public read of a citation or
    partnership, and every record read along with it, gets the rule."""
    partner = make_org(slug="partner", name="Partner Org", description_en="With Hawa.")
    link = Partnership.objects.create(
        organisation=quoted, relation="funded_by", partner=partner, programme="Hawa fund"
    )
    draft = Organisation.objects.get(slug="draft")
    Citation.objects.create(
        organisation=draft,
        source=Source.objects.get(),
        fact="existence",
        locator="p. 9",
        quote="Draft Org exists.",
    )
    Citation.objects.create(
        organisation=quoted, source=Source.objects.get(), fact="partnership",
        partnership=link, locator="p. 3", quote="Funded by Partner Org, says Hawa.",
    )  # fmt: skip

    citations = Citation.objects.public().with_subjects().order_by("id")
    assert [(c.organisation_id, c.locator) for c in citations] == [
        (quoted.pk, "Interview with [name withheld]"),
        (quoted.pk, "p. 3"),  # a control; the draft's citation is not public
    ]
    cited = citations[1]
    assert cited.quote == "Funded by Partner Org, says [name withheld]."
    assert cited.source.title == "Talks with [name withheld]"
    assert cited.partnership.programme == "[name withheld] fund"
    assert cited.partnership.partner.description_en == "With [name withheld]."

    links = Partnership.objects.public().select_related("partner")
    assert [(p.programme, p.partner.description_en) for p in links] == [
        ("[name withheld] fund", "With [name withheld]."),
    ]
    for record in (cited, links[0], links[0].partner):
        with pytest.raises(RuntimeError, match="read for the public"):
            record.save()


def test_prefetches_of_a_public_read_are_withheld_whatever_their_queryset(quoted):
    """`prefetch_related("citations")` reads every citation, public or not: its text
    is still withheld, as is a partner's reached through a plain prefetch."""
    partner = make_org(slug="partner", name="Partner Org", description_en="With Hawa.")
    Partnership.objects.create(organisation=quoted, relation="funded_by", partner=partner)
    org = (
        Organisation.objects.public()
        .prefetch_related("citations", "partnerships__partner")
        .get(slug="shown")
    )
    assert [c.quote for c in org.citations.all()] == [
        "[name withheld] founded it in [place withheld]."
    ]
    assert [p.partner.description_en for p in org.partnerships.all()] == ["With [name withheld]."]
    assert Citation.objects.get().quote == "Hawa founded it in Konna."


def test_a_prefetch_into_an_attribute_is_withheld_whatever_its_queryset(quoted):
    org = (
        Organisation.objects.public()
        .prefetch_related(Prefetch("citations", Citation.objects.all(), to_attr="cited"))
        .get(slug="shown")
    )
    assert [c.quote for c in org.cited] == ["[name withheld] founded it in [place withheld]."]


def test_rows_without_withheld_fields_are_read_as_they_are(quoted):
    assert list(Organisation.objects.public().order_by("slug").values_list("slug", flat=True)) == [
        "quiet",
        "shown",
    ]
    assert list(Source.objects.public().values_list("slug", flat=True)) == ["s"]


def test_the_words_of_many_texts_at_once_are_those_of_each_text_folded():
    """folded_words gives what folding the whole text gives, whatever its characters."""
    import random
    import unicodedata

    rng = random.Random(13)
    letters = [chr(c) for c in range(0x3000) if unicodedata.category(chr(c))[0] != "C"]
    letters += list(" \n\t\xa0Œœæß´") * 40 + list("abcXYZ éÉ") * 100
    for _ in range(5000):
        text = "".join(rng.choice(letters) for _ in range(rng.randrange(40)))
        folded = public_text.folded_only(text)
        assert public_text.folded_words(text) == set(re.findall(r"[^\W_]+", folded)), text


def test_a_batch_holds_a_term_when_any_of_its_texts_does():
    rule = table(names=["Hidden Hawa"], towns=["Tombouctou"])
    assert rule.holds_none(["Nothing here.", "", None, "Nor here."])
    assert not rule.holds_none(["Nothing here.", "Met HAWA.", "Nor here."])
    assert not rule.holds_none(["Près de TOMBOUCTOU."])
    assert not rule.holds_none(["Œuvre à Tômbouctou."])  # folded: accents never matter
    assert table().holds_none(["Hawa"])  # an empty table withholds nothing


def test_a_batch_finds_a_term_that_ends_one_text_or_starts_the_next():
    """The texts are looked at as one: each still ends and starts on a whole word."""
    rule = table(names=["Hidden Hawa"])
    assert not rule.holds_none(["Led by Hawa", "Peace."])
    assert not rule.holds_none(["Paix à Mopti.", "Hawa dirige"])  # not ASCII: split on spaces


def test_marking_a_person_public_shows_the_name_again(client, quoted):
    assert "[name withheld] founded it" in client.get("/en/orgs/shown/").content.decode()
    person = Person.objects.get(name="Hidden Hawa")
    person.is_public = True
    person.save()
    page = client.get("/en/orgs/shown/").content.decode()
    assert "Hawa founded it in [place withheld]." in page
    assert client.get("/api/orgs/shown/").json()["description_en"] == "Led by Hawa."


def test_adding_a_hidden_person_hides_the_name_everywhere_at_once(client, quoted):
    assert "Led by Hawa" not in client.get("/en/orgs/shown/").content.decode()
    Person.objects.filter(name="Hidden Hawa").update(is_public=True)
    assert "Led by Hawa" in client.get("/en/orgs/shown/").content.decode()
    Person.objects.create(organisation=Organisation.objects.get(slug="quiet"), name="Hawa")
    assert "Led by [name withheld]." in client.get("/en/orgs/shown/").content.decode()
    assert client.get("/api/orgs/shown/").json()["description_en"] == "Led by [name withheld]."


# --- Contacts the public may not see -------------------------------------------------


@pytest.fixture
def reachable(reference_data):
    """One organisation with every contact hidden, one with every contact public."""
    hidden = make_org(
        slug="hidden-contacts",
        name="Hidden Contacts",
        contact_email="secret@hidden.example",
        contact_phone="+223 76 12 34 56",
        social_links="https://www.facebook.com/hidden.contacts",
    )
    shown = make_org(
        slug="shown-contacts",
        name="Shown Contacts",
        contact_email="hello@shown.example",
        contact_email_public=True,
        contact_phone="+223 20 22 33 44",
        contact_phone_public=True,
        description_en="Call 76 12 34 56 or write to secret@hidden.example.",
    )
    return hidden, shown


@pytest.mark.parametrize(
    "written",
    [
        "+223 76 12 34 56",
        "(+223) 76-12-34-56",
        "76 12 34 56",
        "76123456",
        "22376123456",
        "secret@hidden.example",
        "SECRET@Hidden.Example",
        "https://www.facebook.com/hidden.contacts",
        "facebook.com/hidden.contacts",
    ],
)
def test_a_hidden_contact_is_withheld_however_it_is_written(reachable, written):
    rule = PublicText.from_database()
    shown = rule.withhold(f"Reach them at {written}.")
    # One marker; punctuation around the words may stay ("+[contact withheld]").
    assert shown.count("[contact withheld]") == 1
    assert shown.startswith("Reach them at ") and shown.endswith("[contact withheld].")
    assert not re.search(r"[0-9]|secret|hidden|facebook", shown, re.I)


def test_a_social_link_stored_in_capitals_is_withheld_without_its_scheme_too():
    """A web address's scheme and "www." may be in any case: they are dropped all the same."""
    link = "HTTPS://WWW.Facebook.com/Hidden.Contacts"
    rule = PublicText(contacts=public_text.contact_terms("social_links", link))
    assert rule.withhold("See facebook.com/hidden.contacts.") == "See [contact withheld]."
    assert rule.withhold(f"See {link}.") == "See [contact withheld]."


def test_the_town_of_an_organisation_that_is_not_sensitive_is_not_withheld(reachable):
    """Its hidden contacts are withheld; its town, which the public reads, is not."""
    hidden, _shown = reachable
    Organisation.objects.filter(pk=hidden.pk).update(hq_town="Kati")
    rule = PublicText.from_database()
    assert rule.withhold("Kati, secret@hidden.example") == "Kati, [contact withheld]"


def test_a_public_contact_and_other_numbers_are_not_withheld(reachable):
    rule = PublicText.from_database()
    text = "hello@shown.example, +223 20 22 33 44, founded 2012, 76 12 34."
    assert rule.withhold(text) == text
    assert rule.withhold("secret@hidden.example") == "[contact withheld]"  # the control


def test_a_contact_of_a_sensitive_or_unpublished_organisation_is_withheld(reachable):
    hidden, shown = reachable
    text = "hello@shown.example"
    Organisation.objects.filter(pk=shown.pk).update(sensitive=True)
    assert public_text.withhold(text) == "[contact withheld]"
    Organisation.objects.filter(pk=shown.pk).update(sensitive=False, status="draft")
    assert public_text.withhold(text) == "[contact withheld]"
    Organisation.objects.filter(pk=shown.pk).update(status="published")
    assert public_text.withhold(text) == text


@pytest.mark.parametrize(
    "field, written",
    [
        ("contact_email", "secret@hidden.example"),
        ("contact_phone", "76 12 34 56"),
        ("social_links", "facebook.com/hidden.contacts"),
    ],
)
def test_the_table_follows_each_contact_and_its_switch_at_once(reachable, field, written):
    hidden, _shown = reachable
    orgs = Organisation.objects.filter(pk=hidden.pk)
    assert public_text.withhold(written) == "[contact withheld]"
    orgs.update(**{f"{field}_public": True})  # no signal: the database's triggers
    assert public_text.withhold(written) == written
    orgs.update(**{f"{field}_public": False, field: ""})
    assert public_text.withhold(written) == written
    orgs.update(**{field: getattr(hidden, field)})
    assert public_text.withhold(written) == "[contact withheld]"


def test_a_hidden_contact_typed_in_a_description_is_neither_shown_nor_found(client, reachable):
    hidden, _shown = reachable

    def found(word):
        return [o.slug for o in Organisation.objects.published().search(word)]

    page = client.get("/en/orgs/shown-contacts/").content.decode()
    assert "Call [contact withheld] or write to [contact withheld]." in page
    assert "76 12 34 56" not in page and "secret@hidden" not in page
    assert "20 22 33 44" in page  # its own public phone: the control
    assert found("secret") == []
    # Marking the email public (in the admin: a save) shows it, and search finds it.
    hidden.contact_email_public = True
    hidden.save()
    page = client.get("/en/orgs/shown-contacts/").content.decode()
    assert "Call [contact withheld] or write to secret@hidden.example." in page
    assert found("secret") == ["shown-contacts"]


def test_every_text_of_a_public_record_is_withheld(quoted):
    """Each text the public reads: both descriptions, the public address, every text of a
    cited source, and the programme of a partnership a citation supports."""
    partner = make_org(slug="partner", name="Partner Org")
    funded = Partnership.objects.create(
        organisation=quoted, relation="funded_by", partner=partner, programme="Hawa's fund"
    )
    source = Source.objects.create(
        language="en",
        slug="talks",
        publisher="Hawa Press",
        title="Talks",
        description_en="Hawa's notes",
        description_fr="Notes de Hawa",
    )
    Citation.objects.create(
        organisation=quoted,
        source=source,
        fact="partnership",
        partnership=funded,
        locator="p. 2",
        quote="Funded, says Hawa.",
    )
    quoted.description_fr = "Dirigée par Hawa."
    quoted.contact_address = "Chez Hawa, Sévaré"
    quoted.contact_address_public = True
    quoted.save()

    org = Organisation.objects.public().with_public_details().get(slug="shown")
    assert (org.description_en, org.description_fr) == (
        "Led by [name withheld].",
        "Dirigée par [name withheld].",
    )
    assert org.contact_address == "Chez [name withheld], Sévaré"
    cited = next(c for c in org.public_citations if c.fact == "partnership")
    assert cited.quote == "Funded, says [name withheld]."
    assert cited.locator == "p. 2"  # a control: text with nothing to withhold stays
    shown = cited.source
    assert (shown.title, shown.publisher) == ("Talks", "[name withheld] Press")
    assert (shown.description_en, shown.description_fr) == (
        "[name withheld]'s notes",
        "Notes de [name withheld]",
    )
    assert cited.partnership.programme == "[name withheld]'s fund"
    assert [p.programme for p in org.public_partnerships] == ["[name withheld]'s fund"]
    stored = Source.objects.get(slug="talks")
    assert (stored.publisher, stored.description_fr) == ("Hawa Press", "Notes de Hawa")


def test_no_public_copy_of_a_citation_source_or_partnership_can_be_saved(quoted):
    partner = make_org(slug="partner", name="Partner Org")
    Partnership.objects.create(organisation=quoted, relation="funded_by", partner=partner)
    org = Organisation.objects.public().with_public_details().get(slug="shown")
    citation = org.public_citations[0]
    for record in (citation, citation.source, org.public_partnerships[0]):
        with pytest.raises(RuntimeError, match="read for the public"):
            record.save()
    assert Citation.objects.get().quote == "Hawa founded it in Konna."


def test_a_public_persons_role_is_withheld_however_the_person_is_read(quoted):
    """A public person's name is shown; a hidden one named in their role is not, read
    through an organisation's people or directly, with the organisation read along."""
    penda = Person.objects.get(name="Public Penda")
    penda.role = "Deputy to Hidden Hawa"
    penda.save()
    org = Organisation.objects.public().with_public_details().get(slug="shown")
    assert [(p.name, p.role) for p in org.public_people] == [
        ("Public Penda", "Deputy to [name withheld]")
    ]
    direct = Person.objects.public().select_related("organisation").get()
    assert (direct.name, direct.role) == ("Public Penda", "Deputy to [name withheld]")
    assert direct.organisation.description_en == "Led by [name withheld]."
    with pytest.raises(RuntimeError, match="read for the public"):
        direct.save()
    assert Person.objects.get(pk=penda.pk).role == "Deputy to Hidden Hawa"


def test_records_read_one_by_one_share_one_table(people, django_assert_num_queries):
    """An export iterates at 100,000 organisations: the table is read once per
    iteration, not once per record. The iteration ends after the last record (read
    with a bound, so that one that never ends fails rather than hangs)."""
    make_org(slug="third", name="Third Org", description_en="Hawa again")
    public_text.current()  # built: what remains is reading the data version
    with django_assert_num_queries(2):  # the organisations, the data version once
        orgs = list(islice(Organisation.objects.public().order_by("slug").iterator(), 10))
    assert [o.slug for o in orgs] == ["quiet", "shown", "third"]
    assert orgs[2].description_en == "[name withheld] again"


def test_organisation_rows_read_one_by_one_share_one_table(people, django_assert_num_queries):
    """Exports read organisations as `values()` rows: the table is read once per
    iteration, as for records, not once per row; the iteration ends after the last."""
    make_org(slug="third", name="Third Org", description_en="Hawa again")
    public_text.current()
    with django_assert_num_queries(2):  # the organisations, the data version once
        rows = list(
            islice(
                Organisation.objects.public()
                .order_by("slug")
                .values("slug", "description_en")
                .iterator(),
                10,
            )
        )
    assert [row["slug"] for row in rows] == ["quiet", "shown", "third"]
    assert rows[2]["description_en"] == "[name withheld] again"


def test_records_and_rows_are_withheld_with_the_current_table_by_default(people):
    """`present` and `present_rows` without a table read the current one."""
    people.description_en = "Led by Hawa."
    people.save()
    record = Organisation.objects.get(slug="shown")
    public_text.present([record])
    assert record.description_en == "Led by [name withheld]."
    with pytest.raises(RuntimeError, match="read for the public"):
        record.save()
    rows = list(
        Organisation.objects.filter(slug__in=["quiet", "shown"])
        .order_by("slug")
        .values("slug", "description_en", "hq_town", "sensitive")
    )
    public_text.present_rows(Organisation, rows)
    assert rows == [
        {"slug": "quiet", "description_en": "", "hq_town": "", "sensitive": True},
        {
            "slug": "shown",
            "description_en": "Led by [name withheld].",
            "hq_town": "Sévaré",
            "sensitive": False,
        },
    ]


def test_a_public_reads_prefetches_share_its_table(quoted):
    """Prefetched citations and partnerships are public reads too: they use the table
    of the read they belong to, so the data version is read once per read."""
    public_text.current()
    details = Organisation.objects.public().with_public_details().order_by("slug")
    with CaptureQueriesContext(connection) as as_list:
        listed = list(details)
    with CaptureQueriesContext(connection) as one_by_one:
        iterated = list(details.iterator(chunk_size=1))
    for read in (as_list, one_by_one):
        sql = [q["sql"] for q in read.captured_queries]
        assert sum(public_text_version.TABLE in q for q in sql) == 1
        assert sum("orgs_citation" in q for q in sql) == 1 if read is as_list else len(listed)
    assert [o.public_citations[0].quote for o in iterated if o.slug == "shown"] == [
        "[name withheld] founded it in [place withheld]."
    ]
