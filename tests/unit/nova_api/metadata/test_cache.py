"""The metadata service's cache (nova_api/metadata/cache.py): how long
it keeps what it read, how much, and one load per key at a time."""

import threading
import traceback

import pytest

from nova_api.metadata import cache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class NotFound(Exception):
    pass


class Loads:
    """A load function that records what it was asked and answers from
    `answers` (a value, or an exception to raise)."""

    def __init__(self, **answers):
        self.answers = answers
        self.asked = []

    def __call__(self, key):
        self.asked.append(key)
        return self._give(self.answers.get(key, key.upper()))

    def _give(self, answer):
        if isinstance(answer, BaseException):
            raise answer
        return answer


class _CountingEvent(threading.Event):
    """An Event that says how many threads are waiting on it."""

    def __init__(self):
        super().__init__()
        self.waiting = 0
        self._count_lock = threading.Lock()

    def wait(self, timeout=None):
        with self._count_lock:
            self.waiting += 1
        return super().wait(timeout)


@pytest.fixture
def events(monkeypatch):
    """Every load's Event, as made."""
    made = []
    plain_init = cache._Load.__init__

    def counting_init(load):
        plain_init(load)
        load.done = _CountingEvent()
        made.append(load.done)
    monkeypatch.setattr(cache._Load, '__init__', counting_init)
    return made


def _wait_until(predicate, timeout=10):
    deadline = threading.Event()
    timer = threading.Timer(timeout, deadline.set)
    timer.start()
    try:
        while not predicate():
            assert not deadline.wait(0.001), 'condition never came true'
    finally:
        timer.cancel()


def test_a_value_is_loaded_once_within_its_ttl():
    load, clock = Loads(), Clock()
    ttl = cache.TTLCache(load, 15, clock=clock)
    assert ttl.get('a') == 'A'
    clock.now += 14.9
    assert ttl.get('a') == 'A'
    assert load.asked == ['a'] and ttl.loads == 1


def test_an_expired_value_is_loaded_again():
    load, clock = Loads(), Clock()
    ttl = cache.TTLCache(load, 15, clock=clock)
    ttl.get('a')
    clock.now += 15
    load.answers['a'] = 'changed'
    assert ttl.get('a') == 'changed'
    assert load.asked == ['a', 'a'] and ttl.loads == 2


def test_a_ttl_of_zero_keeps_nothing():
    load = Loads()
    ttl = cache.TTLCache(load, 0)
    ttl.get('a')
    ttl.get('a')
    assert load.asked == ['a', 'a']


def test_the_least_recently_used_entry_goes_first_past_the_bound():
    load = Loads()
    ttl = cache.TTLCache(load, 15, max_entries=2)
    ttl.get('a')
    ttl.get('b')
    ttl.get('a')  # 'b' is now the least recently used
    ttl.get('c')
    assert load.asked == ['a', 'b', 'c']
    ttl.get('a')
    ttl.get('c')
    assert load.asked == ['a', 'b', 'c']
    ttl.get('b')
    assert load.asked == ['a', 'b', 'c', 'b']


def test_a_not_found_is_kept_and_raised_as_a_new_error_each_time():
    load = Loads(a=NotFound('no a'))
    ttl = cache.TTLCache(load, 15)
    raised = []
    for _ in range(3):
        with pytest.raises(NotFound) as info:
            ttl.get('a', not_found=NotFound)
        raised.append(info.value)
    assert load.asked == ['a']
    assert [str(e) for e in raised] == ['no a'] * 3
    # Each a new object, whose traceback is its own raise alone: one
    # shared object's traceback would grow by a raise each time.
    assert len({id(e) for e in raised}) == 3
    depths = [len(traceback.extract_tb(e.__traceback__)) for e in raised]
    assert depths[1] == depths[2]


def test_an_unexpected_error_is_not_kept():
    load = Loads(a=RuntimeError('conductor gone'))
    ttl = cache.TTLCache(load, 15)
    for _ in range(2):
        with pytest.raises(RuntimeError, match='conductor gone'):
            ttl.get('a', not_found=NotFound)
    assert load.asked == ['a', 'a']


def _concurrent_gets(ttl, key, count, events, release, **kwargs):
    """`count` threads get `key` at once, the first one's load held until
    all the others wait on it; returns each thread's value or error."""
    outcomes = [None] * count

    def get(index):
        try:
            outcomes[index] = ttl.get(key, **kwargs)
        except Exception as error:
            outcomes[index] = error
    threads = [threading.Thread(target=get, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    _wait_until(lambda: events and events[0].waiting == count - 1)
    release.set()
    for thread in threads:
        thread.join(10)
    return outcomes


class HeldLoad(Loads):
    """Loads that read their answer, then wait for `release` before
    giving it (a conductor call in flight)."""

    def __init__(self, **answers):
        super().__init__(**answers)
        self.release = threading.Event()

    def __call__(self, key):
        self.asked.append(key)
        answer = self.answers.get(key, key.upper())
        assert self.release.wait(10)
        return self._give(answer)


def test_concurrent_gets_of_one_key_make_one_load(events):
    load = HeldLoad()
    ttl = cache.TTLCache(load, 15)
    outcomes = _concurrent_gets(ttl, 'a', 8, events, load.release)
    assert outcomes == ['A'] * 8
    assert load.asked == ['a'] and ttl.loads == 1


def test_those_waiting_share_an_unexpected_error_instead_of_loading_again(
        events):
    load = HeldLoad(a=RuntimeError('conductor gone'))
    ttl = cache.TTLCache(load, 15)
    outcomes = _concurrent_gets(ttl, 'a', 8, events, load.release,
                                not_found=NotFound)
    assert load.asked == ['a']
    assert all(isinstance(o, RuntimeError) and str(o) == 'conductor gone'
               for o in outcomes)
    # The one who loaded has the original; the others a copy each.
    assert len({id(o) for o in outcomes}) == 8
    # Nothing kept: the next get asks again.
    load.answers['a'] = 'back'
    assert ttl.get('a') == 'back' and load.asked == ['a', 'a']


def test_those_waiting_share_a_not_found(events):
    load = HeldLoad(a=NotFound('no a'))
    ttl = cache.TTLCache(load, 15)
    outcomes = _concurrent_gets(ttl, 'a', 5, events, load.release,
                                not_found=NotFound)
    assert all(isinstance(o, NotFound) for o in outcomes)
    assert load.asked == ['a']


def test_forget_drops_a_value():
    load = Loads()
    ttl = cache.TTLCache(load, 15)
    ttl.get('a')
    ttl.get('b')
    ttl.forget('a')
    ttl.forget('never-asked')
    ttl.get('a')
    ttl.get('b')
    assert load.asked == ['a', 'b', 'a']


def test_forget_during_a_load_keeps_what_it_brings_back_out():
    load = HeldLoad(a='old owner')
    ttl = cache.TTLCache(load, 15)
    first = []
    thread = threading.Thread(target=lambda: first.append(ttl.get('a')))
    thread.start()
    _wait_until(lambda: ttl.loads == 1)
    ttl.forget('a')
    load.answers['a'] = 'new owner'
    # Whoever asks after the forget does not wait for the forgotten load.
    second = []
    other = threading.Thread(target=lambda: second.append(ttl.get('a')))
    other.start()
    _wait_until(lambda: ttl.loads == 2)
    load.release.set()
    thread.join(10)
    other.join(10)
    assert first == ['old owner'] and second == ['new owner']
    assert ttl.get('a') == 'new owner'
    assert load.asked == ['a', 'a']


def test_an_interrupted_load_lets_its_waiters_go(events):
    class Interrupted(BaseException):
        pass
    load = HeldLoad(a=Interrupted())
    ttl = cache.TTLCache(load, 15)
    outcomes = []

    def get():
        try:
            outcomes.append(ttl.get('a'))
        except Interrupted as error:
            outcomes.append(error)
        except Exception as error:
            outcomes.append(error)
    threads = [threading.Thread(target=get) for _ in range(3)]
    for thread in threads:
        thread.start()
    _wait_until(lambda: events and events[0].waiting == 2)
    load.release.set()
    for thread in threads:
        thread.join(10)
    assert not any(t.is_alive() for t in threads)
    assert sorted(type(o).__name__ for o in outcomes) == [
        'Interrupted', 'RuntimeError', 'RuntimeError']
