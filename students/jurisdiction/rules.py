"""Who may do what, as data: the role sets that grant each action, and the
reach of one membership as a Q (with a path prefix) or in Python (covers).
Read only by access.py."""

from django.db.models import Q

from ..models import Membership

Role = Membership.Role
NOTHING = Q(pk__in=[])

# --- who may do what, as role sets (DOMAIN §9: minimum access) ------------

# Unmasked on a detail page. A class teacher phones guardians on day 1 but
# has no need for ID numbers.
OFFICES = frozenset({Role.SCHOOL_ADMIN, Role.TOWNSHIP, Role.COUNTY, Role.SYSADMIN})
REVEAL_ROLES = {
    "id_number": OFFICES | {Role.VILLAGE},
    "phones": OFFICES | {Role.VILLAGE, Role.TEACHER},
}
# 涉案未成年人 is shown only to offices that handle it.
JUVENILE_CASE_ROLES = OFFICES
# Keep the roster: edit a child, change a status, decide a 比对 lead (a
# teacher sees the leads of the class but may not change a child's status).
EDIT_ROLES = OFFICES | {Role.VILLAGE}
# Put a new household somewhere: a village to put it in.
ADD_ROLES = frozenset({Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.SYSADMIN})
# The county ledgers and the 底数台账: roles that keep a roster.
ROSTER_ROLES = ADD_ROLES
# Take attendance: class teachers for their class, admins for their school.
ATTENDANCE_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN})
# Answer the term-start check (动态摸排); township and county read the result.
TERM_CHECK_ROLES = frozenset({Role.VILLAGE, Role.SCHOOL_ADMIN, Role.TEACHER})
# Open the term-start check to follow the villages' and schools' lists:
# the township (000: lists go to 乡控辍保学工作领导小组办公室) and the county.
TERM_OVERSEE_ROLES = frozenset({Role.TOWNSHIP, Role.COUNTY, Role.SYSADMIN})
# The school files the report (001, 004): 教务处、德育处、校长, not the teacher.
REPORT_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.SYSADMIN})
# The notices page: townships act, the county looks on.
NOTICE_PAGE_ROLES = frozenset({Role.TOWNSHIP, Role.COUNTY, Role.SYSADMIN})
# Close a case as 转学 / 外出就读 / 户籍迁出 / 死亡, or confirm a destination.
ENDING_ROLES = OFFICES
# Record a 送教上门 session: the teachers who go, their school, the township.
SESSION_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.TOWNSHIP, Role.SYSADMIN})
# Approve a disposition: the county education bureau only (not IT admins).
APPROVER_ROLES = frozenset({Role.COUNTY})
# Keep a school calendar: the county's terms, a school's own days.
CALENDAR_ROLES = frozenset({Role.COUNTY, Role.SCHOOL_ADMIN})
# Run the 四查三比对 and edit settings: the county, or a township for itself.
RUN_ROLES = frozenset({Role.TOWNSHIP, Role.COUNTY})
# Read the access log: the system administrator (all), the county (its own).
AUDIT_ROLES = frozenset({Role.COUNTY, Role.SYSADMIN})
# 004 四(四)1: the school restores the 学籍 and proposes 销号, the township
# signs it off; the township places a never-enrolled child with the school.
XUEJI_ROLES = REPORT_ROLES
CLOSE_CONFIRM_ROLES = frozenset({Role.TOWNSHIP, Role.SYSADMIN})
PLACEMENT_ROLES = frozenset({Role.TOWNSHIP, Role.SCHOOL_ADMIN, Role.SYSADMIN})
# Take a ladder step early with a written reason (提前处置): the township
# office where the child lives, nobody else (issue 10: "an explicit override
# by the township").
OVERRIDE_ROLES = frozenset({Role.TOWNSHIP})
# The disability details (category, grade, certificate, self-care, learning
# ability, rehabilitation): those who keep the roster and decide dispositions;
# a class teacher and the county's leading group see only the 残疾 tag.
DISABILITY_DETAIL_ROLES = EDIT_ROLES
# Approve 移交县级核处 (000 附件1 ⑤): the county's 县委农村工作暨实施乡村振兴战略
# 领导小组 only, not the education bureau (which approves the other four).
RURAL_GROUP_ROLES = frozenset({Role.RURAL_GROUP})
# Assign a pupil on no village roster (a school's 学籍 import) to a village:
# the township of the school, or the county.
ASSIGN_ROLES = frozenset({Role.TOWNSHIP, Role.COUNTY})
# Order of precedence when choosing a user's home page.
ROLE_RANK = [
    Role.SYSADMIN,
    Role.COUNTY,
    Role.TOWNSHIP,
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.VILLAGE,
    Role.RURAL_GROUP,
]

# --- reach of one membership, as a Q with a path prefix ---------------------

REACH_CHILD = {
    Role.VILLAGE: lambda m, p: Q(**{f"{p}village_id": m.village_id}),
    Role.TEACHER: lambda m, p: Q(
        **{f"{p}school_id": m.school_id, f"{p}grade": m.grade, f"{p}class_name": m.class_name}
    ),
    Role.SCHOOL_ADMIN: lambda m, p: Q(**{f"{p}school_id": m.school_id}),
    Role.TOWNSHIP: lambda m, p: (
        Q(**{f"{p}village__township_id": m.township_id})
        | Q(**{f"{p}school__township_id": m.township_id})
    ),
    Role.COUNTY: lambda m, p: (
        Q(**{f"{p}village__township__county_id": m.county_id})
        | Q(**{f"{p}school__township__county_id": m.county_id})
    ),
}
# The county's leading group reaches the county's children as the county does.
REACH_CHILD[Role.RURAL_GROUP] = REACH_CHILD[Role.COUNTY]
REACH_VILLAGE = {
    Role.VILLAGE: lambda m, p: Q(**{f"{p}pk": m.village_id}),
    Role.TOWNSHIP: lambda m, p: Q(**{f"{p}township_id": m.township_id}),
    Role.COUNTY: lambda m, p: Q(**{f"{p}township__county_id": m.county_id}),
}
REACH_SCHOOL = {
    Role.TEACHER: lambda m, p: Q(**{f"{p}pk": m.school_id}),
    Role.SCHOOL_ADMIN: lambda m, p: Q(**{f"{p}pk": m.school_id}),
    Role.VILLAGE: lambda m, p: Q(**{f"{p}township_id": m.village.township_id}),
    Role.TOWNSHIP: lambda m, p: Q(**{f"{p}township_id": m.township_id}),
    Role.COUNTY: lambda m, p: Q(**{f"{p}township__county_id": m.county_id}),
}
REACH_COUNTY = {Role.COUNTY: lambda m, p: Q(**{f"{p}county_id": m.county_id})}
# A 比对 lead names a village, a school or (户籍 × 学籍) only the county.
REACH_LEAD = {
    Role.VILLAGE: lambda m: Q(village_id=m.village_id),
    Role.TEACHER: lambda m: Q(school_id=m.school_id) & REACH_CHILD[Role.TEACHER](m, "child__"),
    Role.SCHOOL_ADMIN: lambda m: Q(school_id=m.school_id),
    Role.TOWNSHIP: lambda m: (
        Q(village__township_id=m.township_id) | Q(school__township_id=m.township_id)
    ),
    Role.COUNTY: lambda m: (
        Q(county_id=m.county_id)
        | Q(village__township__county_id=m.county_id)
        | Q(school__township__county_id=m.county_id)
    ),
}
# To-dos addressed to a membership itself, and those of the levels it
# oversees (overdue ones go up).
OWN_TODO = {
    Role.TEACHER: lambda m: Q(
        role=Role.TEACHER,
        school_id=m.school_id,
        case__child__grade=m.grade,
        case__child__class_name=m.class_name,
    ),
    Role.SCHOOL_ADMIN: lambda m: Q(role=Role.SCHOOL_ADMIN, school_id=m.school_id),
    Role.VILLAGE: lambda m: Q(role=Role.VILLAGE, village_id=m.village_id),
    Role.TOWNSHIP: lambda m: Q(role=Role.TOWNSHIP, township_id=m.township_id),
    Role.COUNTY: lambda m: Q(role=Role.COUNTY, county_id=m.county_id),
    Role.RURAL_GROUP: lambda m: Q(role=Role.RURAL_GROUP, county_id=m.county_id),
}
BELOW_TODO = {
    Role.SCHOOL_ADMIN: lambda m: Q(role=Role.TEACHER, school_id=m.school_id),
    Role.TOWNSHIP: lambda m: (
        (Q(village__township_id=m.township_id) | Q(school__township_id=m.township_id))
        & ~Q(role=Role.TOWNSHIP)
    ),
    Role.COUNTY: lambda m: ~Q(role__in=[Role.COUNTY, Role.RURAL_GROUP]) & Q(county_id=m.county_id),
}


def covers(m, child):
    """Does membership m reach this child? (Python twin of REACH_CHILD.)"""
    school = child.school
    if m.role == Role.VILLAGE:
        return child.village_id == m.village_id
    if m.role == Role.TEACHER:
        return (child.school_id, child.grade, child.class_name) == (
            m.school_id,
            m.grade,
            m.class_name,
        )
    if m.role == Role.SCHOOL_ADMIN:
        return child.school_id == m.school_id
    if m.role == Role.TOWNSHIP:
        return child.village.township_id == m.township_id or (
            school is not None and school.township_id == m.township_id
        )
    if m.role in (Role.COUNTY, Role.RURAL_GROUP):
        return child.village.township.county_id == m.county_id or (
            school is not None and school.township.county_id == m.county_id
        )
    return False
