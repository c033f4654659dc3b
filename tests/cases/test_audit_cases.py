"""The access log on the case side: file downloads and disposition decisions;
and the history row of every case the daily scan opens."""

import uuid

from django.urls import reverse

from cases import dispositions as rules
from cases import persuasion
from cases.models import Case, Disposition
from cases.states import NewCase, open_cases
from students.models import AccessLog

from .dispositions_helpers import ON, complete, fresh, start
from .persuasion_helpers import png

A = AccessLog.Action


def test_attachment_and_photo_downloads_are_logged(world, login, case):
    record, _ = persuasion.record_persuasion(
        case=case,
        by=world.teacher,
        client_token=uuid.uuid4(),
        at=None,
        method="home_visit",
        participants=[{"name": "王老师", "side": "school"}],
        process="入户",
        outcome="agreed",
        attachments=[png("a.png")],
    )
    attachment = record.attachments.get()
    client = login(world.teacher)
    assert (
        client.get(reverse("cases:attachment_file", args=[case.pk, attachment.pk])).status_code
        == 200
    )
    log = AccessLog.objects.get(action=A.DOWNLOAD)
    assert (log.user, log.child, log.county, log.detail) == (
        world.teacher,
        world.c_class,
        world.county,
        f"个案#{case.pk} 附件#{attachment.pk}",
    )
    # A refused download (another case's file) is no download.
    assert client.get(reverse("cases:attachment_file", args=[case.pk, 999999])).status_code == 404
    assert AccessLog.objects.filter(action=A.DOWNLOAD).count() == 1


def test_disposition_decisions_are_logged(world, case):
    d = complete(world, case, start(world, case, Disposition.Kind.HOME_TEACHING))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    rules.decide_disposition(
        disposition=fresh(d), approve=False, by=world.county_user, note="材料不足"
    )
    log = AccessLog.objects.get(action=A.DISPOSITION)
    assert (log.user, log.child, log.county) == (world.county_user, world.c_class, world.county)
    assert log.detail == f"个案#{case.pk} 不批准送教上门：材料不足"


def test_cases_opened_in_bulk_get_a_history_row(world):
    c1, c2 = world.c_class, world.c_t2
    opened = open_cases(
        [NewCase(child_id=c.pk, ladder=[], streak=1) for c in (c1, c2)],
        origin=Case.Origin.ABSENCE,
        note="连续1个上学日无故缺课",
    )
    assert len(opened) == 2
    for case in opened:
        rows = list(case.history.all())
        assert len(rows) == 1
        assert (rows[0].history_type, rows[0].state, rows[0].history_change_reason) == (
            "+",
            Case.State.OPEN,
            "连续1个上学日无故缺课",
        )
