"""Deadlines a county chooses (JurisdictionSettings, read through settings_for):
the county approval, the 小升初 hand-over week, the 休学/缓学 review reminder,
and the term-start check on each county's own terms."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import dispositions as rules
from cases import tasks
from cases.calendar import term_start
from cases.models import Case, Disposition, Term, TermStartCheck, Todo
from students.models import Child, CrossCheckRun, JurisdictionSettings
from students.selectors import settings_for
from tests.concurrency import at_once

from .dispositions_helpers import ON, REVIEW_ON, complete, fresh, start

D = datetime.date
K = Disposition.Kind


@pytest.fixture
def graduate(world):
    """赵四 at 乙乡小学 (a primary school): on its 2026 hand-over list, to 甲镇中心学校."""
    Child.objects.filter(pk=world.c_t2.pk).update(grade=6, birth_date=D(2014, 3, 8))
    Term.objects.create(
        county=world.county, name="2026年秋季学期", start=D(2026, 9, 1), end=D(2027, 1, 20)
    )
    from students.models import HandoverEntry

    HandoverEntry.objects.create(
        year=2026,
        primary_school=world.s2,
        junior_school=world.s1,
        name=world.c_t2.name,
        id_number=world.c_t2.id_number,
    )
    return fresh(world.c_t2)


def test_the_new_deadlines_default_to_the_seeds_and_the_old_values(world):
    s = settings_for(township=world.t1)
    assert (s.approval_days, s.handover_school_days, s.review_notice_days) == (5, 5, 7)
    assert s.term_check_days == 10  # 000 / 004: 开学后10日内
    for name in ("approval_days", "handover_school_days", "review_notice_days", "term_check_days"):
        assert name in JurisdictionSettings.EDITABLE_FIELDS


@pytest.mark.parametrize(
    "field", ["approval_days", "handover_school_days", "review_notice_days", "term_check_days"]
)
def test_the_deadlines_are_validated_and_the_database_refuses_nonsense(world, field):
    with pytest.raises(ValidationError) as e:
        JurisdictionSettings(county=world.county, **{field: 0}).full_clean()
    assert field in e.value.message_dict
    with pytest.raises(ValidationError):
        JurisdictionSettings(county=world.county, **{field: 400}).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        JurisdictionSettings.objects.create(county=world.county, **{field: 0})


def _approval_todo(world, case, kind=K.SUSPENSION):
    d = complete(world, case, start(world, case, kind))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    return Todo.objects.get(case=case, kind=Todo.Kind.APPROVAL)


def test_the_county_approval_falls_due_after_the_countys_approval_days(world, case):
    JurisdictionSettings.objects.create(county=world.county, approval_days=10)
    # 2026-05-20 (Wed) + 10 working days; 5 would be 2026-05-27.
    assert _approval_todo(world, case).due_on == D(2026, 6, 3)


def test_a_townships_own_approval_days_win(world, case):
    JurisdictionSettings.objects.create(county=world.county, approval_days=10)
    JurisdictionSettings.objects.create(county=world.county, township=world.t1, approval_days=2)
    assert _approval_todo(world, case).due_on == D(2026, 5, 22)


def test_the_review_reminder_window_is_the_townships_setting(world, case):
    JurisdictionSettings.objects.create(
        county=world.county, township=world.t1, review_notice_days=14
    )
    d = complete(world, case, start(world, case, K.SUSPENSION))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    rules.decide_disposition(disposition=fresh(d), approve=True, by=world.county_user)
    rules.close_disposition(disposition=fresh(d), by=world.school_admin, on=ON)
    # REVIEW_ON 2026-08-20: 14 days before is 08-06 (7 days: 08-13).
    assert rules.daily_followups(county=world.county, on=D(2026, 8, 5))["review_todos"] == 0
    assert rules.daily_followups(county=world.county, on=D(2026, 8, 6))["review_todos"] == 1
    assert Todo.objects.get(case=case, kind=Todo.Kind.REVIEW).due_on == REVIEW_ON


def test_the_handover_week_is_the_countys_setting(world, graduate):
    JurisdictionSettings.objects.create(county=world.county, handover_school_days=3)
    # The term starts Tue 2026-09-01: 3 school days later is Fri 09-04 (5: 09-08).
    assert rules.daily_followups(county=world.county, on=D(2026, 9, 3))["junior_cases"] == 0
    assert rules.daily_followups(county=world.county, on=D(2026, 9, 4))["junior_cases"] == 1
    assert "开学第3个上学日后" in Case.objects.get(child=graduate).events.get().note


def test_a_townships_own_handover_week_wins(world, graduate):
    JurisdictionSettings.objects.create(county=world.county, handover_school_days=3)
    JurisdictionSettings.objects.create(
        county=world.county, township=world.t2, handover_school_days=7
    )
    assert rules.daily_followups(county=world.county, on=D(2026, 9, 9))["junior_cases"] == 0
    assert rules.daily_followups(county=world.county, on=D(2026, 9, 10))["junior_cases"] == 1
    assert "开学第7个上学日后" in Case.objects.get(child=graduate).events.get().note


def test_the_settings_page_edits_the_deadlines(world, login):
    from django.urls import reverse

    key = f"county-{world.county.pk}"
    form = {
        "suspected_dropout_days": 3,
        "dropout_days": 20,
        "notice_issue_days": 3,
        "notice_return_days": 3,
        "entry_cutoff_month": 8,
        "entry_cutoff_day": 31,
        "monthly_ledger_day": 25,
        "return_verify_days": 5,
        "approval_days": 8,
        "handover_school_days": 6,
        "review_notice_days": 10,
        "term_check_days": 7,
        "rural_group_name": "示范县委农村工作暨实施乡村振兴战略领导小组",
        "ladder_preset": "004",
    }
    client = login(world.county_user)
    page = client.get(reverse("jurisdiction_settings")).content.decode()
    assert "县级审批时限" in page and "开学核查时限" in page and "移交县级核处审批机构" in page
    bad = {f"{key}-{k}": v for k, v in {**form, "term_check_days": 0}.items()}
    client.post(reverse("jurisdiction_settings"), {"block": key, **bad})
    assert not JurisdictionSettings.objects.exists()
    client.post(
        reverse("jurisdiction_settings"),
        {"block": key, **{f"{key}-{k}": v for k, v in form.items()}},
    )
    s = settings_for(county=world.county)
    assert (s.approval_days, s.handover_school_days, s.review_notice_days) == (8, 6, 10)
    assert s.term_check_days == 7
    assert s.rural_group_name == "示范县委农村工作暨实施乡村振兴战略领导小组"  # who approves ⑤


# ---------------------------------------------------------------------------
# The term-start check on each county's own terms
# ---------------------------------------------------------------------------


@pytest.fixture
def terms(world):
    """测试县: autumn term from Tue 2026-09-01, check after 5 school days;
    邻县: its own term from Mon 2026-08-24, the default 10 school days."""
    JurisdictionSettings.objects.create(county=world.county, term_check_days=5)
    own = Term.objects.create(
        county=world.county, name="2026年秋季学期", start=D(2026, 9, 1), end=D(2027, 1, 20)
    )
    other = Term.objects.create(
        county=world.other_county, name="2026年秋季学期", start=D(2026, 8, 24), end=D(2027, 1, 15)
    )
    return own, other


def test_the_term_start_check_runs_on_each_countys_own_check_day(
    world, terms, django_capture_on_commit_callbacks
):
    own, other = terms
    assert term_start.check_day(own) == D(2026, 9, 7)  # 1, 2, 3, 4, 7
    assert term_start.check_day(other) == D(2026, 9, 4)  # 24–28, 31, 1–4
    ran = {}
    day = D(2026, 8, 20)
    while day <= D(2026, 9, 30):
        before = set(CrossCheckRun.objects.values_list("county_id", flat=True))
        with django_capture_on_commit_callbacks(execute=True):  # each term's task, sent after
            tasks.term_start_checks.delay(day.isoformat()).get()
        for county_id in set(CrossCheckRun.objects.values_list("county_id", flat=True)) - before:
            ran[county_id] = day
        day += datetime.timedelta(days=1)
    assert ran == {world.county.pk: D(2026, 9, 7), world.other_county.pk: D(2026, 9, 4)}
    assert CrossCheckRun.objects.count() == 2  # once per county term, not on a fixed 10 Sept
    check = TermStartCheck.objects.get(term=own)
    assert (check.due_on, check.ran_on, check.run.period) == (
        D(2026, 9, 7),
        D(2026, 9, 7),
        "2026-09",
    )


def test_no_term_entered_no_fixed_month_run(world):
    assert tasks.term_start_checks.delay("2026-09-10").get() == 0
    assert tasks.term_start_checks.delay("2026-03-10").get() == 0
    assert not CrossCheckRun.objects.exists()


def test_the_term_start_check_twice_is_once_and_a_missed_day_catches_up(
    world, terms, django_capture_on_commit_callbacks
):
    own, _ = terms
    # The beat missed 09-07 and 09-08: the next run, for a past day too, catches up once.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.term_start_checks.delay("2026-09-09").get() == 2
    assert tasks.term_start_checks.delay("2026-09-09").get() == 0
    assert tasks.term_start_check.delay(own.pk, "2026-09-09").get() is None
    assert term_start.run_term_start_check(term=own, on=D(2026, 9, 10)) is None
    assert CrossCheckRun.objects.filter(county=world.county).count() == 1
    # Before the check day nothing runs, even when asked for that term by id.
    spring = Term.objects.create(
        county=world.county, name="2027年春季学期", start=D(2027, 2, 22), end=D(2027, 7, 2)
    )
    assert tasks.term_start_check.delay(spring.pk, "2027-02-24").get() is None
    assert not TermStartCheck.objects.filter(term=spring).exists()


def test_the_countys_check_days_setting_moves_the_check(world, terms):
    own, _ = terms
    JurisdictionSettings.objects.filter(county=world.county).update(term_check_days=10)
    assert term_start.check_day(own) == D(2026, 9, 14)
    assert tasks.term_start_checks.delay("2026-09-07").get() == 1  # only 邻县's
    assert not TermStartCheck.objects.filter(term=own).exists()


@pytest.mark.django_db(transaction=True)
def test_two_term_start_checks_at_once_run_one(world, terms):
    own, _ = terms
    results = at_once(lambda: term_start.run_term_start_check(term=own, on=D(2026, 9, 7)))
    assert len([r for r in results if r is not None]) == 1
    assert CrossCheckRun.objects.filter(county=world.county).count() == 1
