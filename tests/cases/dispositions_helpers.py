"""Builders shared by the disposition tests: a complete disposition of each kind,
the joint persuasions, evidence uploads, the dates the rules are tested on."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cases import dispositions as rules
from cases.models import Case, Disposition, Participant, PersuasionRecord
from students.models import Child

D = datetime.date
K = Disposition.Kind
ON = D(2026, 5, 20)  # 初三下期 (spring term)
REVIEW_ON = D(2026, 8, 20)


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def png(name="photo.png"):
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def joint(case, day, *, outcome=PersuasionRecord.Outcome.REFUSED, present=True, sides=None):
    record = PersuasionRecord.objects.create(
        case=case,
        at=at(day),
        method=PersuasionRecord.Method.JOINT_VISIT,
        student_present=present,
        process="联合劝返",
        outcome=outcome,
        recorded_by=case.opened_by,
    )
    for side in sides or (Participant.Side.SCHOOL, Participant.Side.VILLAGE):
        Participant.objects.create(record=record, name=f"{side}人员", side=side)
    return record


def upload(d, code, by):
    return rules.add_evidence(disposition=d, item=code, file=png(), by=by)


def refused(fn, **kwargs):
    with pytest.raises(ValidationError) as e:
        fn(**kwargs)
    return "；".join(e.value.messages)


def fresh(obj):
    obj.refresh_from_db()
    return obj


def prepare(world, child, kind):
    """What the child must be for the kind to start at all."""
    if kind == K.GRADUATION:
        Child.objects.filter(pk=child.pk).update(grade=9)
    if kind in (K.HOME_TEACHING, K.EXEMPTION, K.DEFERRAL):
        # 000 附件1 ③④: 重度残疾 with a 二级以上残疾证 and no basic self-care; 送教上门
        # keeps some learning ability, 免学 has lost it, 缓学 is in rehabilitation.
        Child.objects.filter(pk=child.pk).update(
            is_disabled=True,
            disability_category="intellectual",
            disability_grade=1,
            disability_certified=True,
            disability_self_care=Child.SelfCare.NONE,
            disability_learning=(
                Child.Learning.PARTIAL if kind == K.HOME_TEACHING else Child.Learning.LOST
            ),
            in_rehabilitation=kind == K.DEFERRAL,
        )
    child.refresh_from_db()


def complete(world, case, d):
    """Every fact, record and paper the kind's rule and checklist ask for."""
    rule = rules.REGISTRY[d.kind]
    by = world.school_admin
    facts = {
        K.GRADUATION: {"exam_date": D(2026, 5, 10), "certificate_date": D(2026, 5, 18)},
        K.SUSPENSION: {"hospital_name": "县人民医院", "hospital_level": "县级"},
        K.SPECIAL_SCHOOL: {
            "school_name": "新仪学校",
            "police_unit": "县公安局",
            "guardian_consent": "同意",
            "student_consent": "同意",
        },
    }.get(d.kind, {})
    if rule.facts or rule.review_required:
        rules.save_facts(disposition=d, facts=facts, review_on=REVIEW_ON, by=by)
    if any(e.source == rules.Source.JOINT for e in rule.evidence):
        joint(case, D(2026, 3, 2))
        joint(case, D(2026, 3, 16))
        joint(case, D(2026, 4, 1), outcome=PersuasionRecord.Outcome.AGREED)
    for e in rule.uploads:
        if e.required:
            upload(d, e.code, by)
    return fresh(d)


def start(world, case, kind, by=None):
    prepare(world, case.child, kind)
    return rules.start_disposition(
        case=Case.objects.get(pk=case.pk), kind=kind, by=by or world.school_admin, on=ON
    )


def approved_home_teaching(world, case, approved_on):
    d = complete(world, case, start(world, case, K.HOME_TEACHING))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    rules.decide_disposition(disposition=fresh(d), approve=True, by=world.county_user)
    Disposition.objects.filter(pk=d.pk).update(decided_at=at(approved_on))
    rules.close_disposition(disposition=fresh(d), by=world.school_admin, on=ON)
    return fresh(d)
