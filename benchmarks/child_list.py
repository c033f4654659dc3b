"""How the children list and overview hold up on a large county.

Run by hand (it builds its own throwaway test database, never touches yours):

    DJANGO_DEBUG=1 .venv/bin/python benchmarks/child_list.py [N_CHILDREN]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kongchuo_bench DJANGO_DEBUG=1 \
        .venv/bin/python benchmarks/child_list.py 100000

Prints the time and query count of each page for a township and a county user.
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongchuo.settings")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)


def build(n):
    from django.contrib.auth.models import User

    from students.idcard import check_char
    from students.models import Child, County, Household, Membership, School, Township, Village

    county = County.objects.create(name="基准县")
    rng = random.Random(1)
    villages, schools = [], []
    for t in range(10):
        township = Township.objects.create(county=county, name=f"第{t}镇")
        schools.append(
            School.objects.create(name=f"第{t}镇中心学校", kind="nine_year", township=township)
        )
        villages += [
            Village.objects.create(township=township, name=f"第{t}镇{v}村") for v in range(10)
        ]
    households = Household.objects.bulk_create(
        [
            Household(village=villages[i % len(villages)], head_name=f"户主{i}")
            for i in range(n // 2)
        ]
    )
    children = []
    for i in range(n):
        h = households[i % len(households)]
        birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=rng.randrange(3000))
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
                status=rng.choice(["enrolled"] * 20 + ["suspected_dropout", "dropout"]),
            )
        )
    Child.objects.bulk_create(children, batch_size=5000)
    t_user = User.objects.create_user("bench_township", password="x")
    Membership.objects.create(user=t_user, role="township", township=Township.objects.first())
    c_user = User.objects.create_user("bench_county", password="x")
    Membership.objects.create(user=c_user, role="county", county=county)
    return t_user, c_user


def measure(client, url, repeat=5):
    client.get(url)  # warm up
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            resp = client.get(url)
            times.append(time.perf_counter() - start)
        assert resp.status_code == 200, resp.status_code
    return min(times) * 1000, sorted(times)[len(times) // 2] * 1000, len(ctx.captured_queries)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        start = time.perf_counter()
        users = build(n)
        print(f"{connection.vendor}: built {n} children in {time.perf_counter() - start:.1f} s")
        pages = [
            "/children/",
            "/children/?page=50",
            "/children/?status=dropout",
            "/children/?name=学生4242",
            "/children/?sort=-grade",
            "/overview/",
            "/households/",
        ]
        print(f"{'user':<16}{'page':<30}{'best ms':>9}{'median ms':>11}{'queries':>9}")
        for user in users:
            client = Client()
            client.force_login(user)
            for url in pages:
                best, median, queries = measure(client, url)
                print(f"{user.username:<16}{url:<30}{best:>9.1f}{median:>11.1f}{queries:>9}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
