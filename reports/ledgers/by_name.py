"""Every ledger by its title (without 《》 and the place), for
`manage.py export_ledger`: the same selections as the pages and the web
exports, for a user or for the system, within one named county.

`--date` (the day a ledger is as of) is honoured only where the ledger can
be computed for a past day: 适龄儿童台账 (school age on that day) and
动态摸排未到校学生名单 (the term current on that day). The others show
today's state and refuse a date rather than pretend.
"""

from dataclasses import dataclass
from typing import Any

from django.http import Http404, QueryDict
from django.utils import timezone

from students.jurisdiction import access
from students.models import County, School, Township, Village

from .cases import CASE_LEDGER, select_case_ledger
from .definitions import DROPOUT, SCHOOL_AGE, SUSPECTED_DROPOUT, TERM_ABSENT, VILLAGE_ROSTER
from .selection import select_child_ledger, select_term_list, select_village_roster


class LedgerRequestError(Exception):
    """A request the command refuses, with a message for the operator (Chinese)."""


@dataclass(frozen=True)
class Places:
    county: Any
    township: Any = None
    village: Any = None
    school: Any = None

    def params(self):
        q = QueryDict(mutable=True)
        for key in ("township", "village", "school"):
            if getattr(self, key) is not None:
                q[key] = str(getattr(self, key).pk)
        return q


def _child(user, slug):
    def select(places, on):
        return select_child_ledger(user, slug, places.params(), on=on)

    return select


def _selectors(user):
    def roster(places, on):
        if places.village is None:
            raise LedgerRequestError("适龄儿童少年底数台账按村编制：请用 --village 指定村（社区）")
        return select_village_roster(user, places.village.pk)

    return {
        CASE_LEDGER.title: lambda places, on: select_case_ledger(user, places.params()),
        TERM_ABSENT.title: lambda places, on: select_term_list(user, places.params(), on=on),
        VILLAGE_ROSTER.title: roster,
        SCHOOL_AGE.title: _child(user, SCHOOL_AGE.slug),
        SUSPECTED_DROPOUT.title: _child(user, SUSPECTED_DROPOUT.slug),
        DROPOUT.title: _child(user, DROPOUT.slug),
    }


NAMES = (
    CASE_LEDGER.title,
    TERM_ABSENT.title,
    VILLAGE_ROSTER.title,
    SCHOOL_AGE.title,
    SUSPECTED_DROPOUT.title,
    DROPOUT.title,
)
DATED = {SCHOOL_AGE.title, TERM_ABSENT.title}


def _one(qs, what, name):
    found = list(qs[:2])
    if not found:
        raise LedgerRequestError(f"没有名为“{name}”的{what}")
    if len(found) > 1:
        raise LedgerRequestError(f"名为“{name}”的{what}不止一个，请同时给出所属乡镇")
    return found[0]


def resolve_places(*, county, township=None, village=None, school=None):
    """Named places → rows (by name, within the county)."""
    county_obj = _one(County.objects.filter(name=county), "县（区）", county)
    town = None
    if township:
        town = _one(Township.objects.filter(county=county_obj, name=township), "乡镇", township)
    vil = None
    if village:
        scope = {"township": town} if town else {"township__county": county_obj}
        vil = _one(Village.objects.filter(name=village, **scope), "村（社区）", village)
    sch = None
    if school:
        scope = {"township": town} if town else {"township__county": county_obj}
        sch = _one(School.objects.filter(name=school, **scope), "学校", school)
    return Places(county=county_obj, township=town, village=vil, school=sch)


def _reaches(user, **where):
    a = access(user)
    return (
        Village.objects.filter(a.villages(), **where).exists()
        or School.objects.filter(a.schools(), **where).exists()
    )


def _check_reach(user, places):
    """Every named place must be within the user's reach: refused, never
    silently widened or narrowed."""
    a = access(user)
    checks = [(places.county.name, _reaches(user, township__county=places.county))]
    if places.township is not None:
        checks.append((places.township.name, _reaches(user, township=places.township)))
    if places.village is not None:
        ok = Village.objects.filter(a.villages(), pk=places.village.pk).exists()
        checks.append((places.village.name, ok))
    if places.school is not None:
        ok = School.objects.filter(a.schools(), pk=places.school.pk).exists()
        checks.append((places.school.name, ok))
    for name, ok in checks:
        if not ok:
            raise LedgerRequestError(f"{name}不在该用户的管辖范围内，拒绝导出")


def select_by_name(user, name, places, *, on=None):
    """The Selection of ledger `name` for `user`, within `places`."""
    select = _selectors(user).get(name)
    if select is None:
        raise LedgerRequestError(f"没有名为“{name}”的台账。可导出的台账：{'、'.join(NAMES)}")
    if on is not None:
        if on > timezone.localdate():
            raise LedgerRequestError(f"--date 不能晚于今天：{on:%Y-%m-%d}")
        if name not in DATED:
            raise LedgerRequestError(
                f"《{name}》只按当前状态编制，不支持 --date（支持的台账：{'、'.join(sorted(DATED))}）"
            )
    _check_reach(user, places)
    try:
        selection = select(places, on)
    except Http404 as e:
        raise LedgerRequestError(
            f"无权导出：所选地点不在该用户的管辖范围内，或该用户无权查看此台账（{e}）"
        ) from e
    selection.as_of = on
    return selection.within_county(places.county)
