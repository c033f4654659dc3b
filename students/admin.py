from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from common.readonly_admin import ReadOnlyAdmin, ReadOnlyAdminMixin

from . import idcard
from .models import (
    AccessLog,
    Child,
    County,
    Household,
    HujiRecord,
    JurisdictionSettings,
    LadderPreset,
    Membership,
    PovertyRecord,
    School,
    Township,
    Village,
    VillageGroup,
    XuejiRecord,
)

MASKS = idcard.MASKED_FIELDS  # what the admin never shows in full


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["name", "county"]
    list_filter = ["county"]
    search_fields = ["name"]


class VillageGroupInline(admin.TabularInline):
    model = VillageGroup
    extra = 0


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "township"]
    list_filter = ["township__county", "township"]
    search_fields = ["name", "township__name"]
    inlines = [VillageGroupInline]


@admin.register(VillageGroup)
class VillageGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "village"]
    list_filter = ["village__township"]
    search_fields = ["name", "village__name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "township"]
    list_filter = ["kind", "township"]
    search_fields = ["name"]
    filter_horizontal = ["villages"]


@admin.register(JurisdictionSettings)
class JurisdictionSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "suspected_dropout_days",
        "dropout_days",
        "notice_issue_days",
        "notice_return_days",
        "entry_cutoff_month",
        "entry_cutoff_day",
    ]
    list_filter = ["county"]


class MaskedHistoryAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Roster records in the admin: read-only (corrections go through the
    app's forms, which ask why and keep history), ID numbers and phones
    masked on every admin page, history included. Nothing here shows them
    in full, so nothing here needs recording; the full values are on the
    child's page, where each look is logged."""

    masked_fields = ()

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self.masked_fields]

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version as a form shows every value in full (and lets a
        # POST revert it): the history list, masked, is enough.
        raise PermissionDenied


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        if change.field in MASKS:
            return MASKS[change.field](value) or "—"
        return super().prepare_delta_change_value(change, value)


def _masked(field, description):
    mask = MASKS[field]

    @admin.display(description=description)
    def show(self, obj):
        return mask(getattr(obj, field)) or "—"

    return show


@admin.register(Household)
class HouseholdAdmin(MaskedHistoryAdmin):
    list_display = [
        "head_name",
        "village",
        "masked_phone",
        "is_tuopin",
        "is_jiance",
        "is_dibao",
        "is_tekun",
    ]
    list_filter = ["village__township", "village", "is_tuopin", "is_jiance", "is_dibao", "is_tekun"]
    search_fields = ["head_name", "address"]
    list_select_related = ["village"]
    masked_fields = ["phone"]
    readonly_fields = ["masked_phone"]
    masked_phone = _masked("phone", "联系电话")


@admin.register(Child)
class ChildAdmin(MaskedHistoryAdmin):
    list_display = [
        "name",
        "gender",
        "masked_id",
        "village",
        "school",
        "grade",
        "class_name",
        "status",
    ]
    list_filter = [
        "status",
        "village__township",
        "school",
        "grade",
        "is_disabled",
        "is_left_behind",
    ]
    search_fields = ["name", "=id_number", "xueji_number"]
    list_select_related = ["village", "school"]
    masked_fields = [
        "id_number",
        "xueji_number",
        "father_phone",
        "mother_phone",
        "guardian_phone",
        *Child.DISABILITY_FIELDS,
    ]
    readonly_fields = [
        "masked_id",
        "masked_xueji",
        "masked_father_phone",
        "masked_mother_phone",
        "masked_guardian_phone",
    ]
    masked_id = _masked("id_number", "身份证号")
    masked_xueji = _masked("xueji_number", "全国学籍号")
    masked_father_phone = _masked("father_phone", "父亲电话")
    masked_mother_phone = _masked("mother_phone", "母亲电话")
    masked_guardian_phone = _masked("guardian_phone", "其他监护人电话")


class RegisterAdmin(ReadOnlyAdmin):
    """学籍, 户籍 and 脱贫户 records: kept by imports, masked here."""

    search_fields = ["name", "=id_number"]
    masked_id = _masked("id_number", "身份证号")

    def get_exclude(self, request, obj=None):
        return [f for f in ("id_number", "xueji_number", "phone") if hasattr(self.model, f)]


@admin.register(XuejiRecord)
class XuejiRecordAdmin(RegisterAdmin):
    list_display = ["name", "masked_id", "masked_xueji", "school", "grade", "class_name"]
    list_select_related = ["school"]
    readonly_fields = ["masked_id", "masked_xueji", "masked_phone"]
    masked_xueji = _masked("xueji_number", "全国学籍号")
    masked_phone = _masked("phone", "联系电话")


@admin.register(HujiRecord)
class HujiRecordAdmin(RegisterAdmin):
    list_display = ["name", "masked_id", "village", "head_name"]
    list_select_related = ["village"]
    readonly_fields = ["masked_id"]


@admin.register(PovertyRecord)
class PovertyRecordAdmin(RegisterAdmin):
    list_display = ["name", "masked_id", "kind", "village", "head_name"]
    list_select_related = ["village"]
    readonly_fields = ["masked_id"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "role",
        "county",
        "township",
        "village",
        "school",
        "grade",
        "class_name",
    ]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name"]
    autocomplete_fields = ["user", "county", "township", "village", "school"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """The access log is read here and on /audit/; nobody edits it."""

    list_display = ["at", "username", "action", "child", "detail", "ip"]
    list_filter = ["action"]
    search_fields = ["username", "child__name", "detail"]
    list_select_related = ["child"]
    date_hierarchy = "at"


@admin.register(LadderPreset)
class LadderPresetAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "is_default", "position"]
