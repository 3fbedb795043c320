"""Client proxy other services use to tell every nova-api-metadata
process something (the conductor: a fixed IP changed hands)."""

from common import rpc


class MetadataAPI(rpc.RPCAPIBase):
    """RPC client for the 'metadata' topic; every message is a fanout.

    Version history:
        1.0 - forget_addresses (fanout)
    """

    TOPIC = 'metadata'
    RPC_API_VERSION = '1.0'
    SERVICE_NAME = 'nova-api-metadata'

    def forget_addresses(self, ctxt, addresses):
        """Each metadata service drops what it kept of whoever held these
        fixed IPs: they have been handed to a new instance."""
        self.cast(ctxt, 'forget_addresses', '1.0', fanout=True,
                  addresses=list(addresses))
