"""The term-start check on the county's calendar, and the term list's deadline
(动态摸排未到校学生名单, 000 §三(三) 附件2, 004 §四(一)2: "开学后10日内") as a
to-do of every village and school of the county."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import tasks
from cases.demo import seed_calendar
from cases.ladder.scan import flag_overdue
from cases.models import Term, Todo
from students.models import JurisdictionSettings, School, TermCheck, Village
from tests.concurrency import at_once

D = datetime.date
URL = "/checks/term/"
WINTER_BREAK = D(2027, 2, 10)  # after 1 February, before the county's spring term
SPRING_START = D(2027, 2, 22)  # the demo calendar's spring 2027 term
# The 10th school day from Monday 22 February 2027 (no holiday in between).
SPRING_DUE = D(2027, 3, 5)


class _Services:
    """cases.termlist.services, imported when used (so that each test, not
    the whole file, fails where it is missing)."""

    def __getattr__(self, name):
        from cases.termlist import services as module

        return getattr(module, name)


services = _Services()


@pytest.fixture
def on(monkeypatch):
    """Set today: on(D(...))."""
    real = timezone.localdate

    def set_today(day):
        monkeypatch.setattr(
            "django.utils.timezone.localdate",
            lambda value=None, timezone=None: day if value is None else real(value, timezone),
        )
        return day

    return set_today


@pytest.fixture
def calendar(world):
    """The demo calendar (cases/demo.py) on the test county: 2026–27 and 2027–28."""
    seed_calendar(county=world.county, today=D(2026, 10, 1))
    return {t.name: t for t in Term.objects.filter(county=world.county)}


def test_the_demo_calendar_starts_spring_2027_on_22_february(calendar):
    spring = calendar["2027年春季学期"]
    assert (spring.start, spring.end) == (SPRING_START, D(2027, 7, 2))


def test_the_term_check_follows_the_county_term_dates(world, login, calendar, on):
    """Fails on main: the term came from the months (February = spring), so in
    the winter break the page asked about a spring term not yet begun."""
    client = login(world.village_user)
    on(WINTER_BREAK)
    html = client.get(URL).content.decode()
    assert "2026年秋季学期" in html and "2027年春季学期" not in html
    client.post(URL, {"child": [world.c_class.pk], f"p{world.c_class.pk}": "1"})
    assert TermCheck.objects.get().term == "2026年秋季学期"
    # The 未到校 list opens on the same term.
    assert "2026年秋季学期" in client.get(reverse("reports:term_list")).content.decode()

    on(SPRING_START)
    html = client.get(URL).content.decode()
    assert "2027年春季学期" in html and "2027-02-22 开学" in html
    client.post(URL, {"child": [world.c_class.pk], f"p{world.c_class.pk}": "0"})
    assert set(TermCheck.objects.values_list("term", "present")) == {
        ("2026年秋季学期", True),
        ("2027年春季学期", False),
    }


def test_a_county_later_start_moves_the_term(world, login, calendar, on):
    """The county's own date, not a rule: a term moved to 1 March starts then."""
    Term.objects.filter(pk=calendar["2027年春季学期"].pk).update(start=D(2027, 3, 1))
    on(D(2027, 2, 26))
    assert "2026年秋季学期" in login(world.village_user).get(URL).content.decode()


def test_the_township_may_open_the_term_check(world, login, calendar, on):
    """Fails on main: /checks/term/ was a 404 for the township."""
    on(SPRING_START)
    client = login(world.township_user)
    assert client.get(URL).status_code == 200
    services.create_term_list_todos(term=calendar["2027年春季学期"])
    html = client.get(URL).content.decode()
    # Its villages and schools, each with its list's deadline; not other townships'.
    assert all(name in html for name in ("一村", "二村", "甲镇中心学校"))
    assert "三村" not in html and "乙乡小学" not in html
    assert "03-05" in html and "待报送" in html
    # It follows the lists; answering stays with the village and the school.
    data = {"child": [world.c_class.pk], f"p{world.c_class.pk}": "1"}
    assert client.post(URL, data).status_code == 404
    assert not TermCheck.objects.exists()
    assert login(world.county_user).get(URL).status_code == 200
    assert login(world.nobody).get(URL).status_code == 404
    # The menu offers it (比对线索 page) to the township.
    leads = login(world.township_user).get(reverse("lead_list")).content.decode()
    assert f'href="{URL}"' in leads


def test_each_village_and_school_gets_its_list_deadline_once(world, calendar):
    """Fails on main (no such to-do). Twice: created once; the database
    refuses a second row for the same place and term (two runs at once)."""
    spring = calendar["2027年春季学期"]
    places = Village.objects.filter(township__county=world.county).count() + (
        School.objects.filter(township__county=world.county).count()
    )
    assert services.create_term_list_todos(term=spring) == places == 5
    assert services.create_term_list_todos(term=spring) == 0
    todos = Todo.objects.filter(kind=Todo.Kind.TERM_LIST, case__isnull=True)
    assert todos.count() == places
    assert set(todos.values_list("due_on", flat=True)) == {SPRING_DUE}
    assert set(todos.filter(village__isnull=False).values_list("village__name", "role")) == {
        ("一村", "village"),
        ("二村", "village"),
        ("三村", "village"),
    }
    assert set(todos.filter(school__isnull=False).values_list("school__name", "role")) == {
        ("甲镇中心学校", "school_admin"),
        ("乙乡小学", "school_admin"),
    }
    assert "动态摸排未到校学生名单" in todos.first().title
    twin = todos.first()
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # A to-do without a case must be a place's term list.
    with pytest.raises(IntegrityError), transaction.atomic():
        Todo.objects.create(
            key="x",
            kind=Todo.Kind.CALL,
            title="x",
            role="village",
            village=world.v1,
            county=world.county,
            due_on=SPRING_DUE,
        )


def test_the_deadline_follows_the_county_term_check_days(world, calendar):
    JurisdictionSettings.objects.create(county=world.county, term_check_days=5)
    services.create_term_list_todos(term=calendar["2027年春季学期"])
    assert set(Todo.objects.values_list("due_on", flat=True)) == {D(2027, 2, 26)}


def test_the_morning_task_makes_them_for_terms_going_on(
    world, calendar, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.term_list_deadlines(WINTER_BREAK.isoformat()) == 0
    assert not Todo.objects.exists()
    for day in (SPRING_START, D(2027, 3, 1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.term_list_deadlines(day.isoformat()) == 1
    assert Todo.objects.count() == 5


def test_the_list_deadline_is_on_the_home_page_and_done_on_submission(world, login, calendar, on):
    on(SPRING_START)
    services.create_term_list_todos(term=calendar["2027年春季学期"])
    client = login(world.village_user)
    home = client.get("/").content.decode()
    assert "报送《动态摸排未到校学生名单》" in home and "期限 2027-03-05" in home
    assert f'href="{URL}"' in home
    todo = Todo.objects.get(village=world.v1)
    submit = reverse("term_list_submit", args=[todo.pk])

    # Not every child checked: refused, still open.
    html = client.post(submit, follow=True).content.decode()
    assert "还有 1 名学生未核查" in html
    assert Todo.objects.get(pk=todo.pk).done_at is None
    # Another place's list is not the user's to submit.
    other = Todo.objects.get(village=world.v2)
    assert client.post(reverse("term_list_submit", args=[other.pk])).status_code == 404

    client.post(
        URL,
        {"child": [world.c_class.pk], f"p{world.c_class.pk}": "0", f"n{world.c_class.pk}": "外出"},
    )
    html = client.post(submit, follow=True).content.decode()
    assert "已报送" in html and "未到校 1 人" in html
    todo.refresh_from_db()
    assert todo.done_by == world.village_user and todo.done_at is not None
    assert "报送《动态摸排未到校学生名单》" not in client.get("/").content.decode()
    # Submitting again changes nothing.
    done_at = todo.done_at
    client.post(submit)
    todo.refresh_from_db()
    assert todo.done_at == done_at
    # The township sees it submitted.
    html = login(world.township_user).get(URL).content.decode()
    assert "已报送" in html


def test_an_overdue_list_is_flagged_to_the_place_and_the_township(world, login, calendar, on):
    on(D(2027, 3, 8))
    services.create_term_list_todos(term=calendar["2027年春季学期"])
    flag_overdue(county=world.county, on=D(2027, 3, 8))
    home = login(world.school_admin).get("/").content.decode()
    assert "报送《动态摸排未到校学生名单》" in home and "已逾期" in home
    township_home = login(world.township_user).get("/").content.decode()
    assert "下级逾期事项" in township_home
    section = township_home.split("下级逾期事项", 1)[1]
    assert "一村" in section and "甲镇中心学校" in section and "三村" not in section


def test_the_pages_count_by_query_not_by_place(
    world, login, calendar, on, django_assert_max_num_queries
):
    on(SPRING_START)
    for i in range(12):
        Village.objects.create(township=world.t1, name=f"新村{i}")
    services.create_term_list_todos(term=calendar["2027年春季学期"])
    client = login(world.township_user)
    with django_assert_max_num_queries(10):
        html = client.get(URL).content.decode()
    assert html.count("待报送") == 15  # 14 villages and 1 school of 甲镇
    client = login(world.village_user)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_each_deadline_once(world, calendar):
    spring = calendar["2027年春季学期"]
    at_once(lambda: services.create_term_list_todos(term=spring))
    assert Todo.objects.filter(kind=Todo.Kind.TERM_LIST).count() == 5
