"""Load the dispositions' evidence lists of seed 000 附件3
(fixtures/disposition_evidence.json) once.

Rows already there are left alone: re-running changes nothing.
"""

from django.db import migrations


def load_evidence_presets(apps, schema_editor):
    from students.presets import install

    install(
        apps.get_model("cases", "EvidencePreset"),
        "disposition_evidence.json",
        key=["kind", "code"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_term_start_check_and_evidence_presets"),
    ]

    operations = [
        migrations.RunPython(load_evidence_presets, migrations.RunPython.noop),
    ]
