from . import jurisdiction

Role = jurisdiction.Role


def nav(request):
    """What the top bar offers this user."""
    user = request.user
    if not user.is_authenticated:
        return {}
    roles = {m.role for m in jurisdiction.memberships(user)}
    counties, townships = jurisdiction.settings_scopes(user)
    return {
        "may_edit_settings": bool(counties or townships),
        # Class teachers and school administrators record attendance (cases/).
        "may_take_attendance": bool(roles & jurisdiction.ATTENDANCE_ROLES),
        # The township office issues and follows the 限期返校通知书 (cases/notices.py).
        "may_see_notices": Role.TOWNSHIP in roles,
        # The county education bureau approves dispositions (cases/dispositions/).
        "may_approve_dispositions": Role.COUNTY in roles,
        # The county keeps its school calendar; a school admin adds the school's own (cases/).
        "may_edit_calendar": bool(roles & {Role.COUNTY, Role.SCHOOL_ADMIN}),
    }
