"""Retention: years after a child left compulsory education, their photos,
files, phones, addresses, family situation and disability details are erased,
in the history too; name, ID number and case outcome stay in the ledgers."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases import services, states
from cases.models import Attachment, Case, PersuasionRecord, ReturnNotice
from cases.tasks import erase_expired_personal_data
from students.models import Child, Household, JurisdictionSettings

from ..conftest import make_id

D = datetime.date


def png():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, "PNG")
    return ContentFile(buf.getvalue(), name="photo.png")


def persuasion(case, by, **files):
    return PersuasionRecord.objects.create(
        case=case,
        at=timezone.now(),
        method=PersuasionRecord.Method.HOME_VISIT,
        process="入户劝学",
        family_situation="父母离异，随祖母生活",
        outcome=PersuasionRecord.Outcome.REFUSED,
        recorded_by=by,
        **files,
    )


@pytest.fixture
def left_long_ago(world):
    """刘七, born 2005: dropped out at 15, the case went to the county (移交县级核处)
    and was closed; past compulsory age for years now."""
    household = Household.objects.create(
        village=world.v1, head_name="刘大", phone="13700001111", address="一村3组8号"
    )
    birth = D(2005, 3, 8)
    child = Child.objects.create(
        name="刘七",
        village=world.v1,
        household=household,
        gender="M",
        birth_date=birth,
        id_number=make_id("520102", birth, 901),
        father_phone="13700002222",
        mother_phone="13700003333",
        address="一村3组8号",
        is_disabled=True,
        disability_category=Child.DisabilityCategory.PHYSICAL,
        disability_grade=3,
    )
    child.guardian_phone = "13700004444"
    child.save()  # a second history row with the details
    case = services.open_case_by_hand(child=child, by=world.township_user)
    record = persuasion(case, world.township_user, presence_photo=png(), guardian_signature=png())
    Attachment.objects.create(case=case, record=record, file=png(), uploaded_by=world.township_user)
    ReturnNotice.objects.create(
        case=case,
        township=world.t1,
        year=2020,
        number=1,
        issued_on=D(2020, 5, 6),
        return_deadline=D(2020, 5, 9),
        guardian_name="刘大",
        legal_basis="《中华人民共和国义务教育法》第五条",
        issued_by=world.township_user,
        receipt=png(),
    )
    states.transition(case, "close_other", by=world.county_user, ending=Case.Ending.COUNTY_REVIEW)
    Child.objects.filter(pk=child.pk).update(status=Child.Status.DROPOUT)  # 辍学学生台账
    return child


@pytest.fixture
def in_school(world):
    """The teacher's pupil, with a case and a photo of its own."""
    Child.objects.filter(pk=world.c_class.pk).update(address="一村1组1号")
    case = services.open_case_by_hand(child=world.c_class, by=world.school_admin)
    persuasion(case, world.teacher, presence_photo=png())
    return Child.objects.get(pk=world.c_class.pk)


def files_of(child):
    names = []
    for r in PersuasionRecord.objects.filter(case__child=child):
        names += [f.name for f in (r.presence_photo, r.guardian_signature) if f]
    names += [a.file.name for a in Attachment.objects.filter(case__child=child)]
    names += [n.receipt.name for n in ReturnNotice.objects.filter(case__child=child) if n.receipt]
    return names


def details(child):
    return {
        "phones": [child.father_phone, child.mother_phone, child.guardian_phone],
        "address": child.address,
        "disability": (child.disability_category, child.disability_grade),
    }


ERASED = {"phones": ["", "", ""], "address": "", "disability": ("", None)}


def test_details_are_erased_years_after_the_child_left(
    world, left_long_ago, in_school, login, django_capture_on_commit_callbacks
):
    old_files = files_of(left_long_ago)
    pupil_files = files_of(in_school)
    pupil_before = details(in_school)
    assert len(old_files) == 4 and all(default_storage.exists(n) for n in old_files)

    with django_capture_on_commit_callbacks(execute=True):
        result = erase_expired_personal_data.delay().get()
    assert result == {"children": 1, "households": 1, "files": 4}

    child = Child.objects.get(pk=left_long_ago.pk)
    assert details(child) == ERASED
    assert [details(h) for h in child.history.all()] == [ERASED] * child.history.count()
    assert child.history.count() >= 2  # created, edited, its case
    household = child.household
    assert (household.phone, household.address) == ("", "")
    assert {(h.phone, h.address) for h in household.history.all()} == {("", "")}
    assert [r.family_situation for r in PersuasionRecord.objects.filter(case__child=child)] == [""]
    assert not any(default_storage.exists(n) for n in old_files)
    assert files_of(child) == []
    # What the ledgers need stays: name, ID number, the case and its outcome.
    assert (child.name, child.id_number) == ("刘七", left_long_ago.id_number)
    assert child.cases.get().ending == Case.Ending.COUNTY_REVIEW
    page = login(world.county_user).get(reverse("reports:child_ledger", args=["dropout"]))
    assert "刘七" in page.content.decode()

    # A child still in school is untouched.
    pupil = Child.objects.get(pk=in_school.pk)
    assert details(pupil) == pupil_before and pupil.address == "一村1组1号"
    assert files_of(pupil) == pupil_files and all(default_storage.exists(n) for n in pupil_files)
    assert PersuasionRecord.objects.get(case__child=pupil).family_situation

    # Running again changes nothing.
    history_rows = Child.history.count() + Household.history.count()
    updated = Child.objects.get(pk=child.pk).updated_at
    with django_capture_on_commit_callbacks(execute=True):
        again = erase_expired_personal_data.delay().get()
    assert again == {"children": 0, "households": 0, "files": 0}
    assert Child.history.count() + Household.history.count() == history_rows
    assert Child.objects.get(pk=child.pk).updated_at == updated


def test_the_period_is_the_county_setting_and_an_open_case_keeps_everything(
    world, left_long_ago, django_capture_on_commit_callbacks
):
    # Graduated two years ago: kept under the 3-year default, erased under 1 year.
    grad = world.c_v2_no_school
    Child.objects.filter(pk=grad.pk).update(
        status=Child.Status.GRADUATED,
        status_changed_at=timezone.now() - datetime.timedelta(days=730),
        father_phone="13800005555",
    )
    assert JurisdictionSettings(county=world.county).retention_years == 3
    erase_expired_personal_data.delay().get()
    assert Child.objects.get(pk=grad.pk).father_phone == "13800005555"

    JurisdictionSettings.objects.create(county=world.county, retention_years=1)
    erase_expired_personal_data.delay().get()
    assert Child.objects.get(pk=grad.pk).father_phone == ""

    # Reopened: a case in progress needs the phones, however old the child.
    Child.objects.filter(pk=left_long_ago.pk).update(father_phone="13700009999")
    states.transition(left_long_ago.cases.get(), "reopen", by=world.county_user)
    erase_expired_personal_data.delay().get()
    assert Child.objects.get(pk=left_long_ago.pk).father_phone == "13700009999"
