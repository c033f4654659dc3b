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
