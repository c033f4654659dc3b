from django.urls import path

from . import attendance_views, views
from .notices import urls as notices_urls
from .persuasion import urls as persuasion_urls

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

# 劝学记录, the school's report and the township's notices (cases/persuasion/, cases/notices/).
urlpatterns += persuasion_urls.urlpatterns
urlpatterns += notices_urls.urlpatterns

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
