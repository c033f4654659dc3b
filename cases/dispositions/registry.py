"""`REGISTRY`: the six dispositions' rules, one per Disposition.Kind (000 附件1).

Their evidence lists (000 附件3《档案资料清单》) are reference data in the
database (EvidencePreset, from fixtures/disposition_evidence.json): `rule.evidence`."""

from students.models import Membership
from students.models.jurisdiction_settings import RURAL_GROUP_NAME
from students.selectors import settings_for

from ..models import Case, Disposition
from .rules import (
    CONSENTS,
    HOSPITAL_LEVELS,
    Fact,
    Rule,
    _deferral,
    _exemption,
    _grade_nine_spring,
    _home_teaching,
    check_deferral,
    check_exemption,
    check_graduation,
    check_home_teaching,
    check_nothing_more,
    check_special_school,
    check_suspension,
)

Kind = Disposition.Kind
Role = Membership.Role
Ending = Case.Ending

OFFICES = frozenset({Role.SCHOOL_ADMIN, Role.TOWNSHIP, Role.SYSADMIN})

REGISTRY = {
    r.kind: r
    for r in [
        Rule(
            kind=Kind.GRADUATION,
            label="办理毕业（结业）证",
            when="初三下期疑似辍学，经3次联合劝返（学生本人在场）仍不返校的，组织补习考试后发放毕业或结业证",
            requesters=OFFICES,
            county_approves=False,
            ending=Ending.GRADUATION,
            check=check_graduation,
            eligible=_grade_nine_spring,
            facts=(
                Fact("exam_date", "补习考试日期", "date", help="不能与最后一次联合劝返同月"),
                Fact("certificate_date", "毕业（结业）证日期", "date"),
                Fact(
                    "certificate_kind",
                    "证书",
                    "choice",
                    (("毕业证", "毕业证"), ("结业证", "结业证")),
                ),
                Fact(
                    "agreed_record_id",
                    "同意补考的劝返记录",
                    "joint_record",
                    help="留空则以最后一次联合劝返的结果“同意返校”为准",
                ),
            ),
        ),
        Rule(
            kind=Kind.SUSPENSION,
            label="办理休学证明",
            when="因病休假治疗的学生，持县级人民医院及以上医院诊断证明向学校申请，经学校和教育行政部门同意",
            requesters=frozenset({Role.SCHOOL_ADMIN, Role.SYSADMIN}),
            county_approves=True,
            ending=Ending.SUSPENSION,
            check=check_suspension,
            review_required=True,
            facts=(
                Fact("hospital_name", "诊断医院"),
                Fact("hospital_level", "医院等级", "choice", tuple(HOSPITAL_LEVELS)),
                Fact("diagnosis", "诊断结论"),
            ),
        ),
        Rule(
            kind=Kind.HOME_TEACHING,
            label="送教上门",
            when="无基本的生活自理能力又没有完全丧失学习能力的重度残疾儿童（持二级以上残疾人证）",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.HOME_TEACHING,
            check=check_home_teaching,
            eligible=_home_teaching,
            note=(
                "送教上门的学生纳入学籍管理：销号后仍保留学籍（入学状态为“送教上门”）。"
                "每周送教1次，每次不少于2学时，每学年不少于80学时。"
            ),
            facts=(Fact("placement_doc_number", "安置文件文号"),),
        ),
        Rule(
            kind=Kind.EXEMPTION,
            label="办理免学",
            when="已经完全丧失学习能力的重度残疾少年儿童（持二级以上残疾人证）",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.EXEMPTION,
            check=check_exemption,
            eligible=_exemption,
        ),
        Rule(
            kind=Kind.DEFERRAL,
            label="办理缓学",
            when="正在康复治疗中的残疾少年儿童",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.DEFERRAL,
            check=check_deferral,
            eligible=_deferral,
            review_required=True,
        ),
        Rule(
            kind=Kind.COUNTY_REVIEW,
            label="移交县级核处",
            when="极度厌学，经3次以上联合劝返（学生本人在场）拒不返校的学生",
            requesters=OFFICES,
            county_approves=True,
            approver=Role.RURAL_GROUP,
            ending=Ending.COUNTY_REVIEW,
            check=check_nothing_more,
            note=(
                "由县委农村工作暨实施乡村振兴战略领导小组核实同意（认定达到“义务教育有保障”条件，"
                "准许先办理延缓入学或休学手续）；此后每月至少联合劝返一次（学生本人在场），系统逐月核查。"
            ),
        ),
        Rule(
            kind=Kind.SPECIAL_SCHOOL,
            label="送读专门学校",
            when="长期违规违纪且犯法的学生，经家长、本人同意，由公安局牵头送专门学校就读",
            requesters=OFFICES,
            county_approves=False,
            ending=Ending.SPECIAL_SCHOOL,
            check=check_special_school,
            facts=(
                Fact("school_name", "专门学校名称"),
                Fact("police_unit", "牵头公安机关", help="由公安局牵头送读"),
                Fact("guardian_consent", "家长（监护人）意见", "choice", CONSENTS),
                Fact("student_consent", "学生本人意见", "choice", CONSENTS),
            ),
        ),
    ]
}
assert set(REGISTRY) == set(Kind.values), "every Disposition.Kind needs its rule"


def approver_name(rule, case):
    """The approving office as the county names it: 县教育局, or for
    移交县级核处 its leading group (JurisdictionSettings.rural_group_name)."""
    if rule.approver == Role.RURAL_GROUP:
        name = settings_for(township=case.child.village.township).rural_group_name
        return name or RURAL_GROUP_NAME
    return "县教育局"
