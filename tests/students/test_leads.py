"""四查三比对 leads: decisions, who sees leads, running from the page, and the
Celery tasks behind the "运行比对" button."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from students import crosscheck
from students.models import Child, CrossCheckRun, Lead

from ..conftest import make_id
from .crosscheck_helpers import ON, Kind, State, Status, _batch, _huji

# --------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------


@pytest.fixture
def leads(world, county_data):
    crosscheck.run_crosscheck(county=world.county, on=ON)
    return {lead.person_key: lead for lead in Lead.objects.all()}


def test_confirming_an_absent_lead_makes_the_child_a_suspected_dropout(world, leads):
    lead = leads[world.c_class.id_number]
    crosscheck.confirm_lead(lead=lead, by=world.school_admin, reason="  班主任核实：未到校 ")
    lead.refresh_from_db()
    assert (lead.state, lead.decided_by, lead.reason) == (
        State.CONFIRMED,
        world.school_admin,
        "班主任核实：未到校",
    )
    assert lead.decided_at is not None
    child = Child.objects.get(pk=world.c_class.pk)
    assert child.status == Status.SUSPECTED_DROPOUT
    last = child.history.latest()
    assert (last.history_user, last.history_change_reason) == (
        world.school_admin,
        "四查三比对核实：班主任核实：未到校",
    )


def test_confirming_not_enrolled_for_a_roster_child_marks_them_not_enrolled(world, leads):
    crosscheck.confirm_lead(
        lead=leads[world.c_t2.id_number], by=world.county_user, reason="入户核实"
    )
    assert Child.objects.get(pk=world.c_t2.pk).status == Status.NOT_ENROLLED
    # Without a roster child the confirmed lead is all there is.
    before = Child.objects.count()
    lead = next(lead for lead in leads.values() if lead.name == "户籍甲")
    crosscheck.confirm_lead(lead=lead, by=world.village_user, reason="确未入学，已补录")
    assert Lead.objects.get(pk=lead.pk).state == State.CONFIRMED
    assert Child.objects.count() == before


def test_confirming_does_not_weaken_a_dropout(world, leads, county_data):
    # 脱贫户辍学 for a child already 辍学: the status stays as it is.
    crosscheck.confirm_lead(
        lead=leads[county_data.p_household.id_number], by=world.village_user, reason="核实属实"
    )
    assert Child.objects.get(pk=county_data.p_household.pk).status == Status.DROPOUT


def test_dismissing_changes_nothing_and_needs_a_reason(world, leads):
    lead = leads[world.c_class.id_number]
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as e:
            crosscheck.dismiss_lead(lead=lead, by=world.school_admin, reason=reason)
        assert "请填写核实说明" in str(e.value)
    assert Lead.objects.get(pk=lead.pk).state == State.OPEN
    crosscheck.dismiss_lead(lead=lead, by=world.school_admin, reason="病假，有医院证明")
    assert Lead.objects.get(pk=lead.pk).state == State.DISMISSED
    assert Child.objects.get(pk=world.c_class.pk).status == Status.ENROLLED


def test_a_second_decision_is_refused(world, leads):
    first = leads[world.c_class.id_number]
    stale = Lead.objects.get(pk=first.pk)  # what the second person's page had loaded
    crosscheck.dismiss_lead(lead=first, by=world.school_admin, reason="已到校")
    with pytest.raises(ValidationError) as e:
        crosscheck.confirm_lead(lead=stale, by=world.township_user, reason="未到校")
    assert "该线索已由他人处理" in str(e.value)
    lead = Lead.objects.get(pk=first.pk)
    assert (lead.state, lead.decided_by, lead.reason) == (
        State.DISMISSED,
        world.school_admin,
        "已到校",
    )
    assert Child.objects.get(pk=world.c_class.pk).status == Status.ENROLLED


def test_deciding_from_the_page(world, leads, login):
    lead = leads[world.c_class.id_number]
    client = login(world.village_user)
    url = reverse("lead_decide", args=[lead.pk])
    resp = client.post(url, {"decision": "confirm", "reason": ""}, follow=True)
    assert "请填写核实说明" in resp.content.decode()
    assert Lead.objects.get(pk=lead.pk).state == State.OPEN

    next_url = reverse("lead_list") + "?kind=absent"
    resp = client.post(url, {"decision": "confirm", "reason": "入户核实", "next": next_url})
    assert resp.status_code == 302 and resp.url == next_url
    assert Lead.objects.get(pk=lead.pk).state == State.CONFIRMED
    assert Child.objects.get(pk=world.c_class.pk).status == Status.SUSPECTED_DROPOUT

    html = client.post(url, {"decision": "dismiss", "reason": "又来"}, follow=True).content.decode()
    assert "该线索已由他人处理" in html
    # Only a local "next".
    resp = client.post(url, {"decision": "dismiss", "reason": "x", "next": "https://evil.example/"})
    assert resp.url == reverse("lead_list")


# --------------------------------------------------------------------------
# Who sees leads
# --------------------------------------------------------------------------


@pytest.fixture
def scoped_leads(world):
    w = world

    def lead(name, county, village=None, school=None, child=None, kind=Kind.ABSENT):
        return Lead.objects.create(
            kind=kind,
            period="2026-03",
            person_key=name,
            name=name,
            county=county,
            village=village,
            school=school,
            child=child,
            detail="测试线索",
        )

    return {
        "本班": lead("线索本班", w.county, w.v1, w.s1, w.c_class),
        "同校": lead("线索同校", w.county, w.v2, w.s1, None, Kind.NOT_ENROLLED),
        "乙乡": lead("线索乙乡", w.county, w.v3, w.s2, w.c_t2),
        "邻县": lead("线索邻县", w.other_county, w.v4, w.s3, w.c_other_county),
    }


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("village_user", {"本班"}),
        ("teacher", {"本班"}),
        ("school_admin", {"本班", "同校"}),
        ("township_user", {"本班", "同校"}),
        ("county_user", {"本班", "同校", "乙乡"}),
        ("sysadmin", {"本班", "同校", "乙乡", "邻县"}),
        ("nobody", set()),
    ],
)
def test_leads_page_shows_each_role_its_own(world, scoped_leads, login, who, seen):
    html = login(getattr(world, who)).get(reverse("lead_list")).content.decode()
    assert {k for k in scoped_leads if f"线索{k}" in html} == seen
    assert set(crosscheck.leads_for_user(getattr(world, who)).values_list("name", flat=True)) == {
        f"线索{k}" for k in seen
    }


def test_deciding_a_lead_out_of_reach_is_404(world, scoped_leads, login):
    data = {"decision": "dismiss", "reason": "核实"}
    url = reverse("lead_decide", args=[scoped_leads["乙乡"].pk])
    assert login(world.village_user).post(url, data).status_code == 404
    assert login(world.township_user).post(url, data).status_code == 404
    # A class teacher sees the class's leads but does not decide them.
    own = reverse("lead_decide", args=[scoped_leads["本班"].pk])
    client = login(world.teacher)
    assert 'name="decision"' not in client.get(reverse("lead_list")).content.decode()
    assert client.post(own, data).status_code == 404
    assert Lead.objects.filter(state=State.OPEN).count() == 4
    assert login(world.county_user).post(url, data).status_code == 302
    assert Lead.objects.get(pk=scoped_leads["乙乡"].pk).state == State.DISMISSED


def test_leads_page_masks_id_numbers_and_filters(world, leads, login):
    client = login(world.county_user)
    html = client.get(reverse("lead_list")).content.decode()
    full = world.c_class.id_number
    assert full not in html and f"{full[:4]}**********{full[-4:]}" in html
    html = client.get(reverse("lead_list"), {"kind": "poverty_dropout"}).content.decode()
    assert "脱贫户辍学" in html and "户籍甲" not in html
    crosscheck.dismiss_lead(lead=leads[full], by=world.county_user, reason="已到校")
    assert "王小明" not in client.get(reverse("lead_list")).content.decode()  # open by default
    html = client.get(reverse("lead_list"), {"state": "dismissed"}).content.decode()
    assert "王小明" in html and "已到校" in html


def test_leads_page_query_count_does_not_grow_with_leads(
    world, login, django_assert_max_num_queries
):
    def make(n, prefix):
        Lead.objects.bulk_create(
            Lead(
                kind=Kind.ABSENT,
                period="2026-03",
                person_key=f"{prefix}{i}",
                name=f"学生{i}",
                county=world.county,
                village=world.v1,
                school=world.s1,
                child=world.c_class,
                detail="测试",
            )
            for i in range(n)
        )

    client = login(world.township_user)
    make(3, "A")
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("lead_list")).status_code == 200
    make(40, "B")
    with django_assert_max_num_queries(12) as many:
        assert "下一页" in client.get(reverse("lead_list")).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


# --------------------------------------------------------------------------
# Running from the page, and the Celery tasks
# --------------------------------------------------------------------------


def test_run_button_enqueues_the_task_on_commit(world, login, django_capture_on_commit_callbacks):
    w = world
    born = crosscheck.today().replace(year=crosscheck.today().year - 9, month=1, day=15)
    _huji(_batch(w, "huji"), make_id("520103", born, 141), "按钮测试", born, w.v1)
    client = login(w.township_user)
    assert "运行比对" in client.get(reverse("lead_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resp = client.post(reverse("crosscheck_run"), {"target": f"t{w.t1.pk}"})
        assert resp.status_code == 302
        assert not CrossCheckRun.objects.exists()  # only once the request has committed
    assert len(callbacks) == 1
    html = client.get(resp.url).content.decode()
    assert "比对已开始" in html and "按钮测试" in html
    run = CrossCheckRun.objects.get()
    assert (run.county, run.township, run.started_by) == (w.county, w.t1, w.township_user)
    assert run.finished_at and run.counts["not_enrolled"] == {"found": 1, "new": 1}
    assert "新增 1" in html


def test_run_button_only_for_own_township_or_county(world, login):
    url = reverse("crosscheck_run")
    assert login(world.township_user).post(url, {"target": f"t{world.t2.pk}"}).status_code == 404
    assert (
        login(world.township_user).post(url, {"target": f"c{world.county.pk}"}).status_code == 404
    )
    assert login(world.village_user).post(url, {"target": f"t{world.t1.pk}"}).status_code == 404
    assert "运行比对" not in login(world.village_user).get(reverse("lead_list")).content.decode()
    assert not CrossCheckRun.objects.exists()


def test_monthly_task_runs_every_county(world, county_data, django_capture_on_commit_callbacks):
    from students.tasks import run_crosscheck_task, run_monthly_crosschecks

    with django_capture_on_commit_callbacks(execute=True):  # each county's task, sent after
        assert run_monthly_crosschecks.delay().get() == 2
    assert set(CrossCheckRun.objects.values_list("county", flat=True)) == {
        world.county.pk,
        world.other_county.pk,
    }
    assert run_crosscheck_task.max_retries == 3
    run_id = run_crosscheck_task.delay(world.county.pk, world.t1.pk, "2026-02").get()
    assert CrossCheckRun.objects.get(pk=run_id).township == world.t1


def test_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["crosschecks-monthly"]["task"] == "students.tasks.run_monthly_crosschecks"
    # The term-start run follows each county's own terms (tests/cases/test_county_settings.py).
    assert schedule["crosschecks-term-start"]["task"] == "cases.tasks.term_start_checks"
    assert schedule["daily-checks"]["task"] == "cases.tasks.daily_checks"
    monthly, term = (
        schedule["crosschecks-monthly"]["schedule"],
        schedule["crosschecks-term-start"]["schedule"],
    )
    assert (monthly.day_of_month, monthly.hour, monthly.minute) == ({1}, {2}, {0})
    assert (term.hour, term.minute) == ({19}, {0})
    assert len(term.day_of_month) == 31 and len(term.month_of_year) == 12  # daily
