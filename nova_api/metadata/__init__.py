"""The metadata service (nova-api-metadata): answers a guest's questions
about itself, at http://169.254.169.254/ as guests expect (a proxy or a
route brings them here, to [api] metadata_listen_port).

- requester.py: who is asking (a signed proxy header, or the source
  address as a fixed IP);
- cache.py: what was read of each instance, for a while;
- app.py: the WSGI application;
- cmd.py: the daemon.
The trees themselves are common/instance_metadata.py, which the config
drive shares.
"""
