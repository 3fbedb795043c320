"""nova-compute: runs instances on this host through a virt driver."""
