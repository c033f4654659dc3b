"""The admin site: legal records and the access log are read-only there, and
ID numbers and phones never show in full (so no unrecorded look)."""

import datetime

import pytest
from django.urls import reverse

from cases import ladder
from cases import services as case_services
from cases.models import Case, CaseEvent
from students.models import AccessLog, Child, Household, HujiRecord, ImportBatch
from students.services import save_child

LEGAL = [
    "cases_returnnotice",
    "cases_dropoutreport",
    "cases_persuasionrecord",
    "cases_attachment",
    "cases_case",
    "cases_caseevent",
    "cases_disposition",
    "cases_todo",
    "cases_noticecounter",
    "students_accesslog",
]


@pytest.fixture
def admin_client(world, client, django_user_model):
    boss = django_user_model.objects.create_superuser(username="boss", password="pw-123456-x")
    client.force_login(boss)
    return client


def test_legal_records_and_the_log_cannot_be_added_changed_or_deleted(world, admin_client):
    case = case_services.open_case_by_hand(child=world.c_class, by=world.school_admin, note="测试")
    event = CaseEvent.objects.filter(case=case).first()
    todo = ladder.make_todo(
        case,
        key="call",
        kind="call",
        title="电话",
        role="teacher",
        due_on=datetime.date(2026, 3, 2),
    )
    todo.save()
    log = AccessLog.objects.create(user=world.sysadmin, action=AccessLog.Action.LOGIN)
    for name in LEGAL:
        assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403, name
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    for name, pk in (
        ("cases_case", case.pk),
        ("cases_caseevent", event.pk),
        ("cases_todo", todo.pk),
        ("students_accesslog", log.pk),
    ):
        change = reverse(f"admin:{name}_change", args=[pk])
        page = admin_client.get(change).content.decode()
        assert 'name="_save"' not in page, name
        assert admin_client.post(change, {}).status_code == 403, name
        assert (
            admin_client.post(
                reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}
            ).status_code
            == 403
        )
    assert (
        Case.objects.filter(pk=case.pk).exists() and CaseEvent.objects.filter(pk=event.pk).exists()
    )
    assert AccessLog.objects.filter(pk=log.pk).exists()
    bulk = admin_client.post(
        reverse("admin:cases_case_changelist"),
        {"action": "delete_selected", "_selected_action": [case.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert Case.objects.filter(pk=case.pk).exists()


def test_admin_pages_mask_id_numbers_and_phones_history_included(world, admin_client):
    child = world.c_class
    child.mother_phone = "13700003333"
    save_child(child=child, by=world.village_user, reason="补登母亲电话")
    secrets = [child.id_number, "13900001111", "13700003333"]
    pages = [
        reverse("admin:students_child_changelist"),
        reverse("admin:students_child_change", args=[child.pk]),
        reverse("admin:students_child_history", args=[child.pk]),
        reverse("admin:students_household_changelist"),
        reverse("admin:students_household_change", args=[world.h1.pk]),
        reverse("admin:students_household_history", args=[world.h1.pk]),
    ]
    for url in pages:
        html = admin_client.get(url).content.decode()
        assert not [s for s in secrets + ["13812345678"] if s in html], url
    change = admin_client.get(pages[1]).content.decode()
    assert f"{child.id_number[:4]}**********{child.id_number[-4:]}" in change
    assert "137****3333" in change
    history = admin_client.get(pages[2]).content.decode()
    assert "137****3333" in history and "补登母亲电话" in history
    # A past version as a form would show (and could revert) everything.
    version = child.history.earliest().history_id
    url = reverse("admin:students_child_simple_history", args=[child.pk, version])
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {}).status_code == 403


def test_roster_records_are_not_edited_in_the_admin(world, admin_client):
    url = reverse("admin:students_child_change", args=[world.c_class.pk])
    assert admin_client.post(url, {"name": "改名"}).status_code == 403
    assert Child.objects.get(pk=world.c_class.pk).name == "王小明"
    url = reverse("admin:students_household_delete", args=[world.h1.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Household.objects.filter(pk=world.h1.pk).exists()


def test_register_records_are_masked_in_the_admin(world, admin_client):
    batch = ImportBatch.objects.create(kind="huji", county=world.county, filename="户籍.xlsx")
    record = HujiRecord.objects.create(
        county=world.county,
        id_number=world.c_t2.id_number,
        name="赵四",
        gender="M",
        birth_date=world.c_t2.birth_date,
        batch=batch,
    )
    for url in (
        reverse("admin:students_hujirecord_changelist"),
        reverse("admin:students_hujirecord_change", args=[record.pk]),
    ):
        html = admin_client.get(url).content.decode()
        assert "赵四" in html and world.c_t2.id_number not in html
