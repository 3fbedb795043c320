"""nova-scheduler: picks compute hosts for instances by filtering, weighing."""

# Imported first so oslo.service runs on threads, whatever loads next.
import common  # noqa: F401,E402
