"""nova-scheduler: picks compute hosts for instances by filtering, weighing."""
