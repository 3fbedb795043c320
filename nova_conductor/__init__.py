"""nova-conductor: owns the database and orchestrates multi-service work."""
