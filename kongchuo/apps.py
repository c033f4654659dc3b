from django.apps import AppConfig


class KongchuoConfig(AppConfig):
    name = "kongchuo"
    verbose_name = "控辍保学"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from common.security import note_login

        from . import checks  # noqa: F401  registers the deploy note

        user_logged_in.connect(note_login, dispatch_uid="kongchuo.note_login")
