"""Authorization: Nova's policy rules, enforced with oslo.policy.

One Enforcer reads `[oslo_policy] policy_file` (default policy.yaml, looked
up beside the config files) on top of the defaults in nova_api/policies/,
and re-reads it when the file changes, so overrides apply without a
restart. Resources call `authorize(req, rule, target)`; the target is the
object acted on (its project_id, user_id), and defaults to the caller's own.
"""

import threading

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from common import exception
from common.conf import CONF
from nova_api import policies

_enforcer = None
_lock = threading.Lock()


def enforcer():
    """The process' Enforcer, every default rule registered."""
    global _enforcer
    if _enforcer is None:
        with _lock:
            if _enforcer is None:
                made = oslo_policy.Enforcer(CONF)
                made.register_defaults(policies.list_rules())
                if not _conf_parsed():
                    # A process that never read its config (unit tests)
                    # has no directories to find policy.yaml in.
                    made.set_rules(oslo_policy.Rules(
                        {r.name: r.check for r in policies.list_rules()}),
                        use_conf=False)
                _enforcer = made
    return _enforcer


def _conf_parsed():
    try:
        CONF.find_file('policy.yaml')
    except cfg.NotInitializedError:
        return False
    return True


def get_enforcer():
    """The `oslo.policy.enforcer` entry point, for oslopolicy-* tools.

    The tools pass their own options on the command line, so CONF is
    parsed with none of them (it still finds nova.conf in the usual places).
    """
    if not _conf_parsed():
        CONF([], project='nova')
    return enforcer()


def reset():
    """Forget the Enforcer (tests change policy_file between cases)."""
    global _enforcer
    with _lock:
        if _enforcer is not None:
            _enforcer.clear()
        _enforcer = None


def allowed(ctxt, rule, target=None):
    """Whether the caller passes `rule` against `target`."""
    if target is None:
        target = {'project_id': ctxt.project_id, 'user_id': ctxt.user_id}
    try:
        return bool(enforcer().authorize(rule, target, ctxt))
    except oslo_policy.InvalidScope:
        return False


def enforce(ctxt, rule, target=None):
    """403 in Nova's words unless the caller passes `rule`."""
    if not allowed(ctxt, rule, target):
        raise exception.PolicyNotAuthorized(action=rule)


def authorize(req, rule, target=None):
    enforce(req.context.ctxt, rule, target)


def check(req, rule, target=None):
    """For optional fields and filters: True or False, never an error.

    Remembered for the rest of the request: a list view asks the same
    question for every server of a project.
    """
    key = (rule, tuple(sorted((target or {}).items())))
    answers = req.context.setdefault('policy_checks', {})
    if key not in answers:
        answers[key] = allowed(req.context.ctxt, rule, target)
    return answers[key]


def server_target(instance):
    return {'project_id': instance['project_id'],
            'user_id': instance['user_id']}
