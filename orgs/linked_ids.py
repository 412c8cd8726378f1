"""An organisation's region and focus-area ids, gathered by the database into its row.

The listing's cards and the exports read the links of many organisations at once.
A query per link table, and a list per row, cost more than the rows themselves; an
annotation that gathers the ids into one text ("3,7") per row is read in the same
query, and the text is also a cheap key for remembering what a set of links gives.
"""

from django.db import connection
from django.db.models import CharField
from django.db.models.expressions import RawSQL

from .models import Organisation


def linked_ids(relation):
    """The ids an organisation's many-to-many `relation` links it to, as one text of
    comma-separated ids (in no particular order), or NULL when it has none."""
    field = Organisation._meta.get_field(relation)
    through = field.remote_field.through._meta
    quote = connection.ops.quote_name
    own = quote(field.m2m_column_name())
    other = quote(field.m2m_reverse_name())
    if connection.vendor == "postgresql":
        gathered = f"string_agg(link.{other}::text, ',')"
    else:
        gathered = f"group_concat(link.{other}, ',')"
    organisation = f"{quote(Organisation._meta.db_table)}.{quote('id')}"
    return RawSQL(
        f"SELECT {gathered} FROM {quote(through.db_table)} link WHERE link.{own} = {organisation}",
        [],
        output_field=CharField(),
    )


def link_ids(text):
    """The ids of a row's gathered text (see `linked_ids`)."""
    return [int(pk) for pk in text.split(",")] if text else []


# The order the cards and the files list an organisation's links in.
def regions_in_order(gathered, regions):
    """The regions of a row's gathered ids (`regions`: id -> region), by official name."""
    return sorted((regions[pk] for pk in link_ids(gathered)), key=lambda region: region.name)


def focus_areas_in_order(gathered, focus_areas):
    """The focus areas of a row's gathered ids (`focus_areas`: id -> area), by English
    label."""
    return sorted((focus_areas[pk] for pk in link_ids(gathered)), key=lambda area: area.label_en)
