"""Load the 未入学 ladder preset (fixtures/ladder_presets.json, key enrol-002):
install() creates the presets the database lacks and changes none it has."""

from django.db import migrations


def load_enrolment_preset(apps, schema_editor):
    from students.presets import install

    install(apps.get_model("students", "LadderPreset"), "ladder_presets.json", key=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0010_history_reason_text"),
    ]

    operations = [
        migrations.RunPython(load_enrolment_preset, migrations.RunPython.noop),
    ]
