"""`check --deploy`: an intranet on plain HTTP is said out loud."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def plain_http_note(app_configs, **kwargs):
    if not getattr(settings, "PLAIN_HTTP", False):
        return []
    return [
        checks.Info(
            "Served over plain HTTP (DJANGO_SECURE_SSL_REDIRECT=0, DJANGO_SECURE_COOKIES=0): "
            "passwords, session cookies and children's personal data cross the network "
            "unencrypted, and HSTS is off. Acceptable only on a closed intranet; "
            "serve the site over HTTPS and drop both variables as soon as a "
            "certificate is available.",
            hint="README.md, Production: HTTPS with deploy/nginx.conf.",
            id="kongchuo.I001",
        )
    ]
