from django.urls import path

from . import notice_views, persuasion_views, views
from .attendance import urls as attendance_urls
from .calendar import urls as calendar_urls

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("open/<int:child_pk>/", views.open_case, name="open_case"),
    path("<int:pk>/return/", views.record_return, name="record_return"),
    path("todos/", views.todo_list, name="todo_list"),
]

# 考勤: a class's roll call, one child's absences, the Excel import (cases/attendance/).
urlpatterns += attendance_urls.urlpatterns

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

# 校历: the county's and a school's terms and local days (cases/calendar/).
urlpatterns += calendar_urls.urlpatterns
