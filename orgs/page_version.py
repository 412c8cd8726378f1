"""The page version: a token that changes whenever anything a public page shows
changes, the key of the page cache (orgs.page_cache; the mechanism: orgs.db_token).

The facet version (orgs.facet_version) watches only what counts and search read,
so that a curator's edit of a website or a citation does not rebuild the facet
index. A page shows more: citations, sources, partnerships, people, every column
of an organisation. So this second token is written by triggers on every insert,
update and delete of every table a public page reads, whoever writes (the admin,
`queryset.update()`, bulk inserts, loaddata, raw SQL, other processes): a cached
page is never served once its data has changed.

After every `migrate` the token moves on, on both databases: a migration may change
what a page shows without writing a watched row (a new column, a changed choice),
and a page rendered by older code must not outlive it.
"""

from .db_token import DatabaseToken

# Every table of the models public pages read, with their many-to-many links
# (tests/test_page_version.py checks none is missing). Any column: a page shows them all.
# A table added here needs a migration that creates its trigger on PostgreSQL too
# (the tests' raw write to each table fails there until it has one).
WATCHED = (
    "orgs_organisation",
    "orgs_organisation_regions",
    "orgs_organisation_focus_areas",
    "orgs_region",
    "orgs_focusarea",
    "orgs_person",
    "orgs_citation",
    "orgs_partnership",
    "orgs_source",
)

PAGE_VERSION = DatabaseToken(
    table="orgs_page_version",
    function="orgs_page_version_bump",
    watched=dict.fromkeys(WATCHED),  # any column of each
    purpose="The page cache",
    moves_on_migrate=True,
)
TABLE = PAGE_VERSION.table
install = PAGE_VERSION.install
uninstall = PAGE_VERSION.uninstall
after_migrate = PAGE_VERSION.after_migrate
current = PAGE_VERSION.current
