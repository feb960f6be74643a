#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # A missing or bad environment variable should read as one line, not a traceback.
    try:
        settings.INSTALLED_APPS  # noqa: B018 (forces the settings module to load)
    except ImproperlyConfigured as exc:
        sys.exit(f"newsroom: configuration error: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
