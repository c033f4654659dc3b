"""The admin shows the legal records (cases and their events, to-dos,
persuasion records, reports, notices, dispositions) and never changes them:
their corrections go through the services that keep history."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from common.readonly_admin import ReadOnlyAdmin, ReadOnlyAdminMixin, ReadOnlyTabularInline

from .models import (
    Absence,
    Attachment,
    CalendarDay,
    Case,
    CaseEvent,
    ClassRollCall,
    Disposition,
    DropoutReport,
    EvidencePreset,
    HomeTeachingSession,
    NoticeCounter,
    Participant,
    PersuasionRecord,
    ReportRecipient,
    ReturnNotice,
    StepOverride,
    Term,
    TermStartCheck,
    Todo,
)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "county", "school", "start", "end"]
    list_filter = ["county"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "county", "school", "note"]
    list_filter = ["kind", "county"]
    date_hierarchy = "date"


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["date", "child", "kind", "reason", "source", "recorded_by"]
    list_filter = ["kind", "source"]
    search_fields = ["child__name"]
    date_hierarchy = "date"
    list_select_related = ["child", "recorded_by"]
    raw_id_fields = ["child"]


@admin.register(ClassRollCall)
class ClassRollCallAdmin(admin.ModelAdmin):
    list_display = ["date", "school", "grade", "class_name", "taken_by"]
    list_filter = ["school"]
    date_hierarchy = "date"


class CaseEventInline(ReadOnlyTabularInline):
    model = CaseEvent
    fields = ["at", "action", "from_state", "to_state", "note", "by", "key"]


class TodoInline(ReadOnlyTabularInline):
    model = Todo
    fields = ["kind", "title", "role", "due_on", "done_at", "overdue_flagged_on"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    # Cases change through cases/states.py only: the admin shows them.
    list_display = ["pk", "child", "state", "streak", "stage", "origin", "opened_at", "ending"]
    list_filter = ["state", "origin", "ending"]
    search_fields = ["child__name"]
    list_select_related = ["child"]
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [TodoInline, CaseEventInline]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise PermissionDenied  # a past version as a form could be reverted


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "case", "action", "from_state", "to_state", "by"]
    list_filter = ["action"]
    search_fields = ["case__child__name"]
    list_select_related = ["case__child", "by"]


@admin.register(Todo)
class TodoAdmin(ReadOnlyAdmin):
    list_display = ["title", "case", "role", "due_on", "done_at", "overdue_flagged_on"]
    list_filter = ["kind", "role", "done_at"]
    search_fields = ["case__child__name", "title"]
    list_select_related = ["case__child"]
    raw_id_fields = ["case"]


class ParticipantInline(ReadOnlyTabularInline):
    model = Participant


@admin.register(PersuasionRecord)
class PersuasionRecordAdmin(ReadOnlyAdmin):
    list_display = ["case", "at", "method", "student_present", "outcome", "recorded_by"]
    list_filter = ["method", "outcome", "student_present"]
    search_fields = ["case__child__name"]
    raw_id_fields = ["case"]
    inlines = [ParticipantInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "item", "note", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["case", "record"]


@admin.register(DropoutReport)
class DropoutReportAdmin(ReadOnlyAdmin):
    list_display = ["case", "school", "filed_on", "filed_by"]
    raw_id_fields = ["case"]


@admin.register(ReturnNotice)
class ReturnNoticeAdmin(ReadOnlyAdmin):
    list_display = [
        "number_label",
        "kind",
        "case",
        "issued_on",
        "return_deadline",
        "served_on",
        "outcome",
    ]
    list_filter = ["township", "year", "kind", "outcome"]
    raw_id_fields = ["case"]


@admin.register(ReportRecipient)
class ReportRecipientAdmin(ReadOnlyAdmin):
    list_display = ["report", "office", "name", "county", "township"]
    raw_id_fields = ["report"]


@admin.register(StepOverride)
class StepOverrideAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["case", "action", "by", "at"]
    raw_id_fields = ["case"]


@admin.register(NoticeCounter)
class NoticeCounterAdmin(ReadOnlyAdmin):
    list_display = ["township", "year", "last_number"]
    readonly_fields = ["township", "year", "last_number"]


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "state", "requested_by", "decided_by", "review_on"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["case"]


@admin.register(HomeTeachingSession)
class HomeTeachingSessionAdmin(admin.ModelAdmin):
    list_display = ["disposition", "date", "hours", "teachers"]
    raw_id_fields = ["disposition"]


@admin.register(EvidencePreset)
class EvidencePresetAdmin(admin.ModelAdmin):
    list_display = ["kind", "position", "label", "source", "count", "required", "after_approval"]
    list_filter = ["kind"]


@admin.register(TermStartCheck)
class TermStartCheckAdmin(admin.ModelAdmin):
    list_display = ["term", "due_on", "ran_on", "run"]
