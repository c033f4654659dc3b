"""四查三比对: the three comparisons (户籍/学籍/建档立卡 against the roster)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from students import crosscheck
from students.models import Child, JurisdictionSettings, Lead
from tests.concurrency import at_once

from ..conftest import make_id
from .crosscheck_helpers import ON, TERM, Kind, State, Status, _batch, _huji, _keys

# --------------------------------------------------------------------------
# The comparisons
# --------------------------------------------------------------------------


def test_each_comparison_finds_exactly_the_expected_people(
    world, county_data, django_assert_max_num_queries
):
    w, d = world, county_data
    with django_assert_max_num_queries(15):
        run = crosscheck.run_crosscheck(county=w.county, by=w.county_user, on=ON)

    assert run.period == "2026-03" and run.finished_at and run.started_by == w.county_user
    assert _keys(Kind.NOT_ENROLLED) == {
        d.h_missing.id_number,
        d.h_junior.id_number,
        w.c_t2.id_number,
        w.c_cross.id_number,
    }
    assert _keys(Kind.ABSENT) == {w.c_class.id_number, "XJ:J5201030000001"}
    assert _keys(Kind.POVERTY_DROPOUT) == {
        d.p_household.id_number,
        d.p_listed.id_number,
        f"C:{d.p_no_id.pk}",
    }
    assert run.counts == {
        "not_enrolled": {"found": 4, "new": 4},
        "absent": {"found": 2, "new": 2},
        "poverty_dropout": {"found": 3, "new": 3},
    }
    assert set(Lead.objects.values_list("county", "run", "state").distinct()) == {
        (w.county.pk, run.pk, State.OPEN)
    }
    # Villages, schools and roster children are attached in SQL.
    by_key = {lead.person_key: lead for lead in Lead.objects.all()}
    missing = by_key[d.h_missing.id_number]
    assert (missing.village, missing.school, missing.child, missing.huji) == (
        w.v1,
        d.s_primary,
        None,
        d.h_missing,
    )
    assert "县内学籍中无此人" in missing.detail and "底数台账中亦无此人" in missing.detail
    assert by_key[d.h_junior.id_number].school == d.s_junior
    l_number = by_key[w.c_t2.id_number]
    assert (l_number.child, l_number.village, l_number.school) == (w.c_t2, w.v3, w.s2)
    assert "在读" in l_number.detail
    assert by_key[w.c_cross.id_number].village == w.v3  # from the roster child
    absent = by_key[w.c_class.id_number]
    assert (absent.child, absent.school, absent.village, absent.xueji) == (
        w.c_class,
        w.s1,
        w.v1,
        d.x_class,
    )
    assert TERM in absent.detail
    j = by_key["XJ:J5201030000001"]
    assert (j.child, j.id_number, j.village) == (w.c_s1_other_class, "", w.v2)
    assert "疑似辍学" in j.detail
    assert "脱贫户" in by_key[d.p_household.id_number].detail
    assert "监测户" in by_key[d.p_listed.id_number].detail
    # Nothing about any child changed: a lead is not a verdict.
    assert Child.objects.get(pk=w.c_class.pk).status == Status.ENROLLED


def test_township_run_covers_only_the_township(world, county_data):
    w, d = world, county_data
    run = crosscheck.run_crosscheck(county=w.county, township=w.t1, on=ON)
    assert run.township == w.t1
    assert _keys(Kind.NOT_ENROLLED) == {d.h_missing.id_number, d.h_junior.id_number}
    assert _keys(Kind.ABSENT) == {w.c_class.id_number, "XJ:J5201030000001"}
    assert _keys(Kind.POVERTY_DROPOUT) == {d.p_household.id_number, f"C:{d.p_no_id.pk}"}
    with pytest.raises(ValidationError):
        crosscheck.run_crosscheck(county=w.county, township=w.t3, on=ON)


def test_a_townships_own_entry_cutoff_applies_to_its_villages(world):
    w = world
    JurisdictionSettings.objects.create(county=w.county, township=w.t2, entry_cutoff_month=12)
    batch = _batch(w, "huji")
    born = datetime.date(2019, 10, 1)  # grade 1 now with a 31 Dec cutoff, not with 31 Aug
    in_t2 = _huji(batch, make_id("520103", born, 131), "乙乡新生", born, w.v3)
    _huji(batch, make_id("520103", born, 133), "甲镇新生", born, w.v1)
    # A 户籍 row without a village falls under the county's settings.
    _huji(batch, make_id("520103", born, 135), "无村新生", born, None)
    older = datetime.date(2014, 5, 1)
    no_village = _huji(batch, make_id("520103", older, 137), "无村", older, None)
    crosscheck.run_crosscheck(county=w.county, on=ON)
    assert _keys(Kind.NOT_ENROLLED) == {in_t2.id_number, no_village.id_number}


def test_running_twice_creates_nothing_twice(world, county_data):
    first = crosscheck.run_crosscheck(county=world.county, on=ON)
    leads = Lead.objects.count()
    second = crosscheck.run_crosscheck(county=world.county, on=ON)
    assert Lead.objects.count() == leads == 9
    assert {k: v["found"] for k, v in second.counts.items()} == {
        k: v["found"] for k, v in first.counts.items()
    }
    assert all(v["new"] == 0 for v in second.counts.values())
    assert not Lead.objects.filter(run=second).exists()
    # A new period is a new round of leads.
    third = crosscheck.run_crosscheck(county=world.county, period="2026-04", on=ON)
    assert third.counts["absent"] == {"found": 2, "new": 2}
    assert Lead.objects.count() == 18


def test_period_defaults_to_this_month_in_shanghai(world):
    run = crosscheck.run_crosscheck(county=world.county)
    assert run.period == crosscheck.today().strftime("%Y-%m")
    with pytest.raises(ValidationError):
        crosscheck.run_crosscheck(county=world.county, period="2026-13")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_each_lead_once(world, county_data):
    runs = at_once(lambda: crosscheck.run_crosscheck(county=world.county, on=ON))
    assert Lead.objects.count() == 9
    # Each lead was created by exactly one of the two runs.
    assert sum(sum(v["new"] for v in r.counts.values()) for r in runs) == 9


@pytest.mark.parametrize(
    ("on", "label"),
    [
        (datetime.date(2026, 9, 1), "2026年秋季学期"),
        (datetime.date(2026, 12, 31), "2026年秋季学期"),
        (datetime.date(2027, 1, 20), "2026年秋季学期"),
        (datetime.date(2027, 2, 20), "2027年春季学期"),
        (datetime.date(2027, 8, 31), "2027年春季学期"),
    ],
)
def test_term_label(on, label):
    assert crosscheck.term_label(on) == label
