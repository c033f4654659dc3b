"""The reference data in fixtures/ (FIXTURE_DIRS): read the files, install
them once, and read the presets back.

Data migrations call `install()` with their historical models: it creates the
rows a fixture has and the database lacks, and never changes a row that is
there (a preset someone edited stays edited; running it again does nothing).
`manage.py loaddata <name>` of the same files is harmless: the rows carry
natural keys, so it resets the presets to the seeds and touches no county's
settings (those are copies).
"""

import functools
import json
from pathlib import Path

from django.conf import settings
from django.core.cache import cache


def fixture_path(name):
    for folder in settings.FIXTURE_DIRS:
        path = Path(folder) / name
        if path.exists():
            return path
    raise FileNotFoundError(f"fixture {name} not found in FIXTURE_DIRS")


@functools.cache
def fixture_rows(name, model):
    """The `fields` of each object of `model` ("app.model") in a fixture file."""
    with fixture_path(name).open(encoding="utf-8") as f:
        return [obj["fields"] for obj in json.load(f) if obj["model"] == model]


def install(model, name, *, key):
    """Create the fixture's rows of `model` (a historical model in a
    migration) that are missing, found by the `key` fields. Returns how many."""
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    created = 0
    for fields in fixture_rows(name, label):
        lookup = {k: fields[k] for k in key}
        defaults = {k: v for k, v in fields.items() if k not in key}
        created += model.objects.get_or_create(**lookup, defaults=defaults)[1]
    return created


LADDER_FIXTURE = "ladder_presets.json"
# Every unsaved JurisdictionSettings (a county without its own row) reads the
# default ladder: the presets are cached briefly, and dropped on any change
# (post_save / post_delete, loaddata included; students/apps.py).
LADDER_CACHE_KEY = "presets:ladders"
LADDER_CACHE_SECONDS = 300


def forget_ladder_presets(**kwargs):
    cache.delete(LADDER_CACHE_KEY)


# The ladders of never-enrolled children (未入学): presets whose key starts so.
ENROLMENT_PREFIX = "enrol"


def ladder_presets(*, enrolment=False):
    """[(key, label, steps, is_default)] of the absence ladder presets (or,
    with `enrolment`, of the 未入学 ladders), in order.

    From the database; the shipped fixture only when the table is empty (a
    test database flushed after a transactional test).
    """
    rows = cache.get(LADDER_CACHE_KEY)
    if rows is None:
        rows = _ladder_presets()
        cache.set(LADDER_CACHE_KEY, rows, LADDER_CACHE_SECONDS)
    return [r for r in rows if r[0].startswith(ENROLMENT_PREFIX) == enrolment]


def _ladder_presets():
    from .models import LadderPreset

    rows = list(LadderPreset.objects.values_list("key", "label", "steps", "is_default"))
    if not rows:
        rows = [
            (r["key"], r["label"], r["steps"], r.get("is_default", False))
            for r in sorted(
                fixture_rows(LADDER_FIXTURE, "students.ladderpreset"),
                key=lambda r: (r.get("position", 0), r["key"]),
            )
        ]
    return rows


def default_ladder_steps():
    """A copy of the default preset's steps (seed 004, 蛟潭镇: 1 / 3 / 5 days)."""
    presets = ladder_presets()
    steps = next((steps for _, _, steps, default in presets if default), presets[0][2])
    return [dict(step) for step in steps]


def default_enrolment_ladder_steps():
    """A copy of the first 未入学 ladder preset's steps (village visit →
    township visit → 限期入学通知 → placement by age)."""
    presets = ladder_presets(enrolment=True)
    if not presets:  # a database from before the preset: the shipped file
        presets = [
            (r["key"], r["label"], r["steps"], False)
            for r in fixture_rows(LADDER_FIXTURE, "students.ladderpreset")
            if r["key"].startswith(ENROLMENT_PREFIX)
        ]
    return [dict(step) for step in presets[0][2]]
