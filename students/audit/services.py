"""The one writer of the access log, and the login signals it listens to.

`record_access` writes every entry: a look at an unmasked ID number or
phone (pages, forms, exports), an export or download, an import, a login
or failed login, a status change and a disposition decision. Entries are
never edited (AccessLog.save refuses) and no page deletes them.
"""

from django.contrib.auth import get_user_model

from common.requestinfo import client_ip, current_ip

from ..jurisdiction import access
from ..models import AccessLog, Child

Action = AccessLog.Action
WHAT = {"id_number": "身份证号", "phones": "联系电话"}


def record_access(
    *, user, action, child=None, children=(), detail="", county=None, ip=None, username=""
):
    """One entry (or one per child of `children`, ids or rows): who, when,
    what, whose and from where. The entry belongs to the child's county, else
    to `county`, else to the user's. Returns the entries written."""
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    name = username or (user.get_username() if user_id else "")
    ip = ip or current_ip()
    child_ids = [child.pk] if child is not None else [getattr(c, "pk", c) for c in children]
    entry = {"user_id": user_id, "username": name[:150], "action": action, "ip": ip}
    entry["detail"] = (detail or "")[:300]
    if child_ids:
        counties = dict(
            Child.objects.filter(pk__in=child_ids).values_list("pk", "village__township__county_id")
        )
        return AccessLog.objects.bulk_create(
            [AccessLog(child_id=pk, county_id=counties.get(pk), **entry) for pk in child_ids],
            batch_size=500,
        )
    county_id = getattr(county, "pk", county)
    if county_id is None and user_id is not None:
        county_id = access(user).home_county_id()
    return [AccessLog.objects.create(county_id=county_id, **entry)]


def record_reveal(*, user, child, what, where):
    """A look at a child's unmasked `what` ("id_number" or "phones") on `where`."""
    return record_access(
        user=user, action=Action.REVEAL, child=child, detail=f"{WHAT.get(what, what)}（{where}）"
    )


def on_logged_in(sender, request, user, **kwargs):
    record_access(
        user=user, action=Action.LOGIN, ip=client_ip(request) if request is not None else None
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    known = get_user_model()._default_manager.filter(username=username).first()
    record_access(
        user=known,
        action=Action.LOGIN_FAILED,
        username=username,
        detail="用户名或密码错误" if known else "用户名不存在",
        ip=client_ip(request) if request is not None else None,
    )
