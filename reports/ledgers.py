"""The ledgers (台账) a county, township and village keep, and their rows.

DOMAIN §7 and §9: the county's three ledgers (适龄儿童台账, 疑似辍学学生台账,
辍学学生台账), the village's 适龄儿童少年底数台账 (seed 004) and the term-start
《动态摸排未到校学生名单》 (seed 000 附件2), each with the seeds' exact columns.

Reads only, plus the one write every unmasked export owes (`record_export`).
Every selection starts from `students.jurisdiction` (child_scope /
village_scope): a page and its export show the same rows, and never a child
outside the user's reach. Rows are read as plain values in one joined query
(`values()`: no model instances, no per-row queries), so a page or an export
costs the same few queries for 30 children or 50,000.
"""

from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import Http404
from django.utils import timezone
from openpyxl import Workbook

from students.idcard import mask_id_number, mask_phone
from students.jurisdiction import (
    REVEAL_ROLES,
    child_scope,
    is_sysadmin,
    may_see_juvenile_cases,
    memberships,
    school_scope,
    village_scope,
)
from students.models import (
    Child,
    County,
    ExportLog,
    Membership,
    School,
    TermCheck,
    Township,
    Village,
    VillageGroup,
)
from students.schoolage import term_label
from students.selectors import compulsory_age_q
from students.workbooks import official_sheet

Role = Membership.Role

# Roles that keep a roster: they get the county ledgers and the 底数台账.
ROSTER_ROLES = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY}
CONFIDENTIAL = "内部资料 注意保密"
FULL_EXPORT_LABEL = "含完整身份证号和电话（将记录）"
GRADE_LABELS = dict(Child._meta.get_field("grade").choices)
STATUS_LABELS = dict(Child.Status.choices)
GENDER_LABELS = dict(Child.Gender.choices)
_NOTHING = Q(pk__in=[])


# --------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------


def may_see_roster_ledgers(user):
    """The county ledgers and 底数台账: roles that keep the roster."""
    return is_sysadmin(user) or any(m.role in ROSTER_ROLES for m in memberships(user))


def may_see_term_list(user):
    """动态摸排未到校学生名单: villages and schools report it, teachers check it."""
    return is_sysadmin(user) or bool(memberships(user))


def may_export_full(user):
    """May this user export unmasked ID numbers and phones (DOMAIN §9)?

    Every one of the user's roles must be one whose task needs ID numbers
    (REVEAL_ROLES["id_number"]): a user who is also a 班主任 sees their class
    through that role, and a class teacher never needs the ID number, so
    such a user gets masked exports only.
    """
    if is_sysadmin(user):
        return True
    roles = {m.role for m in memberships(user)}
    return bool(roles) and roles <= REVEAL_ROLES["id_number"]


# --------------------------------------------------------------------------
# Terms and school age
# --------------------------------------------------------------------------


def current_term_label(on=None):
    return term_label(on or timezone.localdate())


# --------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """How one reader sees the cells: masked or not, 涉案未成年人 or not."""

    full: bool = False
    juvenile: bool = False

    @classmethod
    def for_user(cls, user, *, full=False):
        return cls(full=full, juvenile=may_see_juvenile_cases(user))

    def id_number(self, value):
        return (value or "") if self.full else mask_id_number(value)

    def phone(self, value):
        return (value or "") if self.full else mask_phone(value)


# Everything a row may need, read as plain values in one joined query.
FIELDS = [
    "id",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "status",
    "status_changed_at",
    "grade",
    "class_name",
    "head_teacher",
    "has_dropout_risk",
    "is_disabled",
    *Child.SPECIAL_GROUP_FIELDS,
    "father_phone",
    "mother_phone",
    "guardian_phone",
    "village__name",
    "village__township__name",
    "school__name",
    "household__head_name",
    "household__phone",
    "household__is_tuopin",
    "household__is_jiance",
    "household__is_dibao",
    "household__is_tekun",
    "household__group__name",
]
FAMILY_FLAGS = [
    ("household__is_tuopin", "脱贫户"),
    ("household__is_jiance", "监测户"),
    ("household__is_dibao", "低保户"),
    ("household__is_tekun", "特困户"),
]


def _special_groups(r, viewer):
    """Child.special_groups over a values row; 涉案未成年人 only for those who may."""
    groups = ["残疾"] if r["is_disabled"] else []
    groups += [
        label
        for field, label in Child.SPECIAL_GROUP_FIELDS.items()
        if r[field] and (field != "is_juvenile_case" or viewer.juvenile)
    ]
    groups += [label for field, label in FAMILY_FLAGS if r[field]]
    return "、".join(groups)


def _tuopin_jiance(r):
    flags = [label for field, label in FAMILY_FLAGS[:2] if r[field]]
    return "、".join(flags) or "否"


def _phone(r):
    """The household's phone, else the first guardian phone on the child."""
    return r["household__phone"] or r["father_phone"] or r["mother_phone"] or r["guardian_phone"]


def _class_label(r):
    if not r["grade"]:
        return ""
    return f"{GRADE_LABELS[r['grade']]}{r['class_name']}"


def _common(r, viewer):
    return {
        "乡镇": r["village__township__name"],
        "村（社区）": r["village__name"],
        "村名": r["village__name"],
        "姓名": r["name"],
        "学生姓名": r["name"],
        "性别": GENDER_LABELS.get(r["gender"], ""),
        "出生日期": r["birth_date"],
        "身份证号": viewer.id_number(r["id_number"]),
        "身份证号码": viewer.id_number(r["id_number"]),
        "户主姓名": r["household__head_name"] or "",
        "就读学校": r["school__name"] or "",
        "年级班级": _class_label(r),
        "就读年级班级": _class_label(r),
        "班主任": r["head_teacher"],
        "入学状态": STATUS_LABELS.get(r["status"], r["status"]),
        "特殊群体": _special_groups(r, viewer),
        "是否脱贫户/监测户": _tuopin_jiance(r),
        "联系电话": viewer.phone(_phone(r)),
        "状态变更时间": r["status_changed_at"],
        "村民小组": r["household__group__name"] or "",
        "是否有辍学风险": "是" if r["has_dropout_risk"] else "否",
        "备注": r.get("term_note", ""),
    }


def _roster_cells(r, viewer):
    cells = _common(r, viewer)
    groups = cells["特殊群体"]
    cells["是否特殊群体"] = f"是（{groups}）" if groups else "否"
    return cells


# --------------------------------------------------------------------------
# The ledgers
# --------------------------------------------------------------------------

WIDTHS = {
    "序号": 6,
    "乡镇": 10,
    "村（社区）": 10,
    "村名": 10,
    "村民小组": 9,
    "姓名": 9,
    "学生姓名": 9,
    "户主姓名": 9,
    "性别": 5,
    "出生日期": 11,
    "身份证号": 21,
    "身份证号码": 21,
    "就读学校": 18,
    "年级班级": 11,
    "就读年级班级": 11,
    "班主任": 9,
    "入学状态": 9,
    "特殊群体": 18,
    "是否特殊群体": 18,
    "是否脱贫户/监测户": 10,
    "是否有辍学风险": 8,
    "联系电话": 14,
    "状态变更时间": 16,
    "备注": 20,
}


@dataclass(frozen=True)
class Ledger:
    slug: str
    title: str  # after the place name: "示范县" + "适龄儿童台账"
    columns: tuple
    lead: tuple  # on a phone these come first (the page drops 序号)
    cells: Any = _common
    roster: bool = True  # needs a roster role (else: anyone with a scope)
    description: str = ""

    @property
    def widths(self):
        return [WIDTHS.get(c, 12) for c in self.columns]

    @property
    def page_columns(self):
        rest = [c for c in self.columns if c not in self.lead and c != "序号"]
        return [*self.lead, *rest]

    def row(self, record, seq, viewer):
        cells = self.cells(record, viewer)
        cells["序号"] = seq
        return [cells[c] for c in self.columns]


SCHOOL_AGE = Ledger(
    slug="school-age",
    title="适龄儿童台账",
    columns=(
        "序号",
        "乡镇",
        "村（社区）",
        "姓名",
        "性别",
        "出生日期",
        "身份证号",
        "户主姓名",
        "就读学校",
        "年级班级",
        "入学状态",
        "特殊群体",
        "是否脱贫户/监测户",
        "联系电话",
        "备注",
    ),
    lead=("姓名", "入学状态", "村（社区）", "年级班级"),
    description="义务教育阶段适龄儿童少年（按入学年龄截止日计算），含各种入学状态。",
)
_DROPOUT_COLUMNS = (
    "序号",
    "乡镇",
    "村（社区）",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "就读学校",
    "年级班级",
    "班主任",
    "户主姓名",
    "联系电话",
    "是否脱贫户/监测户",
    "特殊群体",
    "状态变更时间",
    "备注",
)
SUSPECTED_DROPOUT = Ledger(
    slug="suspected-dropout",
    title="疑似辍学学生台账",
    columns=_DROPOUT_COLUMNS,
    lead=("姓名", "村（社区）", "年级班级", "状态变更时间"),
    description="入学状态为“疑似辍学”的学生。",
)
DROPOUT = Ledger(
    slug="dropout",
    title="辍学学生台账",
    columns=_DROPOUT_COLUMNS,
    lead=("姓名", "村（社区）", "年级班级", "状态变更时间"),
    description="入学状态为“辍学”的学生。",
)
VILLAGE_ROSTER = Ledger(
    slug="roster",
    title="适龄儿童少年底数台账",
    columns=(
        "序号",
        "村民小组",
        "户主姓名",
        "学生姓名",
        "性别",
        "出生日期",
        "身份证号码",
        "就读学校",
        "就读年级班级",
        "联系电话",
        "是否脱贫户/监测户",
        "入学状态",
        "是否特殊群体",
        "是否有辍学风险",
        "备注",
    ),
    lead=("学生姓名", "入学状态", "是否有辍学风险", "村民小组"),
    cells=_roster_cells,
    description="每村一表：村里登记的全部儿童少年，标注入学状态、是否特殊群体、是否有辍学风险。",
)
TERM_ABSENT = Ledger(
    slug="term-absent",
    title="动态摸排未到校学生名单",
    # Seed 000 附件2, column for column.
    columns=(
        "序号",
        "村名",
        "学生姓名",
        "性别",
        "就读学校",
        "就读年级班级",
        "身份证号码",
        "户主姓名",
        "联系电话",
        "是否脱贫户/监测户",
        "备注",
    ),
    lead=("学生姓名", "村名", "就读年级班级", "备注"),
    roster=False,
    description="开学后10日内报送：本学期开学到校核查中未到校的学生。",
)
CHILD_LEDGERS = {ledger.slug: ledger for ledger in (SCHOOL_AGE, SUSPECTED_DROPOUT, DROPOUT)}
_STATUS_OF = {
    SUSPECTED_DROPOUT.slug: Child.Status.SUSPECTED_DROPOUT,
    DROPOUT.slug: Child.Status.DROPOUT,
}


# --------------------------------------------------------------------------
# Places: sheet titles come from the data, never from the code
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    head: str  # 示范县 / 蛟潭镇 / 福港学校
    detail: str = ""  # 蛟潭村 / 五年级1班

    def title(self, ledger_title):
        return f"{self.head}{ledger_title}" + (f"（{self.detail}）" if self.detail else "")

    @property
    def unit(self):
        return f"{self.head}{self.detail}"

    def narrowed(self, *, township=None, village=None, school=None):
        place = self
        if village is not None:
            place = Place(village.township.name, village.name)
        elif township is not None:
            place = Place(township.name)
        if school is not None:
            detail = "、".join(d for d in (place.detail, school.name) if d)
            place = Place(place.head, detail)
        return place


def _join(names):
    return "、".join(dict.fromkeys(names))


def user_place(user):
    """The user's reach, named from the data: 示范县, 蛟潭镇（蛟潭村、福港村）."""
    if is_sysadmin(user):
        return Place(_join(County.objects.values_list("name", flat=True)) or "全部")
    heads, details = [], []
    for m in memberships(user):
        if m.role == Role.COUNTY:
            heads.append(m.county.name)
        elif m.role == Role.TOWNSHIP:
            heads.append(m.township.name)
        elif m.role == Role.VILLAGE:
            heads.append(m.village.township.name)
            details.append(m.village.name)
        elif m.role == Role.SCHOOL_ADMIN:
            heads.append(m.school.name)
        elif m.role == Role.TEACHER:
            heads.append(m.school.name)
            details.append(f"{GRADE_LABELS.get(m.grade, '')}{m.class_name}")
    # Details only make sense when they are all that the user reaches.
    if any(m.role not in (Role.VILLAGE, Role.TEACHER) for m in memberships(user)):
        details = []
    return Place(_join(heads), _join(details))


# --------------------------------------------------------------------------
# Filters (within the user's scope only: anything else is a 404)
# --------------------------------------------------------------------------


class LedgerFilter(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(
        label="乡镇", queryset=Township.objects.none(), method="filter_township"
    )
    village = django_filters.ModelChoiceFilter(
        label="村（社区）", queryset=Village.objects.none(), field_name="village"
    )
    school = django_filters.ModelChoiceFilter(
        label="学校", queryset=School.objects.none(), field_name="school"
    )

    class Meta:
        model = Child
        fields = ["township", "village", "school"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        villages = Village.objects.filter(village_scope(user)).select_related("township")
        self.filters["village"].queryset = villages
        self.filters["school"].queryset = School.objects.filter(school_scope(user))
        if is_sysadmin(user) or any(m.role == Role.COUNTY for m in memberships(user)):
            self.filters["township"].queryset = Township.objects.filter(
                pk__in=villages.values("township")
            )
        else:  # a township or village sees one township: nothing to choose
            del self.filters["township"]
        if not may_see_roster_ledgers(user):
            del self.filters["village"]

    def filter_township(self, queryset, name, value):
        # The township's residents and its schools' pupils, as for its own users.
        return queryset.filter(Q(village__township=value) | Q(school__township=value))

    @property
    def chosen(self):
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return {key: data.get(key) for key in ("township", "village", "school")}


class TermListFilter(LedgerFilter):
    term = django_filters.ChoiceFilter(
        label="学期", choices=(), method="filter_term", empty_label=None
    )

    class Meta(LedgerFilter.Meta):
        fields = ["term", "township", "village", "school"]

    def __init__(self, data=None, *args, user, terms, default_term, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("term"):
            data["term"] = default_term
        super().__init__(data, *args, user=user, **kwargs)
        self.filters["term"].extra["choices"] = [(t, t) for t in terms]

    def filter_term(self, queryset, name, value):
        # One TermCheck per child and term: the join adds no duplicate rows.
        return queryset.filter(term_checks__term=value, term_checks__present=False).annotate(
            term_note=F("term_checks__note")
        )


def _valid_or_404(filterset):
    if filterset.is_bound and not filterset.is_valid():
        raise Http404("筛选条件无效，或不在您的管辖范围内。")
    return filterset


# --------------------------------------------------------------------------
# Selections: one ledger, for one user, with the filters applied
# --------------------------------------------------------------------------


@dataclass
class Selection:
    ledger: Ledger
    queryset: Any  # Child queryset: scoped, filtered, ordered
    place: Place
    filterset: Any = None
    term: str = ""
    village: Any = None

    @property
    def title(self):
        return self.place.title(self.ledger.title)

    @property
    def scope_text(self):
        """What ExportLog.scope records."""
        parts = [self.place.unit]
        if self.term:
            parts.append(self.term)
        return " ".join(parts)[:200]

    def values(self):
        fields = [*FIELDS, "term_note"] if self.ledger is TERM_ABSENT else FIELDS
        return self.queryset.values(*fields)


def _ordered(qs):
    return qs.order_by("village__township__name", "village__name", "name", "id")


def select_child_ledger(user, slug, params, *, on=None):
    """One of the county's three ledgers, as `user` may see it."""
    ledger = CHILD_LEDGERS.get(slug)
    if ledger is None or not may_see_roster_ledgers(user):
        raise Http404("没有这个台账，或您无权查看。")
    qs = Child.objects.filter(child_scope(user))
    if ledger is SCHOOL_AGE:
        qs = qs.filter(compulsory_age_q(on=on))
    else:
        qs = qs.filter(status=_STATUS_OF[slug])
    f = _valid_or_404(LedgerFilter(params or None, queryset=qs, user=user))
    return Selection(
        ledger=ledger,
        queryset=_ordered(f.qs),
        place=user_place(user).narrowed(**f.chosen),
        filterset=f,
    )


def roster_villages(user):
    """The villages whose 底数台账 the user keeps or oversees."""
    if not may_see_roster_ledgers(user):
        return Village.objects.none()
    return (
        Village.objects.filter(village_scope(user))
        .select_related("township")
        .order_by("township__name", "name")
    )


def _natural_number(name):
    """一组 → 1, 十二组 → 12, 3组 → 3; None when the name has no number."""
    digits = "".join(ch for ch in name if ch.isdigit())
    if digits:
        return int(digits)
    numerals = {c: i for i, c in enumerate("零一二三四五六七八九")}
    head = ""
    for ch in name:
        if ch in numerals or ch == "十":
            head += ch
        else:
            break
    if not head:
        return None
    if "十" in head:
        tens, _, units = head.partition("十")
        return numerals.get(tens, 1) * 10 + numerals.get(units, 0) if units or tens else 10
    return int("".join(str(numerals[c]) for c in head))


def _group_order(village):
    """村民小组 in their natural order (一组, 二组, … 十组), as a SQL expression."""
    groups = sorted(
        VillageGroup.objects.filter(village=village).values_list("pk", "name"),
        key=lambda g: (_natural_number(g[1]) is None, _natural_number(g[1]) or 0, g[1]),
    )
    whens = [When(household__group_id=pk, then=Value(i)) for i, (pk, _) in enumerate(groups)]
    if not whens:
        return Value(0, output_field=IntegerField())
    return Case(*whens, default=Value(len(groups)), output_field=IntegerField())


def select_village_roster(user, village_pk):
    """适龄儿童少年底数台账 of one village: every child on its roster."""
    village = roster_villages(user).filter(pk=village_pk).first()
    if village is None:
        raise Http404("没有找到该村（社区），或不在您的管辖范围内。")
    qs = (
        Child.objects.filter(child_scope(user), village=village)
        .annotate(group_order=_group_order(village))
        .order_by(
            "group_order",
            F("household__head_name").asc(nulls_last=True),
            F("household_id").asc(nulls_last=True),
            "name",
            "id",
        )
    )
    return Selection(
        ledger=VILLAGE_ROSTER,
        queryset=qs,
        place=Place(village.township.name, village.name),
        village=village,
    )


def term_labels(user):
    """The terms with presence checks in the user's reach, newest first."""
    return sorted(
        set(
            TermCheck.objects.filter(child__in=Child.objects.filter(child_scope(user)))
            .values_list("term", flat=True)
            .distinct()
        ),
        reverse=True,
    )


def select_term_list(user, params, *, on=None):
    """动态摸排未到校学生名单: TermCheck present=False of one term."""
    if not may_see_term_list(user):
        raise Http404("您无权查看该名单。")
    default = current_term_label(on)
    terms = term_labels(user)
    if default not in terms:
        terms.insert(0, default)
    qs = Child.objects.filter(child_scope(user))
    f = _valid_or_404(
        TermListFilter(params, queryset=qs, user=user, terms=terms, default_term=default)
    )
    return Selection(
        ledger=TERM_ABSENT,
        queryset=_ordered(f.qs),
        place=user_place(user).narrowed(**f.chosen),
        filterset=f,
        term=f.form.cleaned_data["term"],
    )


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


FILENAME_FORBIDDEN = '\\/:*?"<>|'
SHEET_NAME_FORBIDDEN = "[]:*?/\\"


def _safe_name(name, forbidden):
    for ch in forbidden:
        name = name.replace(ch, "_")
    return name


def _date_label(d):
    return f"{d.year}年{d.month}月{d.day}日"


def build_workbook(selection, viewer, *, today=None):
    """A streamed (write-only) workbook of the whole selection.

    Returns (workbook, rows written). Rows are read 2,000 at a time from one
    query and written straight to a temporary file: memory stays flat
    however big the county.
    """
    today = today or timezone.localdate()
    wb = Workbook(write_only=True)
    sheet_name = selection.village.name if selection.village else selection.ledger.title
    ws = wb.create_sheet(title=_safe_name(sheet_name, SHEET_NAME_FORBIDDEN)[:31])
    subtitle = [f"填报单位：{selection.place.unit}", f"填报日期：{_date_label(today)}"]
    if selection.term:
        subtitle.insert(1, f"学期：{selection.term}")
    subtitle.append(CONFIDENTIAL + ("（含完整身份证号和电话）" if viewer.full else ""))
    ledger = selection.ledger
    rows = (
        ledger.row(record, seq, viewer)
        for seq, record in enumerate(selection.values().iterator(chunk_size=2000), 1)
    )
    count = official_sheet(
        ws,
        title=selection.title,
        subtitle_lines=["　　".join(subtitle)],
        columns=ledger.columns,
        rows=rows,
        widths=ledger.widths,
    )
    return wb, count


def export_filename(selection, viewer, *, today=None):
    today = today or timezone.localdate()
    name = selection.title + ("（含完整信息）" if viewer.full else "")
    return f"{_safe_name(name, FILENAME_FORBIDDEN)}_{today:%Y%m%d}.xlsx"


def record_export(*, user, selection, rows):
    """The ExportLog row every unmasked export writes (PIPL, DOMAIN §9)."""
    return ExportLog.objects.create(
        user=user, what=selection.title[:100], scope=selection.scope_text, rows=rows
    )
