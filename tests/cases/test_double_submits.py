"""The same form sent twice at once (a double tap on a slow phone), on the
database a running site uses: the SQLite file of `make run`, or PostgreSQL.

The first request saves; the second waits for it and gets the friendly
answer of the service instead of a server error ("database is locked").
"""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.models import PersuasionRecord, ReturnNotice
from tests.concurrency import shared_database

from .notices_helpers import FRIDAY, child_in, reported
from .persuasion_helpers import open_case_for
from .test_persuasion import form_data, new_url

ROUNDS = 3  # a race lost once is enough to fail the test


def post_at_once(user, url, data, times=2):
    """POST `data` to `url` `times` times at the same moment, each from its
    own browser session, thread and database connection. Returns the
    responses, or the exception a request raised (a 500 for the user)."""
    clients = []
    for _ in range(times):
        c = Client()
        c.force_login(user)
        clients.append(c)
    barrier = threading.Barrier(times)
    outcomes = [None] * times

    def run(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = clients[i].post(url, data)
        except Exception as e:  # the user's 500
            outcomes[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def no_server_error(outcomes):
    errors = [o for o in outcomes if isinstance(o, Exception) or o.status_code >= 500]
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_a_persuasion_record_sent_twice_at_once_is_saved_once(world, tmp_path):
    case = open_case_for(world.c_class)
    forms = [form_data() for _ in range(ROUNDS)]
    with shared_database(tmp_path):
        for data in forms:
            outcomes = post_at_once(world.teacher, new_url(case), data)
            no_server_error(outcomes)
            assert [o.status_code for o in outcomes] == [302, 302]
            said = sorted(str(m) for o in outcomes for m in get_messages(o.wsgi_request))
            assert said == ["已保存劝学记录。", "该劝学记录已保存过，本次重复提交未再保存。"]
        assert PersuasionRecord.objects.filter(case=case).count() == ROUNDS


@pytest.mark.django_db(transaction=True)
def test_a_notice_issued_twice_at_once_is_issued_once(world, tmp_path):
    cases = [
        reported(child_in(world.v1, world.s1, name), world.school_admin)
        for name in ("周一", "吴二", "郑三")
    ]
    data = {"guardian_name": "王大山", "issued_on": FRIDAY.isoformat()}
    with shared_database(tmp_path):
        for case in cases:
            url = reverse("cases:notice_issue", args=[case.pk])
            outcomes = post_at_once(world.township_user, url, data)
            no_server_error(outcomes)
            assert sorted(o.status_code for o in outcomes) == [200, 302]
            refused = next(o for o in outcomes if o.status_code == 200).content.decode()
            assert "不能“乡镇签发限期返校通知书”" in refused
            assert ReturnNotice.objects.filter(case=case).count() == 1
        numbers = sorted(ReturnNotice.objects.values_list("number", flat=True))
        assert numbers == [1, 2, 3]
