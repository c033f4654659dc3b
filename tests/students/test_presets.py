"""Reference data in fixtures/: the seeds' ladders (004, 001) and the
dispositions' evidence lists (000 附件3), loaded once by data migrations and
read from the database; a county's settings start from a preset and keep
their own edits."""

import importlib
import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from cases import dispositions as rules
from cases.models import Disposition, EvidencePreset
from students.models import JurisdictionSettings, LadderPreset
from students.selectors import settings_for

K = Disposition.Kind
ROOT = Path(__file__).resolve().parents[2]


def _migration(app, name):
    return importlib.import_module(f"{app}.migrations.{name}")


def test_the_fixtures_live_in_the_project_root_fixture_dir():
    assert ROOT / "fixtures" in [Path(p) for p in settings.FIXTURE_DIRS]
    for name in ("ladder_presets.json", "disposition_evidence.json"):
        assert json.loads((ROOT / "fixtures" / name).read_text(encoding="utf-8"))


def test_the_presets_are_in_the_database_after_migrate(db):
    assert list(LadderPreset.objects.values_list("key", flat=True)) == ["004", "001", "enrol-002"]
    default = LadderPreset.objects.get(is_default=True)
    assert default.key == "004" and [s["day"] for s in default.steps] == [1, 3, 3, 5]
    # 001: the school's one-week escalation (附件1, §四(二)6; DOMAIN §4: day 7)
    assert [s["day"] for s in LadderPreset.objects.get(key="001").steps] == [1, 2, 3, 5, 7]
    assert set(EvidencePreset.objects.values_list("kind", flat=True)) == set(K.values)
    joint = EvidencePreset.objects.get(kind=K.COUNTY_REVIEW, code="joint_persuasions")
    assert (joint.count, joint.source) == (3, "joint")
    assert "能证明学生本人在场" in joint.label  # 000 附件3's words


def test_the_code_reads_the_presets_from_the_database(world):
    preset = LadderPreset.objects.get(is_default=True)
    preset.steps = preset.steps[:2]
    preset.save()
    assert [s["day"] for s in settings_for(county=world.county).ladder] == [1, 3]
    EvidencePreset.objects.filter(kind=K.SUSPENSION, code="application").update(
        label="休学申请表（家长签字）"
    )
    EvidencePreset.objects.get(kind=K.SUSPENSION, code="diagnosis").save()  # a saved change
    labels = [e.label for e in rules.REGISTRY[K.SUSPENSION].evidence]
    assert labels == ["县级以上医院建议休学诊断证明", "休学申请表（家长签字）"]


def test_a_new_county_starts_from_the_preset_and_keeps_its_own_edits(world):
    row = JurisdictionSettings.objects.create(county=world.county)
    assert row.ladder == LadderPreset.objects.get(key="004").steps
    row.ladder = [dict(step, action="县里自己的说法") for step in row.ladder]
    row.save()
    edited = LadderPreset.objects.get(key="001")
    edited.label = "呼图壁县（改）"
    edited.save()
    LadderPreset.objects.filter(key="004").delete()
    EvidencePreset.objects.filter(kind=K.GRADUATION, code="exam_photos").update(label="考试照片")

    # A deploy runs the data migrations' functions again: nothing is overwritten.
    _migration("students", "0003_load_ladder_presets").load_ladder_presets(apps, None)
    _migration("cases", "0003_load_evidence_presets").load_evidence_presets(apps, None)

    row.refresh_from_db()
    assert {step["action"] for step in row.ladder} == {"县里自己的说法"}
    assert LadderPreset.objects.get(key="001").label == "呼图壁县（改）"
    assert LadderPreset.objects.filter(key="004").exists()  # a missing preset comes back
    assert EvidencePreset.objects.get(kind=K.GRADUATION, code="exam_photos").label == "考试照片"
    assert EvidencePreset.objects.filter(kind=K.GRADUATION).count() == 5


def test_loaddata_of_the_fixtures_is_harmless(world):
    row = JurisdictionSettings.objects.create(county=world.county)
    row.ladder = row.ladder[:1]
    row.save()
    before = (LadderPreset.objects.count(), EvidencePreset.objects.count())
    call_command("loaddata", "ladder_presets", "disposition_evidence", verbosity=0)
    assert (LadderPreset.objects.count(), EvidencePreset.objects.count()) == before
    row.refresh_from_db()
    assert len(row.ladder) == 1  # the county's settings are its own copy


def test_the_settings_page_offers_the_presets_from_the_database(world, login):
    from django.urls import reverse

    LadderPreset.objects.filter(key="001").update(label="呼图壁县（库中名称）")
    LadderPreset.objects.get(key="001").save()
    page = login(world.county_user).get(reverse("jurisdiction_settings")).content.decode()
    assert "呼图壁县（库中名称）" in page
