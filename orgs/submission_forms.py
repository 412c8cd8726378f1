"""The public forms: suggest a correction, suggest an organisation, ask for something
to be hidden. ModelForms over Submission, whose fields take their lengths from the
fields they propose values for, so a reader is held to the admin's own validation.
Each has a honeypot field that people never see and bots fill in."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import FocusArea, Region, Submission

EMAIL_HELP = _("Optional, only if you would like a reply. Deleted 90 days after we close this.")


class SubmissionForm(forms.ModelForm):
    """What every public form shares: the honeypot, the email, kind and language."""

    kind = None
    # People do not see this field (CSS moves it off screen, assistive technology is
    # told to skip it); form-filling bots do, and fill it in.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, organisation=None, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        if "email" in self.fields:
            self.fields["email"].help_text = EMAIL_HELP
            self.fields["email"].label = _("Your email address")

    @property
    def is_bot(self):
        return bool(self.data.get(self.add_prefix("homepage")))

    def save(self, commit=True):
        submission = super().save(commit=False)
        submission.kind = self.kind
        submission.organisation = self.organisation
        submission.language = (get_language() or "en")[:2]
        if commit:
            submission.save()
            self.save_m2m()
        return submission


def page_facts(org):
    """The facts the organisation's public page shows, as (key, label) choices.

    `org` comes from `Organisation.objects.public().with_public_details()`: listing a
    hidden person or an unpublished partner here would name them.
    """
    facts = [("name", _("Name")), ("acronym", _("Acronym")), ("kind", _("Kind"))]
    if org.founded:
        facts.append(("founded", _("Founded")))
    facts.append(("headquarters", _("Headquarters")))
    for region in org.regions.all():
        facts.append((f"region:{region.slug}", _("Works in: %s") % region.label))
    for focus in org.focus_areas.all():
        facts.append((f"focus:{focus.slug}", _("Focus area: %s") % focus.label))
    if org.website:
        facts.append(("website", _("Website")))
    if org.description:
        facts.append(("description", _("About")))
    # `org` is read through the public read model: only what its page shows.
    for p in org.public_partnerships:
        facts.append((f"partnership:{p.pk}", _("Partner: %s") % p.partner))
    for person in org.public_people:
        facts.append((f"person:{person.pk}", _("Person: %s") % person.name))
    facts.append(("missing", _("Something missing from the page")))
    facts.append(("other", _("Something else")))
    return facts


class CorrectionForm(SubmissionForm):
    kind = Submission.Kind.CORRECTION

    about = forms.ChoiceField(label=_("Which fact is wrong or missing?"))

    class Meta:
        model = Submission
        fields = ["about", "message", "evidence", "email"]
        labels = {"message": _("What is wrong, and what is right?"), "evidence": _("Evidence")}
        help_texts = {
            "evidence": _(
                "A source is needed: a link to a public page or document, or a reference "
                "to one (title, publisher, page). We cannot change a fact without one."
            ),
        }
        widgets = {
            "message": forms.Textarea(attrs={"rows": 5}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fact_choices = page_facts(self.organisation)
        self.fields["about"].choices = [("", "—"), *self.fact_choices]
        self.fields["message"].required = True
        self.fields["evidence"].required = True

    def clean_about(self):
        # Stored as the label the reader chose, so the curator reads what they read.
        return str(dict(self.fact_choices)[self.cleaned_data["about"]])


class NewOrganisationForm(SubmissionForm):
    kind = Submission.Kind.NEW_ORGANISATION

    website = forms.URLField(
        label=_("Website"),
        max_length=Submission._meta.get_field("website").max_length,
        required=False,
        assume_scheme="https",
    )
    source_url = forms.URLField(
        label=_("Web address of the source"),
        max_length=Submission._meta.get_field("source_url").max_length,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Submission
        fields = [
            "name",
            "name_original",
            "acronym",
            "org_kind",
            "regions",
            "focus_areas",
            "website",
            "contact",
            "source_title",
            "source_publisher",
            "source_url",
            "source_locator",
            "source_quote",
            "email",
        ]
        labels = {
            "name": _("Name of the organisation"),
            "name_original": _("Name in its own language, if different"),
            "acronym": _("Acronym"),
            "org_kind": _("Kind of organisation"),
            "regions": _("Regions where it works"),
            "focus_areas": _("What it works on"),
            "contact": _("Other public contact"),
            "source_title": _("Title of a public source that names it"),
            "source_publisher": _("Who published the source"),
            "source_locator": _("Where in the source (page, section)"),
            "source_quote": _("What the source says about it"),
        }
        help_texts = {
            "contact": _("A public email address, telephone or social media page."),
            "source_title": _(
                "At least one public source is needed: a report, article or official "
                "list that says the organisation exists."
            ),
            "source_quote": _("Copy a sentence or two exactly as written."),
        }
        widgets = {
            "regions": forms.CheckboxSelectMultiple,
            "focus_areas": forms.CheckboxSelectMultiple,
            "source_quote": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["name", "org_kind", "source_title", "source_publisher"]:
            self.fields[name].required = True
        for name in ["source_locator", "source_quote"]:
            self.fields[name].required = True
        # Labels in the reader's language, ordered as they read them.
        regions = sorted(Region.objects.all(), key=lambda r: r.label)
        self.fields["regions"].choices = [(r.pk, r.label) for r in regions]
        areas = sorted(FocusArea.objects.all(), key=lambda f: f.label)
        self.fields["focus_areas"].choices = [(f.pk, f.label) for f in areas]


class RemovalForm(SubmissionForm):
    kind = Submission.Kind.REMOVAL

    class Meta:
        model = Submission
        fields = ["target", "person_name", "message", "email"]
        labels = {
            "target": _("What should be hidden or removed?"),
            "person_name": _("The person's name, if it is a person"),
            "message": _("Why? (never shown publicly)"),
        }
        help_texts = {
            "person_name": _(
                "Only curators read this. A person can be named in this page's sources "
                "even when the page does not show them."
            ),
            "message": _(
                "Only curators read this. Say what puts someone at risk, or what is wrong."
            ),
        }
        widgets = {
            "target": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].required = True
        self.fields["target"].choices = Submission.Target.choices
        self.fields["message"].required = True

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("target") == Submission.Target.PERSON and not cleaned_data.get(
            "person_name"
        ):
            self.add_error("person_name", _("Say which person, so we hide the right one."))
        return cleaned_data
