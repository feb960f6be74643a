"""Django's PostgreSQL backend, with connection health checks spaced out (see base.py)."""
