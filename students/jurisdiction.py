"""The one place that decides what a user may see and do.

Every view, export, command run as a user and task that produces a file
scopes its rows with `child_scope()` / `household_scope()`, and asks
`can_*()` before showing an unmasked value or saving a change.

`child_scope` is who may *open* a child; what a place's or a school's
figures *count* is `students.counting` (residents by village, pupils by
school).
"""

from django.db.models import Q

from .models import Child, Membership

Role = Membership.Role

# Who may see what, unmasked, on a detail page (DOMAIN §9: minimum access).
# A class teacher phones guardians on day 1 but has no need for ID numbers.
REVEAL_ROLES = {
    "id_number": {Role.VILLAGE, Role.SCHOOL_ADMIN, Role.TOWNSHIP, Role.COUNTY, Role.SYSADMIN},
    "phones": {
        Role.VILLAGE,
        Role.TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TOWNSHIP,
        Role.COUNTY,
        Role.SYSADMIN,
    },
}
# 涉案未成年人 is shown only to offices that handle it.
JUVENILE_CASE_ROLES = {Role.SCHOOL_ADMIN, Role.TOWNSHIP, Role.COUNTY, Role.SYSADMIN}
EDIT_ROLES = {Role.VILLAGE, Role.SCHOOL_ADMIN, Role.TOWNSHIP, Role.COUNTY, Role.SYSADMIN}
# Order of precedence when choosing a user's home page.
ROLE_RANK = [
    Role.SYSADMIN,
    Role.COUNTY,
    Role.TOWNSHIP,
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.VILLAGE,
]

_NOTHING = Q(pk__in=[])


def memberships(user):
    """The user's memberships, loaded once per request object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_kongchuo_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related(
                "county", "township", "village__township", "school__township"
            )
        )
        user._kongchuo_memberships = cached
    return cached


def is_sysadmin(user):
    return user.is_authenticated and (
        user.is_superuser or any(m.role == Role.SYSADMIN for m in memberships(user))
    )


def _child_q(m):
    if m.role == Role.VILLAGE:
        return Q(village_id=m.village_id)
    if m.role == Role.TEACHER:
        return Q(school_id=m.school_id, grade=m.grade, class_name=m.class_name)
    if m.role == Role.SCHOOL_ADMIN:
        return Q(school_id=m.school_id)
    if m.role == Role.TOWNSHIP:
        return Q(village__township_id=m.township_id) | Q(school__township_id=m.township_id)
    if m.role == Role.COUNTY:
        return Q(village__township__county_id=m.county_id) | Q(
            school__township__county_id=m.county_id
        )
    return _NOTHING


def child_scope(user, *, roles=None):
    """A Q over Child selecting exactly the children the user may see
    (through the given roles only, when `roles` is set)."""
    if is_sysadmin(user) and (roles is None or Role.SYSADMIN in roles):
        return Q()
    q = _NOTHING
    for m in memberships(user):
        if roles is None or m.role in roles:
            q |= _child_q(m)
    return q


def household_scope(user):
    """Households of the user's villages, and those of children they may see."""
    if is_sysadmin(user):
        return Q()
    q = _NOTHING
    via_children = False
    for m in memberships(user):
        if m.role == Role.VILLAGE:
            q |= Q(village_id=m.village_id)
        elif m.role == Role.TOWNSHIP:
            q |= Q(village__township_id=m.township_id)
        elif m.role == Role.COUNTY:
            q |= Q(village__township__county_id=m.county_id)
        else:
            via_children = True
    if via_children:
        q |= Q(pk__in=Child.objects.filter(child_scope(user)).values("household_id"))
    return q


def village_scope(user):
    """A Q over Village: where the user may keep the roster."""
    if is_sysadmin(user):
        return Q()
    q = _NOTHING
    for m in memberships(user):
        if m.role == Role.VILLAGE:
            q |= Q(pk=m.village_id)
        elif m.role == Role.TOWNSHIP:
            q |= Q(township_id=m.township_id)
        elif m.role == Role.COUNTY:
            q |= Q(township__county_id=m.county_id)
    return q


def school_scope(user):
    """A Q over School: the schools a user's children may be placed in."""
    if is_sysadmin(user):
        return Q()
    q = _NOTHING
    for m in memberships(user):
        if m.role in (Role.TEACHER, Role.SCHOOL_ADMIN):
            q |= Q(pk=m.school_id)
        elif m.role == Role.VILLAGE:
            q |= Q(township_id=m.village.township_id)
        elif m.role == Role.TOWNSHIP:
            q |= Q(township_id=m.township_id)
        elif m.role == Role.COUNTY:
            q |= Q(township__county_id=m.county_id)
    return q


def _covers(m, child):
    """Does membership m reach this child? (Python twin of _child_q.)"""
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
    if m.role == Role.COUNTY:
        return child.village.township.county_id == m.county_id or (
            school is not None and school.township.county_id == m.county_id
        )
    return False


def roles_for_child(user, child):
    """The roles through which the user reaches this particular child."""
    if is_sysadmin(user):
        return {Role.SYSADMIN}
    return {m.role for m in memberships(user) if _covers(m, child)}


def can_reveal(user, child, what):
    return bool(roles_for_child(user, child) & REVEAL_ROLES[what])


def can_see_juvenile_case(user, child):
    return bool(roles_for_child(user, child) & JUVENILE_CASE_ROLES)


def may_see_juvenile_cases(user):
    return is_sysadmin(user) or any(m.role in JUVENILE_CASE_ROLES for m in memberships(user))


ATTENDANCE_ROLES = {Role.TEACHER, Role.SCHOOL_ADMIN}


def can_take_attendance(user, child):
    """Class teachers for their class, school admins for their school."""
    return bool(roles_for_child(user, child) & ATTENDANCE_ROLES)


def can_edit_child(user, child):
    return bool(roles_for_child(user, child) & EDIT_ROLES)


def can_add_children(user):
    """Adding a household needs a village to put it in."""
    return is_sysadmin(user) or any(
        m.role in (Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY) for m in memberships(user)
    )


def main_role(user):
    roles = {m.role for m in memberships(user)}
    if user.is_authenticated and user.is_superuser:
        roles.add(Role.SYSADMIN)
    for role in ROLE_RANK:
        if role in roles:
            return role
    return None


def settings_scopes(user):
    """(counties, townships) whose JurisdictionSettings the user may edit."""
    counties = [m.county for m in memberships(user) if m.role == Role.COUNTY]
    townships = [m.township for m in memberships(user) if m.role == Role.TOWNSHIP]
    return counties, townships


class SystemActor:
    """An operator's command on the server: full reach, recorded as no user."""

    is_authenticated = True
    is_superuser = True
    pk = None
    username = "system"
    _kongchuo_memberships = []


SYSTEM = SystemActor()
