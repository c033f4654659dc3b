"""Demo data for 示范县: places, schools, a roster of ~400 households and ~700
children, one login per role, and what the cross-checks compare the roster
with: the schools' 学籍, the county's 户籍 and 脱贫户/监测户 lists (each as one
committed ImportBatch), and this term's 开学到校核查 at two schools. No leads
and no comparison runs: the user makes those by pressing "运行比对".

`manage.py seed_demo` calls `seed()`; it is idempotent (places, schools,
users and memberships are fetched or created; households and children are
made only when the county has none yet; each register only when the county
has no batch of its kind yet; the term check only when the two schools have
none for the current term) and deterministic (seeded `random.Random`s, so
every run on the same day makes the same data; birth dates are relative to
today so that every child is of school age).

All names, phone numbers and ID numbers are synthetic: the ID numbers are
well-formed (area code, birth date, sequence with the right gender parity,
MOD 11-2 check character) but belong to nobody.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..models import (
    Child,
    Household,
    HujiRecord,
    Membership,
    PovertyRecord,
    TermCheck,
    XuejiRecord,
)
from ..schoolage import term_label
from ..signals import demo_seeded

# `from .x import NAME as NAME`: re-exported, so that `students.demo.NAME` keeps
# working as it did when the demo was one module.
from .names import AWAY as AWAY
from .names import BOYS as BOYS
from .names import ELDERS_F as ELDERS_F
from .names import ELDERS_M as ELDERS_M
from .names import ELSEWHERE as ELSEWHERE
from .names import GIRLS as GIRLS
from .names import MEN as MEN
from .names import OCCUPATION_WEIGHTS as OCCUPATION_WEIGHTS
from .names import OCCUPATIONS as OCCUPATIONS
from .names import SURNAME_WEIGHTS as SURNAME_WEIGHTS
from .names import SURNAMES as SURNAMES
from .names import WOMEN as WOMEN
from .places import COUNTY, _ensure_places
from .places import GROUP_NAMES as GROUP_NAMES
from .places import SCHOOLS as SCHOOLS
from .places import TEACHER_CLASS as TEACHER_CLASS
from .places import TEACHER_CLASS_MIN as TEACHER_CLASS_MIN
from .places import TEACHER_GRADE as TEACHER_GRADE
from .places import TEACHER_SCHOOL as TEACHER_SCHOOL
from .places import TOWNSHIPS as TOWNSHIPS
from .registers import ABSENT_NOTES as ABSENT_NOTES
from .registers import ADMIN_SCHOOL as ADMIN_SCHOOL
from .registers import DROPOUT_STATUSES as DROPOUT_STATUSES
from .registers import DROPOUTS_WITH_XUEJI as DROPOUTS_WITH_XUEJI
from .registers import HUJI_ONLY as HUJI_ONLY
from .registers import HUJI_SEED as HUJI_SEED
from .registers import OFF_HUJI_STATUSES as OFF_HUJI_STATUSES
from .registers import POVERTY_SEED as POVERTY_SEED
from .registers import TERM_CHECKERS as TERM_CHECKERS
from .registers import TERM_SEED as TERM_SEED
from .registers import XUEJI_SEED as XUEJI_SEED
from .registers import K as K
from .registers import _ensure_registers, _ensure_term_check
from .roster import CHANGE_REASON as CHANGE_REASON
from .roster import DISABILITY_CATEGORIES as DISABILITY_CATEGORIES
from .roster import DISABLED_STATUSES as DISABLED_STATUSES
from .roster import HOUSEHOLDS_PER_VILLAGE as HOUSEHOLDS_PER_VILLAGE
from .roster import NO_ID as NO_ID
from .roster import NO_XUEJI_STATUSES as NO_XUEJI_STATUSES
from .roster import RANDOM_SEED, _make_roster
from .roster import SEVERE_CATEGORIES as SEVERE_CATEGORIES
from .roster import SPECIAL_GROUP_MINIMUMS as SPECIAL_GROUP_MINIMUMS
from .roster import STATUS_PLAN as STATUS_PLAN
from .roster import TEMPORARY_XUEJI as TEMPORARY_XUEJI
from .roster import S as S
from .users import (
    DEMO_PASSWORD,
    DEMO_USERS,
    _ensure_users,
    format_logins,
    login_rows,
    readme_table,
)
from .users import SUPERUSERS as SUPERUSERS

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SeedResult",
    "format_logins",
    "login_rows",
    "readme_table",
    "seed",
]


@dataclass
class SeedResult:
    created: bool  # this run made the roster, a register or the term check
    townships: int
    villages: int
    groups: int
    schools: int
    households: int
    children: int
    users: int
    memberships: int
    xueji: int = 0
    huji: int = 0
    poverty: int = 0
    term: str = ""
    term_checked: int = 0
    term_absent: int = 0

    def summary(self):
        what = "已生成" if self.created else "已存在，未重复生成"
        return (
            f"{COUNTY}演示数据{what}：{self.townships} 个乡镇、{self.villages} 个村、"
            f"{self.groups} 个村民小组、{self.schools} 所学校、{self.households} 户、"
            f"{self.children} 名儿童、{self.users} 个演示账号（{self.memberships} 条职责）；"
            f"学籍 {self.xueji} 条、户籍 {self.huji} 条、脱贫户/监测户 {self.poverty} 人；"
            f"{self.term}开学到校核查 {self.term_checked} 人（未到校 {self.term_absent} 人）。"
        )


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def seed(*, today=None):
    """Make (or complete) the demo data; returns a SeedResult."""
    today = today or timezone.localdate()
    rng = random.Random(RANDOM_SEED)
    with transaction.atomic():
        county, townships, villages, groups, schools = _ensure_places()
        created = False
        has_roster = (
            Child.objects.filter(village__township__county=county).exists()
            or Household.objects.filter(village__township__county=county).exists()
        )
        if not has_roster:
            _make_roster(rng, today, townships, villages, groups, schools)
            created = True
        users = _ensure_users(county, townships, villages, schools)
        if _ensure_registers(today, county, villages):
            created = True
        term = term_label(today)
        if _ensure_term_check(today, term, schools, {u.username: u for u in users}):
            created = True
        # Other apps' demo data (cases/: the school calendar), in the same transaction.
        demo_seeded.send(sender=seed, county=county, today=today)
    checks = TermCheck.objects.filter(term=term, child__village__township__county=county)
    return SeedResult(
        created=created,
        townships=len(townships),
        villages=len(villages),
        groups=len(groups),
        schools=len(schools),
        households=Household.objects.filter(village__township__county=county).count(),
        children=Child.objects.filter(village__township__county=county).count(),
        users=len(users),
        memberships=Membership.objects.filter(user__in=users).count(),
        xueji=XuejiRecord.objects.filter(school__township__county=county).count(),
        huji=HujiRecord.objects.filter(county=county).count(),
        poverty=PovertyRecord.objects.filter(county=county).count(),
        term=term,
        term_checked=checks.count(),
        term_absent=checks.filter(present=False).count(),
    )
