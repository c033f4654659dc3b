"""校历 page (cases/calendar/views.py, cases/calendar/services.py): the county
keeps its terms and local days, a school admin its school's own; the month
view shows the resulting school days. Anyone else gets a 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CalendarDay, Term

from ..conftest import PHONE

D = datetime.date
TODAY = D(2026, 11, 25)  # a Wednesday in the autumn term
URL = "/cases/calendar/"
AUTUMN = {"name": "2026年秋季学期", "start": "2026-09-01", "end": "2027-01-22"}


@pytest.fixture
def today(monkeypatch):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def w(world, today):
    return world


@pytest.fixture
def autumn(w):
    return Term.objects.create(
        county=w.county, name=AUTUMN["name"], start=D(2026, 9, 1), end=D(2027, 1, 22)
    )


def month_days(client, month, place=None):
    query = {"month": month} | ({"place": place} if place else {})
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.context["month"]["school_days"]


def county_key(w):
    return f"county-{w.county.pk}"


def school_key(w):
    return f"school-{w.s1.pk}"


# ------------------------------------------------------------------ the county


def test_county_sees_its_terms_days_and_the_month(w, autumn, login):
    CalendarDay.objects.create(county=w.county, date=D(2026, 11, 27), kind="off", note="县运动会")
    CalendarDay.objects.create(county=w.other_county, date=D(2026, 11, 26), kind="off", note="邻县")
    Term.objects.create(
        county=w.other_county, name="邻县秋季学期", start=D(2026, 9, 1), end=D(2027, 1, 20)
    )
    client = login(w.county_user)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026年秋季学期" in html and "2026-09-01 至 2027-01-22" in html
    assert "县运动会" in html
    assert "邻县" not in html  # another county's rows
    assert reverse("cases:calendar_term", args=[autumn.pk]) in html
    month = response.context["month"]
    assert month["first"] == D(2026, 11, 1)  # this month by default
    assert D(2026, 11, 25) in month["school_days"]
    assert D(2026, 11, 27) not in month["school_days"]  # the county's day off
    assert D(2026, 11, 28) not in month["school_days"]  # Saturday
    assert len(month["school_days"]) == 20  # 21 weekdays less the day off
    notes = [n["text"] for n in month["notes"]]
    assert "全县放假：县运动会" in notes
    # the autumn term: its school days are counted for the office to check
    assert response.context["own_terms"][0].school_day_count > 80


def test_month_marks_national_holidays_and_make_up_days(w, autumn, login):
    client = login(w.county_user)
    response = client.get(URL, {"month": "2026-10"})
    month = response.context["month"]
    assert D(2026, 10, 1) not in month["school_days"]  # 国庆节
    assert D(2026, 10, 10) in month["school_days"]  # 调休: a working Saturday
    cells = {c["day"]: c for week in month["weeks"] for c in week if c}
    assert cells[D(2026, 10, 1)]["label"] == "国庆"
    assert "cal-hol" in cells[D(2026, 10, 1)]["classes"]
    assert cells[D(2026, 10, 10)]["label"] == "补班"
    assert "cal-sd" in cells[D(2026, 10, 10)]["classes"]
    assert {"国庆节（全国）", "国家调休上班日"} <= {n["text"] for n in month["notes"]}
    assert month["previous"] == D(2026, 9, 1) and month["next"] == D(2026, 11, 1)
    html = response.content.decode()
    assert "month=2026-09" in html and "month=2026-11" in html
    # a bad month falls back to this month
    assert client.get(URL, {"month": "2026-13"}).context["month"]["first"] == D(2026, 11, 1)


def test_county_adds_edits_and_deletes_a_term(w, login):
    client = login(w.county_user)
    # no term yet: every national working day counts
    assert D(2026, 8, 31) in month_days(client, "2026-08")

    response = client.post(reverse("cases:calendar_term_new"), {"place": county_key(w), **AUTUMN})
    term = Term.objects.get()
    assert (term.county, term.school, term.start) == (w.county, None, D(2026, 9, 1))
    assert response.status_code == 302 and "month=2026-09" in response.url
    assert D(2026, 8, 31) not in month_days(client, "2026-08")  # before the term
    assert D(2026, 9, 1) in month_days(client, "2026-09")

    url = reverse("cases:calendar_term", args=[term.pk])
    assert client.get(url).status_code == 200
    client.post(url, {**AUTUMN, "start": "2026-08-31"})
    term.refresh_from_db()
    assert term.start == D(2026, 8, 31)
    assert D(2026, 8, 31) in month_days(client, "2026-08")

    delete = reverse("cases:calendar_term_delete", args=[term.pk])
    assert "确定删除" in client.get(delete).content.decode()
    assert Term.objects.exists()  # a GET only asks
    client.post(delete)
    assert not Term.objects.exists()


def test_county_adds_edits_and_deletes_a_local_day(w, autumn, login):
    client = login(w.county_user)
    assert D(2026, 11, 24) in month_days(client, "2026-11")

    new = reverse("cases:calendar_day_new")
    client.post(
        new, {"place": county_key(w), "date": "2026-11-24", "kind": "off", "note": "运动会"}
    )
    day = CalendarDay.objects.get()
    assert (day.county, day.school, day.kind) == (w.county, None, "off")
    assert D(2026, 11, 24) not in month_days(client, "2026-11")  # a day off: no school

    url = reverse("cases:calendar_day", args=[day.pk])
    client.post(url, {"date": "2026-11-28", "kind": "school", "note": "周六补课"})
    day.refresh_from_db()
    assert (day.date, day.kind) == (D(2026, 11, 28), "school")
    days = month_days(client, "2026-11")
    assert D(2026, 11, 24) in days and D(2026, 11, 28) in days

    client.post(reverse("cases:calendar_day_delete", args=[day.pk]))
    assert not CalendarDay.objects.exists()
    assert D(2026, 11, 28) not in month_days(client, "2026-11")


def test_an_overlapping_term_is_refused(w, autumn, login):
    client = login(w.county_user)
    response = client.post(
        reverse("cases:calendar_term_new"),
        {"place": county_key(w), "name": "寒假补课", "start": "2027-01-10", "end": "2027-03-01"},
    )
    assert response.status_code == 200
    assert "时间重叠" in response.content.decode()
    assert "2026年秋季学期" in response.content.decode()
    assert Term.objects.count() == 1
    # editing a term into another one is refused as well
    spring = Term.objects.create(
        county=w.county, name="2027年春季学期", start=D(2027, 2, 22), end=D(2027, 7, 2)
    )
    response = client.post(
        reverse("cases:calendar_term", args=[spring.pk]),
        {"name": spring.name, "start": "2027-01-20", "end": "2027-07-02"},
    )
    assert "时间重叠" in response.content.decode()
    spring.refresh_from_db()
    assert spring.start == D(2027, 2, 22)


def test_term_dates_and_names_are_checked(w, autumn, login):
    client = login(w.county_user)
    new = reverse("cases:calendar_term_new")

    def post(**data):
        response = client.post(new, {"place": county_key(w), **data})
        assert response.status_code == 200
        return response.content.decode()

    assert "结束日期必须晚于开学日期" in post(
        name="2027年春季学期", start="2027-07-02", end="2027-02-22"
    )
    assert "已有名为“2026年秋季学期”的学期" in post(
        **AUTUMN | {"start": "2027-09-01", "end": "2028-01-20"}
    )
    assert "请检查年份" in post(name="2027年春季学期", start="2027-02-22", end="2028-07-02")
    assert Term.objects.count() == 1


def test_a_day_off_outside_the_terms_is_refused_a_school_day_is_allowed(w, autumn, login):
    client = login(w.county_user)
    new = reverse("cases:calendar_day_new")
    response = client.post(new, {"place": county_key(w), "date": "2026-08-28", "kind": "off"})
    assert "不在任何学期内" in response.content.decode()
    assert not CalendarDay.objects.exists()

    client.post(
        new, {"place": county_key(w), "date": "2026-08-29", "kind": "school", "note": "提前报到"}
    )
    assert CalendarDay.objects.get().note == "提前报到"
    assert D(2026, 8, 29) in month_days(client, "2026-08")

    # one day, one entry
    response = client.post(new, {"place": county_key(w), "date": "2026-08-29", "kind": "school"})
    assert "已有调整（上课（补课）：提前报到）" in response.content.decode()
    assert CalendarDay.objects.count() == 1


# ----------------------------------------------------------------- the school


def test_school_admin_sees_the_county_calendar_read_only(w, autumn, login):
    county_day = CalendarDay.objects.create(county=w.county, date=D(2026, 11, 27), kind="off")
    client = login(w.school_admin)
    response = client.get(URL)
    html = response.content.decode()
    assert response.context["place"].school == w.s1
    assert "2026年秋季学期" in html and "全县学期" in html
    assert reverse("cases:calendar_term", args=[autumn.pk]) not in html
    assert reverse("cases:calendar_day", args=[county_day.pk]) not in html
    assert D(2026, 11, 27) not in response.context["month"]["school_days"]

    for url in (
        reverse("cases:calendar_term", args=[autumn.pk]),
        reverse("cases:calendar_term_delete", args=[autumn.pk]),
        reverse("cases:calendar_day", args=[county_day.pk]),
        reverse("cases:calendar_day_delete", args=[county_day.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {**AUTUMN, "date": "2026-11-26", "kind": "off"}).status_code == 404
    autumn.refresh_from_db()
    assert autumn.start == D(2026, 9, 1) and CalendarDay.objects.filter(pk=county_day.pk).exists()
    # nor can the school write into the county's calendar
    response = client.post(reverse("cases:calendar_term_new"), {"place": county_key(w), **AUTUMN})
    assert response.status_code == 404


def test_school_admin_adds_a_term_and_a_day_for_their_school_only(w, autumn, login):
    client = login(w.school_admin)
    assert D(2026, 8, 24) not in month_days(client, "2026-08")
    # the school's own autumn term overlaps the county's: it replaces it for the school
    response = client.post(
        reverse("cases:calendar_term_new"),
        {
            "place": school_key(w),
            "name": "2026年秋季学期",
            "start": "2026-08-24",
            "end": "2027-01-15",
        },
    )
    assert response.status_code == 302
    term = Term.objects.get(school__isnull=False)
    assert (term.county, term.school) == (w.county, w.s1)
    assert D(2026, 8, 24) in month_days(client, "2026-08")
    page = client.get(URL)
    assert page.context["county_terms"][0].replaced
    assert "本校按自定学期" in page.content.decode()

    client.post(
        reverse("cases:calendar_day_new"),
        {"place": school_key(w), "date": "2026-11-27", "kind": "off", "note": "校运动会"},
    )
    day = CalendarDay.objects.get()
    assert day.school == w.s1
    assert D(2026, 11, 27) not in month_days(client, "2026-11")

    # the county's calendar is unchanged; the county sees the school's rows read-only
    county = login(w.county_user)
    days = month_days(county, "2026-11")
    assert D(2026, 11, 27) in days
    assert D(2026, 8, 24) not in month_days(county, "2026-08")
    html = county.get(URL).content.decode()
    assert "各校自定" in html and "校运动会" in html
    assert county.get(reverse("cases:calendar_term", args=[term.pk])).status_code == 404
    assert county.post(reverse("cases:calendar_day_delete", args=[day.pk])).status_code == 404
    assert CalendarDay.objects.filter(pk=day.pk).exists()


def test_school_admin_cannot_use_another_schools_place(w, login):
    client = login(w.school_admin)
    assert client.get(URL, {"place": f"school-{w.s2.pk}"}).status_code == 404
    response = client.post(
        reverse("cases:calendar_day_new"),
        {"place": f"school-{w.s2.pk}", "date": "2026-11-28", "kind": "school"},
    )
    assert response.status_code == 404
    assert not CalendarDay.objects.exists()


def test_another_countys_rows_are_not_found(w, login):
    other = Term.objects.create(
        county=w.other_county, name="邻县秋季学期", start=D(2026, 9, 1), end=D(2027, 1, 20)
    )
    client = login(w.county_user)
    assert client.get(reverse("cases:calendar_term", args=[other.pk])).status_code == 404
    assert client.get(URL, {"place": f"county-{w.other_county.pk}"}).status_code == 404


# --------------------------------------------------------------- everyone else


@pytest.mark.parametrize("who", ["teacher", "village_user", "township_user", "sysadmin", "nobody"])
def test_everyone_else_gets_404(w, autumn, login, who):
    client = login(getattr(w, who))
    assert client.get(URL).status_code == 404
    assert client.get(reverse("cases:calendar_term_new")).status_code == 404
    assert client.post(reverse("cases:calendar_term_new"), AUTUMN).status_code == 404
    assert client.get(reverse("cases:calendar_term", args=[autumn.pk])).status_code == 404
    assert client.post(reverse("cases:calendar_term_delete", args=[autumn.pk])).status_code == 404
    assert Term.objects.count() == 1
    assert 'href="/cases/calendar/"' not in client.get("/").content.decode()


def test_anonymous_users_are_sent_to_log_in(client, w):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response.url


def test_the_nav_link_for_county_and_school_admins(w, login, client):
    for user in (w.county_user, w.school_admin):
        login(user)
        assert 'href="/cases/calendar/">校历</a>' in client.get(URL).content.decode()


# ------------------------------------------------------------------ queries


def _more_rows(w):
    for year in (2026, 2027):
        Term.objects.create(
            county=w.county,
            name=f"{year + 1}年春季学期",
            start=D(year + 1, 2, 22),
            end=D(year + 1, 7, 2),
        )
        Term.objects.create(
            county=w.county,
            school=w.s1,
            name=f"{year}年秋季",
            start=D(year, 8, 24),
            end=D(year + 1, 1, 15),
        )
        for day in range(2, 20):
            CalendarDay.objects.create(county=w.county, date=D(year, 11, day), kind="school")
            CalendarDay.objects.create(
                county=w.county, school=w.s2, date=D(year, 12, day), kind="school"
            )


@pytest.mark.parametrize("who", ["county_user", "school_admin"])
def test_the_page_makes_a_fixed_number_of_queries(
    w, autumn, login, who, django_assert_max_num_queries, django_assert_num_queries
):
    client = login(getattr(w, who))
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    _more_rows(w)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert response.status_code == 200


def test_a_save_makes_few_queries(w, autumn, login, django_assert_max_num_queries):
    client = login(w.county_user)
    with django_assert_max_num_queries(40) as queries:
        response = client.post(
            reverse("cases:calendar_day_new"),
            {"place": county_key(w), "date": "2026-11-24", "kind": "off"},
        )
    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([s for s in sql if not s.startswith(("SAVEPOINT", "RELEASE"))]) <= 14


# ------------------------------------------------------------------ phone


@pytest.mark.browser
def test_the_calendar_fits_a_phone(w, autumn, live_server, browser_login):
    CalendarDay.objects.create(county=w.county, date=D(2026, 11, 27), kind="off", note="县运动会")
    phone = browser_login(w.county_user)
    phone.get_by_role("link", name="校历", exact=True).click()
    phone.get_by_role("heading", name="2026年11月").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("link", name="添加调整日").click()
    phone.get_by_label("日期").fill("2026-11-24")
    phone.get_by_label("放假").check()
    phone.get_by_label("说明").fill("教师培训")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="保存").click()
    phone.get_by_text("已保存测试县的调整日").wait_for()
    assert CalendarDay.objects.filter(date=D(2026, 11, 24), kind="off").exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("link", name="下个月").click()
    phone.get_by_role("heading", name="2026年12月").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
