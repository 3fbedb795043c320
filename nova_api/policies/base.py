"""The building blocks every API rule is written with (Nova's names)."""

from oslo_policy import policy

ADMIN = 'rule:context_is_admin'
PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'
PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'
# Key pairs belong to a user, not a project.
ADMIN_OR_KEYPAIR_OWNER = '(rule:context_is_admin) or user_id:%(user_id)s'
ANYONE = '@'
# Other OpenStack services (Neutron, Cinder, Ironic) calling in with the
# service role, as Nova's newer defaults allow, or an administrator.
SERVICE_OR_ADMIN = 'role:service or rule:context_is_admin'


def rule(name, check_str, description, operations):
    """A documented, project-scoped rule; operations are (method, path)."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': path}
                    for method, path in operations],
        scope_types=['project'])


RULES = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        'Who is a cloud administrator: may act on every project.'),
    policy.RuleDefault(
        'project_member_api', 'role:member and project_id:%(project_id)s',
        'A member of the project that owns the target: may change it.'),
    policy.RuleDefault(
        'project_reader_api', 'role:reader and project_id:%(project_id)s',
        'A reader of the project that owns the target: may look at it.'),
    policy.RuleDefault(
        'project_member_or_admin',
        'rule:project_member_api or rule:context_is_admin',
        'A member of the owning project, or an administrator.'),
    policy.RuleDefault(
        'project_reader_or_admin',
        'rule:project_reader_api or rule:context_is_admin',
        'A reader of the owning project, or an administrator.'),
]


def list_rules():
    return RULES
