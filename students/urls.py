from django.urls import path

from . import views
from .audit import views as audit_views
from .crosscheck import views as crosscheck_views
from .importing import views as import_views

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("settings/", views.jurisdiction_settings, name="jurisdiction_settings"),
    path("children/", views.child_list, name="child_list"),
    path("children/new/", views.child_form, name="child_create"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/edit/", views.child_form, name="child_edit"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_form, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_form, name="household_edit"),
]

urlpatterns += [
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/template.xlsx", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("imports/<int:pk>/errors.xlsx", import_views.import_error_sheet, name="import_errors"),
]

urlpatterns += [
    path("checks/leads/", crosscheck_views.lead_list, name="lead_list"),
    path("checks/leads/<int:pk>/decide/", crosscheck_views.lead_decide, name="lead_decide"),
    path("checks/leads/<int:pk>/assign/", crosscheck_views.lead_assign, name="lead_assign"),
    path("checks/run/", crosscheck_views.crosscheck_start, name="crosscheck_run"),
]

urlpatterns += [
    path("audit/", audit_views.audit_log, name="audit_log"),
]
