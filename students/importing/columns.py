"""The columns each kind of sheet may have, and the parsing of free-text cells."""

import re
from dataclasses import dataclass, field

from django.db.models import Model

from ..models import Child, ImportBatch
from ..sheets import CellError, Column

Status = Child.Status
PROGRESS_EVERY = 500

# Labels people write in the 入学状态 column, beyond the model's own.
STATUS_CHOICES = {label: value for value, label in Status.choices}
STATUS_CHOICES.update(
    {"毕业": Status.GRADUATED, "结业": Status.GRADUATED, "失学": Status.NOT_ENROLLED}
)

# 是否特殊群体: the words people write, and the field each sets.
SPECIAL_WORDS = {
    "残疾": "is_disabled",
    "留守": "is_left_behind",
    "随迁": "is_migrant",
    "进城务工": "is_migrant",
    "孤儿": "is_orphan",
    "事实无人抚养": "is_unsupported",
    "困境": "is_in_difficulty",
    "服刑": "is_prisoner_child",
    "返乡": "is_returned",
    "回流": "is_returned",
    "涉案": "is_juvenile_case",
}
NO_WORDS = {"否", "无", "不是", "非", "0", "N", "NO"}

_text = Column
ROSTER_COLUMNS = [
    _text("village_name", "村名", ("村（社区）", "村", "所在村", "村社区", "村(社区)")),
    _text("group_name", "村民小组", ("组", "小组", "村民组", "组别")),
    _text("head_name", "户主姓名", ("户主",), required=True),
    _text("name", "学生姓名", ("姓名", "儿童姓名", "儿童少年姓名", "学生"), required=True),
    Column("gender", "性别", (), kind="gender"),
    Column("birth_date", "出生日期", ("出生年月日", "出生年月", "生日"), kind="date"),
    Column(
        "id_number",
        "身份证号码",
        ("身份证号", "公民身份号码", "身份证", "身份证件号"),
        kind="id_number",
    ),
    _text("school_name", "就读学校", ("学校", "在读学校", "就读学校名称", "学校名称")),
    _text("grade_class", "就读年级班级", ("年级班级", "就读年级", "年级")),
    _text("class_name", "班级", ("就读班级",)),
    Column(
        "phone", "联系电话", ("电话", "手机号", "手机号码", "联系方式", "户主电话"), kind="phone"
    ),
    _text("address", "家庭住址", ("住址", "现住址", "家庭地址")),
    _text(
        "poverty", "是否脱贫户/监测户", ("是否脱贫户", "脱贫户/监测户", "是否监测户", "家庭类别")
    ),
    Column(
        "status",
        "入学状态",
        ("就读状态", "在校状态", "状态"),
        kind="choice",
        choices=STATUS_CHOICES,
    ),
    _text("special", "是否特殊群体", ("特殊群体", "特殊群体类别")),
    Column("risk", "是否有辍学风险", ("辍学风险", "有无辍学风险"), kind="bool"),
    _text("father_name", "父亲姓名", ("父亲",)),
    Column("father_phone", "父亲电话", ("父亲联系电话",), kind="phone"),
    _text("mother_name", "母亲姓名", ("母亲",)),
    Column("mother_phone", "母亲电话", ("母亲联系电话",), kind="phone"),
    _text("note", "备注", ("说明",)),
]
XUEJI_COLUMNS = [
    _text("name", "姓名", ("学生姓名",), required=True),
    Column("gender", "性别", (), kind="gender", required=True),
    Column("birth_date", "出生日期", ("出生年月日",), kind="date", required=True),
    Column("id_number", "身份证件号", ("身份证号", "身份证号码", "公民身份号码"), kind="id_number"),
    Column(
        "xueji_number", "全国学籍号", ("学籍号", "学籍编号"), kind="xueji_number", required=True
    ),
    Column("grade", "年级", (), kind="grade", required=True),
    _text("class_name", "班级", ("班级名称",), required=True),
    _text("entry_month", "入学年月", ("入学时间", "入学日期")),
    _text("hukou_place", "户口所在地", ("户籍地", "户口所在地区")),
    _text("address", "现住址", ("家庭地址", "家庭住址")),
    Column("phone", "联系电话", ("电话",), kind="phone"),
    _text("school_name", "学校名称", ("学校", "就读学校")),
]
HUJI_COLUMNS = [
    _text("name", "姓名", (), required=True),
    Column(
        "id_number",
        "身份证号",
        ("公民身份号码", "身份证号码", "身份证件号"),
        kind="id_number",
        required=True,
    ),
    Column("gender", "性别", (), kind="gender"),
    Column("birth_date", "出生日期", ("出生年月日",), kind="date"),
    _text("address", "住址", ("户籍地址", "家庭住址", "现住址")),
    _text("head_name", "户主姓名", ("户主",)),
    _text("village_name", "村（社区）", ("村名", "村", "所在村", "村社区")),
]
TUOPIN_COLUMNS = [
    _text("name", "姓名", ("成员姓名", "家庭成员姓名"), required=True),
    Column(
        "id_number",
        "身份证号",
        ("公民身份号码", "身份证号码", "证件号码"),
        kind="id_number",
        required=True,
    ),
    _text("head_name", "户主姓名", ("户主",)),
    _text("kind", "类别", ("户类型", "脱贫户/监测户", "户类别", "监测类型")),
    _text("village_name", "村（社区）", ("村名", "村", "所在村")),
]
# 001 §四(二)5: the graduates a primary school hands over to their junior school.
HANDOVER_COLUMNS = [
    _text("name", "姓名", ("学生姓名", "毕业生姓名"), required=True),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证件号"),
        kind="id_number",
        required=True,
    ),
    Column("gender", "性别", (), kind="gender"),
    _text("primary_name", "毕业学校", ("原学校", "毕业小学", "小学")),
    _text("class_label", "毕业年级班级", ("年级班级", "毕业班级", "班级")),
    _text(
        "junior_name",
        "指定中学",
        ("指定初中", "升入学校", "升入中学", "接收学校", "报到学校", "划片中学"),
        required=True,
    ),
    _text("note", "备注", ("说明",)),
]
COLUMNS = {
    ImportBatch.Kind.ROSTER: ROSTER_COLUMNS,
    ImportBatch.Kind.XUEJI: XUEJI_COLUMNS,
    ImportBatch.Kind.HUJI: HUJI_COLUMNS,
    ImportBatch.Kind.TUOPIN: TUOPIN_COLUMNS,
    ImportBatch.Kind.HANDOVER: HANDOVER_COLUMNS,
}
# 户籍 and 脱贫户 lists cover whole households: keep only the people the
# checks need (ages 3–18), nothing more (PIPL: collect the minimum).
KEEP_AGES = range(3, 19)


@dataclass
class Plan:
    errors: list = field(default_factory=list)  # CellError
    creates: list = field(default_factory=list)  # unsaved objects
    updates: list = field(default_factory=list)  # (object, [field names])
    unchanged: int = 0
    skipped: int = 0
    changes: list = field(default_factory=list)  # for the batch page
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- helpers


def add_error(plan, row, column, message):
    plan.errors.append(CellError(row=row, column=column, message=message))


GRADE_CLASS = re.compile(
    r"^(?:小学|初中)?(?P<grade>[一二三四五六七八九1-9]|初[一二三])年?级?"
    r"[（(]?(?P<cls>\d{1,2})?[)）]?(?:班)?$"
)
CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


def parse_grade_class(text):
    """'三年级2班' / '初一(2)班' / '7年级1班' → (grade, '2班'); None if unreadable."""
    text = "".join((text or "").split())
    if not text:
        return None, ""
    m = GRADE_CLASS.match(text)
    if not m:
        return None
    g = m.group("grade")
    grade = 6 + CN_DIGITS[g[1]] if g.startswith("初") else CN_DIGITS.get(g) or int(g)
    return grade, f"{m.group('cls')}班" if m.group("cls") else ""


def parse_special(text):
    """'留守儿童、残疾' → {'is_left_behind': True, 'is_disabled': True, others False}."""
    text = (text or "").strip()
    if not text:
        return None
    if text.upper() in NO_WORDS:
        return {f: False for f in set(SPECIAL_WORDS.values())}
    found = {f for word, f in SPECIAL_WORDS.items() if word in text}
    if not found:
        return "unknown"
    return {f: f in found for f in set(SPECIAL_WORDS.values())}


def parse_poverty(text):
    """'脱贫户' / '监测户' / '是' / '否' → (is_tuopin, is_jiance); None when blank."""
    text = (text or "").strip()
    if not text:
        return None
    if text.upper() in NO_WORDS:
        return False, False
    tuopin, jiance = "脱贫" in text, "监测" in text
    if text in ("是", "√", "Y", "1"):
        tuopin = True
    if not (tuopin or jiance):
        return "unknown"
    return tuopin, jiance


def copy_values(obj, values, changed):
    """Copy non-blank values onto obj, noting the fields that differ."""
    for name, value in values.items():
        if value is None or value == "":
            continue
        # Compare a relation by its id: reading obj.<fk> would query per row.
        current = getattr(obj, f"{name}_id") if isinstance(value, Model) else getattr(obj, name)
        if current != (value.pk if isinstance(value, Model) else value):
            setattr(obj, name, value)
            changed.append(name)


def field_labels(model, names):
    return "、".join(str(model._meta.get_field(n).verbose_name) for n in names)
