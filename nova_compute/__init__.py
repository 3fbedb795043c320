"""nova-compute: runs instances on this host through a virt driver."""

# Imported first so oslo.service runs on threads, whatever loads next.
import common  # noqa: F401,E402
