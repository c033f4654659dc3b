"""`manage.py seed_demo`: idempotent, deterministic, complete and valid demo data,
with registers and a term check that give the cross-checks something to find."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.http import QueryDict
from django.utils import timezone

from reports import ledgers
from students import crosscheck, idcard
from students.demo import DEMO_PASSWORD, DEMO_USERS
from students.jurisdiction import access
from students.models import (
    Child,
    County,
    CrossCheckRun,
    Household,
    HujiRecord,
    ImportBatch,
    JurisdictionSettings,
    Lead,
    Membership,
    PovertyRecord,
    School,
    TermCheck,
    Township,
    Village,
    VillageGroup,
    XuejiRecord,
)
from students.schoolage import school_age, term_label

pytestmark = pytest.mark.django_db


def _seed(quiet=True):
    out = StringIO()
    call_command("seed_demo", quiet=quiet, stdout=out)
    return out.getvalue()


def _signs_in(client, username, password):
    """Through the login page, as a person does (django-axes needs the request)."""
    resp = client.post("/login/", {"username": username, "password": password})
    return resp.status_code == 302 and "_auth_user_id" in client.session


def _counts():
    return {
        "counties": County.objects.count(),
        "settings": JurisdictionSettings.objects.count(),
        "townships": Township.objects.count(),
        "villages": Village.objects.count(),
        "groups": VillageGroup.objects.count(),
        "schools": School.objects.count(),
        "school_villages": School.villages.through.objects.count(),
        "households": Household.objects.count(),
        "children": Child.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "household_history": Household.history.count(),
        "child_history": Child.history.count(),
        "import_batches": ImportBatch.objects.count(),
        "xueji": XuejiRecord.objects.count(),
        "huji": HujiRecord.objects.count(),
        "poverty": PovertyRecord.objects.count(),
        "term_checks": TermCheck.objects.count(),
        "leads": Lead.objects.count(),
        "runs": CrossCheckRun.objects.count(),
    }


def _snapshot():
    return sorted(
        Child.objects.values_list(
            "name",
            "gender",
            "birth_date",
            "id_number",
            "xueji_number",
            "school__name",
            "grade",
            "class_name",
            "status",
            "household__head_name",
            "household__address",
        )
    )


def _registers():
    return (
        sorted(
            XuejiRecord.objects.values_list(
                "xueji_number",
                "id_number",
                "name",
                "school__name",
                "grade",
                "class_name",
                "entry_month",
                "child__name",
                "batch__filename",
            )
        ),
        sorted(
            HujiRecord.objects.values_list(
                "id_number",
                "name",
                "gender",
                "birth_date",
                "village__name",
                "head_name",
                "address",
                "child__name",
                "batch__filename",
            )
        ),
        sorted(
            PovertyRecord.objects.values_list(
                "id_number", "kind", "name", "village__name", "head_name", "household__address"
            )
        ),
        sorted(
            TermCheck.objects.values_list(
                "term",
                "child__xueji_number",
                "child__name",
                "present",
                "note",
                "checked_by__username",
            )
        ),
        sorted(
            ImportBatch.objects.values_list(
                "kind", "filename", "school__name", "state", "total_rows", "created"
            )
        ),
    )


@pytest.fixture(autouse=True)
def _roster_only():
    """The students' demo alone: cases/ adds its calendar and absences to it
    through a signal (tested in test_case_pages.py)."""
    from cases import demo
    from students.signals import demo_seeded

    demo_seeded.disconnect(dispatch_uid="cases.demo.seed_calendar")
    yield
    demo_seeded.connect(demo.on_demo_seeded, dispatch_uid="cases.demo.seed_calendar")


def _delete_registers():
    TermCheck.objects.all().delete()
    for model in (XuejiRecord, HujiRecord, PovertyRecord, ImportBatch):
        model.objects.all().delete()


def test_second_run_changes_nothing():
    _seed()
    first, snapshot, registers = _counts(), _snapshot(), _registers()
    out = _seed()
    assert _counts() == first
    assert _snapshot() == snapshot
    assert "已存在" in out
    # Every household and child has exactly its first history record.
    assert first["household_history"] == first["households"]
    assert first["child_history"] == first["children"]
    assert not Child.history.exclude(history_type="+").exists()
    # The registers and the term check are there; leads and runs are the user's to make.
    for kind in ("import_batches", "xueji", "huji", "poverty", "term_checks"):
        assert first[kind] > 0, kind
    assert first["leads"] == first["runs"] == 0

    # A county seeded before the registers existed gets the same ones.
    _delete_registers()
    out = _seed()
    assert "已生成" in out
    assert _counts() == first
    assert _registers() == registers


def test_same_data_every_time():
    _seed()
    snapshot, registers = _snapshot(), _registers()
    _delete_registers()
    Child.objects.all().delete()
    Household.objects.all().delete()
    _seed()
    assert _snapshot() == snapshot
    assert _registers() == registers


def test_roster_is_complete_and_valid():
    out = _seed(quiet=False)
    for username, *_ in DEMO_USERS:
        assert username in out
    assert DEMO_PASSWORD in out

    assert Household.objects.count() == 400
    assert 650 <= Child.objects.count() <= 750
    assert VillageGroup.objects.filter(village__name="蛟潭村").count() in (2, 3)
    for flag in ("is_tuopin", "is_jiance", "is_dibao", "is_tekun"):
        assert Household.objects.filter(**{flag: True}).exists(), flag

    statuses = set(Child.objects.values_list("status", flat=True))
    assert statuses == set(Child.Status.values)
    enrolled = Child.objects.filter(status=Child.Status.ENROLLED).count()
    assert enrolled / Child.objects.count() > 0.85
    assert not Child.objects.filter(status=Child.Status.NOT_ENROLLED, school__isnull=False).exists()
    assert not Child.objects.filter(
        status=Child.Status.STUDYING_ELSEWHERE, school__isnull=False
    ).exists()
    for status in (Child.Status.HOME_TEACHING, Child.Status.DEFERRED):
        assert not Child.objects.filter(status=status, is_disabled=False).exists()

    for field in ["is_disabled", *Child.SPECIAL_GROUP_FIELDS]:
        assert Child.objects.filter(**{field: True}).count() >= 2, field
    assert not Child.objects.filter(is_disabled=True, disability_category="").exists()
    left_behind = Child.objects.filter(is_left_behind=True).count() / Child.objects.count()
    assert 0.1 < left_behind < 0.3

    without_id = Child.objects.filter(id_number__isnull=True)
    assert 3 <= without_id.count() <= 4
    assert all(
        idcard.classify_xueji_number(x) == "J"
        for x in without_id.values_list("xueji_number", flat=True)
    )
    temporary = Child.objects.filter(xueji_number__startswith="L")
    assert temporary.exists()
    assert not temporary.filter(id_number__isnull=True).exists()

    children = list(Child.objects.select_related("household", "school", "village__township"))
    ids = [c.id_number for c in children if c.id_number]
    assert len(ids) == len(set(ids))
    for child in children:
        child.full_clean()  # model rules and CheckConstraints
        assert child.household.village_id == child.village_id
        assert 6 <= school_age(child.birth_date).age <= 15, child
        if child.id_number:
            info = idcard.parse_id_number(child.id_number)
            assert not idcard.check_consistency(
                info, birth_date=child.birth_date, gender=child.gender
            )
            assert (
                info.area_code
                == {"蛟潭镇": "360222", "左岚乡": "500234"}[child.village.township.name]
            )
            if child.xueji_number:
                assert idcard.classify_xueji_number(child.xueji_number) in ("G", "L")
            else:  # never had a 学籍
                assert child.status in ("not_enrolled", "deferred", "exempt"), child
            if child.xueji_number.startswith("G"):
                assert child.xueji_number == "G" + child.id_number
        if child.grade:
            assert child.grade in child.school.grades
            expected = school_age(child.birth_date).expected_grade
            assert child.grade in (expected, expected - 1), child
        if child.status == Child.Status.NOT_ENROLLED:
            assert child.grade is None
        assert child.status_changed_at is not None


def test_demo_users_log_in_and_see_their_children(client):
    _seed()
    User = get_user_model()
    assert {u for u, *_ in DEMO_USERS} <= set(User.objects.values_list("username", flat=True))
    for username, display, role, _place in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.first_name == display
        assert user.is_staff == user.is_superuser == (username == "admin")
        assert set(user.memberships.values_list("role", flat=True)) == {role}
        assert _signs_in(client, username, DEMO_PASSWORD), username
        client.logout()

    village_user = User.objects.get(username="cunganbu")
    assert set(village_user.memberships.values_list("village__name", flat=True)) == {
        "蛟潭村",
        "福港村",
    }

    teacher = User.objects.get(username="banzhuren")
    m = teacher.memberships.get()
    assert (m.school.name, m.grade, m.class_name) == ("蛟潭镇中心学校", 5, "1班")
    assert (
        Child.objects.filter(access(teacher).children(), status=Child.Status.ENROLLED).count() >= 10
    )

    county_user = User.objects.get(username="xianjiaoyuju")
    assert Child.objects.filter(access(county_user).children()).count() == Child.objects.count()


def test_password_is_reset_on_every_run(client):
    _seed()
    user = get_user_model().objects.get(username="xuexiao")
    user.set_password("something-else")
    user.save()
    _seed()
    assert _signs_in(client, "xuexiao", DEMO_PASSWORD)


DROPOUT = [Child.Status.SUSPECTED_DROPOUT, Child.Status.DROPOUT]


def test_registers_match_the_roster():
    _seed()
    county = County.objects.get(name="示范县")
    batches = ImportBatch.objects.filter(county=county)
    assert set(batches.filter(kind="xueji").values_list("school__name", flat=True)) == set(
        School.objects.values_list("name", flat=True)
    )
    assert batches.filter(kind="huji").count() == batches.filter(kind="tuopin").count() == 1
    assert not batches.exclude(state=ImportBatch.State.COMMITTED).exists()
    assert not batches.filter(committed_at__isnull=True).exists()
    assert not batches.filter(user__isnull=False).exists()
    for model in (XuejiRecord, HujiRecord, PovertyRecord):
        for batch_pk, n in model.objects.values_list("batch").annotate(n=Count("pk")):
            batch = batches.get(pk=batch_pk)
            assert batch.created == batch.total_rows == batch.done_rows == n, batch

    # 学籍: 在读 children at a school, and 2–3 dropouts (名在人不在).
    for x in XuejiRecord.objects.select_related("child", "school"):
        c = x.child
        assert (x.xueji_number, x.school_id, x.grade, x.class_name) == (
            c.xueji_number,
            c.school_id,
            c.grade,
            c.class_name,
        )
        assert x.id_number == (c.id_number if x.xueji_number.startswith("G") else None)
        assert x.xueji_number[0] in "GL"
        assert c.status in (Child.Status.ENROLLED, *DROPOUT), c
        assert int(x.entry_month[:4]) <= timezone.localdate().year
    assert 2 <= XuejiRecord.objects.filter(child__status__in=DROPOUT).count() <= 3

    # 户籍: roster children by ID, and 3–4 school-age people the roster missed.
    roster = HujiRecord.objects.filter(child__isnull=False).select_related("child__household")
    for h in roster:
        assert (h.id_number, h.village_id, h.head_name) == (
            h.child.id_number,
            h.child.village_id,
            h.child.household.head_name,
        )
    missed = HujiRecord.objects.filter(child__isnull=True)
    assert 3 <= missed.count() <= 4
    assert set(missed.values_list("village__township__name", flat=True)) == {"蛟潭镇", "左岚乡"}
    for h in missed:
        assert idcard.is_valid_id_number(h.id_number)
        assert not Child.objects.filter(id_number=h.id_number).exists()
        assert not XuejiRecord.objects.filter(id_number=h.id_number).exists()
        assert school_age(h.birth_date).is_compulsory

    # 脱贫户/监测户: members of flagged households, by the household's flag.
    for p in PovertyRecord.objects.select_related("household"):
        if p.household.is_tuopin:
            assert p.kind == PovertyRecord.Kind.TUOPIN
        elif p.household.is_jiance:
            assert p.kind == PovertyRecord.Kind.JIANCE

    # This term's check: the 在读 children of two schools, a few absent with a reason.
    checks = TermCheck.objects.filter(term=term_label(timezone.localdate()))
    assert checks.count() == TermCheck.objects.count()
    assert set(checks.values_list("child__school__name", flat=True)) == {
        "蛟潭镇中心学校",
        "福港学校",
    }
    assert not checks.exclude(child__status=Child.Status.ENROLLED).exists()
    absent = checks.filter(present=False)
    assert 3 <= absent.count() <= 5
    assert not absent.filter(note="").exists()
    assert set(checks.values_list("checked_by__username", flat=True)) <= {"banzhuren", "xuexiao"}


def test_crosscheck_and_term_list_find_the_demo_cases():
    _seed()
    User = get_user_model()
    county = County.objects.get(name="示范县")
    run = crosscheck.run_crosscheck(county=county)
    for kind in crosscheck.COMPARED_KINDS:
        assert run.counts[kind]["found"] >= 1, kind
    # Those on the 户籍 whom the roster accounts for elsewhere are skipped.
    elsewhere = Child.objects.filter(
        status__in=crosscheck.ACCOUNTED_ELSEWHERE, huji_records__isnull=False
    )
    assert elsewhere.filter(status=Child.Status.STUDYING_ELSEWHERE).exists()
    assert elsewhere.filter(status=Child.Status.TRANSFERRED).exists()
    assert not Lead.objects.filter(child__in=elsewhere).exists()
    # The people the roster missed are 适龄未入学 leads.
    missed = HujiRecord.objects.filter(child__isnull=True)
    assert set(
        Lead.objects.filter(kind=Lead.Kind.NOT_ENROLLED, child__isnull=True).values_list(
            "huji", flat=True
        )
    ) == set(missed.values_list("pk", flat=True))

    # Each township's office sees leads of each kind it has cases for.
    for username, township in (("xiangzhen", "蛟潭镇"), ("zuolan", "左岚乡")):
        leads = crosscheck.leads_for_user(User.objects.get(username=username))
        kinds = set(leads.values_list("kind", flat=True))
        assert Lead.Kind.NOT_ENROLLED in kinds, username
        if Child.objects.filter(status__in=DROPOUT, village__township__name=township).exists():
            assert {Lead.Kind.ABSENT, Lead.Kind.POVERTY_DROPOUT} <= kinds, username

    # 动态摸排未到校学生名单: 蛟潭镇's absent children, with their reasons.
    xiangzhen = User.objects.get(username="xiangzhen")
    rows = list(ledgers.select_term_list(xiangzhen, QueryDict()).queryset)
    assert len(rows) >= 3
    assert all(row.term_note for row in rows)
    teacher = User.objects.get(username="banzhuren")
    assert ledgers.select_term_list(teacher, QueryDict()).queryset.exists()


def test_demo_overview_matches_the_ledgers():
    """概况 and the 适龄儿童台账 count the same children, for the county and
    each township; the townships add up to the county (students.counting)."""
    from students import counting

    _seed()
    User = get_user_model()
    county_user = User.objects.get(username="xianjiaoyuju")
    county = counting.overview(county_user, by="township")
    ledger = ledgers.select_child_ledger(county_user, "school-age", QueryDict()).queryset
    assert county.place_totals["total"] == ledger.count() == Child.objects.count()
    for row in county.places + county.schools:
        assert row["total"] == sum(row["counts"]), row["unit"]
    townships = 0
    for username in ("xiangzhen", "zuolan"):
        user = User.objects.get(username=username)
        total = counting.overview(user, by="village").place_totals["total"]
        assert (
            total == ledgers.select_child_ledger(user, "school-age", QueryDict()).queryset.count()
        )
        townships += total
    assert townships == county.place_totals["total"]
