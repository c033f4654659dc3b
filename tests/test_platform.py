"""Health check, settings safety, Celery wiring, jurisdiction settings."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from students.models import JurisdictionSettings
from students.schoolage import compulsory_birth_range, school_age
from students.selectors import settings_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.json()
    assert body["database"] == "ok"
    # with REDIS_URL (CI's second run) the real broker must answer
    assert body["broker"] == ("ok" if django_settings.REDIS_URL else "eager")


@pytest.mark.django_db
def test_healthz_is_503_naming_the_broker_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.json()["down"] == ["broker"]


def test_healthz_is_503_naming_the_database_when_it_is_down(client, monkeypatch):
    from kongchuo import views

    monkeypatch.setattr(views, "_database_ok", lambda: False)
    resp = client.get("/healthz")
    assert resp.status_code == 503 and "database" in resp.json()["down"]


@pytest.mark.django_db
def test_healthz_does_not_need_the_session_store(
    client, django_user_model, django_assert_num_queries
):
    """A probe carrying a signed-in cookie: /healthz reads nothing but its own
    check, so it can answer 503 while the database is down."""
    client.force_login(django_user_model.objects.create_user(username="probe", password="x"))
    with django_assert_num_queries(1):  # SELECT 1
        assert client.get("/healthz").status_code == 200


def _manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_stops_start_up_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for code in ("import kongchuo.wsgi", "import django; django.setup()"):  # web server, worker
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "kongchuo.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr, code
    # manage.py on a checkout with no configuration runs as development...
    assert _manage("check", env_overrides={}).returncode == 0
    # ...but not when production is asked for
    result = _manage("check", env_overrides={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SECRET_KEY": "k" * 20
            + "-production-like-secret-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789",
            "DJANGO_ALLOWED_HOSTS": "kongchuo.example.gov.cn",
            "DJANGO_HSTS_SECONDS": "31536000",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_celery_round_trip(celery_round_trip):
    """Eager in-process without REDIS_URL; through Redis and a real worker with it."""
    assert celery_round_trip() == "pong"


def test_school_age_follows_the_entry_cutoff():
    on = datetime.date(2026, 11, 24)
    assert school_age(datetime.date(2020, 8, 31), on=on).expected_grade == 1
    assert school_age(datetime.date(2020, 9, 1), on=on).expected_grade == 0  # next year
    late = school_age(datetime.date(2020, 9, 1), cutoff_month=12, cutoff_day=31, on=on)
    assert late.expected_grade == 1 and late.expected_stage == "小学"
    junior = school_age(datetime.date(2012, 1, 1), on=on)
    assert (junior.expected_grade, junior.expected_stage, junior.age) == (9, "初中", 14)
    assert not school_age(datetime.date(2011, 8, 31), on=on).is_compulsory
    earliest, latest = compulsory_birth_range(on=on)
    assert (earliest, latest) == (datetime.date(2011, 9, 1), datetime.date(2020, 8, 31))
    for birth in (earliest, latest):
        assert school_age(birth, on=on).is_compulsory
    for birth in (earliest - datetime.timedelta(days=1), latest + datetime.timedelta(days=1)):
        assert not school_age(birth, on=on).is_compulsory


def test_settings_for_prefers_the_township_then_county_then_defaults(world):
    assert settings_for(township=world.t1).pk is None
    assert settings_for(township=world.t1).suspected_dropout_days == 3
    assert [step["day"] for step in settings_for(township=world.t1).ladder] == [1, 3, 3, 5]
    JurisdictionSettings.objects.create(county=world.county, entry_cutoff_month=12)
    assert settings_for(township=world.t1).entry_cutoff_month == 12
    JurisdictionSettings.objects.create(county=world.county, township=world.t1, dropout_days=10)
    assert settings_for(township=world.t1).dropout_days == 10
    assert settings_for(township=world.t2).dropout_days == 20


def test_jurisdiction_settings_constraints(world):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    JurisdictionSettings.objects.create(county=world.county)
    with pytest.raises(IntegrityError), transaction.atomic():
        JurisdictionSettings.objects.create(county=world.county)  # one county row
    bad = JurisdictionSettings(county=world.county, entry_cutoff_month=2, entry_cutoff_day=30)
    with pytest.raises(ValidationError, match="不存在"):
        bad.full_clean()
    with pytest.raises(ValidationError, match="不能少于"):
        JurisdictionSettings(
            county=world.other_county, suspected_dropout_days=5, dropout_days=3
        ).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        JurisdictionSettings.objects.create(county=world.other_county, entry_cutoff_month=13)


def test_database_refuses_an_unnormalised_id_number(world):
    from django.db import IntegrityError, transaction

    from students.models import Child

    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=world.c_class.pk).update(id_number="11010519491231002x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=world.c_t2.pk).update(id_number=world.c_class.id_number)


def test_county_edits_its_settings_and_a_township_overrides_them(world, login):
    from django.urls import reverse

    url = reverse("jurisdiction_settings")
    assert login(world.village_user).get(url).status_code == 404
    assert login(world.teacher).get(url).status_code == 404

    client = login(world.county_user)
    assert "设置" in client.get(reverse("overview")).content.decode()
    form = {
        f"county-{world.county.pk}-{k}": v
        for k, v in {
            "suspected_dropout_days": 3,
            "dropout_days": 15,
            "notice_issue_days": 3,
            "notice_return_days": 3,
            "entry_cutoff_month": 12,
            "entry_cutoff_day": 31,
            "monthly_ledger_day": 25,
            "return_verify_days": 5,
            "approval_days": 5,
            "handover_school_days": 5,
            "review_notice_days": 7,
            "term_check_days": 10,
            "ladder_preset": "001",
        }.items()
    }
    bad = {**form, f"county-{world.county.pk}-dropout_days": 2}
    html = client.post(url, {"block": f"county-{world.county.pk}", **bad}).content.decode()
    assert "辍学认定天数不能少于疑似辍学认定天数" in html
    assert not JurisdictionSettings.objects.exists()
    client.post(url, {"block": f"county-{world.county.pk}", **form})
    row = JurisdictionSettings.objects.get(county=world.county, township=None)
    assert (row.dropout_days, row.entry_cutoff_month) == (15, 12)
    assert [step["day"] for step in row.ladder] == [1, 2, 3, 5, 7]  # the 001 ladder
    assert row.history.latest().history_user == world.county_user

    client = login(world.township_user)
    key = f"township-{world.t1.pk}"
    own = {k.replace(f"county-{world.county.pk}", key): v for k, v in form.items()}
    own[f"{key}-dropout_days"] = 10
    client.post(url, {"block": key, **own})
    assert settings_for(township=world.t1).dropout_days == 10
    assert settings_for(township=world.t2).dropout_days == 15  # the county's
    client.post(url, {"block": key, "reset": "1", **own})
    assert settings_for(township=world.t1).dropout_days == 15
