"""The school's report and the township's notices (namespace `cases`, included
by cases/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/report/", views.report_file, name="report_file"),
    path("<int:pk>/notice/new/", views.notice_issue, name="notice_issue"),
    path("<int:pk>/override/", views.step_override, name="step_override"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/service/", views.notice_service, name="notice_service"),
    path("notices/<int:pk>/outcome/", views.notice_outcome, name="notice_outcome"),
    path("notices/<int:pk>/receipt/", views.notice_receipt, name="notice_receipt"),
]
