from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import idcard
from .models import (
    Child,
    County,
    Household,
    JurisdictionSettings,
    LadderPreset,
    Membership,
    School,
    SensitiveAccess,
    Township,
    Village,
    VillageGroup,
)


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


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
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
    autocomplete_fields = ["village", "group"]

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return idcard.mask_phone(obj.phone)


@admin.register(Child)
class ChildAdmin(SimpleHistoryAdmin):
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
    autocomplete_fields = ["village", "household", "school"]
    readonly_fields = ["status_changed_at", "created_at", "updated_at"]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return idcard.mask_id_number(obj.id_number)


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


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "child", "fields"]
    list_filter = ["fields"]
    search_fields = ["user__username", "child__name"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LadderPreset)
class LadderPresetAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "is_default", "position"]
