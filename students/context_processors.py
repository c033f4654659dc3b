from . import jurisdiction


def nav(request):
    """What the top bar offers this user."""
    user = request.user
    if not user.is_authenticated:
        return {}
    counties, townships = jurisdiction.settings_scopes(user)
    # Class teachers and school administrators record attendance (cases/).
    attendance_roles = {jurisdiction.Role.TEACHER, jurisdiction.Role.SCHOOL_ADMIN}
    return {
        "may_edit_settings": bool(counties or townships),
        "may_take_attendance": any(
            m.role in attendance_roles for m in jurisdiction.memberships(user)
        ),
        # The township office issues and follows the 限期返校通知书 (cases/notices.py).
        "may_see_notices": any(
            m.role == jurisdiction.Role.TOWNSHIP for m in jurisdiction.memberships(user)
        ),
    }
