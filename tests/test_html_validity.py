"""The Nu HTML Checker (vnu.jar, the W3C validator) finds no error in any page the
site serves, public or curators', in French and English, nor in our stylesheets.

vnu.jar comes from npm (package.json, installed by `.ci/test`) and runs on Debian's
Java. Starting the JVM costs seconds, so every page is fetched once with the test
client, written to a folder, and checked in one run.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from .pages import LANGUAGES, admin_pages, curator, public_pages, with_notes_side_by_side

VNU = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist"
STYLESHEETS = ["css/site.css", "css/admin.css"]
# The checker's CSS part lags behind browsers: what it wrongly calls an error.
NOT_ERRORS = [
    # SVG 2 and CSS Fill and Stroke: the map's labels draw their halo under the text.
    "CSS: “paint-order”: Property “paint-order” doesn't exist.",
]


def nu_check(folder):
    """Every message of the Nu HTML Checker on the files in `folder`."""
    java = shutil.which("java")
    if java is None or not (VNU / "vnu.jar").exists():
        pytest.fail("Java and vnu.jar are needed: run `bash .ci/test`, which installs them")
    result = subprocess.run(
        # The quick compiler alone halves the checker's time on a few dozen pages; its
        # schema needs a deeper stack than the default.
        [java, "-Xss2m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
        + ["-jar", str(VNU / "vnu.jar"), "--format", "json", "--also-check-css", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(result.stderr)["messages"]


def readable(messages, files):
    return "\n".join(
        f"{files[Path(m['url'].removeprefix('file:')).name]}:{m.get('lastLine', '?')}: "
        f"{m['message']}\n      {m.get('extract', '').strip()[:160]}"
        for m in messages
    )


def test_no_page_or_stylesheet_has_an_error(client, directory, tmp_path):
    files = {}

    def keep(name, url, response, expected=200):
        assert response.status_code == expected, (name, url, response.status_code)
        file = f"{len(files):02}.html"
        (tmp_path / file).write_bytes(response.content)
        files[file] = f"{name} {url}"

    with_notes_side_by_side(directory)
    for language in LANGUAGES:
        for name, url in public_pages(language):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            keep(f"{name} ({language})", url, response, 404 if name == "not found" else 200)
    user = curator(directory)
    client.force_login(user)
    for name, url in admin_pages(directory, user):
        keep(name, url, client.get(url))
    for stylesheet in STYLESHEETS:
        shutil.copy(finders.find(stylesheet), tmp_path / Path(stylesheet).name)
        files[Path(stylesheet).name] = stylesheet

    # Positive control: a page with a known error, checked in the same run.
    (tmp_path / "broken.html").write_text(
        "<!doctype html><html lang=en><title>x</title><p><div></p>"
    )
    files["broken.html"] = "broken (control)"

    messages = nu_check(tmp_path)
    checked = {Path(m["url"].removeprefix("file:")).name for m in messages}
    assert "broken.html" in checked
    errors = [
        m
        for m in messages
        if m["type"] != "info" and "broken" not in m["url"] and m["message"] not in NOT_ERRORS
    ]
    warnings = [m for m in messages if m["type"] == "info" and m.get("subType") == "warning"]
    if warnings:
        print("Nu HTML Checker warnings:\n" + readable(warnings, files))
    assert not errors, f"{len(errors)} errors:\n" + readable(errors, files)
