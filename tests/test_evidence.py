"""The publish gate and the citation-fact rule (orgs.evidence), through every path that
writes: the model's validation, the admin's forms, deletes and actions, `load_seeds`
and `import_directory`."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orgs import backup as restore
from orgs import evidence
from orgs.backup_schema import read_backup
from orgs.models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source
from orgs.roles import GROUP_NAME

from .conftest import change_form_data, cite, form_data, make_org
from .test_load_seeds import cite as seed_cite
from .test_load_seeds import load, load_error, snapshot, write_seed
from .test_load_seeds import org as seed_org

CHANGELIST = "/admin/orgs/organisation/"
PUBLISHED, DRAFT = Organisation.Status.PUBLISHED, Organisation.Status.DRAFT


def admin_url(obj, view="change"):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


@pytest.fixture
def curator_client(client, db):
    user = User.objects.create_user("aminata", password="not-a-real-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_NAME))
    client.force_login(user)
    return client


@pytest.fixture
def seeds_dir(tmp_path, settings):
    settings.SEEDS_DIR = tmp_path / "seeds"
    settings.SEEDS_DIR.mkdir()
    return settings.SEEDS_DIR


@pytest.fixture
def places(reference_data):
    return {
        "gao": Region.objects.get(slug="gao"),
        "mopti": Region.objects.get(slug="mopti"),
        "kidal": Region.objects.get(slug="kidal"),
        "youth": FocusArea.objects.get(slug="youth"),
        "health": FocusArea.objects.get(slug="health"),
    }


@pytest.fixture
def cited_org(places):
    """A published organisation with one of each fact, each cited once."""
    org = make_org(name="Cited Association", slug="cited", founded=2005, hq_region=places["gao"])
    org.regions.set([places["mopti"]])
    org.focus_areas.set([places["youth"]])
    partner = make_org(name="Partner Fund", slug="partner-fund", kind="donor")
    cite(partner)
    partnership = Partnership.objects.create(
        organisation=org, relation="funded_by", partner=partner
    )
    for fact in ("existence", "founded", "headquarters"):
        cite(org, fact)
    cite(org, "region", region=places["mopti"])
    cite(org, "focus", focus_area=places["youth"])
    cite(org, "partnership", partnership=partnership)
    return org


def citation_row(data, index, org, **fields):
    """Add a new citation row to a change form's data, as the “Add another” link does."""
    source = Source.objects.get(slug="test-source")
    data["citations-TOTAL_FORMS"] = str(index + 1)
    row = {"organisation": str(org.pk), "source": str(source.pk), "locator": "p. 9"}
    row.update(quote="A new verbatim sentence.", **fields)
    data.update({f"citations-{index}-{key}": value for key, value in row.items()})


def citation_index(response, citation):
    """The index of `citation` among the change form's citation rows."""
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "citations"
    )
    return next(i for i, form in enumerate(formset.forms) if form.instance.pk == citation.pk)


def errors_of(response):
    return " ".join(str(e) for e in response.context["adminform"].form.non_field_errors())


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- The rule on the model ---------------------------------------------------------------


@translation.override("en")  # whatever language an earlier test left active
def test_model_validation_refuses_a_citation_of_a_fact_the_organisation_lacks(cited_org, places):
    source = Source.objects.get(slug="test-source")
    other = make_org(name="Other", slug="other")
    stranger = Person.objects.create(organisation=other, name="Awa Stranger")
    strangers = Partnership.objects.create(
        organisation=other, relation="partner_of", partner=make_org(slug="third", name="Third")
    )
    cases = [
        (
            {"fact": "region", "region": places["kidal"]},
            "region",
            "Kidal is not a region where Cited Association works or has its headquarters.",
        ),
        (
            {"fact": "focus", "focus_area": places["health"]},
            "focus_area",
            "Health is not one of the focus areas of Cited Association.",
        ),
        (
            {"fact": "partnership", "partnership": strangers},
            "partnership",
            f"The partnership “{strangers}” does not involve Cited Association.",
        ),
        (
            {"fact": "person", "person": stranger},
            "person",
            "Awa Stranger is not one of the people of Cited Association.",
        ),
    ]
    for subject, field, message in cases:
        citation = Citation(
            organisation=cited_org, source=source, locator="p. 2", quote="Q.", **subject
        )
        with pytest.raises(ValidationError) as error:
            citation.full_clean()
        assert error.value.message_dict == {field: [message]}, subject
    bare = make_org(name="Bare", slug="bare")
    for fact, message in (
        ("founded", "Bare has no founding year to cite."),
        ("headquarters", "Bare has no headquarters to cite."),
    ):
        with pytest.raises(ValidationError) as error:
            Citation(
                organisation=bare, source=source, fact=fact, locator="p", quote="Q"
            ).full_clean()
        assert error.value.message_dict == {"fact": [message]}  # beside the fact's field


@translation.override("en")
@pytest.mark.parametrize("fact", ["region", "focus", "partnership", "person"])
def test_a_citation_of_a_subject_naming_none_is_refused_by_that_rule_alone(cited_org, fact):
    citation = Citation(
        organisation=cited_org,
        source=Source.objects.get(slug="test-source"),
        fact=fact,
        locator="p. 2",
        quote="Q.",
    )
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    # The rule that a citation names the subject of its fact, and no other complaint.
    assert list(error.value.message_dict) == ["__all__"]


def test_model_validation_accepts_the_facts_the_organisation_has(cited_org, places):
    source = Source.objects.get(slug="test-source")
    partnership = cited_org.partnerships.get()
    for subject in (
        {"fact": "region", "region": places["mopti"]},
        {"fact": "region", "region": places["gao"]},  # where it has its headquarters
        {"fact": "focus", "focus_area": places["youth"]},
        {"fact": "founded"},
        {"fact": "headquarters"},
    ):
        Citation(
            organisation=cited_org, source=source, locator="p", quote="Q", **subject
        ).full_clean()
    # A partnership may be cited on either side.
    Citation(
        organisation=partnership.partner,
        source=source,
        fact="partnership",
        partnership=partnership,
        locator="p",
        quote="Q",
    ).full_clean()


# --- The admin's change form ------------------------------------------------------------


def test_a_fully_cited_organisation_publishes_from_its_form(curator_client, cited_org):
    Organisation.objects.filter(pk=cited_org.pk).update(status=DRAFT)
    data = change_form_data(curator_client.get(admin_url(cited_org)))
    data["status"] = PUBLISHED
    response = curator_client.post(admin_url(cited_org), data)
    assert response.status_code == 302
    cited_org.refresh_from_db()
    assert cited_org.status == PUBLISHED


def test_publishing_from_the_form_lists_every_uncited_fact_and_keeps_what_was_typed(
    curator_client, cited_org, places
):
    Organisation.objects.filter(pk=cited_org.pk).update(status=DRAFT)
    Citation.objects.filter(organisation=cited_org, fact__in=["founded", "region"]).delete()
    data = change_form_data(curator_client.get(admin_url(cited_org)))
    data.update(status=PUBLISHED, description_en="Typed before saving.")
    history = cited_org.history.count()

    response = curator_client.post(admin_url(cited_org), data)

    assert response.status_code == 200
    errors = errors_of(response)
    assert "founding year: 2005" in errors
    assert "region of work: Mopti" in errors
    assert "focus area" not in errors  # cited
    form = response.context["adminform"].form
    assert form["description_en"].value() == "Typed before saving."
    assert form["status"].value() == PUBLISHED
    cited_org.refresh_from_db()
    assert (cited_org.status, cited_org.description_en) == (DRAFT, "")
    assert cited_org.history.count() == history  # the refused save left no trace


def test_the_refusal_is_in_french_for_a_french_curator(curator_client, cited_org):
    Organisation.objects.filter(pk=cited_org.pk).update(status=DRAFT)
    Citation.objects.filter(organisation=cited_org, fact="founded").delete()
    data = change_form_data(curator_client.get(admin_url(cited_org)))
    data["status"] = PUBLISHED
    response = curator_client.post(admin_url(cited_org), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "aucune référence pour année de création : 2005" in errors_of(response)


def test_ticking_a_region_without_citing_it_is_refused_on_a_published_organisation(
    curator_client, cited_org, places
):
    data = change_form_data(curator_client.get(admin_url(cited_org)))
    data["regions"] = [str(places["mopti"].pk), str(places["kidal"].pk)]
    response = curator_client.post(admin_url(cited_org), data)
    assert response.status_code == 200
    assert "region of work: Kidal" in errors_of(response)
    form = response.context["adminform"].form
    assert set(form["regions"].value()) == {str(places["mopti"].pk), str(places["kidal"].pk)}
    assert list(cited_org.regions.all()) == [places["mopti"]]


def test_a_region_and_its_citation_added_in_one_save_are_accepted(
    curator_client, cited_org, places
):
    response = curator_client.get(admin_url(cited_org))
    data = change_form_data(response)
    data["regions"] = [str(places["mopti"].pk), str(places["kidal"].pk)]
    index = int(data["citations-TOTAL_FORMS"])
    citation_row(data, index, cited_org, fact="region", region=str(places["kidal"].pk))

    response = curator_client.post(admin_url(cited_org), data)

    assert response.status_code == 302, errors_of(response)
    assert set(cited_org.regions.all()) == {places["mopti"], places["kidal"]}
    assert Citation.objects.filter(organisation=cited_org, region=places["kidal"]).exists()


def test_an_inline_citation_of_a_focus_area_the_organisation_lacks_is_refused(
    curator_client, cited_org, places
):
    Organisation.objects.filter(pk=cited_org.pk).update(status=DRAFT)  # the rule holds for drafts
    data = change_form_data(curator_client.get(admin_url(cited_org)))
    index = int(data["citations-TOTAL_FORMS"])
    citation_row(data, index, cited_org, fact="focus", focus_area=str(places["health"].pk))
    before = Citation.objects.count()

    response = curator_client.post(admin_url(cited_org), data)

    assert response.status_code == 200
    assert "Health is not one of the focus areas of Cited Association" in errors_of(response)
    assert Citation.objects.count() == before


def test_a_new_partnership_without_a_citation_is_refused_on_a_published_organisation(
    curator_client, cited_org
):
    other = make_org(name="Other Network", slug="other-network", kind="network")
    data = change_form_data(curator_client.get(admin_url(cited_org)))
    data.update(
        {
            "partnerships-TOTAL_FORMS": str(int(data["partnerships-TOTAL_FORMS"]) + 1),
            "partnerships-1-relation": "member_of",
            "partnerships-1-partner": str(other.pk),
            "partnerships-1-organisation": str(cited_org.pk),
        }
    )
    response = curator_client.post(admin_url(cited_org), data)
    assert response.status_code == 200
    assert "partnership: Cited Association member of Other Network" in errors_of(response)
    assert cited_org.partnerships.count() == 1


def test_deleting_a_facts_last_citation_inline_is_refused(curator_client, cited_org, places):
    response = curator_client.get(admin_url(cited_org))
    data = change_form_data(response)
    region_citation = Citation.objects.get(organisation=cited_org, fact="region")
    data[f"citations-{citation_index(response, region_citation)}-DELETE"] = "on"

    response = curator_client.post(admin_url(cited_org), data)

    assert response.status_code == 200
    assert "none for region of work: Mopti" in errors_of(response)
    assert Citation.objects.filter(pk=region_citation.pk).exists()


def test_unticking_a_region_with_its_citation_is_accepted_but_not_without_it(
    curator_client, cited_org, places
):
    response = curator_client.get(admin_url(cited_org))
    data = change_form_data(response)
    region_citation = Citation.objects.get(organisation=cited_org, fact="region")
    data["regions"] = []

    # Without its citation: the citation would be about a region it does not work in.
    refused = curator_client.post(admin_url(cited_org), data)
    assert refused.status_code == 200
    assert "Mopti is not a region where Cited Association works" in errors_of(refused)
    assert list(cited_org.regions.all()) == [places["mopti"]]

    data[f"citations-{citation_index(response, region_citation)}-DELETE"] = "on"
    accepted = curator_client.post(admin_url(cited_org), data)
    assert accepted.status_code == 302
    assert not cited_org.regions.exists()
    assert not Citation.objects.filter(pk=region_citation.pk).exists()


def test_making_a_person_public_needs_a_citation_of_them(curator_client, cited_org):
    person = Person.objects.create(organisation=cited_org, name="Oumar Diallo")
    data = form_data(curator_client.get(admin_url(person)).context["adminform"].form)
    data["is_public"] = "on"
    refused = curator_client.post(admin_url(person), data)
    assert refused.status_code == 200
    assert "person: Oumar Diallo" in errors_of(refused)
    person.refresh_from_db()
    assert not person.is_public

    cite(cited_org, "person", person=person)
    assert curator_client.post(admin_url(person), data).status_code == 302
    person.refresh_from_db()
    assert person.is_public


@translation.override("en")
def test_a_refusal_names_uncited_people_in_the_order_they_were_added(curator_client, cited_org):
    """By id, not by name (their default order): a stable order on every path that
    refuses, whatever the people are called."""
    Organisation.objects.filter(pk=cited_org.pk).update(status=DRAFT)
    for name in ("Zeynab Traoré", "Aminata Keita"):
        Person.objects.create(organisation=cited_org, name=name, is_public=True)
    data = change_form_data(curator_client.get(admin_url(cited_org)))
    data["status"] = PUBLISHED

    response = curator_client.post(admin_url(cited_org), data)

    assert response.status_code == 200
    assert errors_of(response) == (
        "Cited Association: every public fact of a published organisation needs a "
        "citation; none for person: Zeynab Traoré; person: Aminata Keita."
    )


# --- The publish action ------------------------------------------------------------------


def test_the_publish_action_publishes_the_cited_and_names_what_the_others_lack(
    curator_client, cited_org, places
):
    Organisation.objects.filter(pk=cited_org.pk).update(status=DRAFT)
    uncited = make_org(name="Uncited Union", slug="uncited", status=DRAFT, founded=1999)
    uncited.regions.set([places["gao"]])
    cite(uncited)

    response = curator_client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [str(cited_org.pk), str(uncited.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    messages = messages_of(response)
    assert any(
        "Not published: Uncited Union" in m and "founding year: 1999" in m and "Gao" in m
        for m in messages
    ), messages
    assert "1 organisation published." in messages
    assert Organisation.objects.get(pk=cited_org.pk).status == PUBLISHED
    assert Organisation.objects.get(pk=uncited.pk).status == DRAFT


# --- The citation admin --------------------------------------------------------------------


def test_the_citation_admin_refuses_a_region_the_organisation_lacks(
    curator_client, cited_org, places
):
    source = Source.objects.get(slug="test-source")
    data = {
        "organisation": str(cited_org.pk),
        "fact": "region",
        "region": str(places["kidal"].pk),
        "source": str(source.pk),
        "locator": "p. 3",
        "quote": "Works in Kidal.",
    }
    response = curator_client.post(reverse("admin:orgs_citation_add"), data)
    assert response.status_code == 200
    assert "Kidal is not a region where" in str(response.context["adminform"].form.errors)
    data["region"] = str(places["mopti"].pk)
    assert curator_client.post(reverse("admin:orgs_citation_add"), data).status_code == 302


def test_deleting_the_last_citation_of_a_fact_is_refused_but_not_a_second_one(
    curator_client, cited_org, places
):
    only = Citation.objects.get(organisation=cited_org, fact="focus")
    response = curator_client.post(admin_url(only, "delete"), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert any(
        "Nothing was deleted" in m and "focus area: Youth" in m for m in messages_of(response)
    )
    assert Citation.objects.filter(pk=only.pk).exists()

    second = cite(cited_org, "focus", focus_area=places["youth"])
    response = curator_client.post(admin_url(second, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Citation.objects.filter(pk=second.pk).exists()


def test_moving_a_facts_only_citation_to_another_fact_is_refused(curator_client, cited_org):
    citation = Citation.objects.get(organisation=cited_org, fact="founded")
    data = form_data(curator_client.get(admin_url(citation)).context["adminform"].form)
    data["fact"] = "existence"
    response = curator_client.post(admin_url(citation), data)
    assert response.status_code == 200
    assert "none for founding year: 2005" in errors_of(response)
    citation.refresh_from_db()
    assert citation.fact == "founded"


def test_bulk_deleting_citations_is_refused_whole_when_one_leaves_a_fact_uncited(
    curator_client, cited_org, places
):
    draft = make_org(name="Draft Group", slug="draft-group", status=DRAFT)
    draft_citation = cite(draft)
    region_citation = Citation.objects.get(organisation=cited_org, fact="region")
    selected = [str(draft_citation.pk), str(region_citation.pk)]

    response = curator_client.post(
        "/admin/orgs/citation/",
        {"action": "delete_selected", "post": "yes", "_selected_action": selected},
        follow=True,
    )

    assert response.status_code == 200
    assert any("region of work: Mopti" in m for m in messages_of(response))
    assert Citation.objects.filter(pk__in=selected).count() == 2  # neither deleted

    response = curator_client.post(
        "/admin/orgs/citation/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [selected[0]]},
        follow=True,
    )
    assert response.status_code == 200
    assert not Citation.objects.filter(pk=draft_citation.pk).exists()


# --- load_seeds ----------------------------------------------------------------------------


def test_load_seeds_refuses_publishing_an_entry_with_an_uncited_fact(seeds_dir, reference_data):
    write_seed(seeds_dir, "001-doc.toml", "doc", [seed_org("gao-youth", status="draft")])
    load()
    draft = Organisation.objects.get(slug="gao-youth")
    draft.regions.set([Region.objects.get(slug="gao")])  # a curator's, not cited yet
    write_seed(seeds_dir, "001-doc.toml", "doc", [seed_org("gao-youth", status="published")])
    before = snapshot()

    error = load_error()

    assert (
        "seeds/001-doc.toml: organisations[0] (gao-youth): Association gao-youth: every public "
        "fact of a published organisation needs a citation; none for region of work: Gao."
    ) in error
    assert snapshot() == before


def test_load_seeds_refuses_an_entry_holding_a_citation_of_a_fact_it_lacks(
    seeds_dir, reference_data
):
    draft = make_org(name="Gao Youth", slug="gao-youth", status=DRAFT)
    cite(draft, "region", region=Region.objects.get(slug="kidal"))  # stray
    write_seed(seeds_dir, "002-doc.toml", "doc", [seed_org("gao-youth", status="draft")])
    before = snapshot()

    error = load_error()

    assert "seeds/002-doc.toml: organisations[0] (gao-youth): A citation of region" in error
    assert "Kidal is not a region where Gao Youth works" in error
    assert snapshot() == before


def test_load_seeds_loads_a_fully_cited_published_entry(seeds_dir, reference_data):
    entry = seed_org(
        "gao-youth",
        founded={"year": 2011, **seed_cite("Founded in 2011.")},
        regions=[{"region": "gao", **seed_cite("Works in Gao.")}],
    )
    write_seed(seeds_dir, "001-doc.toml", "doc", [entry])
    load()
    org = Organisation.objects.get(slug="gao-youth")
    assert org.status == PUBLISHED
    assert org.citations.count() == 3


# --- import_directory ----------------------------------------------------------------------


@pytest.fixture
def backup(transactional_db, directory, tmp_path):
    """The fully cited directory, exported, and the database emptied."""
    path = tmp_path / "backup.json"
    call_command("export_directory", str(path), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    return path, json.loads(path.read_text(encoding="utf-8"))


def import_error(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_directory", str(path), verbosity=0)
    assert not Organisation.objects.exists()
    return str(error.value)


def test_import_refuses_a_published_organisation_with_an_uncited_fact(backup):
    path, data = backup
    data["citations"] = [
        c
        for c in data["citations"]
        if not (c["organisation"] == "jeunes-citoyens" and c["region"] == "segou")
    ]
    index = next(i for i, o in enumerate(data["organisations"]) if o["slug"] == "jeunes-citoyens")
    error = import_error(path, data)
    assert f"organisations[{index}] jeunes-citoyens: " in error
    assert "none for region of work: Segou" in error


def test_import_names_every_organisation_refused_each_on_its_own_line(backup):
    path, data = backup
    refused = ["jeunes-citoyens", "youth-mopti"]
    data["citations"] = [
        c for c in data["citations"] if not (c["organisation"] in refused and c["region"])
    ]
    index = {o["slug"]: i for i, o in enumerate(data["organisations"])}
    header, *lines = import_error(path, data).splitlines()
    assert header == f"2 problem(s) in {path}; nothing was imported:"
    assert [line.split(": ")[0] for line in lines] == [
        f"organisations[{index[slug]}] {slug}" for slug in refused
    ]
    assert "Segou" in lines[0] and "Segou" not in lines[1]
    assert all(line.endswith(".") and not line.endswith("..") for line in lines)


def test_a_restore_called_from_a_script_is_refused_with_the_same_lines(backup):
    """`load()` called without the command (a script, the shell): the error's own
    message, which a traceback prints, holds the problems one a line, as the command
    prints them."""
    path, data = backup
    refused = ["jeunes-citoyens", "youth-mopti"]
    data["citations"] = [
        c for c in data["citations"] if not (c["organisation"] in refused and c["region"])
    ]
    _header, *lines = import_error(path, data).splitlines()
    with pytest.raises(restore.BackupError) as error, transaction.atomic():
        restore.load(read_backup(path, path.name))
    assert str(error.value).split("\n") == lines
    assert len(lines) == 2


def test_import_refuses_a_citation_of_a_fact_the_organisation_lacks(backup):
    path, data = backup
    citation = next(c for c in data["citations"] if c["region"] == "segou")
    citation["region"] = "kidal"
    error = import_error(path, data)
    assert "Kidal is not a region where" in error


def test_import_accepts_the_fully_cited_directory(backup):
    path, data = backup
    call_command("import_directory", str(path), verbosity=0)
    assert Organisation.objects.get(slug="jeunes-citoyens").status == PUBLISHED


def test_a_partnership_and_its_citation_are_added_in_one_save(curator_client, cited_org):
    other = make_org(name="Other Network", slug="other-network", kind="network")
    cite(other)
    source = Source.objects.get(slug="test-source")
    url = reverse("admin:orgs_partnership_add")
    data = form_data(curator_client.get(url).context["adminform"].form)
    data.update(
        {
            "organisation": str(cited_org.pk),
            "relation": "member_of",
            "partner": str(other.pk),
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        }
    )
    refused = curator_client.post(url, data)
    assert refused.status_code == 200
    assert "partnership: Cited Association member of Other Network" in errors_of(refused)
    assert cited_org.partnerships.count() == 1

    data.update(
        {
            "citations-TOTAL_FORMS": "1",
            "citations-0-organisation": str(other.pk),  # filed on the partner's side
            "citations-0-source": str(source.pk),
            "citations-0-locator": "p. 4",
            "citations-0-quote": "Cited Association is a member of Other Network.",
        }
    )
    response = curator_client.post(url, data)
    assert response.status_code == 302
    partnership = cited_org.partnerships.get(partner=other)
    assert partnership.citations.get().organisation == other


@translation.override("en")
def test_stray_citations_are_listed_grouped_by_fact(cited_org, places):
    """Citations of facts the organisation lacks, as a restore or a script may leave
    them: listed fact by fact (focus areas before regions), not in the order made."""
    source = Source.objects.get(slug="test-source")
    for subject in ({"region": places["kidal"]}, {"focus_area": places["health"]}):
        fact = "region" if "region" in subject else "focus"
        Citation.objects.create(
            organisation=cited_org, source=source, fact=fact, locator="p", quote="Q", **subject
        )

    (messages,) = evidence.problems({cited_org.pk}).values()

    text = " ".join(messages)
    assert "Health is not one of the focus areas" in text
    assert text.index("Health is not one") < text.index("Kidal is not a region")


@translation.override("en")
def test_stray_citations_of_one_fact_are_listed_in_the_order_they_were_added(cited_org, places):
    """By id within a fact, each naming its source and locator, even when the older
    one was edited since: PostgreSQL then stores it after the newer one, and a scan
    reads it last."""
    older = cite(cited_org, "region", region=places["kidal"])
    cite(cited_org, "region", region=Region.objects.get(slug="kayes"))
    Citation.objects.filter(pk=older.pk).update(locator="p. 3")

    (messages,) = evidence.problems({cited_org.pk}).values()

    assert messages == [
        "A citation of region of work from “Test source” (p. 3): Kidal is not a region "
        "where Cited Association works or has its headquarters.",
        "A citation of region of work from “Test source” (p. 1): Kayes is not a region "
        "where Cited Association works or has its headquarters.",
    ]


def test_a_refusal_reads_as_every_message_one_per_line():
    refused = evidence.EvidenceRefused({"first": ["one"], "second": ["two", "three"]})
    assert str(refused) == "one\ntwo\nthree"
    assert refused.messages() == ["one", "two", "three"]


def test_a_citation_with_no_organisation_is_refused_not_a_crash(cited_org):
    citation = Citation(
        source=Source.objects.get(slug="test-source"), fact="existence", locator="p", quote="Q"
    )
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert "organisation" in error.value.message_dict


def test_a_change_touches_exactly_the_organisations_whose_evidence_it_can_affect(
    cited_org, places
):
    """What the admin examines after a save or a deletion: the organisation of what
    changed, and, for a partnership, both organisations that may hold its citations."""
    partner = Organisation.objects.get(slug="partner-fund")
    partnership = cited_org.partnerships.get()
    on_partners_side = cite(partner, "partnership", partnership=partnership)
    bystander = make_org(name="Bystander", slug="bystander")
    person = Person.objects.create(organisation=bystander, name="Awa Bystander")
    both = {cited_org.pk, partner.pk}

    touched = evidence.organisations_touched
    assert touched(bystander) == {bystander.pk}
    assert touched(cited_org) == both
    assert touched(partner) == {partner.pk}  # it names no partnership itself
    assert touched(partnership) == both
    assert touched(cited_org.citations.get(fact="existence")) == {cited_org.pk}
    assert touched(on_partners_side) == both
    assert touched(person) == {bystander.pk}
    assert touched(None, person, bystander, cited_org) == {bystander.pk, *both}
    linked = make_org(name="Linked", slug="linked")
    for other in (bystander, partner):  # partnerships of its own, of which no citation
        Partnership.objects.create(organisation=linked, relation="member_of", partner=other)
    assert touched(linked) == {linked.pk}
    with pytest.raises(TypeError, match="Mopti"):
        touched(places["mopti"])


@translation.override("en")
@pytest.mark.parametrize(
    "fields, uncited",
    [
        ({"hq_town": "Konna"}, "headquarters: Konna"),
        ({"hq_town": "Konna", "hq_region": "mopti"}, "headquarters: Konna, Mopti"),
        ({"founded": 2005, "hq_town": "Konna"}, "founding year: 2005; headquarters: Konna"),
    ],
)
def test_a_refusal_names_every_uncited_fact_in_one_sentence(places, fields, uncited):
    if "hq_region" in fields:
        fields = {**fields, "hq_region": places[fields["hq_region"]]}
    org = make_org(name="Uncited Org", slug="uncited", **fields)
    cite(org)
    with pytest.raises(evidence.EvidenceRefused) as refused:
        evidence.require({org.pk})
    assert str(refused.value) == (
        "Uncited Org: every public fact of a published organisation needs a citation; "
        f"none for {uncited}."
    )


def test_examining_an_organisation_costs_the_same_queries_for_any_number_of_partners(
    cited_org,
):
    """A refusal names each partnership by both organisations: they are read with
    it, not one query per partnership."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            evidence.problems({cited_org.pk}, as_published=True)
        return len(captured)

    before = queries()
    for n in range(3):
        partner = make_org(name=f"Donor {n}", slug=f"donor-{n}", kind="donor")
        Partnership.objects.create(organisation=cited_org, relation="funded_by", partner=partner)
    assert queries() == before


def test_examining_an_organisation_costs_the_same_queries_for_any_number_of_citations(
    cited_org,
):
    """Each citation is read with what its check and its message name (its source,
    its subject, a partnership's two organisations), not one query per citation: a
    cited person's, and each kind that concerns a fact the organisation lacks."""

    def add_citations(n, region, focus):
        other = make_org(name=f"Other {n}", slug=f"other-{n}")
        person = Person.objects.create(organisation=cited_org, name=f"Person {n}", is_public=True)
        cite(cited_org, "person", person=person)
        third = make_org(name=f"Third {n}", slug=f"third-{n}")
        strangers = Partnership.objects.create(
            organisation=other, relation="partner_of", partner=third
        )
        cite(cited_org, "region", region=Region.objects.get(slug=region))
        cite(cited_org, "focus", focus_area=FocusArea.objects.get(slug=focus))
        cite(cited_org, "partnership", partnership=strangers)
        cite(cited_org, "person", person=Person.objects.create(organisation=other, name="Awa"))

    def examined():
        with CaptureQueriesContext(connection) as captured:
            (messages,) = evidence.problems({cited_org.pk}).values()
        return len(messages), len(captured)

    add_citations(1, "kidal", "health")
    stray, queries = examined()
    assert stray == 4  # a message for each citation of a fact it lacks
    add_citations(2, "kayes", "media")
    assert examined() == (8, queries)


def test_examining_several_organisations_costs_the_queries_of_one(cited_org):
    """A restore examines every organisation: they are read together, a chunk at a
    time, not one round of queries each."""

    def queries(pks):
        with CaptureQueriesContext(connection) as captured:
            evidence.problems(pks)
        return len(captured)

    one = queries({cited_org.pk})
    others = [make_org(name=f"Other {n}", slug=f"other-{n}") for n in range(3)]
    assert queries({cited_org.pk, *(org.pk for org in others)}) == one
