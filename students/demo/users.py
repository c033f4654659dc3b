"""The demo logins: one user per role, their memberships and the logins table."""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model

from ..jurisdiction import access
from ..models import Membership
from .places import COUNTY, TEACHER_CLASS, TEACHER_GRADE, TEACHER_SCHOOL

DEMO_PASSWORD = "kongchuo2026"
ALL_PLACES = "全部（含后台管理）"

# (username, display name (first_name), Membership.Role value, jurisdiction as shown).
DEMO_USERS = [
    ("cunganbu", "村干部", Membership.Role.VILLAGE.value, "蛟潭镇 蛟潭村、福港村"),
    # The villages where the demo class's pupils live (蛟潭镇中心学校 takes its
    # primary pupils from 蛟潭村, 礼芳村 and 月形村): each has its cadre.
    ("lifang", "礼芳村村干部", Membership.Role.VILLAGE.value, "蛟潭镇 礼芳村"),
    ("yuexing", "月形村村干部", Membership.Role.VILLAGE.value, "蛟潭镇 月形村"),
    (
        "banzhuren",
        "班主任",
        Membership.Role.TEACHER.value,
        f"{TEACHER_SCHOOL} 五年级{TEACHER_CLASS}",
    ),
    # The demo class's school: reports to the township, school visits, 学籍.
    ("zhongxinxiao", "中心学校管理员", Membership.Role.SCHOOL_ADMIN.value, TEACHER_SCHOOL),
    ("xuexiao", "学校管理员", Membership.Role.SCHOOL_ADMIN.value, "福港学校"),
    ("xiangzhen", "蛟潭镇控辍办", Membership.Role.TOWNSHIP.value, "蛟潭镇"),
    ("zuolan", "左岚乡控辍办", Membership.Role.TOWNSHIP.value, "左岚乡"),
    ("xianjiaoyuju", "县教育局", Membership.Role.COUNTY.value, COUNTY),
    ("lingdaoxiaozu", "县委农村工作领导小组", Membership.Role.RURAL_GROUP.value, COUNTY),
    ("admin", "系统管理员", Membership.Role.SYSADMIN.value, ALL_PLACES),
]
SUPERUSERS = {"admin"}

# username -> the places of its memberships, by name (see _membership_kwargs).
_MEMBERSHIP_PLACES = {
    "cunganbu": [{"village": ("蛟潭镇", "蛟潭村")}, {"village": ("蛟潭镇", "福港村")}],
    "lifang": [{"village": ("蛟潭镇", "礼芳村")}],
    "yuexing": [{"village": ("蛟潭镇", "月形村")}],
    "zhongxinxiao": [{"school": TEACHER_SCHOOL}],
    "banzhuren": [{"school": TEACHER_SCHOOL, "grade": TEACHER_GRADE, "class_name": TEACHER_CLASS}],
    "xuexiao": [{"school": "福港学校"}],
    "xiangzhen": [{"township": "蛟潭镇"}],
    "zuolan": [{"township": "左岚乡"}],
    "xianjiaoyuju": [{"county": COUNTY}],
    "lingdaoxiaozu": [{"county": COUNTY}],
    "admin": [{}],
}


def reach_label(user):
    """A user's reach named from their memberships (the access module's
    reach_names), e.g. "蛟潭镇 蛟潭村、福港村"."""
    the_access = access(user)
    if the_access.is_sysadmin:
        return ALL_PLACES
    heads, details = the_access.reach_names()
    return " ".join(filter(None, ["、".join(heads), "、".join(details)]))


def login_rows():
    """[(username, role, reach)] of the demo logins, read from the database
    (after seeding): what `make run` prints and README's table lists."""
    User = get_user_model()
    users = User.objects.in_bulk([u for u, *_ in DEMO_USERS], field_name="username")
    return [
        (username, Membership.Role(role).label, reach_label(users[username]))
        for username, _display, role, _place in DEMO_USERS
        if username in users
    ]


def readme_table():
    """The README's demo-login table (Markdown), from the data."""
    lines = ["| user | role | reach |", "|---|---|---|"]
    lines += [f"| `{u}` | {role} | {reach} |" for u, role, reach in login_rows()]
    return lines


def format_logins():
    """The demo logins as aligned text lines (username, role, jurisdiction, password)."""
    rows = [("用户名", "角色", "辖区", "密码")]
    rows += [(u, role, reach, DEMO_PASSWORD) for u, role, reach in login_rows()]
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


# --------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------


def _membership_kwargs(place, county, townships, villages, schools):
    kwargs = {
        "county": None,
        "township": None,
        "village": None,
        "school": None,
        "grade": None,
        "class_name": "",
    }
    if "county" in place:
        kwargs["county"] = county
    if "township" in place:
        kwargs["township"] = townships[place["township"]]
    if "village" in place:
        kwargs["village"] = villages[place["village"]]
    if "school" in place:
        kwargs["school"] = schools[place["school"]]
        kwargs["grade"] = place.get("grade")
        kwargs["class_name"] = place.get("class_name", "")
    return kwargs


def _ensure_users(county, townships, villages, schools):
    User = get_user_model()
    users = []
    for username, display, role, _place in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = display
        user.is_active = True
        user.is_staff = user.is_superuser = username in SUPERUSERS
        user.set_password(DEMO_PASSWORD)
        user.save()
        for place in _MEMBERSHIP_PLACES[username]:
            Membership.objects.get_or_create(
                user=user,
                role=role,
                **_membership_kwargs(place, county, townships, villages, schools),
            )
        users.append(user)
    return users
