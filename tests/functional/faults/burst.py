"""N boots from C concurrent clients through the REST API, every answer kept.

Each client is a thread with its own keep-alive session, as openstacksdk
and novaclient send requests (and as bench/boot.py does). A connection
that was refused never reached the API, so the client tries again, as a
real client would after a crash; an answer lost after the request went
out is "unknown": the server may or may not exist, and the invariant
checker accounts for it by name.
"""

import collections
import threading
import time

import requests
import urllib3

# How long a client keeps knocking on a closed port (nova-api restarting).
REFUSED_RETRY_FOR = 60.0
# A create slower than this is reported: the API held a client that long.
SLOW_CREATE = 10.0

# Answer kinds besides HTTP status codes.
UNKNOWN = 'unknown'    # the request was sent; its answer never came
TIMEOUT = 'timeout'    # no answer within the client's own timeout
REFUSED = 'refused'    # never reached the API, even after retrying


class Answer:
    __slots__ = ('index', 'name', 'status', 'server_id', 'detail',
                 'elapsed', 'refused')

    def __init__(self, index, name):
        self.index = index
        self.name = name
        self.status = None
        self.server_id = None
        self.detail = ''
        self.elapsed = 0.0  # seconds the answering attempt took
        self.refused = 0  # connections refused before this answer


def _never_sent(exc):
    """True when the connection could not even be opened."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], 'reason', None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class Burst:
    """Boots `count` servers named `<prefix>-<i>` from `clients` threads."""

    def __init__(self, api_url, image_id, count, clients=8, prefix='burst',
                 flavor='1', networks='auto', token='admin:admin',
                 timeout=90):
        self.api_url = api_url
        self.image_id = image_id
        self.count = count
        self.clients = clients
        self.prefix = prefix
        self.flavor = flavor
        self.networks = networks
        self.token = token
        self.timeout = timeout
        self.answers = [None] * count
        self._next = 0
        self._lock = threading.Lock()
        self._answered = threading.Condition(self._lock)
        self._threads = []
        # When the first create was sent and the last answer came.
        self.started = self.finished = None

    def name(self, index):
        return '%s-%d' % (self.prefix, index)

    # -- running -----------------------------------------------------------

    def start(self):
        self.started = time.monotonic()
        self._threads = [threading.Thread(target=self._client, daemon=True,
                                          name='burst-client-%d' % i)
                         for i in range(self.clients)]
        for thread in self._threads:
            thread.start()
        return self

    def join(self):
        for thread in self._threads:
            thread.join()
        return self

    def run(self):
        return self.start().join()

    def wait_answered(self, fraction, timeout=120):
        """Block until `fraction` of the boots have their answer (the
        moment to inject a fault: mid-burst, with builds in flight)."""
        target = max(1, int(self.count * fraction))
        with self._answered:
            self._answered.wait_for(lambda: self.answered >= target,
                                    timeout)

    @property
    def answered(self):
        return sum(1 for a in self.answers if a is not None)

    @property
    def done(self):
        return all(not t.is_alive() for t in self._threads)

    def _take(self):
        with self._lock:
            if self._next >= self.count:
                return None
            self._next += 1
            return self._next - 1

    def _client(self):
        session = requests.Session()
        session.headers['X-Auth-Token'] = self.token
        while True:
            index = self._take()
            if index is None:
                return
            answer = self._boot(session, index)
            with self._answered:
                self.answers[index] = answer
                self.finished = time.monotonic()
                self._answered.notify_all()

    def _boot(self, session, index):
        answer = Answer(index, self.name(index))
        body = {'server': {'name': answer.name, 'flavorRef': self.flavor,
                           'imageRef': self.image_id,
                           'networks': self.networks}}
        give_up = time.monotonic() + REFUSED_RETRY_FOR
        while True:
            # The time the API held the request that got the answer, not
            # the time spent knocking on a closed port before it.
            t0 = time.monotonic()
            try:
                resp = session.post(self.api_url + '/v2.1/servers',
                                    json=body, timeout=self.timeout)
            except requests.Timeout as exc:
                if _never_sent(exc) and time.monotonic() < give_up:
                    answer.refused += 1
                    time.sleep(0.2)
                    continue
                answer.status = REFUSED if _never_sent(exc) else TIMEOUT
                answer.detail = repr(exc)
                break
            except requests.ConnectionError as exc:
                if _never_sent(exc):
                    answer.refused += 1
                    if time.monotonic() < give_up:
                        time.sleep(0.2)
                        continue
                    answer.status = REFUSED
                else:
                    answer.status = UNKNOWN
                answer.detail = repr(exc)
                break
            except requests.RequestException as exc:
                # The API died while sending the answer (a truncated
                # body): the create's fate is unknown to this client.
                answer.status = UNKNOWN
                answer.detail = repr(exc)
                break
            answer.status = resp.status_code
            if resp.status_code == 202:
                answer.server_id = resp.json()['server']['id']
            else:
                answer.detail = resp.text[:300]
            break
        answer.elapsed = time.monotonic() - t0
        return answer

    # -- results -----------------------------------------------------------

    def accepted(self):
        """{server id: name} of the boots the API answered 202."""
        return {a.server_id: a.name for a in self.answers
                if a is not None and a.status == 202}

    def unanswered_names(self):
        """Names of the boots whose fate the client does not know."""
        return {a.name for a in self.answers
                if a is not None and a.status in (UNKNOWN, TIMEOUT)}

    def refused_names(self):
        """Names of the boots the API answered with anything but 202, or
        that never reached it: no server may carry them."""
        return {a.name for a in self.answers if a is not None and
                a.status not in (202, UNKNOWN, TIMEOUT)}

    def counts(self):
        """Answers by kind: '202', '503', 'unknown'..."""
        return collections.Counter(str(a.status) for a in self.answers
                                   if a is not None)

    def errors(self):
        """The non-202 answers, for the report: (name, status, detail)."""
        return [(a.name, a.status, a.detail) for a in self.answers
                if a is not None and a.status != 202]

    def slow(self):
        return [a for a in self.answers
                if a is not None and a.elapsed > SLOW_CREATE]

    def refused_retries(self):
        return sum(a.refused for a in self.answers if a is not None)
