from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "个案管理"

    def ready(self):
        from students.signals import demo_seeded

        from . import demo

        # `manage.py seed_demo` also gives 示范县 its school calendar.
        demo_seeded.connect(demo.on_demo_seeded, dispatch_uid="cases.demo.seed_calendar")

        from django.db.models.signals import post_delete, post_save

        from .dispositions.rules import forget_evidence_presets
        from .models import EvidencePreset

        post_save.connect(forget_evidence_presets, sender=EvidencePreset, dispatch_uid="evidence")
        post_delete.connect(
            forget_evidence_presets, sender=EvidencePreset, dispatch_uid="evidence-del"
        )
