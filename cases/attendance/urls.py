from django.urls import path

from . import views

urlpatterns = [
    path("attendance/", views.attendance_class, name="attendance"),
    path("attendance/child/<int:child_pk>/", views.attendance_child, name="attendance_child"),
    path("attendance/zero/", views.attendance_zero_report, name="attendance_zero"),
    path("attendance/import/", views.attendance_import_upload, name="attendance_import"),
    path(
        "attendance/import/commit/",
        views.attendance_import_commit,
        name="attendance_import_commit",
    ),
    path(
        "attendance/import/template.xlsx",
        views.attendance_import_template,
        name="attendance_import_template",
    ),
]
