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

# 六处置, the other endings and reopening (cases/dispositions/, cases/endings.py).
from . import disposition_views as dv  # noqa: E402

urlpatterns += [
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
    path("<int:pk>/endings/destination/", dv.ending_destination, name="ending_destination"),
    path("<int:pk>/endings/confirm/", dv.ending_confirm, name="ending_confirm"),
    path("<int:pk>/endings/close/", dv.ending_close, name="ending_close"),
    path("<int:pk>/reopen/", dv.case_reopen, name="case_reopen"),
]

# 校历: the county's and a school's terms and local days (cases/calendar/).
urlpatterns += calendar_urls.urlpatterns
