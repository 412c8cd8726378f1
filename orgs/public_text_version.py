"""The public-text version: a token that changes whenever anything the withholding
rule reads changes, the key of its table of withheld terms (orgs.public_text; the
mechanism: orgs.db_token).

The table is read from every person and every organisation with a sensitive town
or a contact: 0.2 to 1 s of CPU at 100,000 organisations. Keyed by the facet
version, it was rebuilt after every edit of a description or a region link, which
change no withheld term; this token watches only regions (a town's other
spellings) and the person and organisation columns the rule reads, when their
values change (a curator's save writes every column and bumps the record's
version), so a person hidden in the admin is withheld on the next request and a
description's or a role's edit rebuilds nothing.
"""

from .db_token import DatabaseToken

# The organisation columns the table is built from (orgs.public_text.from_database):
# a write to one may change it.
ORGANISATION_COLUMNS = (
    "status",
    "sensitive",
    "hq_town",
    "hq_region_id",
    "contact_email",
    "contact_email_public",
    "contact_phone",
    "contact_phone_public",
    "social_links",
    "social_links_public",
)
# A person's columns the table reads: who is hidden (with their organisation's status
# and sensitivity, above) and their name; a role or a version moves nothing.
PERSON_COLUMNS = ("name", "is_public", "organisation_id")
WATCHED = {
    "orgs_organisation": ORGANISATION_COLUMNS,
    "orgs_person": PERSON_COLUMNS,
    "orgs_region": None,
}
# Until migration 0020: every column of a person.
WATCHED_BEFORE_PERSON_COLUMNS = {**WATCHED, "orgs_person": None}
PUBLIC_TEXT_VERSION = DatabaseToken(
    table="orgs_public_text_version",
    function="orgs_public_text_version_bump",
    watched=WATCHED,
    purpose="The withheld-terms table",
    changes_only=True,  # a curator's save writes every column
)
TABLE = PUBLIC_TEXT_VERSION.table
install = PUBLIC_TEXT_VERSION.install
reinstall_triggers = PUBLIC_TEXT_VERSION.reinstall_triggers
uninstall = PUBLIC_TEXT_VERSION.uninstall
after_migrate = PUBLIC_TEXT_VERSION.after_migrate
current = PUBLIC_TEXT_VERSION.current
