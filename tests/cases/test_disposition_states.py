"""A disposition's states: one table (cases/dispositions/states.py) and one
may(disposition, action) that both the services (refusing in Chinese) and the
disposition page (which buttons to show) ask."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import dispositions as rules
from cases.dispositions import states as dstates
from cases.models import Case, Disposition

from .dispositions_helpers import ON, complete, fresh, refused, start

K = Disposition.Kind
DS = Disposition.State


def expected(kind, state, action):
    """What each state allowed before the table (the sets the services held)."""
    county = rules.REGISTRY[kind].county_approves
    return {
        "save_facts": state == DS.DRAFT,
        "add_evidence": state != DS.REJECTED,
        "submit": county and state == DS.DRAFT,
        "approve": county and state == DS.PENDING,
        "reject": county and state == DS.PENDING,
        "close": state == (DS.APPROVED if county else DS.DRAFT),
        "withdraw": state in (DS.DRAFT, DS.PENDING, DS.APPROVED),
    }[action]


@pytest.mark.parametrize("kind", K.values)
def test_the_table_allows_what_each_state_allowed(kind):
    assert set(dstates.TRANSITIONS) == {
        "save_facts",
        "add_evidence",
        "submit",
        "approve",
        "reject",
        "close",
        "withdraw",
    }
    for state in DS.values:
        d = Disposition(kind=kind, state=state)
        for action in dstates.TRANSITIONS:
            assert rules.may(d, action) == expected(kind, state, action), (kind, state, action)
            assert (dstates.refusal(d, action) == "") == rules.may(d, action)
        assert rules.is_active(d) == (state not in (DS.REJECTED, DS.DONE))


def test_the_services_refuse_what_the_state_does_not_allow(world, case):
    d = complete(world, case, start(world, case, K.SUSPENSION))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    d = fresh(d)
    assert (
        refused(rules.save_facts, disposition=d, facts={}, by=world.school_admin)
        == "该处置当前为“待县教育局审批”，不能修改材料事实。"
    )
    assert "尚未经县教育局审批同意" in refused(
        rules.close_disposition, disposition=d, by=world.school_admin, on=ON
    )
    rules.decide_disposition(disposition=d, approve=False, by=world.county_user, note="材料不实")
    d = fresh(d)
    assert d.state == DS.REJECTED
    assert (
        refused(rules.withdraw_disposition, disposition=d, by=world.school_admin, note="撤回")
        == "该处置当前为“未批准”，不能撤回。"
    )
    assert (
        refused(rules.decide_disposition, disposition=d, approve=True, by=world.county_user)
        == "该处置当前为“未批准”，不能批准。"
    )


def test_one_table_drives_the_service_and_the_page(world, case, login, monkeypatch):
    d = start(world, case, K.SPECIAL_SCHOOL)  # no county approval: draft → 销号
    url = reverse("cases:disposition_detail", args=[case.pk, d.pk])
    c = login(world.school_admin)
    page = c.get(url).content.decode()
    assert "撤回处置，继续劝返" in page and "销号（" in page

    # Take 撤回 and 销号 out of the table: the page stops offering them and
    # the services refuse, with nothing else changed.
    for action in ("withdraw", "close"):
        step = dstates.TRANSITIONS[action]
        monkeypatch.setitem(
            dstates.TRANSITIONS,
            action,
            dstates.Step(step.label, frozenset(), frozenset(), step.to_state),
        )
    page = c.get(url).content.decode()
    assert "撤回处置，继续劝返" not in page and "销号（" not in page
    with pytest.raises(ValidationError, match="“送读专门学校”没有“撤回”这一步"):
        rules.withdraw_disposition(disposition=fresh(d), by=world.school_admin, note="改派")
    assert fresh(d).state == DS.DRAFT
    assert fresh(case).state == Case.State.DISPOSING

    monkeypatch.undo()
    rules.withdraw_disposition(disposition=fresh(d), by=world.school_admin, note="改派")
    assert fresh(d).state == DS.REJECTED
    assert fresh(case).state == Case.State.OPEN


def test_the_county_sees_the_decision_only_while_pending(world, case, login):
    d = complete(world, case, start(world, case, K.SUSPENSION))
    url = reverse("cases:disposition_detail", args=[case.pk, d.pk])
    c = login(world.county_user)
    assert "提交审批意见" not in c.get(url).content.decode()
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    page = c.get(url).content.decode()
    assert "提交审批意见" in page and "提交县教育局审批</button>" not in page
