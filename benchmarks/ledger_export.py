"""How the ledger exports hold up on a large county: seconds and peak memory.

Run by hand (it builds its own throwaway test database, never touches yours):

    .venv/bin/python benchmarks/ledger_export.py [N_CHILDREN]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kongchuo_bench \
        .venv/bin/python benchmarks/ledger_export.py 50000

Every child is of compulsory age, so the county's 适龄儿童台账 has N rows.
For each export it prints the rows, the seconds (best of a few runs), the
peak of Python memory allocated during the request (tracemalloc, a separate
run: tracing slows Python down) and the file size. Memory should stay flat
as N grows: rows are streamed from one query into a write-only workbook on
disk.
"""

import datetime
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongchuo.settings")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)


def build(n):
    from django.contrib.auth.models import User

    from students.idcard import check_char
    from students.models import (
        Child,
        County,
        Household,
        Membership,
        School,
        Township,
        Village,
        VillageGroup,
    )
    from students.schoolage import compulsory_birth_range

    county = County.objects.create(name="基准县")
    rng = random.Random(1)
    earliest, latest = compulsory_birth_range()
    span = (latest - earliest).days
    villages, schools, groups = [], [], {}
    for t in range(10):
        township = Township.objects.create(county=county, name=f"第{t}镇")
        schools.append(
            School.objects.create(name=f"第{t}镇中心学校", kind="nine_year", township=township)
        )
        for v in range(10):
            village = Village.objects.create(township=township, name=f"第{t}镇{v}村")
            villages.append(village)
            groups[village.pk] = [
                VillageGroup.objects.create(village=village, name=f"{g}组") for g in "一二三"
            ]
    households = Household.objects.bulk_create(
        [
            Household(
                village=villages[i % len(villages)],
                group=groups[villages[i % len(villages)].pk][i % 3],
                head_name=f"户主{i}",
                phone=f"139{i:08d}",
                is_tuopin=i % 7 == 0,
                is_jiance=i % 11 == 0,
            )
            for i in range(n // 2)
        ],
        batch_size=5000,
    )
    children = []
    for i in range(n):
        h = households[i % len(households)]
        birth = earliest + datetime.timedelta(days=rng.randrange(span))
        seq = 1 + 2 * (i % 500)
        first17 = f"{360000 + i // 500 % 100000:06d}{birth:%Y%m%d}{seq:03d}"
        school = schools[villages.index(h.village) // 10] if i % 10 else None
        children.append(
            Child(
                village=h.village,
                household=h,
                name=f"学生{i}",
                gender="M",
                birth_date=birth,
                id_number=first17 + check_char(first17),
                school=school,
                grade=(i % 9) + 1 if school else None,
                class_name="1班" if school else "",
                head_teacher="班主任" if school else "",
                is_left_behind=i % 5 == 0,
                has_dropout_risk=i % 13 == 0,
                father_phone=f"138{i:08d}",
                status=rng.choice(["enrolled"] * 20 + ["suspected_dropout", "dropout"]),
            )
        )
    Child.objects.bulk_create(children, batch_size=5000)
    c_user = User.objects.create_user("bench_county", password="x")
    Membership.objects.create(user=c_user, role="county", county=county)
    return c_user, villages[0]


def fetch(client, url, full):
    """Request an export and drain the streamed file; returns (bytes, queries)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, {"full": "1"}) if full else client.get(url)
        assert response.status_code == 200, response.status_code
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        response.close()
    return size, len(ctx.captured_queries)


def count_rows(client, url):
    from openpyxl import load_workbook

    response = client.get(url)
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return sum(1 for row in ws.iter_rows(min_row=4, values_only=True) if row[0] is not None)


def measure(client, url, *, full=False, repeat=2):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        size, queries = fetch(client, url, full)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    tracemalloc.reset_peak()
    fetch(client, url, full)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(times), peak / 2**20, size / 2**20, queries


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        start = time.perf_counter()
        user, village = build(n)
        print(f"{connection.vendor}: built {n} children in {time.perf_counter() - start:.1f} s")
        client = Client()
        client.force_login(user)
        exports = [
            ("适龄儿童台账 county", "/reports/school-age/export/", False),
            ("适龄儿童台账 county, full", "/reports/school-age/export/", True),
            ("疑似辍学学生台账 county", "/reports/suspected-dropout/export/", False),
            ("底数台账 one village", f"/reports/roster/{village.pk}/export/", False),
        ]
        rows = count_rows(client, exports[0][1])
        print(f"适龄儿童台账 rows in the county export: {rows}")
        print(f"{'export':<28}{'seconds':>9}{'peak MB':>9}{'file MB':>9}{'queries':>9}")
        for label, url, full in exports:
            seconds, peak, size, queries = measure(client, url, full=full)
            print(f"{label:<28}{seconds:>9.2f}{peak:>9.1f}{size:>9.1f}{queries:>9}")
        for url in ("/reports/school-age/", "/reports/school-age/?page=200"):
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            print(f"page {url:<32}{(time.perf_counter() - start) * 1000:>8.0f} ms")
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process max RSS (includes building the data): {maxrss:.0f} MB")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
