"""The user's Access: query builders and may_… predicates over the rules."""

from django.db.models import Q

from ..models import Child, County, Membership
from .permissions import Permissions
from .rules import (
    APPROVER_ROLES,
    ATTENDANCE_ROLES,
    BELOW_TODO,
    EDIT_ROLES,
    NOTHING,
    OWN_TODO,
    REACH_CHILD,
    REACH_COUNTY,
    REACH_LEAD,
    REACH_SCHOOL,
    REACH_VILLAGE,
    ROLE_RANK,
    RURAL_GROUP_ROLES,
    TERM_CHECK_ROLES,
    Role,
    covers,
)


def memberships(user):
    """The user's memberships, loaded once per request object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_kongchuo_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("county", "township", "village__township", "school__township")
            # In the order given: places are named in it (reach_names), on any database.
            .order_by("pk")
        )
        user._kongchuo_memberships = cached
    return cached


def preload_access(users):
    """Load the memberships of many users in one query, so access(user) on
    each of them costs nothing more (e.g. the recorders of a case's records)."""
    todo = [
        u for u in users if u.is_authenticated and getattr(u, "_kongchuo_memberships", None) is None
    ]
    if not todo:
        return
    by_user = {u.pk: [] for u in todo}
    for m in Membership.objects.filter(user__in=todo).select_related(
        "county", "township", "village__township", "school__township"
    ):
        by_user[m.user_id].append(m)
    for u in todo:
        u._kongchuo_memberships = by_user[u.pk]


def access(user):
    """The user's Access, built once per user object (i.e. per request)."""
    cached = getattr(user, "_kongchuo_access", None)
    if cached is None:
        cached = Access(user)
        try:
            user._kongchuo_access = cached
        except AttributeError:  # AnonymousUser is fine to rebuild
            pass
    return cached


class Access(Permissions):
    def __init__(self, user):
        self.user = user
        self.memberships = memberships(user)
        self.roles = {m.role for m in self.memberships}
        self.is_sysadmin = user.is_authenticated and (
            user.is_superuser or Role.SYSADMIN in self.roles
        )
        if self.is_sysadmin:
            self.roles.add(Role.SYSADMIN)
        # The operator's command without --user: full reach, whatever the task.
        self.is_system = isinstance(user, SystemActor)

    def _any(self, roles):
        return bool(self.roles & roles)

    def _q(self, table, path="", *, roles=None):
        q = NOTHING
        for m in self.memberships:
            if m.role in table and (roles is None or m.role in roles):
                q |= table[m.role](m, path)
        return q

    # --- query builders ------------------------------------------------------

    def children(self, path="", *, roles=None):
        """The children the user sees (through `roles` only, when given): the
        one rule for "whose data may this user open"."""
        if self.is_sysadmin and (roles is None or Role.SYSADMIN in roles or self.is_system):
            return Q()
        return self._q(REACH_CHILD, path, roles=roles)

    def attendance_children(self, path=""):
        """The children whose attendance the user records."""
        return self.children(path, roles=ATTENDANCE_ROLES)

    def term_check_children(self, path=""):
        """Whom the user checks at term start (township and county read it)."""
        return self.children(path, roles=TERM_CHECK_ROLES)

    def cases(self, path=""):
        """Cases (or rows of a case, with `path` to the case) of those children."""
        return self.children(f"{path}child__")

    def cases_to_approve(self, path=""):
        """Cases whose dispositions the user approves (with `path` to the case)."""
        return self.children(f"{path}child__", roles=APPROVER_ROLES)

    def cases_to_verify(self, path=""):
        """Cases whose 移交县级核处 the user approves: the county's leading group
        (with `path` to the case)."""
        return self.children(f"{path}child__", roles=RURAL_GROUP_ROLES)

    def households(self):
        """Households of the user's villages, and those of children they see."""
        if self.is_sysadmin:
            return Q()
        q = self._q(REACH_VILLAGE, "village__")
        if self.roles - {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY}:
            q |= Q(pk__in=Child.objects.filter(self.children()).values("household_id"))
        return q

    def villages(self, path=""):
        """Where the user may keep the roster."""
        return Q() if self.is_sysadmin else self._q(REACH_VILLAGE, path)

    def schools(self, path=""):
        """The schools a user's children may be placed in."""
        return Q() if self.is_sysadmin else self._q(REACH_SCHOOL, path)

    # What an import may write: a row's record before and after the write must
    # both be in these (the same rule for the page, Celery and the commands).

    def roster_children(self, path=""):
        """Children whose roster entry the user keeps: by where they live."""
        return self.villages(f"{path}village__")

    def village_records(self, path=""):
        """户籍 and 脱贫户 records the user keeps: by their village; one without
        a village only county-wide."""
        if self.is_sysadmin:
            return Q()
        return self.villages(f"{path}village__") | self._q(REACH_COUNTY, path)

    def xueji_records(self, path=""):
        """学籍 records the user keeps: those of the schools they may name."""
        return self.schools(f"{path}school__")

    def may_keep_unplaced_records(self, county):
        """May the user keep 户籍/脱贫户 records of `county` that name no village?"""
        return self.is_sysadmin or any(
            m.role == Role.COUNTY and m.county_id == county.pk for m in self.memberships
        )

    def office_to_ask(self, county=None):
        """Whom to ask about a record outside the user's reach, named without
        saying where (or whether) it is registered: the level above."""
        if self.is_sysadmin or Role.COUNTY in self.roles:
            return "上级教育行政部门"
        if self.roles == {Role.TEACHER}:
            return "本校教务处"
        for m in self.memberships if county is None else []:
            place = m.village or m.school
            county = (place.township if place else m.township or m).county
            break
        return f"{county.name if county else '县（区）'}教育局控辍办"

    def townships(self, path):
        """A Q over a model whose `path` leads to Township: the townships whose
        notices the user oversees (own township, or the whole county)."""
        if self.is_sysadmin:
            return Q()
        q = NOTHING
        for m in self.memberships:
            if m.role == Role.TOWNSHIP:
                q |= Q(**{path: m.township_id})
            elif m.role == Role.COUNTY:
                q |= Q(**{f"{path}__county_id": m.county_id})
        return q

    def addressed_to(self, path=""):
        """Rows addressed to an office (with `path` to the row's `county` and
        `township`): a township's own copies; a county's county-level copies
        (教育局, 督导室: no township)."""
        if self.is_sysadmin:
            return Q()
        q = NOTHING
        for m in self.memberships:
            if m.role == Role.TOWNSHIP:
                q |= Q(**{f"{path}township_id": m.township_id})
            elif m.role == Role.COUNTY:
                q |= Q(**{f"{path}county_id": m.county_id, f"{path}township__isnull": True})
        return q

    def leads(self, *, deciding=False):
        """比对 leads the user sees (deciding=True: may decide)."""
        if self.is_sysadmin:
            return Q()
        q = NOTHING
        for m in self.memberships:
            if m.role in REACH_LEAD and (not deciding or m.role in EDIT_ROLES):
                q |= REACH_LEAD[m.role](m)
        return q

    def check_runs(self):
        """比对 runs over the places the user may run them for."""
        if self.is_sysadmin:
            return Q()
        q = NOTHING
        for m in self.memberships:
            if m.role == Role.COUNTY:
                q |= Q(county_id=m.county_id)
            elif m.role == Role.TOWNSHIP:
                q |= Q(township_id=m.township_id)
                q |= Q(county_id=m.township.county_id, township__isnull=True)
        return q

    def import_batches(self):
        """A user sees their own imports; the system administrator all."""
        return Q() if self.is_sysadmin else Q(user_id=self.user.pk)

    def audit_entries(self, path=""):
        """Access-log entries the user may read (with `path` to the entry):
        the county's own, everything for the system administrator."""
        if self.is_sysadmin:
            return Q()
        counties = [m.county_id for m in self.memberships if m.role == Role.COUNTY]
        return Q(**{f"{path}county_id__in": counties}) if counties else NOTHING

    def own_todos(self):
        """Open work addressed to the user (a system administrator answers
        for the county)."""
        if self.is_sysadmin:
            return Q(role=Role.COUNTY)
        q = NOTHING
        for m in self.memberships:
            if m.role in OWN_TODO:
                q |= OWN_TODO[m.role](m)
        return q

    def todos_below(self):
        """Work of the levels below the user (overdue ones are flagged up)."""
        q = NOTHING
        for m in self.memberships:
            if m.role in BELOW_TODO:
                q |= BELOW_TODO[m.role](m)
        return q

    # --- the user's places ---------------------------------------------------

    def office_places(self):
        """(counties, townships) the user acts for as an office: where they
        edit settings and run the 四查三比对."""
        counties = [m.county for m in self.memberships if m.role == Role.COUNTY]
        townships = [m.township for m in self.memberships if m.role == Role.TOWNSHIP]
        return counties, townships

    def run_places(self):
        """Like office_places, all counties for the system administrator."""
        if self.is_sysadmin:
            return list(County.objects.all()), []
        return self.office_places()

    def calendar_places(self):
        """(counties, schools) whose calendar the user keeps."""
        counties = [m.county for m in self.memberships if m.role == Role.COUNTY]
        schools = [m.school for m in self.memberships if m.role == Role.SCHOOL_ADMIN]
        return counties, schools

    def attendance_classes(self):
        """(teacher's classes as (school, grade, class_name), admin schools)."""
        classes = [
            (m.school, m.grade, m.class_name)
            for m in self.memberships
            if m.role == Role.TEACHER and m.school_id and m.grade
        ]
        schools = [m.school for m in self.memberships if m.role == Role.SCHOOL_ADMIN]
        return classes, schools

    def own_village_ids(self):
        """A village cadre's own few villages."""
        return [m.village_id for m in self.memberships if m.role == Role.VILLAGE]

    def home_county_id(self):
        """The user's county, for a log entry naming no child (None: all)."""
        if self.is_sysadmin or not self.memberships:
            return None
        m = self.memberships[0]
        place = m.county or m.township or (m.village or m.school).township
        return getattr(place, "county_id", place.pk)

    def first_place(self):
        """The most local place the user belongs to, for a template's title."""
        m = next(iter(self.memberships), None)
        return m and (m.school or m.village or m.township or m.county)

    def reach_names(self):
        """(heads, details): the user's reach named from the data, e.g.
        (["蛟潭镇"], ["蛟潭村", "福港村"]). Details only when they are all the
        user reaches."""
        if self.is_sysadmin:
            return list(County.objects.values_list("name", flat=True)) or ["全部"], []
        grades = dict(Child._meta.get_field("grade").choices)
        heads, details = [], []
        for m in self.memberships:
            if m.role in (Role.COUNTY, Role.RURAL_GROUP):
                heads.append(m.county.name)
            elif m.role == Role.TOWNSHIP:
                heads.append(m.township.name)
            elif m.role == Role.VILLAGE:
                heads += [m.village.township.name]
                details.append(m.village.name)
            elif m.role in (Role.SCHOOL_ADMIN, Role.TEACHER):
                heads.append(m.school.name)
                if m.role == Role.TEACHER:
                    details.append(f"{grades.get(m.grade, '')}{m.class_name}")
        if self.roles - {Role.VILLAGE, Role.TEACHER}:
            details = []
        return list(dict.fromkeys(heads)), list(dict.fromkeys(details))

    def main_role(self):
        """The role whose home page the user lands on."""
        return next((role for role in ROLE_RANK if role in self.roles), None)

    def overview_level(self):
        """How the user's 概况 is broken down: a township by village, the
        county by township; None for roles without an overview."""
        if Role.TOWNSHIP in self.roles and not self._any({Role.COUNTY, Role.SYSADMIN}):
            return "village"
        return "township" if self._any({Role.COUNTY, Role.SYSADMIN}) else None

    # --- one child or case ---------------------------------------------------

    def roles_for(self, child):
        """The roles through which the user reaches this particular child."""
        if self.is_sysadmin:
            return {Role.SYSADMIN}
        return {m.role for m in self.memberships if covers(m, child)}

    def reaches_as(self, child, roles):
        """Does the user reach this child through one of `roles`?"""
        return bool(self.roles_for(child) & roles)


class SystemActor:
    """An operator's command on the server: full reach, recorded as no user."""

    is_authenticated = True
    is_superuser = True
    pk = None
    username = "system"
    _kongchuo_memberships = []


SYSTEM = SystemActor()
