"""Reads of the access log, scoped by the access module."""

from ..jurisdiction import access
from ..models import AccessLog


def entries_for_user(user):
    """The entries the user may read, newest first, with what a page shows."""
    return (
        AccessLog.objects.filter(access(user).audit_entries())
        .select_related("user", "child__village__township")
        .order_by("-at", "-pk")
    )
