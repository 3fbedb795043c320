"""The conductor's RPC endpoint methods, a mixin per resource, which
manager.ConductorManager composes into its one endpoint.

They are thin: a record read or write in db/, or a hand-over to the module
that runs a multi-step operation (build.py, rebuild.py, delete.py,
lifecycle.py, compute_queries.py). They rely on what the manager sets up:
`compute_api`, `builder` (build.BuildOrchestrator, which holds the
scheduler's client), `owner` (takeover.BuildOwner) and `_start_build`.
The comment above each method names the RPC version that added it, and
what later versions added to it (rpcapi's version history says more).
"""
