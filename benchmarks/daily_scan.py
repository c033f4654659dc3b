"""How the daily absence scan holds up on a large county.

Run by hand (it builds its own throwaway test database):

    DJANGO_DEBUG=1 .venv/bin/python benchmarks/daily_scan.py [CHILDREN] [ABSENT_PER_DAY]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kongchuo_bench DJANGO_DEBUG=1 \\
        .venv/bin/python benchmarks/daily_scan.py 50000 500

Builds N children in 40 schools, marks ABSENT_PER_DAY of them unexcused on
each of five school days (the same children, so the ladder climbs to day 5),
and times each day's scan and a second run of the same day.
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongchuo.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

DAYS = [
    datetime.date(2026, 9, 29),
    datetime.date(2026, 9, 30),
    datetime.date(2026, 10, 8),
    datetime.date(2026, 10, 9),
    datetime.date(2026, 10, 10),
]


def build(n, absent):
    from cases.models import Absence, ClassRollCall, Term
    from students.idcard import check_char
    from students.models import Child, County, School, Township, Village

    county = County.objects.create(name="基准县")
    Term.objects.create(
        county=county,
        name="2026年秋季学期",
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2027, 1, 20),
    )
    schools, villages = [], []
    for t in range(10):
        township = Township.objects.create(county=county, name=f"第{t}镇")
        villages += [
            Village.objects.create(township=township, name=f"第{t}镇{v}村") for v in range(10)
        ]
        schools += [
            School.objects.create(name=f"第{t}镇{s}校", kind="nine_year", township=township)
            for s in range(4)
        ]
    children = []
    for i in range(n):
        birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=i % 2900)
        first17 = f"{360000 + i // 500 % 100000:06d}{birth:%Y%m%d}{1 + 2 * (i % 500):03d}"
        children.append(
            Child(
                village=villages[i % len(villages)],
                name=f"学生{i}",
                gender="M",
                birth_date=birth,
                id_number=first17 + check_char(first17),
                school=schools[i % len(schools)],
                grade=1 + i % 9,
                class_name=f"{1 + i % 3}班",
            )
        )
    Child.objects.bulk_create(children, batch_size=5000)
    classes = {(c.school_id, c.grade, c.class_name) for c in children}
    away = Child.objects.order_by("pk")[:absent]
    for day in DAYS:
        ClassRollCall.objects.bulk_create(
            [ClassRollCall(school_id=s, grade=g, class_name=k, date=day) for s, g, k in classes],
            batch_size=5000,
        )
        Absence.objects.bulk_create(
            [Absence(child=c, date=day, kind="unexcused") for c in away], batch_size=5000
        )
    return county


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    absent = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from cases.ladder.scan import run_daily_checks

        start = time.perf_counter()
        county = build(n, absent)
        print(
            f"{connection.vendor}: {n} children, {absent} absent each day; built in {time.perf_counter() - start:.1f} s"
        )
        print(f"{'day':<12}{'run':<6}{'seconds':>9}{'queries':>9}  result")
        for day in DAYS:
            for run in ("first", "again"):
                connection.queries_log.clear()  # the log keeps 9,000 queries at most
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    result = run_daily_checks(on=day, county=county).as_dict()
                    seconds = time.perf_counter() - start
                summary = {k: v for k, v in result.items() if k not in ("date", "followups") and v}
                print(
                    f"{day!s:<12}{run:<6}{seconds:>9.2f}{len(ctx.captured_queries):>9}  {summary}"
                )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
