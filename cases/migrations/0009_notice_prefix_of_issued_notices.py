"""Notices issued before the 机关代字 setting get their township's prefix
(its own setting, else the default from its name: 蛟潭镇 → 蛟府教), so their
发文字号 reads 机关代字〔年份〕序号 like every new one."""

from django.db import migrations


def forwards(apps, schema_editor):
    ReturnNotice = apps.get_model("cases", "ReturnNotice")
    Settings = apps.get_model("students", "JurisdictionSettings")
    own = dict(
        Settings.objects.filter(township__isnull=False)
        .exclude(document_prefix="")
        .values_list("township_id", "document_prefix")
    )
    for notice in ReturnNotice.objects.filter(prefix="").select_related("township"):
        name = notice.township.name or "乡"
        notice.prefix = own.get(notice.township_id) or f"{name[:1]}府教"
        notice.save(update_fields=["prefix"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_notice_kinds_recipients_step_overrides"),
        ("students", "0013_settings_document_prefix"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
