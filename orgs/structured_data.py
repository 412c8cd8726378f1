"""JSON-LD for an organisation's page: schema.org `NGO` or `Organization`.

Built only from what the page itself shows through the public read model
(`Organisation.objects.public().with_public_details()`): names, regions of work,
founding year, the networks it is a member of (public partnerships only), its
website and the contacts a curator made public (the read model blanks the others).
No person, no town, no free text: the description is the page's factual summary,
so nothing withheld can reach a search engine through here. Names lead in the
page's language, as the page does: a French page says the French name.
"""

import json

from django.utils.safestring import mark_safe

from . import contacts
from .models import Organisation, Partnership

# Civil-society kinds are NGOs in schema.org's sense; donors, think tanks and
# government agencies are organisations of other sorts.
NGO_KINDS = {
    Organisation.Kind.LOCAL_ASSOCIATION,
    Organisation.Kind.NATIONAL_NGO,
    Organisation.Kind.NETWORK,
    Organisation.Kind.CONSORTIUM,
    Organisation.Kind.INTERNATIONAL_NGO,
}
# As Django's json_script: nothing in the data can close the <script> element.
ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def organisation_data(org, request, description):
    """The schema.org description of a public organisation (from `public()`)."""
    absolute = request.build_absolute_uri
    name = org.names.first.text
    others = [org.name, org.name_original, org.acronym]
    data = {
        "@context": "https://schema.org",
        "@type": "NGO" if org.kind in NGO_KINDS else "Organization",
        "name": name,
        "alternateName": [n for n in dict.fromkeys(others) if n and n != name],
        "url": absolute(org.get_absolute_url()),
        "description": description,
        "areaServed": [
            {
                "@type": "AdministrativeArea",
                "name": region.label,
                "url": absolute(region.get_absolute_url()),
            }
            for region in org.regions.all()
        ],
        "memberOf": [
            {
                "@type": "Organization",
                "name": p.partner.names.first.text,
                "url": absolute(p.partner.get_absolute_url()),
            }
            for p in org.public_partnerships
            if p.relation == Partnership.Relation.MEMBER_OF
        ],
    }
    if org.founded:
        data["foundingDate"] = str(org.founded)
    if org.contact_email:
        data["email"] = org.contact_email
    if org.contact_phone:
        data["telephone"] = org.contact_phone
    if org.contact_address:
        data["address"] = org.contact_address
    data["sameAs"] = [org.website] if org.website else []
    data["sameAs"] += contacts.social_link_list(org.social_links)
    return {key: value for key, value in data.items() if value != []}


def as_script(data):
    """The `<script type="application/ld+json">` element for `data`."""
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
