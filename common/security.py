"""Request hardening that knows no domain: pages for a signed-in user are
never cached, a session ends after a while without requests, and the
client's address as the proxy in front saw it."""

import time

from django.conf import settings
from django.utils.cache import patch_cache_control

SEEN_KEY = "_last_seen"


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in
    user: pages and downloads carry children's personal data, and a shared
    computer or proxy must not keep them. Decided by the session cookie (a
    signed-in user always sends one), so a response that never looked at
    the user, like /healthz, needs no session store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            if "no-store" not in response.get("Cache-Control", ""):
                patch_cache_control(response, no_store=True, private=True)
        return response


class IdleSessionMiddleware:
    """A session lives SESSION_COOKIE_AGE after its last request: activity
    saves it again (renewing the expiry in the store and the cookie), at most
    once per SESSION_RENEW_SECONDS so a busy user does not write the session
    on every page. Goes after SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a request that used its session renews it: /healthz (a probe
        # with a stale cookie) must not need the session store to answer.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            renew = getattr(settings, "SESSION_RENEW_SECONDS", 60)
            if now - session.get(SEEN_KEY, 0) >= renew:
                session[SEEN_KEY] = now  # modified: SessionMiddleware saves it
        return response


def note_login(sender, request, user, **kwargs):
    """user_logged_in: the login itself counts as activity."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SEEN_KEY] = int(time.time())


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind the compose file's nginx
    (settings.BEHIND_PROXY) the X-Forwarded-For that nginx sets to the
    address it saw (deploy/nginx.conf overrides whatever the client sent)."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")
