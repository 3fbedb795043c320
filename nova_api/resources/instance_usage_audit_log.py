"""/v2.1/os-instance_usage_audit_log (admin): how far the compute hosts
got with auditing instance usage over the last completed month (before
now, or before a given time), in Nova's shape.

No periodic task here audits usage (Nova's `instance_usage_audit`, off
by default there too), so no host has a record: every compute host is
reported as not run, with no instances and no errors.
"""

import datetime

from common import exception
from nova_api import policy

ROOT = 'os_compute_api:os-instance-usage-audit-log:%s'


def last_completed_month(before):
    """(first day 00:00 of the month before the one that last began
    before `before`, first day 00:00 of that one)."""
    end = datetime.datetime(before.year, before.month, 1)
    if end >= before:
        end = _month_before(end)
    return _month_before(end), end


def _month_before(day_one):
    if day_one.month == 1:
        return day_one.replace(year=day_one.year - 1, month=12)
    return day_one.replace(month=day_one.month - 1)


def audit_log(compute_hosts, begin, end, task_logs=()):
    """Nova's summary of the audit task's logs (none run here) for the
    period, over `compute_hosts`."""
    hosts = set(compute_hosts)
    seen = {t['host'] for t in task_logs}
    done = {t['host'] for t in task_logs if t['state'] == 'DONE'}
    running = {t['host'] for t in task_logs if t['state'] == 'RUNNING'}
    errors_ = sum(t['errors'] for t in task_logs)
    not_run = sorted(hosts - seen)
    return {
        'period_beginning': str(begin), 'period_ending': str(end),
        'num_hosts': len(hosts), 'num_hosts_done': len(done),
        'num_hosts_running': len(running),
        'num_hosts_not_run': len(not_run), 'hosts_not_run': not_run,
        'total_instances': sum(t['task_items'] for t in task_logs),
        'total_errors': errors_,
        'overall_status': '%s hosts done. %d errors.' % (
            'ALL' if len(done) == len(hosts) else
            '%d of %d' % (len(done), len(hosts)), errors_),
        'log': {t['host']: {'state': t['state'],
                            'instances': t['task_items'],
                            'errors': t['errors'],
                            'message': t['message']} for t in task_logs},
    }


def parse_before(text):
    fmt = '%Y-%m-%d %H:%M:%S.%f' if '.' in text else '%Y-%m-%d %H:%M:%S'
    try:
        before = datetime.datetime.strptime(text, fmt)
        last_completed_month(before)  # a period the calendar can hold
    except ValueError:
        raise exception.Invalid('Invalid timestamp for date %s' % text)
    return before


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _log(self, req, before):
        begin, end = last_completed_month(before)
        # Disabled hosts too: they may hold instances.
        hosts = [s['host'] for s in self.conductor.service_get_all(
            req.context.ctxt, binary='nova-compute')]
        return audit_log(hosts, begin, end)


class AuditLogs(_Base):

    def on_get(self, req, resp):
        policy.authorize(req, ROOT % 'list')
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        resp.media = {'instance_usage_audit_logs': self._log(req, now)}


class AuditLog(_Base):

    def on_get(self, req, resp, before_timestamp):
        policy.authorize(req, ROOT % 'show')
        resp.media = {'instance_usage_audit_log': self._log(
            req, parse_before(before_timestamp))}
