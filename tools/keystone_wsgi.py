"""Keystone's WSGI app for gunicorn, run inside Keystone's own venv.

Keystone parses sys.argv as its own command line when it builds the app;
under gunicorn that would be gunicorn's arguments, so clear them first.
The config file comes from OS_KEYSTONE_CONFIG_FILES.
"""

import sys

sys.argv = sys.argv[:1]

from keystone.server import wsgi  # noqa: E402

application = wsgi.initialize_public_application()
