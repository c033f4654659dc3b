from .jurisdiction import access


def nav(request):
    """What the top bar offers this user: the access module decides."""
    user = getattr(request, "user", None)  # none on a request refused early (the 400 page)
    if user is None or not user.is_authenticated:
        return {}
    a = access(user)
    return {
        "may_edit_settings": a.may_edit_settings(),
        "may_take_attendance": a.may_take_attendance(),
        "may_see_notices": a.may_see_notices(),
        "may_approve_dispositions": a.may_approve_dispositions(),
        "may_edit_calendar": a.may_edit_calendar(),
        "may_read_audit_log": a.may_read_audit_log(),
    }
