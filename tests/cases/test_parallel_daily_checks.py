"""`manage.py run_daily_checks` started several times at once (cron, a clerk
by hand, beat's task): every run exits cleanly and the county's cases,
to-dos, events and status changes are written once, as by one run.

Real processes on the database a running site uses: the SQLite file of
`make run`, or PostgreSQL when DATABASE_URL says so.
"""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cases.models import Case, CaseEvent, Todo
from students.models import Child
from tests.concurrency import shared_database

from ..conftest import make_id
from .test_case_ladder import LADDER_DAYS, roll_call, term  # noqa: F401  (term: a fixture)

RUNS = 6
MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def run_at_once(database_url, day):
    """Start RUNS `run_daily_checks` processes together; their exit codes,
    outputs and errors."""
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, str(MANAGE), "run_daily_checks", "--date", day.isoformat()]
    procs = [
        subprocess.Popen(
            [*command, "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(RUNS)
    ]
    runs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        runs.append((p.returncode, out.decode(), err.decode()))
    return runs


def classmates(world, count):
    birth = datetime.date(2015, 4, 1)
    return [
        Child.objects.create(
            name=f"同学{i}",
            village=world.v1,
            school=world.s1,
            grade=5,
            class_name="1班",
            gender="F",
            birth_date=birth,
            id_number=make_id("520102", birth, 700 + 2 * i),
        )
        for i in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_six_runs_at_once_all_succeed_and_write_everything_once(world, term, tmp_path):  # noqa: F811
    absent = [world.c_class, *classmates(world, 5)]
    for day in LADDER_DAYS[:3]:
        roll_call(world, day, absent=absent)
    day = LADDER_DAYS[2]  # the third day away: the 004 ladder's first three steps
    with shared_database(tmp_path) as url:
        runs = run_at_once(url, day)
        assert [code for code, _, _ in runs] == [0] * RUNS, [err for _, _, err in runs]
        # One run did the work; the others waited for it and found it done.
        opened = sorted(json.loads(out)["cases_opened"] for _, out, _ in runs)
        assert opened == [0] * (RUNS - 1) + [len(absent)]

        # As one run writes them: per child one case, opened once; each step's
        # to-do and event once; the status changed once.
        first = f"{LADDER_DAYS[0]:%Y%m%d}"
        assert Case.objects.count() == len(absent)
        assert CaseEvent.objects.filter(action="open").count() == len(absent)
        for child in absent:
            case = Case.objects.get(child=child)
            assert case.stage == 3
            keys = sorted(case.todos.values_list("key", flat=True))
            assert keys == [f"step-{i}-{first}" for i in (1, 2, 3)]
            events = sorted(case.events.filter(action="escalate").values_list("key", flat=True))
            assert events == [f"stage-{i}-{first}" for i in (1, 2, 3)]
            assert child.history.filter(status="suspected_dropout").count() == 1
        assert Todo.objects.count() == 3 * len(absent)
