"""JSON schemas of Compute API response bodies, per microversion.

Written from the Compute API reference: every object lists its keys as
required and forbids others, so a test fails on a missing or an extra
key. `compute.py` and `servers.py` hold them; call a schema builder with the version
tuple, e.g. `compute.flavor((2, 61))`.
"""
