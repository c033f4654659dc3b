from . import jurisdiction


def nav(request):
    """What the top bar offers this user."""
    user = request.user
    if not user.is_authenticated:
        return {}
    counties, townships = jurisdiction.settings_scopes(user)
    return {"may_edit_settings": bool(counties or townships)}
