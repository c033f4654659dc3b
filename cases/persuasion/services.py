"""劝学记录 (001 附件2): writes, and the seeds' tables of which record answers
which to-do.

A teacher, a school leader, a village cadre or a township official records
every contact with the family, often from a phone in the field. Recording one
completes the case's open to-dos it answers and writes the case's timeline.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.uploads import (
    ATTACHMENT_EXTENSIONS,
    IMAGE_EXTENSIONS,
    check_upload,
    renamed_upload,
)
from students.jurisdiction import Role, access

from .. import services
from ..models import Attachment, Case, CaseEvent, Participant, PersuasionRecord, Todo

Method = PersuasionRecord.Method
Side = Participant.Side
Kind = Todo.Kind

# Uploads (photos, signatures, scans): one limit for every file, with a clear
# message. A phone photo is 2–6 MB; a scanned page well under 10 MB.
MAX_ATTACHMENTS = 10
# A recorded time a little ahead of the server's clock is a phone's clock.
CLOCK_SKEW = datetime.timedelta(minutes=10)

# Which of the case's open to-dos a record answers: by method, and for a home
# visit by the recorder's role on this child (a joint visit is also a home
# visit of whoever records it). Roles not listed answer nothing by visiting.
ANSWERS_BY_METHOD = {
    Method.PHONE: {Kind.CALL},
    Method.HOME_VISIT: set(),
    Method.JOINT_VISIT: {Kind.JOINT_VISIT, Kind.VILLAGE_VISIT},
}
HOME_VISIT_ANSWERS = {
    # 班主任 visits the home (004 day 3); it is also the day-1 contact (001: 电话或上门).
    Role.TEACHER: {Kind.SCHOOL_VISIT, Kind.CALL},
    # 德育处 / 分管领导 with the 班主任 (004 day 3, 001 day 2).
    Role.SCHOOL_ADMIN: {Kind.LEADER_VISIT, Kind.SCHOOL_VISIT, Kind.CALL},
    # 村（社区）书记、网格员 (004 村社协助).
    Role.VILLAGE: {Kind.VILLAGE_VISIT},
    # 乡镇 officials visit a never-enrolled child's home (DOMAIN §4; 未入学 ladder).
    Role.TOWNSHIP: {Kind.TOWNSHIP_VISIT},
}
PHOTO_METHODS = {Method.HOME_VISIT, Method.JOINT_VISIT}


def answered_kinds(*, method, roles):
    """The to-do kinds a record of this method, by a recorder with these roles
    on the child, completes."""
    kinds = set(ANSWERS_BY_METHOD[method])
    if method in PHOTO_METHODS:
        for role in roles:
            kinds |= HOME_VISIT_ANSWERS.get(role, set())
    return kinds


def _check_participants(method, participants):
    rows = [
        {
            "name": (p.get("name") or "").strip(),
            "side": p.get("side") or "",
            "role": (p.get("role") or "").strip(),
        }
        for p in participants
    ]
    rows = [r for r in rows if r["name"] or r["role"]]
    if not rows:
        raise ValidationError({"participants": "请至少填写一位劝学人员。"})
    for r in rows:
        if not r["name"]:
            raise ValidationError({"participants": "每位劝学人员都要填写姓名。"})
        if r["side"] not in Side.values:
            raise ValidationError({"participants": f"请选择“{r['name']}”的单位类别。"})
    sides = {r["side"] for r in rows}
    if method == Method.JOINT_VISIT and not (
        Side.SCHOOL in sides and sides & {Side.VILLAGE, Side.TOWNSHIP}
    ):
        raise ValidationError(
            {
                "participants": "联合家访须有学校人员和村（社区）或乡镇人员共同参加；"
                "只有一方参加的，请选择“入户家访”。"
            }
        )
    return rows


@transaction.atomic
def record_persuasion(
    *,
    case,
    by,
    client_token,
    at,
    method,
    participants,
    process,
    outcome,
    student_present=False,
    presence_photo=None,
    family_situation="",
    guardian_attitude="",
    guardian_signature=None,
    student_attitude="",
    student_signature=None,
    school_opinion="",
    outcome_note="",
    attachments=(),
):
    """Save one 劝学记录 with its participants and attachments.

    Returns (record, created). The same `client_token` saves one record: a
    second submit of the same form returns the first record, unchanged.
    """
    existing = PersuasionRecord.objects.filter(client_token=client_token).first()
    if existing is not None:
        return _same_case(existing, case), False
    if case.state == Case.State.CLOSED:
        raise ValidationError("个案已销号，不能再添加劝学记录。")
    at = at or timezone.now()
    if at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"at": "劝学时间不能晚于现在。"})
    rows = _check_participants(method, participants)
    errors = {}
    if student_present and method in PHOTO_METHODS and not presence_photo:
        errors["presence_photo"] = "勾选了“学生本人在场”的家访，须上传学生在场的照片。"
    for field, f in (
        ("presence_photo", presence_photo),
        ("guardian_signature", guardian_signature),
        ("student_signature", student_signature),
    ):
        if f:
            label = PersuasionRecord._meta.get_field(field).verbose_name
            try:
                check_upload(f, label=label, extensions=IMAGE_EXTENSIONS)
            except ValidationError as e:
                errors[field] = e.messages
    attachments = list(attachments or [])
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = f"附件一次最多上传 {MAX_ATTACHMENTS} 个。"
    for f in attachments:
        try:
            check_upload(f, label="附件", extensions=ATTACHMENT_EXTENSIONS)
        except ValidationError as e:
            errors.setdefault("attachments", []).extend(e.messages)
    if errors:
        raise ValidationError(errors)

    record = PersuasionRecord(
        case=case,
        client_token=client_token,
        at=at,
        method=method,
        student_present=student_present,
        presence_photo=renamed_upload(presence_photo) if presence_photo else "",
        family_situation=family_situation,
        process=(process or "").strip(),
        guardian_attitude=guardian_attitude,
        guardian_signature=renamed_upload(guardian_signature) if guardian_signature else "",
        student_attitude=student_attitude,
        student_signature=renamed_upload(student_signature) if student_signature else "",
        school_opinion=school_opinion,
        outcome=outcome,
        outcome_note=outcome_note,
        recorded_by=by,
    )
    record.full_clean(exclude=["client_token"])
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # The same form submitted twice at once: the other request saved it.
        existing = PersuasionRecord.objects.filter(client_token=client_token).first()
        if existing is None:
            raise
        return _same_case(existing, case), False

    people = [Participant(record=record, **r) for r in rows]
    for p in people:
        p.full_clean(exclude=["record"])
    Participant.objects.bulk_create(people)
    for f in attachments:
        original = (f.name or "")[:200]
        a = Attachment(
            case=case, record=record, file=renamed_upload(f), uploaded_by=by, note=original
        )
        a.full_clean(exclude=["case", "record", "uploaded_by"])
        a.save()

    kinds = answered_kinds(method=method, roles=access(by).roles_for(case.child))
    label = f"{record.get_method_display()}劝学（{record.at:%Y-%m-%d}）"
    done = services.complete_todos(case=case, kinds=kinds, by=by, note=label) if kinds else 0
    names = "、".join(r["name"] for r in rows)
    note = f"劝学记录：{label}，{names}；结果：{record.get_outcome_display()}"
    if record.outcome_note:
        note += f"（{record.outcome_note}）"
    if done:
        note += f"；完成待办{done}项"
    CaseEvent.objects.create(
        case=case,
        action="persuasion",
        from_state=case.state,
        to_state=case.state,
        note=note[:500],
        by=by,
    )
    return record, True


def _same_case(record, case):
    if record.case_id != case.pk:
        raise ValidationError("提交标识已被另一个案的记录使用，请重新打开表单填写。")
    return record
