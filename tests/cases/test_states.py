"""cases/states.py is the only writer of Case.state and Case.stage: the bulk
APIs (open_cases, escalate) follow the TRANSITIONS table and write one event
per change; nothing else in cases/, students/ or reports/ writes them."""

import ast
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services, states
from cases.models import Case, CaseEvent
from students.selectors import settings_for

D = datetime.date
ROOT = Path(__file__).resolve().parents[2]


def ladder_of(child):
    return settings_for(township=child.village.township).ladder


def row(child, **kw):
    return states.NewCase(child_id=child.pk, ladder=ladder_of(child), **kw)


def open_events(case):
    return list(CaseEvent.objects.filter(case=case, action="open"))


# ---------------------------------------------------------------------------
# open_cases
# ---------------------------------------------------------------------------


def test_open_cases_writes_one_open_event_per_case_opened_and_none_for_a_busy_child(world):
    busy = services.open_case_by_hand(child=world.c_t2, by=world.village_user, note="长期不到校")
    opened = states.open_cases(
        [row(world.c_class, first_absent_on=D(2026, 9, 29), streak=2), row(world.c_t2)],
        origin=Case.Origin.ABSENCE,
        key=lambda c: f"open-{c.first_absent_on}",
        note=lambda c: f"{c.first_absent_on} 起无故缺课，系统建档",
    )
    assert [c.child_id for c in opened] == [world.c_class.pk]
    case = opened[0]
    assert (case.state, case.origin, case.streak, case.first_absent_on) == (
        Case.State.OPEN,
        Case.Origin.ABSENCE,
        2,
        D(2026, 9, 29),
    )
    [event] = open_events(case)
    assert (event.key, event.note, event.from_state, event.to_state, event.by) == (
        "open-2026-09-29",
        "2026-09-29 起无故缺课，系统建档",
        "",
        Case.State.OPEN,
        None,
    )
    # the busy child keeps its one case and its one open event
    assert Case.objects.filter(child=world.c_t2).count() == 1
    assert len(open_events(busy)) == 1
    assert case.history.count() == 1  # the case's history starts with its opening


def test_open_cases_twice_opens_nothing_twice(world):
    rows = [row(world.c_class), row(world.c_s1_other_class)]
    first = states.open_cases(rows, origin=Case.Origin.MANUAL, key="junior-2026", note="小升初")
    again = states.open_cases(rows, origin=Case.Origin.MANUAL, key="junior-2026", note="小升初")
    assert len(first) == 2 and again == []
    assert Case.objects.count() == 2
    assert CaseEvent.objects.filter(action="open").count() == 2


def test_open_cases_after_the_old_case_closed_opens_a_new_one(world):
    old = services.open_case_by_hand(child=world.c_class, by=world.county_user)
    states.transition(old, "cancel", ending=Case.Ending.CANCELLED, note="更正")
    [new] = states.open_cases([row(world.c_class)], origin=Case.Origin.MANUAL, by=world.sysadmin)
    assert new.pk != old.pk
    [event] = open_events(new)
    assert (event.note, event.by) == ("建档", world.sysadmin)  # the table's label by default
    assert len(open_events(old)) == 1


def test_opening_by_hand_twice_is_refused_with_one_event(world):
    case = services.open_case_by_hand(child=world.c_class, by=world.village_user, note="")
    with pytest.raises(ValidationError, match="该学生已有进行中的个案"):
        services.open_case_by_hand(child=world.c_class, by=world.village_user)
    assert Case.objects.filter(child=world.c_class).count() == 1
    [event] = open_events(case)
    assert (event.note, event.by) == ("手工建档", world.village_user)


# ---------------------------------------------------------------------------
# escalate
# ---------------------------------------------------------------------------


def test_escalate_moves_only_the_cases_the_table_lets_escalate(world):
    def opened(child):
        [case] = states.open_cases(
            [row(child, first_absent_on=D(2026, 9, 29), streak=3)], origin=Case.Origin.ABSENCE
        )
        return case

    running = opened(world.c_class)
    returned = states.transition(
        opened(world.c_s1_other_class),
        "record_return",
        returned_on=D(2026, 9, 30),
        placement=Case.Placement.ORIGINAL_CLASS,
    )
    closed = states.transition(opened(world.c_t2), "cancel", ending=Case.Ending.CANCELLED)
    assert not states.may(returned, "escalate") and not states.may(closed, "escalate")

    pks = [running.pk, returned.pk, closed.pk]
    assert states.escalate(pks, 2) == 1
    stages = dict(Case.objects.filter(pk__in=pks).values_list("pk", "stage"))
    assert stages == {running.pk: 2, returned.pk: 0, closed.pk: 0}
    events = CaseEvent.objects.filter(action="escalate").order_by("key")
    assert [(e.case_id, e.key) for e in events] == [
        (running.pk, "stage-1-20260929"),
        (running.pk, "stage-2-20260929"),
    ]
    step = running.ladder[1]
    assert events[1].note == f"连续{step['day']}个上学日无故缺课：{step['action']}"
    assert (events[1].from_state, events[1].to_state) == (Case.State.OPEN, Case.State.OPEN)

    # again, or to a lower step: nothing moves, nothing is written twice
    assert states.escalate(pks, 2) == 0
    assert states.escalate(pks, 1) == 0
    assert CaseEvent.objects.filter(action="escalate").count() == 2
    # one step further: only the new step's event
    assert states.escalate(pks, 3) == 1
    assert CaseEvent.objects.filter(action="escalate").count() == 3


def test_transition_refuses_a_state_given_as_a_change(world):
    case = services.open_case_by_hand(child=world.c_class, by=world.county_user)
    with pytest.raises(TypeError):
        states.transition(case, "escalate", state=Case.State.CLOSED)
    with pytest.raises(states.TransitionError, match="个案当前为“劝返中”，不能“乡镇确认销号"):
        states.check(case, "verify_return")


# ---------------------------------------------------------------------------
# The guardrail: nothing but cases/states.py writes Case.state / Case.stage
# ---------------------------------------------------------------------------

CREATE_METHODS = {"create", "bulk_create", "get_or_create", "update_or_create", "bulk_update"}
STATE_FIELDS = {"state", "stage"}


def _model_names(tree):
    """Names bound to the Case model (not django.db.models.Case) in a module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "django.db.models":
            module = node.module or ""
            if module.endswith("models") or module.endswith("models.case") or not module:
                for alias in node.names:
                    if alias.name == "Case":
                        names.add(alias.asname or alias.name)
    return names


def _chain(node):
    """The names along an attribute / call chain: Case.objects.filter(...).update
    → ["Case", "objects", "filter", "update"]."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                parts.append(node.id)
            return list(reversed(parts))


def _on_cases(chain, models):
    """The chain starts from the Case model, a `cases` relation or a variable
    named like a case (case, cases, open_cases, …)."""
    if not chain:
        return False
    root = chain[0]
    return root in models or "cases" in chain[1:] or (root[:1].islower() and "case" in root.lower())


def _str_values(node):
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant)}
    return set()


def case_state_writes(source, filename="<source>"):
    """(line, what) for every write of Case.state / Case.stage in `source`."""
    tree = ast.parse(source, filename)
    models = _model_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            chain = _chain(node.func)
            kwargs = {k.arg for k in node.keywords if k.arg}
            if isinstance(node.func, ast.Name) and node.func.id in models:
                found.append((node.lineno, "Case(…)"))
            elif chain and chain[-1] in CREATE_METHODS and _on_cases(chain[:-1], models):
                if chain[0] in models or "cases" in chain or chain[-1] != "bulk_update":
                    found.append((node.lineno, f"{'.'.join(chain)}(…)"))
                elif any(_str_values(a) & STATE_FIELDS for a in node.args[1:2]):
                    found.append((node.lineno, f"{'.'.join(chain)}(…state/stage…)"))
            elif chain and chain[-1] == "update" and kwargs & STATE_FIELDS:
                if _on_cases(chain[:-1], models):
                    found.append((node.lineno, f".update({', '.join(sorted(kwargs))}=…)"))
            elif (
                isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in STATE_FIELDS
                and _on_cases(_chain(node.args[0]), models)
            ):
                found.append((node.lineno, f"setattr(…, {node.args[1].value!r})"))
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            flat = []
            while targets:
                t = targets.pop()
                if isinstance(t, (ast.Tuple, ast.List)):
                    targets.extend(t.elts)
                else:
                    flat.append(t)
            for t in flat:
                if not (isinstance(t, ast.Attribute) and t.attr in STATE_FIELDS):
                    continue
                # Only Case has a stage; a state is the case's when the object is one.
                if t.attr == "stage" or _on_cases(_chain(t.value), models):
                    found.append((t.lineno, f"….{t.attr} = …"))
    return sorted(found)


def _sources():
    for app in ("cases", "students", "reports"):
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel == "cases/states.py":
                continue
            yield rel, path.read_text(encoding="utf-8")


def test_the_guardrail_sees_the_old_writes_and_not_the_reads():
    old = """
from django.db.models import Case as SqlCase, When
from students.models import ImportBatch
from .models import Case, CaseEvent

def f(case, c, pks, stage, child, rows):
    Case.objects.create(child=child, origin="manual")
    Case.objects.bulk_create([Case(child_id=1, origin="absence")], ignore_conflicts=True)
    Case.objects.filter(pk__in=pks, stage__lt=stage).update(stage=stage)
    child.cases.exclude(state="closed").update(state="closed")
    case.state = "closed"
    c.stage = 3
    case.placement, case.state = "", "open"
    setattr(case, "state", "open")
    Case.objects.bulk_update(rows, ["stage"])
"""
    assert [line for line, _ in case_state_writes(old)] == [7, 8, 8, 9, 10, 11, 12, 13, 14, 15]
    reads = """
from django.db.models import Case, IntegerField, Value, When
from students.models import ImportBatch, Lead

def g(case, batch, qs, disposition):
    Case(When(state=Lead.State.OPEN, then=0), default=1, output_field=IntegerField())
    ImportBatch.objects.filter(pk=1, state="a").update(state="b")
    batch.state = "done"
    disposition.state = "done"
    qs.filter(state="open").exclude(stage=0).values_list("state")
    case.state == "open" and case.stage < 2
    Disposition.objects.filter(case=case).update(state="done")
"""
    assert case_state_writes(reads) == []


def test_only_cases_states_writes_case_state_or_stage():
    found = [
        f"{rel}:{line}: {what}"
        for rel, source in _sources()
        for line, what in case_state_writes(source, rel)
    ]
    assert found == [], "Case.state / Case.stage written outside cases/states.py:\n" + "\n".join(
        found
    )


# ---------------------------------------------------------------------------
# The scan's lead path goes through open_cases too
# ---------------------------------------------------------------------------


def test_confirmed_leads_open_one_case_each_once(world):
    from cases.ladder.scan import _cases_from_confirmed_leads
    from students.models import Lead

    def lead(child, key):
        return Lead.objects.create(
            kind=Lead.Kind.ABSENT,
            period="2026-09",
            person_key=key,
            name=child.name,
            county=world.county,
            child=child,
            detail="名在人不在",
            state=Lead.State.CONFIRMED,
            reason="入户核实",
            decided_at=timezone.now(),
        )

    found = lead(world.c_class, "a")
    lead(world.c_t2, "b")  # the child already has a case: waits
    busy = services.open_case_by_hand(child=world.c_t2, by=world.village_user)
    assert _cases_from_confirmed_leads(world.county) == 1
    case = Case.objects.get(lead=found)
    [event] = open_events(case)
    assert (case.origin, event.key, event.note) == (
        Case.Origin.LEAD,
        "open-lead",
        "四查三比对线索核实属实：名在人不在（学籍×在校）（入户核实）",
    )
    assert _cases_from_confirmed_leads(world.county) == 0
    assert CaseEvent.objects.filter(action="open").count() == 2
    assert Case.objects.get(child=world.c_t2) == busy
