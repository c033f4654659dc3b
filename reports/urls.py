from django.urls import path

from . import case_ledger, views
from .pdf import views as pdf_views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("roster/", views.roster_villages, name="roster_villages"),
    path("roster/<int:village_pk>/", views.village_roster, name="village_roster"),
    path(
        "roster/<int:village_pk>/export/",
        views.village_roster_export,
        name="village_roster_export",
    ),
    path("term-absent/", views.term_list, name="term_list"),
    path("term-absent/export/", views.term_list_export, name="term_list_export"),
    path("cases/", case_ledger.case_ledger, name="case_ledger"),  # 控辍保学总台账
    path("cases/export/", case_ledger.case_ledger_export, name="case_ledger_export"),
    # PDF forms (reports/pdf/): the township's notices, printed and previewed.
    path("notices/<int:pk>/pdf/", pdf_views.notice_pdf, name="notice_pdf"),
    path("cases/<int:case_pk>/notice-preview/", pdf_views.notice_preview, name="notice_preview"),
    # The county's three ledgers: school-age, suspected-dropout, dropout.
    path("<slug:slug>/", views.child_ledger, name="child_ledger"),
    path("<slug:slug>/export/", views.child_ledger_export, name="child_ledger_export"),
]
