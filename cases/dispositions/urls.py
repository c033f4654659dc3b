from django.urls import path

from . import views as dv

urlpatterns = [
    path("dispositions/pending/", dv.dispositions_pending, name="dispositions_pending"),
    path("<int:pk>/dispositions/", dv.case_dispositions, name="case_dispositions"),
    path("<int:pk>/dispositions/start/", dv.disposition_start, name="disposition_start"),
    path("<int:pk>/dispositions/<int:dpk>/", dv.disposition_detail, name="disposition_detail"),
    path("<int:pk>/dispositions/<int:dpk>/facts/", dv.disposition_facts, name="disposition_facts"),
    path(
        "<int:pk>/dispositions/<int:dpk>/evidence/",
        dv.disposition_evidence,
        name="disposition_evidence",
    ),
    path(
        "<int:pk>/dispositions/<int:dpk>/submit/", dv.disposition_submit, name="disposition_submit"
    ),
    path(
        "<int:pk>/dispositions/<int:dpk>/decide/", dv.disposition_decide, name="disposition_decide"
    ),
    path("<int:pk>/dispositions/<int:dpk>/close/", dv.disposition_close, name="disposition_close"),
    path(
        "<int:pk>/dispositions/<int:dpk>/withdraw/",
        dv.disposition_withdraw,
        name="disposition_withdraw",
    ),
    path(
        "<int:pk>/dispositions/<int:dpk>/sessions/new/",
        dv.disposition_session,
        name="disposition_session",
    ),
]
