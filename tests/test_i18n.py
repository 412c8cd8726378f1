"""French and English: the language switch, French labels, complete translation files."""

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.html import escape

from orgs.models import FocusArea, Organisation

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_every_page_has_a_language_switch_that_returns_to_it(client, directory):
    page = client.get("/en/orgs/?region=mopti&page=1").content.decode()
    assert (
        '<a href="/fr/orgs/?region=mopti&amp;page=1" hreflang="fr" lang="fr">Français</a>' in page
    )
    assert "set_language" not in page and 'class="lang" action=' not in page


def test_switching_to_french_without_javascript(client, directory):
    english = client.get("/en/orgs/?region=mopti").content.decode()
    link = re.search(r'<a href="([^"]+)" hreflang="fr" lang="fr">Français</a>', english)[1]
    page = client.get(html.unescape(link)).content.decode()
    assert '<html lang="fr">' in page
    assert "Rechercher par nom, lieu ou thème" in page
    assert '<a href="/en/orgs/?region=mopti" hreflang="en" lang="en">English</a>' in page
    assert client.cookies == {}  # nothing remembered: the address is the choice


def test_french_pages_show_french_region_and_focus_labels(client, directory):
    page = client.get("/fr/orgs/").content.decode()
    assert 'value="tombouctou"> Tombouctou <span' in page
    for focus in FocusArea.objects.all():
        assert f'value="{focus.slug}"> {escape(focus.label_fr)} <span' in page
    assert "Domaine d’action" in page and "Type" in page


def test_english_pages_show_english_region_labels(client, directory):
    page = client.get("/en/orgs/").content.decode()
    assert 'value="tombouctou"> Timbuktu <span' in page


def test_model_choice_labels_are_translated(client, directory):
    listing = client.get("/fr/orgs/").content.decode()
    assert "Association locale" in listing and "ONG nationale" in listing
    assert "Nord" in listing and "Centre" in listing and "Sud" in listing
    detail = client.get("/fr/orgs/youth-mopti/").content.decode()
    assert "Financée par <a" in detail  # the relation
    assert "Région d’intervention" in detail  # the fact of a citation
    assert "D’après des sources publiques uniquement" in detail  # verification
    donor = client.get("/fr/orgs/donor-fund/").content.decode()
    assert "Finance <a" in donor  # the inverse relation


def test_the_browser_language_is_used_when_no_choice_was_made(client, directory):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9", follow=True).content.decode()
    assert "Trouver des organisations de la société civile au Mali" in page


def test_no_translation_is_missing_or_fuzzy():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.reads_source
def test_the_po_file_holds_every_string_the_code_marks_and_no_other(tmp_path):
    """The file is what `makemessages` writes (the README's command): a string it would
    add is untranslated on every French page, one it would drop is dead. `_()` inside
    an f-string is not found, and a later run silently dropped its translation."""
    base = Path(settings.BASE_DIR)
    for tree in ("directory", "orgs", "templates", "locale"):
        shutil.copytree(base / tree, tmp_path / tree, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(base / "manage.py", tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr"]
        + ["--no-location", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    written = (tmp_path / PO.relative_to(base)).read_text()
    undated = re.compile(r'^"POT-Creation-Date: .*$', re.MULTILINE)
    assert undated.sub("", written) == undated.sub("", PO.read_text())


def test_the_committed_mo_file_is_compiled_from_the_po_file(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes()


def test_every_kind_has_a_french_label():
    from django.utils import translation

    with translation.override("fr"):
        labels = [str(label) for _, label in Organisation.Kind.choices]
    with translation.override("en"):
        english = [str(label) for _, label in Organisation.Kind.choices]
    assert sum(fr != en for fr, en in zip(labels, english, strict=True)) >= 6  # Consortium...
