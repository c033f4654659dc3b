from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import JsonResponse
from django.shortcuts import render

from cases import selectors as case_selectors
from students import counting
from students.jurisdiction import access


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_status():
    if not settings.REDIS_URL:
        return "eager"  # tasks run in-process: nothing to reach
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        return "ok"
    except redis.RedisError:
        return "down"


@transaction.non_atomic_requests
def healthz(request):
    """200 when the database and broker answer; 503 naming what is down."""
    checks = {
        "database": "ok" if _database_ok() else "down",
        "broker": _broker_status(),
    }
    down = [name for name, state in checks.items() if state == "down"]
    return JsonResponse(
        {"status": "down" if down else "ok", "down": down, **checks}, status=503 if down else 200
    )


@login_required
def home(request):
    """Each role lands on its work: its to-dos first (overdue ones of the
    levels below too), then its roster, class or overview."""
    user = request.user
    role = access(user).main_role()
    if role is None:
        return render(request, "no_role.html")
    context = {
        "role": role,
        "todos": list(case_selectors.my_todos(user)[:20]),
        "overdue_below": list(case_selectors.overdue_below(user)[:20]),
    }
    by = access(user).overview_level()
    if by:
        context["overview"] = counting.place_figures(user, by=by)
        context["by_label"] = "村（社区）" if by == "village" else "乡镇"
        context["groups"] = counting.STATUS_GROUPS
    return render(request, "home.html", context)
