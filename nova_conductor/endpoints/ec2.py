"""The EC2 API's rows (nova_conductor/db/ec2.py): access keys without
Keystone, and RunInstances' ClientTokens."""

from nova_conductor.db import ec2 as ec2_db


class EC2Endpoints:
    # (1.26)
    def ec2_credential_create(self, context, user_id, project_id):
        return ec2_db.credential_create(user_id, project_id)

    # (1.26)
    def ec2_credential_get(self, context, access):
        return ec2_db.credential_get(access)

    # (1.26)
    def ec2_credential_list(self, context, project_id=None, user_id=None):
        return ec2_db.credential_list(project_id, user_id)

    # (1.26)
    def ec2_credential_delete(self, context, access):
        ec2_db.credential_delete(access)

    # (1.26)
    def ec2_client_token_claim(self, context, project_id, client_token,
                               request_hash):
        return ec2_db.client_token_claim(project_id, client_token,
                                         request_hash)

    # (1.26)
    def ec2_client_token_set(self, context, project_id, client_token,
                             reservation_id):
        ec2_db.client_token_set(project_id, client_token, reservation_id)

    # (1.26)
    def ec2_client_token_release(self, context, project_id, client_token):
        ec2_db.client_token_release(project_id, client_token)
