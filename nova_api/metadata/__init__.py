"""The metadata service (nova-api-metadata): answers a guest's questions
about itself, at http://169.254.169.254/ as guests expect (a proxy or a
route brings them here, to [api] metadata_listen_port).

- requester.py: who is asking (a signed proxy header, or the source
  address as a fixed IP);
- cache.py: what was read of each instance, for a while;
- app.py: the WSGI application;
- rpcapi.py / manager.py: what the conductor tells every metadata
  process (a fixed IP handed out: forget what was kept by it);
- cmd.py: the daemon (the HTTP server and that RPC listener).
The trees themselves are common/instance_metadata.py, which the config
drive shares.
"""
