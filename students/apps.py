from django.apps import AppConfig


class StudentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "students"
    verbose_name = "学籍与底数"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import LadderPreset
        from .presets import forget_ladder_presets

        post_save.connect(forget_ladder_presets, sender=LadderPreset, dispatch_uid="ladder-presets")
        post_delete.connect(
            forget_ladder_presets, sender=LadderPreset, dispatch_uid="ladder-presets-del"
        )
