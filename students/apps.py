from django.apps import AppConfig


class StudentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "students"
    verbose_name = "学籍与底数"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_delete, post_save

        from .audit.services import on_logged_in, on_login_failed
        from .models import LadderPreset
        from .presets import forget_ladder_presets

        post_save.connect(forget_ladder_presets, sender=LadderPreset, dispatch_uid="ladder-presets")
        post_delete.connect(
            forget_ladder_presets, sender=LadderPreset, dispatch_uid="ladder-presets-del"
        )
        user_logged_in.connect(on_logged_in, dispatch_uid="access-log-login")
        user_login_failed.connect(on_login_failed, dispatch_uid="access-log-login-failed")
