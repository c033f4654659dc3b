"""Seed 001's ladder ends with the school's one-week escalation (附件1 三(四),
§四(二)6 "对学生一周不到校……逐级向上反映"; DOMAIN §4: day 7), not the county's
10- and 15-day steps, and its report goes to three offices.

Updates the stored 001 preset and every county or township settings row that
still holds the old 001 steps unedited; an edited preset or ladder is left
alone. Reversible the same way.
"""

from django.db import migrations

OLD_LABEL = "呼图壁县（001）：1日电话、2日校领导家访、3日联合家访、报告单、每周逐级上报"
NEW_LABEL = "呼图壁县（001）：1日电话、2日校领导家访、3日联合家访、5日报告单、一周逐级上报"
_HEAD = [
    {
        "day": 1,
        "todo": "call",
        "role": "teacher",
        "due": 0,
        "action": "班主任电话或上门随访，填写劝学记录表，报教务处",
    },
    {
        "day": 2,
        "todo": "leader_visit",
        "role": "school_admin",
        "due": 0,
        "action": "教务处登记，分管领导当日同班主任家访",
    },
    {
        "day": 3,
        "todo": "joint_visit",
        "role": "school_admin",
        "due": 0,
        "action": "校领导研究控辍方案，通知村（社区），有村委会成员参加的集体家访",
    },
]
_REPORT = {
    "day": 5,
    "todo": "report",
    "role": "school_admin",
    "due": 0,
    "action": "集体家访未果：填报《疑似辍学学生劝学返校报告单》一式三份报教育局、督导室、乡镇",
}
OLD_STEPS = [
    *_HEAD,
    _REPORT,
    {
        "day": 10,
        "todo": "escalate",
        "role": "county",
        "due": 0,
        "action": "一周仍未返校：逐级上报，派专人跟进",
    },
    {
        "day": 15,
        "todo": "escalate",
        "role": "county",
        "due": 0,
        "action": "两周仍未返校：逐级上报，派专人跟进",
    },
]
NEW_STEPS = [
    *_HEAD,
    {**_REPORT, "recipients": ["bureau", "inspectorate", "township"]},
    {
        "day": 7,
        "todo": "escalate",
        "role": "school_admin",
        "due": 0,
        "action": "一周仍未返校：学校将无法解决的实际困难逐级向上反映，派专人负责跟进，直至学生正常返校",
    },
]


def _swap(apps, old_steps, new_steps, old_label, new_label):
    LadderPreset = apps.get_model("students", "LadderPreset")
    for preset in LadderPreset.objects.filter(key="001"):
        if preset.steps == old_steps:
            preset.steps = new_steps
            if preset.label == old_label:
                preset.label = new_label
            preset.save(update_fields=["steps", "label"])
    Settings = apps.get_model("students", "JurisdictionSettings")
    for row in Settings.objects.all():
        if row.ladder == old_steps:
            row.ladder = new_steps
            row.save(update_fields=["ladder"])


def forwards(apps, schema_editor):
    _swap(apps, OLD_STEPS, NEW_STEPS, OLD_LABEL, NEW_LABEL)


def backwards(apps, schema_editor):
    _swap(apps, NEW_STEPS, OLD_STEPS, NEW_LABEL, OLD_LABEL)


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0013_settings_document_prefix"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
