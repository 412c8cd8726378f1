"""How to reach an organisation: email, phone, postal address, social links.

Each is hidden from the public unless a curator ticks its own "show publicly"
switch, the same do-no-harm default as people: peacebuilders are threatened, and an
address or a phone number can lead someone to them. A sensitive organisation shows
none, whatever its switches. The rule is applied once, where records are read for
the public (orgs.public_text.present), so pages, API, exports and the snapshot can
only show what it leaves.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# (value field, its "show publicly" switch), in the order a page shows them.
FIELDS = [
    ("contact_email", "contact_email_public"),
    ("contact_phone", "contact_phone_public"),
    ("contact_address", "contact_address_public"),
    ("social_links", "social_links_public"),
]

PHONE_CHARS_RE = re.compile(r"^\(?\+?[0-9][0-9 .()/-]*$")
PHONE_DIGITS = (6, 15)  # a local number to E.164's longest


def validate_phone(value):
    """A phone number as people write it: digits, an optional leading +, and spaces,
    dots, hyphens, slashes or brackets between them; 6 to 15 digits."""
    digits = re.sub(r"\D", "", value)
    if not PHONE_CHARS_RE.match(value.strip()) or not (
        PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]
    ):
        raise ValidationError(
            _(
                "Enter a phone number of 6 to 15 digits, with + and the country code if "
                "abroad, such as +223 20 22 33 44. Only spaces, dots, hyphens and "
                "brackets may separate the digits."
            ),
            code="phone",
        )


def tel_href(phone):
    """The number as a tel: link wants it: digits, with its leading + if any."""
    international = phone.lstrip(" (").startswith("+")
    return ("+" if international else "") + re.sub(r"\D", "", phone)


def social_link_list(text):
    """The social links, one web address per line, as a list."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def validate_social_links(text):
    """One web address per line, each starting with http:// or https://."""
    from .models import validate_web_address

    bad = []
    for line in social_link_list(text):
        try:
            validate_web_address(line)
        except ValidationError:
            bad.append(line)
    if bad:
        raise ValidationError(
            _("Give one web address per line, each starting with https://: %(bad)s"),
            code="social_links",
            params={"bad": ", ".join(bad)},
        )


def fields_for(text):
    """A reader's free "other contact", as the contact field it belongs in.

    A suggestion has one free field for a public email, phone or social page; the
    draft made from it gets the value in its own field, hidden like every contact
    until a curator marks it public. Text that is none of these stays in the
    submission only, for the curator to read.
    """
    from django.core.validators import validate_email

    from .models import Organisation, validate_web_address

    text = (text or "").strip()
    for field, validate in [
        ("contact_email", validate_email),
        ("contact_phone", validate_phone),
        ("social_links", validate_web_address),
    ]:
        try:
            validate(text)
        except ValidationError:
            continue
        limit = Organisation._meta.get_field(field).max_length
        return {field: text} if limit is None or len(text) <= limit else {}
    return {}


def hide_private(fields):
    """Blank each contact the public may not see (see the module docstring), in
    `fields`: an organisation's stored values by field name, changed in place. A
    contact that is there needs its switch and `sensitive` there too."""
    for value, switch in FIELDS:
        if value in fields and (fields["sensitive"] or not fields[switch]):
            fields[value] = ""
