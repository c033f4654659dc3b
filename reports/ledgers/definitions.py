"""The five ledgers, each with the seeds' exact columns (DOMAIN §7 and §9)."""

from dataclasses import dataclass
from typing import Any

from students.models import Child

from .cells import _common, _roster_cells

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
    "建档日期": 11,
    "建档原因": 12,
    "个案状态": 10,
    "复学日期": 11,
    "销号状态": 20,
    "销号日期": 11,
    "销号确认人": 10,
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
    fields: tuple = ()  # the values() a row reads, when not a child's FIELDS
    child_key: str = "id"  # the row's key to the child (a name links to it)
    child_path: str = ""  # the queryset's path to the child ("child__" for cases)

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
