"""A dated snapshot of all published data in one JSON file, for the Data page.

Built by `manage.py build_snapshot` (after loading data, and then daily), never on
a reader's request: at 100,000 organisations serialising everything takes far
longer than a page may. Every organisation is written by the API's own
serialisation (orgs.api), so the snapshot shows exactly what the API shows and
withholds what it withholds.
"""

import datetime
import json
import os
import re
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone

from . import licence
from .api import (
    api_organisations,
    focus_areas_data,
    regions_data,
    serialize_organisation,
    sources_data,
)

PREFIX = "mali-cso-directory-"
NAME = re.compile(rf"^{PREFIX}(\d{{4}}-\d{{2}}-\d{{2}})\.json$")
CHUNK_SIZE = 500


class BaseURL:
    """What the API's serialisation needs of a request: absolute addresses."""

    def __init__(self, base_url):
        self.base_url = base_url

    def build_absolute_uri(self, location):
        return urljoin(self.base_url, location)


def directory():
    return Path(settings.SNAPSHOT_DIR)


def latest():
    """(path, date, size in bytes) of the newest snapshot, or None."""
    found = sorted(
        (m.group(1), p) for p in directory().glob(f"{PREFIX}*.json") if (m := NAME.match(p.name))
    )
    if not found:
        return None
    day, path = found[-1]
    return path, datetime.date.fromisoformat(day), path.stat().st_size


def build(base_url):
    """Write today's snapshot (replacing older ones) and return its path."""
    request = BaseURL(base_url)
    now = timezone.now()
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PREFIX}{timezone.localdate(now).isoformat()}.json"
    partial = path.with_suffix(".json.partial")
    head = {
        "title": licence.TITLE,
        "url": base_url,
        "generated": now.isoformat(timespec="seconds"),
        "licence": {"name": licence.NAME, "spdx": licence.SPDX, "url": licence.URL},
        "regions": regions_data(),
        "focus_areas": focus_areas_data(),
        "sources": sources_data(),
    }
    with open(partial, "w", encoding="utf-8") as out:
        # Streamed organisation by organisation, so a large directory never sits in memory.
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "organisations": [')
        organisations = api_organisations().order_by("slug").iterator(chunk_size=CHUNK_SIZE)
        for i, org in enumerate(organisations):
            out.write(("," if i else "") + "\n")
            out.write(json.dumps(serialize_organisation(org, request), ensure_ascii=False))
        out.write("\n]}\n")
    os.replace(partial, path)  # readers never see a half-written file
    for old in folder.glob(f"{PREFIX}*.json"):
        if old != path and NAME.match(old.name):
            old.unlink()
    return path
