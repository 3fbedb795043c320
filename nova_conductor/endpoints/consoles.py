"""Remote consoles and their tokens (consoles.py)."""

from nova_conductor import consoles


class ConsolesEndpoints:
    # (1.17)
    def instance_get_console(self, context, instance_uuid, protocol,
                             console_type):
        return consoles.get_console(self.compute_api, context,
                                    instance_uuid, protocol, console_type)

    # (1.17)
    def console_token_consume(self, context, token, console_type=None):
        return consoles.consume(token, console_type)

    # (1.17)
    def console_token_get(self, context, token):
        return consoles.show(token)
