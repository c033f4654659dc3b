"""劝学记录: the form on a case, the to-dos it answers, the timeline, double
submits, the joint-visit rule, photos and scoping."""

import io
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from cases import ladder, persuasion
from cases.models import Attachment, Case, CaseEvent, Participant, PersuasionRecord, Todo
from common import uploads

from .persuasion_helpers import DAY, add_todo, open_case_for, png

Kind = Todo.Kind
Role = ladder.Role


@pytest.fixture
def case(world):
    c = open_case_for(world.c_class)
    for kind, role in [
        (Kind.CALL, Role.TEACHER),
        (Kind.SCHOOL_VISIT, Role.TEACHER),
        (Kind.LEADER_VISIT, Role.SCHOOL_ADMIN),
        (Kind.VILLAGE_VISIT, Role.VILLAGE),
        (Kind.JOINT_VISIT, Role.SCHOOL_ADMIN),
        (Kind.REPORT, Role.SCHOOL_ADMIN),
    ]:
        add_todo(c, kind, role)
    return Case.objects.select_related("child__village__township", "child__school").get(pk=c.pk)


def form_data(
    token=None,
    *,
    method="home_visit",
    participants=(("王老师", "school", "班主任"),),
    **extra,
):
    data = {
        "client_token": str(token or uuid.uuid4()),
        "at": "2025-11-20T10:30",
        "method": method,
        "family_situation": "父母在外务工，与祖母同住。",
        "process": "向家长讲明义务教育法规定的监护人责任，学生表示愿意返校。",
        "guardian_attitude": "同意",
        "student_attitude": "愿意返校",
        "school_opinion": "安排补课",
        "outcome": "agreed",
        "outcome_note": "",
        "p-TOTAL_FORMS": "3",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "1",
        "p-MAX_NUM_FORMS": "12",
    }
    for i, (name, side, role) in enumerate(participants):
        data.update({f"p-{i}-name": name, f"p-{i}-side": side, f"p-{i}-role": role})
    data.update(extra)
    return data


def new_url(case):
    return reverse("cases:persuasion_new", args=[case.pk])


def open_kinds(case):
    return set(Todo.objects.filter(case=case, done_at__isnull=True).values_list("kind", flat=True))


def test_teacher_records_a_home_visit_it_completes_the_visit_and_call_and_is_logged(
    world, login, case
):
    client = login(world.teacher)
    page = client.get(new_url(case))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="client_token"' in html and 'type="hidden"' in html
    assert 'value="teacher"' in html  # the recorder is the first participant
    assert 'type="datetime-local"' in html

    data = form_data(
        student_present="on",
        presence_photo=png("在场.png"),
        guardian_signature=png("签字.png"),
        attachments=[png("a.png"), SimpleUploadedFile("b.pdf", b"%PDF-1.4 test")],
    )
    response = client.post(new_url(case), data)
    assert response.status_code == 302, response.content.decode()
    assert response.url.endswith(f"{case.get_absolute_url()}#persuasion")

    record = PersuasionRecord.objects.get(case=case)
    assert record.method == "home_visit" and record.student_present
    assert record.recorded_by == world.teacher
    assert record.at.date() == DAY
    assert record.presence_photo.name.startswith("persuasion/")
    assert "在场" not in record.presence_photo.name  # stored under a random name
    assert [(p.name, p.side) for p in record.participants.all()] == [("王老师", "school")]
    assert sorted(a.note for a in record.attachments.all()) == ["a.png", "b.pdf"]
    assert all(a.case_id == case.pk for a in Attachment.objects.all())

    # a teacher's home visit answers the school visit and the day-1 call
    done = Todo.objects.filter(case=case, done_at__isnull=False)
    assert set(done.values_list("kind", flat=True)) == {Kind.CALL, Kind.SCHOOL_VISIT}
    assert all(t.done_by == world.teacher for t in done)
    assert open_kinds(case) == {Kind.LEADER_VISIT, Kind.VILLAGE_VISIT, Kind.JOINT_VISIT, "report"}

    event = CaseEvent.objects.get(case=case, action="persuasion")
    assert event.note.startswith("劝学记录：入户家访劝学")
    assert "王老师" in event.note and "同意返校" in event.note and "完成待办2项" in event.note
    assert event.by == world.teacher
    assert event.from_state == event.to_state == Case.State.OPEN


def test_a_phone_call_answers_only_the_call(world, login, case):
    client = login(world.school_admin)
    response = client.post(
        new_url(case),
        form_data(method="phone", student_present="on"),  # no photo needed on the phone
    )
    assert response.status_code == 302
    assert Kind.CALL not in open_kinds(case)
    assert {Kind.SCHOOL_VISIT, Kind.LEADER_VISIT} <= open_kinds(case)


def test_school_admin_visit_answers_the_leader_visit(world, login, case):
    client = login(world.school_admin)
    assert client.post(new_url(case), form_data()).status_code == 302
    assert not {Kind.LEADER_VISIT, Kind.SCHOOL_VISIT, Kind.CALL} & open_kinds(case)
    assert Kind.VILLAGE_VISIT in open_kinds(case)


def test_village_cadre_records_a_village_visit_on_a_case_of_their_village(world, login, case):
    client = login(world.village_user)
    page = client.get(new_url(case)).content.decode()
    assert '<option value="village" selected>' in page  # prefilled: the cadre's side
    response = client.post(
        new_url(case), form_data(participants=(("李书记", "village", "村支书"),))
    )
    assert response.status_code == 302
    assert Kind.VILLAGE_VISIT not in open_kinds(case)
    assert {Kind.CALL, Kind.SCHOOL_VISIT, Kind.JOINT_VISIT} <= open_kinds(case)


def test_a_joint_visit_needs_the_school_and_the_village_or_township(world, login, case):
    client = login(world.teacher)
    only_school = form_data(
        method="joint_visit",
        participants=(("王老师", "school", "班主任"), ("赵主任", "school", "")),
    )
    response = client.post(new_url(case), only_school)
    assert response.status_code == 200
    assert "联合家访须有学校人员和村（社区）或乡镇人员共同参加" in response.content.decode()
    assert not PersuasionRecord.objects.exists()
    assert not CaseEvent.objects.filter(action="persuasion").exists()

    both = form_data(
        method="joint_visit",
        participants=(("王老师", "school", "班主任"), ("李书记", "village", "村支书")),
    )
    assert client.post(new_url(case), both).status_code == 302
    record = PersuasionRecord.objects.get()
    assert record.is_joint
    assert not {Kind.JOINT_VISIT, Kind.VILLAGE_VISIT, Kind.SCHOOL_VISIT} & open_kinds(case)


def test_township_counts_as_the_other_side_of_a_joint_visit(world, case):
    record, created = persuasion.record_persuasion(
        case=case,
        by=world.township_user,
        client_token=uuid.uuid4(),
        at=None,
        method="joint_visit",
        participants=[
            {"name": "王老师", "side": "school", "role": ""},
            {"name": "镇干部", "side": "township", "role": ""},
        ],
        process="联合劝返",
        outcome="undecided",
    )
    assert created and record.is_joint


def test_at_least_one_participant(world, login, case):
    client = login(world.teacher)
    response = client.post(new_url(case), form_data(participants=()))
    assert response.status_code == 200
    assert "请至少填写一位劝学人员" in response.content.decode()
    assert not PersuasionRecord.objects.exists()


def test_process_is_required(world, login, case):
    client = login(world.teacher)
    response = client.post(new_url(case), form_data(process=""))
    assert response.status_code == 200
    assert not PersuasionRecord.objects.exists()


def test_the_same_form_submitted_twice_saves_one_record(world, login, case):
    client = login(world.teacher)
    data = form_data(uuid.uuid4())
    first = client.post(new_url(case), data)
    second = client.post(new_url(case), data)
    assert first.status_code == second.status_code == 302
    said = [str(m) for m in get_messages(second.wsgi_request)]
    assert any("本次重复提交未再保存" in m for m in said)
    assert PersuasionRecord.objects.count() == 1
    assert Participant.objects.count() == 1
    assert CaseEvent.objects.filter(action="persuasion").count() == 1


def test_the_service_returns_the_first_record_for_a_repeated_token(world, case):
    token = uuid.uuid4()
    kwargs = dict(
        case=case,
        by=world.teacher,
        client_token=token,
        at=None,
        method="phone",
        participants=[{"name": "王老师", "side": "school"}],
        process="电话联系",
        outcome="unreachable",
    )
    first, created = persuasion.record_persuasion(**kwargs)
    again, created_again = persuasion.record_persuasion(**kwargs)
    assert created and not created_again and again.pk == first.pk
    other = open_case_for(world.c_s1_other_class)
    with pytest.raises(ValidationError, match="另一个案"):
        persuasion.record_persuasion(**{**kwargs, "case": other})


def test_student_present_on_a_visit_needs_a_photo(world, login, case):
    client = login(world.teacher)
    response = client.post(new_url(case), form_data(student_present="on"))
    assert response.status_code == 200
    assert "须上传学生在场的照片" in response.content.decode()
    assert not PersuasionRecord.objects.exists()


def test_images_are_checked_for_type_and_size(world, login, case, monkeypatch):
    client = login(world.teacher)
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    html = client.post(new_url(case), form_data(guardian_signature=fake)).content.decode()
    assert not PersuasionRecord.objects.exists()
    assert "图片" in html

    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "GIF")
    gif = SimpleUploadedFile("x.gif", buf.getvalue(), content_type="image/gif")
    html = client.post(new_url(case), form_data(guardian_signature=gif)).content.decode()
    assert "格式不支持" in html and not PersuasionRecord.objects.exists()

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    html = client.post(
        new_url(case), form_data(student_present="on", presence_photo=png())
    ).content.decode()
    assert "超过 10 MB" in html and not PersuasionRecord.objects.exists()

    evil = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    html = client.post(new_url(case), form_data(attachments=[evil])).content.decode()
    assert "格式不支持" in html and not PersuasionRecord.objects.exists()


def test_a_closed_case_takes_no_more_records(world, login, case):
    from cases import states

    states.transition(case, "cancel", by=world.school_admin, ending=Case.Ending.CANCELLED)
    client = login(world.teacher)
    assert client.get(new_url(case)).status_code == 404
    with pytest.raises(ValidationError, match="已销号"):
        persuasion.record_persuasion(
            case=Case.objects.get(pk=case.pk),
            by=world.teacher,
            client_token=uuid.uuid4(),
            at=None,
            method="phone",
            participants=[{"name": "王老师", "side": "school"}],
            process="电话",
            outcome="other",
        )


@pytest.mark.parametrize(
    "role, reaches",
    [
        ("teacher", True),
        ("school_admin", True),
        ("village_user", True),
        ("township_user", True),
        ("county_user", True),
        ("nobody", False),
    ],
)
def test_the_form_is_404_outside_the_users_reach(world, login, role, reaches):
    inside = open_case_for(world.c_class)
    outside = open_case_for(world.c_other_county)
    client = login(getattr(world, role))
    assert client.get(new_url(inside)).status_code == (200 if reaches else 404)
    assert client.get(new_url(outside)).status_code == 404
    assert client.post(new_url(outside), form_data()).status_code == 404
    assert not PersuasionRecord.objects.exists()


def test_another_class_teacher_cannot_record_or_read(world, login, case, django_user_model):
    from students.models import Membership

    other = django_user_model.objects.create_user(username="t2", password="x")
    Membership.objects.create(
        user=other, role=Role.TEACHER, school=world.s1, grade=5, class_name="2班"
    )
    record, _ = persuasion.record_persuasion(
        case=case,
        by=world.teacher,
        client_token=uuid.uuid4(),
        at=None,
        method="home_visit",
        participants=[{"name": "王老师", "side": "school"}],
        process="入户",
        outcome="agreed",
        attachments=[png("a.png")],
    )
    attachment = record.attachments.get()
    client = login(other)
    urls = [
        new_url(case),
        reverse("cases:persuasion_detail", args=[case.pk, record.pk]),
        reverse("cases:attachment_file", args=[case.pk, attachment.pk]),
    ]
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]

    # the record's own teacher reads it, and the file through the case only
    client = login(world.teacher)
    assert client.get(urls[1]).status_code == 200
    response = client.get(urls[2])
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    another = open_case_for(world.c_s1_other_class)
    login(world.school_admin)
    assert (
        client.get(reverse("cases:persuasion_detail", args=[another.pk, record.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("cases:persuasion_photo", args=[case.pk, record.pk, "process"])
        ).status_code
        == 404
    )


def test_the_case_list_include_runs_a_fixed_number_of_queries(
    world, case, rf, django_assert_max_num_queries
):
    for i in range(6):
        persuasion.record_persuasion(
            case=case,
            by=world.teacher,
            client_token=uuid.uuid4(),
            at=None,
            method="joint_visit" if i % 2 else "phone",
            participants=[
                {"name": f"老师{i}", "side": "school"},
                {"name": f"村干部{i}", "side": "village"},
            ],
            process=f"第{i}次",
            outcome="undecided",
            attachments=[png()] if i % 3 == 0 else [],
        )
    with django_assert_max_num_queries(4):
        html = render_to_string(
            "cases/persuasion/_list.html",
            {"case": case, **persuasion.list_context(world.teacher, case)},
        )
    assert html.count("联合劝返") == 3
    assert "劝学记录（6）" in html and "添加劝学记录" in html
