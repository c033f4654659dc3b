"""Load the seeds' ladder presets (fixtures/ladder_presets.json) once.

Rows already there are left alone: re-running changes nothing.
"""

from django.db import migrations


def load_ladder_presets(apps, schema_editor):
    from students.presets import install

    install(apps.get_model("students", "LadderPreset"), "ladder_presets.json", key=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0002_settings_deadlines_and_ladder_presets"),
    ]

    operations = [
        migrations.RunPython(load_ladder_presets, migrations.RunPython.noop),
    ]
