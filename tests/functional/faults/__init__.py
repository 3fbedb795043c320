"""Fault harness: a boot burst, faults injected into it, and the invariants
checked once it settles (used by test_faults.py and bench/chaos.py).

- burst.py: N boots from C keep-alive clients; every answer recorded.
- inject.py: the faults (kill -9 and restart, broker and database
  connections cut), each scoped to one deployment.
- probe.py: what the API and each nova-compute's hypervisor say, sampled
  during the burst and read after it.
- invariants.py: settle, then check and report: stuck, lost, over-commit,
  usage, orphan or duplicate domains, everything freed after delete.
"""
