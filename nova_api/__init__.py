"""nova-api: the OpenStack Compute API v2.1 over falcon (WSGI)."""

# Imported first so oslo.service runs on threads, whatever loads next.
import common  # noqa: F401,E402
