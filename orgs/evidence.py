"""Every public fact cited, and every citation about a fact the organisation has.

The directory promises that each fact it shows is cited to a public source. This
module is where that promise is decided, once; everything that writes organisations
(the admin, `load_seeds`, `import_directory`) asks it about the database as its
writes left it, inside its transaction, and refuses to commit when it objects.

An organisation's public facts: its existence, its founding year (when set), its
headquarters (when set), every region it works in, every focus area, every
partnership it names (a partnership's citation may be filed on either side), and
every person the public may see (marked public, of an organisation that is not
sensitive). Hidden people are not shown, so they need no citation to publish,
though any citation they have must concern them.

A citation must concern a fact its organisation has: a region it works in or is
headquartered in, one of its focus areas, a partnership it names or is named in,
one of its people, its founding year or headquarters when it has them.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .models import Citation, Organisation, Partnership, Person

CHUNK = 500  # organisations examined per round of queries


class EvidenceRefused(Exception):
    """The writes would leave an organisation with an uncited public fact or a stray
    citation; `problems` maps each such organisation to its messages."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(self.messages()))

    def messages(self):
        return [message for messages in self.problems.values() for message in messages]


@dataclass
class Findings:
    """What is wrong with one organisation's evidence."""

    organisation: Organisation
    uncited: list = field(default_factory=list)  # labels of public facts with no citation
    stray: list = field(default_factory=list)  # messages about citations of absent facts

    def messages(self, as_published=False):
        """The problems that block writing it, in the reader's language."""
        messages = []
        if self.uncited and (
            as_published or self.organisation.status == Organisation.Status.PUBLISHED
        ):
            messages.append(
                _(
                    "%(org)s: every public fact of a published organisation needs a "
                    "citation; none for %(facts)s."
                )
                % {"org": self.organisation, "facts": "; ".join(self.uncited)}
            )
        return messages + self.stray


def fact_label(fact, subject=None):
    """A fact as a curator reads it: “region of work: Gao”."""
    label = Citation.Fact(fact).label
    if subject in (None, ""):
        return str(label)
    return _("%(fact)s: %(subject)s") % {"fact": label, "subject": subject}


def headquarters(org):
    place = [org.hq_town, org.hq_region.label if org.hq_region_id else ""]
    return ", ".join(part for part in place if part)


def public_facts(org):
    """(fact, subject id, label) for every public fact of `org`."""
    Fact = Citation.Fact
    facts = [(Fact.EXISTENCE, None, fact_label(Fact.EXISTENCE))]
    if org.founded is not None:
        facts.append((Fact.FOUNDED, None, fact_label(Fact.FOUNDED, org.founded)))
    if org.hq_region_id or org.hq_town:
        facts.append((Fact.HEADQUARTERS, None, fact_label(Fact.HEADQUARTERS, headquarters(org))))
    facts += [(Fact.REGION, r.pk, fact_label(Fact.REGION, r.label)) for r in org.regions.all()]
    facts += [(Fact.FOCUS, f.pk, fact_label(Fact.FOCUS, f.label)) for f in org.focus_areas.all()]
    facts += [
        (Fact.PARTNERSHIP, p.pk, fact_label(Fact.PARTNERSHIP, p)) for p in org.partnerships.all()
    ]
    if not org.sensitive:
        facts += [
            (Fact.PERSON, p.pk, fact_label(Fact.PERSON, p.name))
            for p in org.people.all()
            if p.is_public
        ]
    return facts


def subject_id(citation):
    field_name = Citation.SUBJECT_FIELDS.get(citation.fact)
    return getattr(citation, f"{field_name}_id") if field_name else None


def concern_problem(citation, org):
    """Why `citation` does not concern a fact `org` has, or None when it does."""
    Fact = Citation.Fact
    fact = citation.fact
    if fact == Fact.REGION and citation.region_id:
        ids = {r.pk for r in org.regions.all()} | {org.hq_region_id}
        if citation.region_id not in ids:
            return _("%(region)s is not a region where %(org)s works or has its headquarters.") % {
                "region": citation.region,
                "org": org,
            }
    elif fact == Fact.FOCUS and citation.focus_area_id:
        if citation.focus_area_id not in {f.pk for f in org.focus_areas.all()}:
            return _("%(focus)s is not one of the focus areas of %(org)s.") % {
                "focus": citation.focus_area,
                "org": org,
            }
    elif fact == Fact.PARTNERSHIP and citation.partnership_id:
        partnership = citation.partnership
        if org.pk not in (partnership.organisation_id, partnership.partner_id):
            return _("The partnership “%(partnership)s” does not involve %(org)s.") % {
                "partnership": partnership,
                "org": org,
            }
    elif fact == Fact.PERSON and citation.person_id:
        if citation.person.organisation_id != org.pk:
            return _("%(person)s is not one of the people of %(org)s.") % {
                "person": citation.person,
                "org": org,
            }
    elif fact == Fact.FOUNDED and org.founded is None:
        return _("%(org)s has no founding year to cite.") % {"org": org}
    elif fact == Fact.HEADQUARTERS and not (org.hq_region_id or org.hq_town):
        return _("%(org)s has no headquarters to cite.") % {"org": org}
    return None


def validate_citation(citation):
    """Model validation (Citation.clean): the fact must be one the organisation has.

    Reads the organisation as stored. The organisation's own change form, which may
    add the fact and its citation together, is checked after its writes instead.
    """
    if not citation.organisation_id or not citation.fact:
        return
    org = Organisation.objects.get(pk=citation.organisation_id)
    problem = concern_problem(citation, org)
    if problem:
        raise ValidationError({Citation.SUBJECT_FIELDS.get(citation.fact, "fact"): problem})


def _examined(pks):
    return (
        Organisation.objects.filter(pk__in=pks)
        .select_related("hq_region")
        .prefetch_related(
            "regions",
            "focus_areas",
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.select_related("organisation", "partner")
                .prefetch_related("citations")
                .order_by("pk"),
            ),
            Prefetch("people", queryset=Person.objects.order_by("pk")),
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related(
                    "source",
                    "region",
                    "focus_area",
                    "person",
                    "partnership__organisation",
                    "partnership__partner",
                ).order_by("fact", "pk"),
            ),
        )
        .order_by("pk")
    )


def findings(org):
    """The Findings of one organisation fetched by _examined()."""
    own = org.citations.all()
    cited = {(c.fact, subject_id(c)) for c in own}
    cited |= {
        (Citation.Fact.PARTNERSHIP, p.pk) for p in org.partnerships.all() if p.citations.all()
    }
    found = Findings(org)
    found.uncited = [label for fact, pk, label in public_facts(org) if (fact, pk) not in cited]
    for citation in own:
        problem = concern_problem(citation, org)
        if problem:
            found.stray.append(
                _("A citation of %(fact)s from “%(source)s” (%(locator)s): %(problem)s")
                % {
                    "fact": citation.get_fact_display(),
                    "source": citation.source,
                    "locator": citation.locator,
                    "problem": problem,
                }
            )
    return found


def examine(pks):
    """Findings for every organisation in `pks` (ids), in id order, a chunk at a time."""
    pks = sorted(set(pks))
    for start in range(0, len(pks), CHUNK):
        for org in _examined(pks[start : start + CHUNK]):
            yield findings(org)


def problems(pks, as_published=False):
    """{organisation: [messages]} for those in `pks` that cannot be stored as they are."""
    found = {}
    for finding in examine(pks):
        messages = finding.messages(as_published)
        if messages:
            found[finding.organisation] = messages
    return found


def require(pks):
    """Raise EvidenceRefused unless every organisation in `pks` stands up as stored."""
    found = problems(pks)
    if found:
        raise EvidenceRefused(found)


def organisations_touched(*objects):
    """Ids of the organisations whose evidence a change to these objects can affect.

    A citation of a partnership may be filed on either side, so a partnership (or its
    citation) touches its organisation, and every organisation holding its citations.
    """
    pks = set()
    for obj in objects:
        if obj is None:
            continue
        if isinstance(obj, Organisation):
            pks.add(obj.pk)
            partnerships = Partnership.objects.filter(organisation=obj)
        elif isinstance(obj, Partnership):
            pks.add(obj.organisation_id)
            partnerships = Partnership.objects.filter(pk=obj.pk)
        elif isinstance(obj, Citation):
            pks.add(obj.organisation_id)
            partnerships = Partnership.objects.filter(pk=obj.partnership_id)
        elif isinstance(obj, Person):
            pks.add(obj.organisation_id)
            continue
        else:
            raise TypeError(obj)
        pks |= set(partnerships.values_list("organisation_id", flat=True))
        pks |= set(
            Citation.objects.filter(partnership__in=partnerships).values_list(
                "organisation_id", flat=True
            )
        )
    pks.discard(None)
    return pks
