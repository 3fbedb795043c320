"""nova-api: the OpenStack Compute API v2.1 over falcon (WSGI)."""
