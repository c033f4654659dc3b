#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongchuo.settings")
    if "DJANGO_SECRET_KEY" not in os.environ:
        # A checkout with no configuration at all is a developer's: commands
        # run as development. Production sets DJANGO_SECRET_KEY (the web
        # server and the Celery worker refuse to start without it).
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
