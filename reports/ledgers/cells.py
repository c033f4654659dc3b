"""Cells: how one reader sees a ledger row (masking, 涉案未成年人), and the
plain values every row is read from."""

from dataclasses import dataclass

from cases.models import StepOverride
from students.idcard import mask_id_number, mask_phone
from students.jurisdiction import access
from students.models import Child

GRADE_LABELS = dict(Child._meta.get_field("grade").choices)
STATUS_LABELS = dict(Child.Status.choices)
GENDER_LABELS = dict(Child.Gender.choices)


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
        return cls(full=full, juvenile=access(user).may_see_juvenile_cases())

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


OVERRIDE_LABELS = dict(StepOverride.Action.choices)


def _remark(r):
    """备注: the term-start note, or the township's 提前处置 with its reason."""
    if r.get("term_note"):
        return r["term_note"]
    if r.get("override_action"):
        action = OVERRIDE_LABELS.get(r["override_action"], r["override_action"])
        return f"乡镇提前处置（{action}）：{r['override_reason']}"
    return ""


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
        "备注": _remark(r),
    }


def _roster_cells(r, viewer):
    cells = _common(r, viewer)
    groups = cells["特殊群体"]
    cells["是否特殊群体"] = f"是（{groups}）" if groups else "否"
    return cells
