"""Users' key pairs: the calling user's, or those of the user an admin
names (the API checks who may name one)."""

from nova_conductor.db import keypairs as keypairs_db


class KeypairsEndpoints:
    # (1.0; user_id from 1.1)
    def keypair_create(self, context, name, public_key, fingerprint,
                       key_type='ssh', user_id=None):
        return keypairs_db.create(user_id or context.user_id, name,
                                  public_key, fingerprint, key_type)

    # (1.0; user_id from 1.1)
    def keypair_get(self, context, name, user_id=None):
        return keypairs_db.get(user_id or context.user_id, name)

    # (1.0; user_id and paging from 1.1)
    def keypair_get_all(self, context, user_id=None, limit=None,
                        marker=None):
        return keypairs_db.get_all(user_id or context.user_id, limit, marker)

    # (1.0; user_id from 1.1)
    def keypair_delete(self, context, name, user_id=None):
        return keypairs_db.delete(user_id or context.user_id, name)
