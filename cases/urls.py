from django.urls import path

from . import attendance_views, notice_views, persuasion_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("open/<int:child_pk>/", views.open_case, name="open_case"),
    path("<int:pk>/return/", views.record_return, name="record_return"),
    path("todos/", views.todo_list, name="todo_list"),
]

urlpatterns += [
    path("attendance/", attendance_views.attendance_class, name="attendance"),
    path(
        "attendance/child/<int:child_pk>/",
        attendance_views.attendance_child,
        name="attendance_child",
    ),
    path("attendance/import/", attendance_views.attendance_import_upload, name="attendance_import"),
    path(
        "attendance/import/commit/",
        attendance_views.attendance_import_commit,
        name="attendance_import_commit",
    ),
    path(
        "attendance/import/template.xlsx",
        attendance_views.attendance_import_template,
        name="attendance_import_template",
    ),
]

# 劝学记录, the school's report and the township's notices (cases/persuasion.py, cases/notices.py).
urlpatterns += [
    path("<int:pk>/persuasion/new/", persuasion_views.persuasion_new, name="persuasion_new"),
    path(
        "<int:pk>/persuasion/<int:record_pk>/",
        persuasion_views.persuasion_detail,
        name="persuasion_detail",
    ),
    path(
        "<int:pk>/persuasion/<int:record_pk>/<str:field>/",
        persuasion_views.persuasion_photo,
        name="persuasion_photo",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        persuasion_views.attachment_file,
        name="attachment_file",
    ),
    path("<int:pk>/report/", notice_views.report_file, name="report_file"),
    path("<int:pk>/notice/new/", notice_views.notice_issue, name="notice_issue"),
    path("notices/", notice_views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/service/", notice_views.notice_service, name="notice_service"),
    path("notices/<int:pk>/outcome/", notice_views.notice_outcome, name="notice_outcome"),
    path("notices/<int:pk>/receipt/", notice_views.notice_receipt, name="notice_receipt"),
]

# 六处置, the other endings and reopening (cases/dispositions/, cases/endings/).
from .dispositions import urls as disposition_urls  # noqa: E402
from .endings import urls as ending_urls  # noqa: E402

urlpatterns += disposition_urls.urlpatterns + ending_urls.urlpatterns

# 校历: the county's and a school's terms and local days (cases/calendar_views.py).
from . import calendar_views as cv  # noqa: E402

urlpatterns += [
    path("calendar/", cv.calendar_page, name="calendar"),
    path("calendar/terms/new/", cv.term_new, name="calendar_term_new"),
    path("calendar/terms/<int:pk>/", cv.term_edit, name="calendar_term"),
    path("calendar/terms/<int:pk>/delete/", cv.term_delete, name="calendar_term_delete"),
    path("calendar/days/new/", cv.day_new, name="calendar_day_new"),
    path("calendar/days/<int:pk>/", cv.day_edit, name="calendar_day"),
    path("calendar/days/<int:pk>/delete/", cv.day_delete, name="calendar_day_delete"),
]
