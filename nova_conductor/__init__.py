"""nova-conductor: owns the database and orchestrates multi-service work."""

# Imported first so oslo.service runs on threads, whatever loads next.
import common  # noqa: F401,E402
