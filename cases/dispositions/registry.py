"""`REGISTRY`: the six dispositions' rules, one per Disposition.Kind
(000 附件1; the evidence is 000 附件3《档案资料清单》)."""

from students.models import Membership

from ..models import Case, Disposition
from .rules import (
    HOSPITAL_LEVELS,
    JOINT_PERSUASIONS,
    Evidence,
    Fact,
    Rule,
    Source,
    _disabled,
    _grade_nine_spring,
    check_disabled,
    check_graduation,
    check_nothing_more,
    check_special_school,
    check_suspension,
)

Kind = Disposition.Kind
Role = Membership.Role
Ending = Case.Ending

NOTICE = Evidence("return_notice", "限期复学通知书", source=Source.NOTICE)
JOINT = Evidence(
    "joint_persuasions",
    f"至少{JOINT_PERSUASIONS}次联合劝返记录（能证明学生本人在场）",
    source=Source.JOINT,
    count=JOINT_PERSUASIONS,
)
DISABILITY = Evidence("disability_certificate", "残疾证明（残疾证）")
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
            evidence=(
                NOTICE,
                JOINT,
                Evidence("exam_photos", "考试图片材料"),
                Evidence("certificate", "毕业（结业）证（时间在劝返后）"),
                Evidence("exam_papers", "考试试卷（存教务处）"),
            ),
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
            evidence=(
                Evidence("diagnosis", "县级以上医院建议休学诊断证明"),
                Evidence("application", "休学申请表"),
            ),
            facts=(
                Fact("hospital_name", "诊断医院"),
                Fact("hospital_level", "医院等级", "choice", tuple(HOSPITAL_LEVELS)),
                Fact("diagnosis", "诊断结论"),
            ),
        ),
        Rule(
            kind=Kind.HOME_TEACHING,
            label="送教上门",
            when="无基本生活自理能力又没有完全丧失学习能力的重度残疾儿童",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.HOME_TEACHING,
            check=check_disabled,
            eligible=_disabled,
            note=(
                "送教上门的学生纳入学籍管理：销号后仍保留学籍（入学状态为“送教上门”）。"
                "每周送教1次，每次不少于2学时，每学年不少于80学时。"
            ),
            evidence=(
                DISABILITY,
                Evidence(
                    "placement_document", "县教委关于该生送教上门的安置文件", after_approval=True
                ),
                Evidence("parent_consent", "送教上门家长同意书"),
                Evidence("ability_assessment", "学生能力评估表", required=False),
                Evidence(
                    "teaching_plan", "送教上门教学或训练方案（课程计划、课表）", required=False
                ),
                Evidence("photos", "送教图片、音视频", required=False),
            ),
            facts=(Fact("placement_doc_number", "安置文件文号"),),
        ),
        Rule(
            kind=Kind.EXEMPTION,
            label="办理免学",
            when="已经完全丧失学习能力的重度残疾少年儿童",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.EXEMPTION,
            check=check_disabled,
            eligible=_disabled,
            evidence=(
                DISABILITY,
                Evidence("bureau_approval", "免学申请表（教委盖章同意）", after_approval=True),
                Evidence("photos", "图片资料"),
            ),
        ),
        Rule(
            kind=Kind.DEFERRAL,
            label="办理缓学",
            when="正在康复治疗中的残疾少年儿童",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.DEFERRAL,
            check=check_disabled,
            eligible=_disabled,
            review_required=True,
            evidence=(
                DISABILITY,
                Evidence("bureau_approval", "缓学申请表（教委盖章同意）", after_approval=True),
                Evidence("photos", "图片资料"),
            ),
        ),
        Rule(
            kind=Kind.COUNTY_REVIEW,
            label="移交县级核处",
            when="极度厌学，经3次以上联合劝返（学生本人在场）拒不返校的学生",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.COUNTY_REVIEW,
            check=check_nothing_more,
            note="县级核实同意后，每月至少联合劝返一次（学生本人在场），系统逐月核查。",
            evidence=(
                NOTICE,
                JOINT,
                Evidence(
                    "county_approval",
                    "县委农村工作暨实施乡村振兴战略领导小组核实同意的佐证资料",
                    after_approval=True,
                ),
                Evidence(
                    "follow_ups",
                    "每月至少一次联合劝返（学生本人在场）",
                    source=Source.FOLLOW_UPS,
                    required=False,
                ),
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
            evidence=(
                Evidence("guardian_consent", "家长（监护人）同意书"),
                Evidence("student_consent", "学生本人同意书"),
                Evidence("admission_form", "《专门学校学生入学审批表》"),
            ),
            facts=(
                Fact("school_name", "专门学校名称"),
                Fact("police_unit", "牵头公安机关"),
            ),
        ),
    ]
}
assert set(REGISTRY) == set(Kind.values), "every Disposition.Kind needs its rule"
