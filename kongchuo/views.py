from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse


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
