from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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
    ReturnNotice,
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


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    readonly_fields = ["at", "action", "from_state", "to_state", "note", "by", "key"]
    can_delete = False


class TodoInline(admin.TabularInline):
    model = Todo
    extra = 0
    fields = ["kind", "title", "role", "due_on", "done_at", "overdue_flagged_on"]
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    # Cases change through cases/states.py only: the admin shows them.
    list_display = ["pk", "child", "state", "streak", "stage", "origin", "opened_at", "ending"]
    list_filter = ["state", "origin", "ending"]
    search_fields = ["child__name"]
    list_select_related = ["child"]
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [TodoInline, CaseEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ["title", "case", "role", "due_on", "done_at", "overdue_flagged_on"]
    list_filter = ["kind", "role", "done_at"]
    search_fields = ["case__child__name", "title"]
    list_select_related = ["case__child"]
    raw_id_fields = ["case"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


@admin.register(PersuasionRecord)
class PersuasionRecordAdmin(admin.ModelAdmin):
    list_display = ["case", "at", "method", "student_present", "outcome", "recorded_by"]
    list_filter = ["method", "outcome", "student_present"]
    search_fields = ["case__child__name"]
    raw_id_fields = ["case"]
    inlines = [ParticipantInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["case", "item", "note", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["case", "record"]


@admin.register(DropoutReport)
class DropoutReportAdmin(admin.ModelAdmin):
    list_display = ["case", "school", "filed_on", "filed_by"]
    raw_id_fields = ["case"]


@admin.register(ReturnNotice)
class ReturnNoticeAdmin(admin.ModelAdmin):
    list_display = ["number_label", "case", "issued_on", "return_deadline", "served_on", "outcome"]
    list_filter = ["township", "year", "outcome"]
    raw_id_fields = ["case"]

    def has_add_permission(self, request):
        return False  # numbers are given by cases/notices/services.py only


@admin.register(NoticeCounter)
class NoticeCounterAdmin(admin.ModelAdmin):
    list_display = ["township", "year", "last_number"]
    readonly_fields = ["township", "year", "last_number"]


@admin.register(Disposition)
class DispositionAdmin(admin.ModelAdmin):
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
