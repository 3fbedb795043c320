"""The image API (Glance v2) nova-api serves at /image for the local
registry: versions, images (list, create, show, PATCH, delete) and their
data, with Glance's view and rules. The records stay with the conductor;
the data is stored on nova-api's host (store.py)."""
