"""The client address of the request being served, for whatever records it
(an access log) without passing the request down through every layer."""

from contextvars import ContextVar

from .security import client_ip

_client_ip = ContextVar("client_ip", default=None)


def current_ip():
    """The client address of the request this code runs for, or None
    (a command, a task)."""
    return _client_ip.get()


class ClientIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip(request) or None)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
