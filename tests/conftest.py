import datetime
import os

import pytest


def make_id(area, birth, seq):
    """A valid 18-digit ID number for a birth date and 3-digit sequence."""
    from students.idcard import check_char

    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The presets are cached (students/presets.py): a rolled-back test's
    edits must not reach the next test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class World:
    """A small county: two townships, each with villages, schools and one
    user per role; `in_` / `out` children for every scope."""


@pytest.fixture
def world(db, django_user_model):
    from students.models import Child, County, Household, Membership, School, Township, Village

    Role = Membership.Role
    w = World()
    w.county = County.objects.create(name="测试县")
    w.other_county = County.objects.create(name="邻县")
    w.t1 = Township.objects.create(county=w.county, name="甲镇")
    w.t2 = Township.objects.create(county=w.county, name="乙乡")
    w.t3 = Township.objects.create(county=w.other_county, name="丙镇")
    w.v1 = Village.objects.create(township=w.t1, name="一村")
    w.v2 = Village.objects.create(township=w.t1, name="二村")
    w.v3 = Village.objects.create(township=w.t2, name="三村")
    w.v4 = Village.objects.create(township=w.t3, name="四村")
    w.s1 = School.objects.create(name="甲镇中心学校", kind="nine_year", township=w.t1)
    w.s2 = School.objects.create(name="乙乡小学", kind="primary", township=w.t2)
    w.s3 = School.objects.create(name="丙镇小学", kind="primary", township=w.t3)
    w.h1 = Household.objects.create(
        village=w.v1, head_name="王大山", phone="13812345678", is_tuopin=True
    )
    seq = iter(range(11, 999, 2))

    def child(name, village, school=None, grade=None, class_name="", household=None, **kw):
        birth = datetime.date(2015, 3, 8)
        return Child.objects.create(
            name=name,
            village=village,
            school=school,
            grade=grade,
            class_name=class_name,
            household=household,
            gender="M",
            birth_date=birth,
            id_number=make_id("520102", birth, next(seq)),
            **kw,
        )

    # the teacher's class: s1 grade 5 class 1班; the child lives in v1
    w.c_class = child(
        "王小明",
        w.v1,
        w.s1,
        5,
        "1班",
        household=w.h1,
        father_name="王大山",
        father_phone="13900001111",
        is_juvenile_case=True,
    )
    w.c_s1_other_class = child("李二", w.v2, w.s1, 5, "2班")  # same school, other class
    w.c_v2_no_school = child("张三", w.v2)  # in township t1, no school
    w.c_t2 = child("赵四", w.v3, w.s2, 3, "1班")  # other township, same county
    w.c_cross = child("钱五", w.v3, w.s1, 4, "1班")  # lives in t2, goes to school in t1
    w.c_other_county = child("孙六", w.v4, w.s3, 2, "1班")

    def user(username, role, **place):
        u = django_user_model.objects.create_user(username=username, password="pw-123456-x")
        if role:
            Membership.objects.create(user=u, role=role, **place)
        return u

    w.village_user = user("village", Role.VILLAGE, village=w.v1)
    w.teacher = user("teacher", Role.TEACHER, school=w.s1, grade=5, class_name="1班")
    w.school_admin = user("schooladmin", Role.SCHOOL_ADMIN, school=w.s1)
    w.township_user = user("township", Role.TOWNSHIP, township=w.t1)
    w.county_user = user("county", Role.COUNTY, county=w.county)
    w.sysadmin = user("sysadmin", Role.SYSADMIN)
    w.rural_group = user("ruralgroup", Role.RURAL_GROUP, county=w.county)
    w.nobody = user("nobody", None)
    # Warm the preset caches as a running server has them: query counts measure the work.
    from cases.dispositions.rules import evidence_for
    from students.presets import ladder_presets

    ladder_presets()
    evidence_for("graduation")
    return w


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def celery_worker_if_broker():
    """A real Celery worker on the Redis broker when REDIS_URL is set.

    Without REDIS_URL tasks run eagerly in-process and no worker is needed.
    With it, the broker must answer: start_worker fails the test otherwise.
    """
    from django.conf import settings

    if not settings.REDIS_URL:
        yield None
        return
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping
    from celery.contrib.testing.worker import start_worker

    from kongchuo.celery import app

    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def celery_round_trip(celery_worker_if_broker):
    from celery.contrib.testing.tasks import ping

    return lambda: ping.delay().get(timeout=30)


@pytest.fixture(autouse=True)
def _tasks_in_process_unless_a_worker_is_asked_for(request):
    """Tests run tasks in-process, except those that take the worker fixture:
    with REDIS_URL set, those go through Redis to a real worker."""
    if "celery_worker_if_broker" in request.fixturenames:
        yield
        return
    from kongchuo.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


# Browser tests: Debian's chromium through Playwright, on a phone-sized window.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM use here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A fresh phone-sized page; log in with `browser_login`."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def browser_login(phone, live_server):
    def _login(user, password="browser-pass-2026"):
        user.set_password(password)
        user.save()
        phone.goto(live_server.url + "/login/")
        phone.get_by_label("用户名").fill(user.username)
        phone.get_by_label("密码").fill(password)
        phone.get_by_role("button", name="登录").click()
        phone.wait_for_load_state()
        return phone

    return _login


# Tests written for one database are deselected on the other (the CI runs
# both passes), and the summary says how many: a skipped check would read
# as one that passed.
_NOT_HERE = []


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    vendor = "postgres" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    other = {"postgres": "sqlite", "sqlite": "postgres"}[vendor]
    keep = [item for item in items if other not in item.keywords]
    _NOT_HERE[:] = [item for item in items if other in item.keywords]
    if _NOT_HERE:
        config.hook.pytest_deselected(items=_NOT_HERE)
        items[:] = keep


def pytest_terminal_summary(terminalreporter):
    if _NOT_HERE:
        terminalreporter.write_line(
            f"{len(_NOT_HERE)} tests for the other database were not run here "
            "(PostgreSQL ones need DATABASE_URL=postgres://…; the CI runs both passes)."
        )
