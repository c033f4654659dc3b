"""The client address of the request being served, for whatever records it
(an access log) without passing the request down through every layer."""

from contextvars import ContextVar

_client_ip = ContextVar("client_ip", default=None)


def client_ip(request):
    """The address the request came from (REMOTE_ADDR, as the server saw it)."""
    return request.META.get("REMOTE_ADDR") or None


def current_ip():
    """The client address of the request this code runs for, or None
    (a command, a task)."""
    return _client_ip.get()


class ClientIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
