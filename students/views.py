from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_tables2 import LazyPaginator, RequestConfig

from common.web import apply_errors

from . import counting, idcard, selectors, services
from .audit.services import record_reveal
from .filters import ChildFilter, HouseholdFilter
from .forms import ChildForm, HouseholdForm, JurisdictionSettingsForm, StatusChangeForm
from .jurisdiction import access
from .models import Child, Household
from .tables import ChildTable, HouseholdTable

PER_PAGE = 25
GRADE_LABELS = dict(Child._meta.get_field("grade").choices)


def _get_child_for_user(user, pk):
    """Every child page goes through here: outside the user's reach is a 404."""
    try:
        return selectors.child_for_user(user, pk)
    except Child.DoesNotExist:
        raise Http404("没有找到该学生，或不在您的管辖范围内。") from None


def _get_household_for_user(user, pk):
    return get_object_or_404(selectors.households_for_user(user), pk=pk)


@login_required
def overview(request):
    """概况: the school-age residents per place, and the pupils per school,
    counted by `students.counting` as the ledgers count them."""
    by = access(request.user).overview_level() or "township"
    figures = counting.overview(request.user, by=by)
    return render(
        request,
        "students/overview.html",
        {
            "rows": figures.places,
            "by_label": "村（社区）" if by == "village" else "乡镇",
            "by": by,
            "groups": counting.STATUS_GROUPS,
            "totals": figures.place_totals,
            "schools": figures.schools,
            "school_totals": figures.school_totals,
        },
    )


def _render_list(request, template, queryset, filterset_class, table_class):
    f = filterset_class(request.GET, queryset=queryset, user=request.user)
    table = table_class(f.qs)
    # LazyPaginator: no COUNT(*) over the whole table on every page.
    RequestConfig(
        request, paginate={"per_page": PER_PAGE, "paginator_class": LazyPaginator}
    ).configure(table)
    return render(
        request,
        template,
        {"filter": f, "table": table, "can_add": access(request.user).may_add_children()},
    )


@login_required
def child_list(request):
    qs = Child.objects.filter(access(request.user).children()).select_related(
        "village__township", "school", "household"
    )
    return _render_list(request, "students/child_list.html", qs, ChildFilter, ChildTable)


@login_required
def child_detail(request, pk):
    child = _get_child_for_user(request.user, pk)
    revealed = set()
    if request.method == "POST":
        what = request.POST.get("reveal")
        try:
            access(request.user).reveal(child, what)
        except PermissionDenied:
            raise Http404("无权查看。") from None
        revealed.add(what)
    phones = [
        (label, name, value)
        for label, name, value in (
            ("父亲", child.father_name, child.father_phone),
            ("母亲", child.mother_name, child.mother_phone),
            ("其他监护人", child.guardian_name, child.guardian_phone),
        )
        if name or value
    ]
    age = selectors.school_age_of(child)
    return render(
        request,
        "students/child_detail.html",
        {
            "child": child,
            "age": age,
            "id_display": child.id_number
            if "id_number" in revealed
            else idcard.mask_id_number(child.id_number),
            "xueji_display": (
                child.xueji_number
                if "id_number" in revealed
                else idcard.mask_id_number(child.xueji_number)
            ),
            "expected_grade": GRADE_LABELS.get(age.expected_grade, "") if age.is_compulsory else "",
            "phones": [
                (label, name, value if "phones" in revealed else idcard.mask_phone(value))
                for label, name, value in phones
            ],
            "revealed": revealed,
            "may_reveal_id": access(request.user).may_reveal(child, "id_number"),
            "may_reveal_phones": access(request.user).may_reveal(child, "phones"),
            "special_groups": [
                g
                for g in child.special_groups
                if g != "涉案未成年人" or access(request.user).may_see_juvenile_case(child)
            ],
            "disability": _disability_details(child)
            if access(request.user).may_see_disability_details(child)
            else [],
            "may_edit": access(request.user).may_edit_child(child),
            "may_take_attendance": access(request.user).may_take_attendance_of(child),
            "status_form": StatusChangeForm(initial={"status": child.status}),
            "status_history": services.status_history(child),
            "history": services.change_history(child),
        },
    )


def _disability_details(child):
    """Category, grade and the assessments the dispositions check, as shown."""
    if not child.is_disabled:
        return []
    details = [child.get_disability_category_display() or "类别未填"]
    if child.disability_grade:
        details.append(child.get_disability_grade_display())
    details.append("持残疾人证" if child.disability_certified else "未登记残疾人证")
    for name in ("disability_self_care", "disability_learning"):
        if getattr(child, name):
            details.append(getattr(child, f"get_{name}_display")())
    if child.in_rehabilitation:
        details.append("正在康复治疗中")
    return details


@login_required
def child_form(request, pk=None):
    child = _get_child_for_user(request.user, pk) if pk else Child()
    if pk and not access(request.user).may_edit_child(child):
        raise Http404("无权修改该学生。")
    if not pk and not access(request.user).may_add_children():
        raise Http404("无权新增学生。")
    if request.method == "POST":
        form = ChildForm(request.POST, instance=child, user=request.user)
        if form.is_valid():
            try:
                child = services.save_child(
                    child=form.save(commit=False),
                    by=request.user,
                    reason=form.cleaned_data.get("change_reason", ""),
                    version=form.cleaned_data["version"],
                )
            except ValidationError as e:
                apply_errors(form, e)
            else:
                if request.GET.get("household"):  # adding a household's children in one go
                    messages.success(request, f"已保存 {child.name}。可继续添加该户的其他子女。")
                    return redirect(child.household)
                messages.success(request, f"已保存 {child.name} 的信息。")
                return redirect(child)
    else:
        initial = {}
        if not pk and request.GET.get("household"):
            household = _get_household_for_user(request.user, request.GET["household"])
            initial = {"household": household, "village": household.village}
        form = ChildForm(instance=child, user=request.user, initial=initial)
        if pk and any((child.father_phone, child.mother_phone, child.guardian_phone)):
            # The edit form carries the phones unmasked: that is a view too.
            record_reveal(user=request.user, child=child, what="phones", where="编辑表单")
    return render(
        request, "students/child_form.html", {"form": form, "child": child if pk else None}
    )


@login_required
def household_list(request):
    qs = selectors.households_for_user(request.user).annotate(children_count=Count("children"))
    return _render_list(
        request, "students/household_list.html", qs, HouseholdFilter, HouseholdTable
    )


@login_required
def household_detail(request, pk):
    household = _get_household_for_user(request.user, pk)
    children = household.children.filter(access(request.user).children()).select_related("school")
    return render(
        request,
        "students/household_detail.html",
        {
            "household": household,
            "phone": idcard.mask_phone(household.phone),
            "children": children,
            "may_edit": selectors.editable_households_for_user(request.user)
            .filter(pk=household.pk)
            .exists(),
            "history": services.change_history(household),
        },
    )


@login_required
def household_form(request, pk=None):
    if not access(request.user).may_add_children():
        raise Http404("无权编辑家庭户。")
    household = (
        get_object_or_404(selectors.editable_households_for_user(request.user), pk=pk)
        if pk
        else Household()
    )
    if request.method == "POST":
        form = HouseholdForm(request.POST, instance=household, user=request.user)
        if form.is_valid():
            try:
                household = services.save_household(
                    household=form.save(commit=False),
                    by=request.user,
                    version=form.cleaned_data["version"],
                )
            except ValidationError as e:
                form.add_error(None, e)
            else:
                if not pk:  # a new household: go straight on to its children
                    messages.success(request, f"已保存 {household.head_name}户，请添加子女。")
                    return redirect(f"{reverse('child_create')}?household={household.pk}")
                messages.success(request, f"已保存 {household.head_name}户。")
                return redirect(household)
    else:
        form = HouseholdForm(instance=household, user=request.user)
    return render(
        request,
        "students/household_form.html",
        {"form": form, "household": household if pk else None},
    )


@login_required
def jurisdiction_settings(request):
    """A county sets its values; a township may set its own or use the county's."""
    counties, townships = access(request.user).office_places()
    if not counties and not townships:
        raise Http404("只有县教育局和乡镇控辍办可以修改辖区设置。")
    blocks = []
    for county in counties:
        row = selectors.settings_for(county=county)
        blocks.append(
            {"key": f"county-{county.pk}", "title": f"{county}（全县）", "row": row, "own": True}
        )
    for township in townships:
        row = selectors.settings_for(township=township)
        own = row.township_id == township.pk
        if not own:
            # Start the township's own row from its county's values.
            row.pk, row.id, row.township = None, None, township
        blocks.append(
            {
                "key": f"township-{township.pk}",
                "title": str(township),
                "row": row,
                "own": own,
                "township": township,
            }
        )
    for block in blocks:
        data = (
            request.POST
            if request.method == "POST" and request.POST.get("block") == block["key"]
            else None
        )
        block["form"] = JurisdictionSettingsForm(data, instance=block["row"], prefix=block["key"])
        if data is None:
            continue
        if request.POST.get("reset") and block.get("township"):
            services.reset_township_settings(township=block["township"])
            messages.success(request, f"{block['title']}已恢复使用全县设置。")
            return redirect("jurisdiction_settings")
        if block["form"].is_valid():
            try:
                services.save_jurisdiction_settings(
                    row=block["form"].save(commit=False), by=request.user
                )
            except ValidationError as e:
                block["form"].add_error(None, e)
            else:
                messages.success(request, f"已保存{block['title']}的设置。")
                return redirect("jurisdiction_settings")
    return render(request, "students/settings.html", {"blocks": blocks})
