"""The `may_…()` predicates of an Access: one per action, each a role set
of rules.py over the user's memberships (and, for one child or case, the
memberships that cover it). Mixed into Access; nothing else decides."""

from django.core.exceptions import PermissionDenied

from .rules import (
    ADD_ROLES,
    APPROVER_ROLES,
    ASSIGN_ROLES,
    ATTENDANCE_ROLES,
    AUDIT_ROLES,
    CALENDAR_ROLES,
    CLOSE_CONFIRM_ROLES,
    DISABILITY_DETAIL_ROLES,
    EDIT_ROLES,
    ENDING_ROLES,
    JUVENILE_CASE_ROLES,
    NOTICE_PAGE_ROLES,
    OVERRIDE_ROLES,
    PLACEMENT_ROLES,
    REPORT_ROLES,
    REVEAL_ROLES,
    ROSTER_ROLES,
    RURAL_GROUP_ROLES,
    SESSION_ROLES,
    TERM_CHECK_ROLES,
    TERM_OVERSEE_ROLES,
    XUEJI_ROLES,
    Role,
)


class Permissions:
    """Needs `memberships`, `is_sysadmin`, `_any()` and `reaches_as()` (Access)."""

    def may_reveal(self, child, what):
        return what in REVEAL_ROLES and self.reaches_as(child, REVEAL_ROLES[what])

    def reveal(self, child, what, *, where="详情页"):
        """Check and record one look at unmasked data (PIPL; DOMAIN §9)."""
        from ..audit.services import record_reveal

        if not self.may_reveal(child, what):
            raise PermissionDenied("无权查看。")
        record_reveal(user=self.user, child=child, what=what, where=where)

    def may_see_juvenile_case(self, child):
        return self.reaches_as(child, JUVENILE_CASE_ROLES)

    def may_edit_child(self, child):
        return self.reaches_as(child, EDIT_ROLES)

    def may_take_attendance_of(self, child):
        return self.reaches_as(child, ATTENDANCE_ROLES)

    def may_file_report(self, case):
        return case.child.school_id is not None and self.reaches_as(case.child, REPORT_ROLES)

    def may_record_xueji(self, case):
        """Restore or rebuild the 学籍 after 复学, and propose 销号: the school."""
        return case.child.school_id is not None and self.reaches_as(case.child, XUEJI_ROLES)

    def may_propose_close(self, case):
        return self.may_record_xueji(case)

    def may_confirm_close(self, case):
        """Sign off 销号: the township office of the child's township."""
        return self.reaches_as(case.child, CLOSE_CONFIRM_ROLES)

    def may_place_child(self, case):
        """Place a never-enrolled child at a school (the township, or the school)."""
        return self.reaches_as(case.child, PLACEMENT_ROLES)

    def may_act_for_township(self, township_id):
        """Issue, serve and follow a notice: the township office itself."""
        return any(
            m.role == Role.TOWNSHIP and m.township_id == township_id for m in self.memberships
        )

    def may_override_steps(self, township_id):
        """Take a ladder step early with a written reason: the office of the
        township where the child lives."""
        return any(
            m.role in OVERRIDE_ROLES and m.township_id == township_id for m in self.memberships
        )

    def may_end_case(self, case):
        return self.reaches_as(case.child, ENDING_ROLES)

    def may_record_persuasion(self, case):
        """Everyone who reaches the child through a role."""
        return bool(self.roles_for(case.child))

    def may_approve_disposition(self, case):
        """Only the county education bureau over the child (not IT admins)."""
        return self.reaches_as(case.child, APPROVER_ROLES)

    def may_approve_county_review(self, case):
        """移交县级核处: only the county's leading group over the child (000 附件1 ⑤)."""
        return self.reaches_as(case.child, RURAL_GROUP_ROLES)

    def may_see_disability_details(self, child):
        """Category, grade, certificate, self-care, learning ability, rehabilitation."""
        return self.reaches_as(child, DISABILITY_DETAIL_ROLES)

    def may_record_session(self, case):
        return self.reaches_as(case.child, SESSION_ROLES)

    # --- pages and menu entries ----------------------------------------------

    def may_add_children(self):
        return self._any(ADD_ROLES)

    def may_see_juvenile_cases(self):
        return self._any(JUVENILE_CASE_ROLES)

    def may_take_attendance(self):
        return self._any(ATTENDANCE_ROLES)

    def may_check_term(self):
        """Answer the term-start check for one's own children."""
        return self._any(TERM_CHECK_ROLES)

    def may_oversee_term_lists(self):
        """Follow each village's and school's term list (township, county)."""
        return self._any(TERM_OVERSEE_ROLES)

    def may_open_term_check(self):
        return self.may_check_term() or self.may_oversee_term_lists()

    def may_decide_leads(self):
        return self._any(EDIT_ROLES)

    def may_assign_lead(self, lead):
        """Put a lead's pupil on a village roster: the school's township
        office, the county, or the system administrator."""
        if self.is_sysadmin:
            return True
        township_id = lead.school.township_id if lead.school_id else None
        return any(
            (m.role == Role.TOWNSHIP and township_id and m.township_id == township_id)
            or (m.role == Role.COUNTY and m.county_id == lead.county_id)
            for m in self.memberships
            if m.role in ASSIGN_ROLES
        )

    def may_see_notices(self):
        return self._any(NOTICE_PAGE_ROLES)

    def may_approve_dispositions(self):
        return self._any(APPROVER_ROLES | RURAL_GROUP_ROLES)

    def may_edit_calendar(self):
        return self._any(CALENDAR_ROLES)

    def may_edit_settings(self):
        return Role.COUNTY in self.roles or Role.TOWNSHIP in self.roles

    def may_see_roster_ledgers(self):
        return self._any(ROSTER_ROLES)

    def may_see_term_list(self):
        return bool(self.roles)

    def may_export_full(self):
        """Unmasked exports: every one of the user's roles must need ID numbers.
        A user who is also a 班主任 sees their class through that role, and a
        teacher never needs the number, so such a user gets masked exports."""
        if self.is_sysadmin:
            return True
        return bool(self.roles) and self.roles <= REVEAL_ROLES["id_number"]

    def may_read_audit_log(self):
        return self._any(AUDIT_ROLES)

    def may_choose_township(self):
        """A county-wide user picks a township in filters; others have one."""
        return self._any({Role.COUNTY, Role.SYSADMIN})
