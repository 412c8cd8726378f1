"""The facet version: a token that changes whenever anything a facet counts, or the
public-text rule reads, changes (the mechanism: orgs.db_token).

The facet index (orgs.facets) holds the directory's counts in memory and must never
serve counts of data that has changed: an organisation just unpublished must stop
counting at once, and a description just edited must be found (or no longer found)
by the search whose matches it caches, with the count above the results agreeing.
So it watches inserts, deletes and the relevant updates of organisations, their
region and focus-area links, regions and focus areas. An edit of a website or a
citation leaves the token, and so the index, as it was.

It also watches people and organisations' sensitivity, town and contacts: it
once keyed the table of withheld names, towns and contacts (orgs.public_text),
which now has a token of its own (orgs.public_text_version). A change to those
rewrites the searched text anyway (orgs.search_upkeep).

Which organisations changed is logged beside it (orgs.facet_changes), so that the
index is updated for them rather than rebuilt (orgs.facet_upkeep).
"""

from .db_token import DatabaseToken

# Table: the columns whose updates change a count or a search's matches (None: any
# column). The search columns are written by orgs.search_upkeep.update_search_text after any
# change to searched text, whoever made it.
ORGANISATION_FACTS = (
    "status",
    "kind",
    "founded",
    "hq_region_id",
    "search_text",
    "search_names",
    "search_acronym",
    "sensitive",
    "hq_town",
)
# The contacts the public-text rule withholds when hidden, and their switches.
ORGANISATION_CONTACTS = (
    "contact_email",
    "contact_email_public",
    "contact_phone",
    "contact_phone_public",
    "social_links",
    "social_links_public",
)
WATCHED = {
    "orgs_organisation": ORGANISATION_FACTS + ORGANISATION_CONTACTS,
    "orgs_organisation_regions": None,
    "orgs_organisation_focus_areas": None,
    "orgs_region": None,
    "orgs_focusarea": None,
    "orgs_person": None,
}
# What migrations 0004 to 0013 install: a migration installs the triggers of its
# own time, since a column watched today may not exist yet at its step.
WATCHED_BEFORE_CONTACTS = {**WATCHED, "orgs_organisation": ORGANISATION_FACTS}
FACET_VERSION = DatabaseToken(
    table="orgs_facet_version",
    function="orgs_facet_version_bump",
    watched=WATCHED,
    purpose="Facet counts",
)
TABLE = FACET_VERSION.table
install = FACET_VERSION.install
reinstall_triggers = FACET_VERSION.reinstall_triggers
uninstall = FACET_VERSION.uninstall
after_migrate = FACET_VERSION.after_migrate
current = FACET_VERSION.current
