from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("settings/", views.jurisdiction_settings, name="jurisdiction_settings"),
    path("children/", views.child_list, name="child_list"),
    path("children/new/", views.child_form, name="child_create"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/edit/", views.child_form, name="child_edit"),
    path("children/<int:pk>/status/", views.child_change_status, name="child_change_status"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_form, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_form, name="household_edit"),
]
