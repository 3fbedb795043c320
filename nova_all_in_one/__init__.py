"""The all-in-one: every service in one process (nova-all-in-one).

The composition root: the one package allowed to import every service.
"""
