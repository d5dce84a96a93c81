# All waiting and all time reading goes through here, so that a replay runs the firmware against
# the simulator's virtual `time` (hal/simtime.py) and a day of readings replays in seconds with
# every timer still correct. Ticks wrap as time.ticks_ms() does (every 2**30 ms on the ESP32, about
# 12.4 days) and differences are valid within +-2**29 ms; uptime and wall time are kept by adding
# tick differences at every reading, so neither ever jumps at a wrap.
import asyncio
import time

_last = time.ticks_ms()
_uptime = 0  # ms since boot
_epoch_base = None  # wall time (Unix ms) at uptime 0; None until the HAL or NTP sets it
_hold = None  # the simulator's (hold, release): virtual time follows real time in between


def on_network_wait(hold, release):
    # The simulator installs these; on a board real time needs no help.
    global _hold
    _hold = (hold, release)


def hold():
    # Called before waiting for a network reply, so timeouts keep their meaning at any replay speed.
    if _hold:
        _hold[0]()


def release():
    if _hold:
        _hold[1]()


def ticks():
    return time.ticks_ms()


def diff(a, b):
    return time.ticks_diff(a, b)


def add(t, ms):
    return time.ticks_add(t, ms)


def uptime_ms():
    # Never negative, never wraps: must be read at least every 2**29 ms (every log line and every
    # cycle reads it).
    global _last, _uptime
    now = time.ticks_ms()
    _uptime += time.ticks_diff(now, _last)
    _last = now
    return _uptime


def _uptime_at(tick):
    return uptime_ms() + time.ticks_diff(tick, _last)


def set_epoch_ms(epoch_ms, tick=None):
    # Anchor wall time: epoch_ms is the Unix time at tick (default: now), from the RTC, NTP or a trace.
    global _epoch_base
    _epoch_base = epoch_ms - _uptime_at(time.ticks_ms() if tick is None else tick)


def epoch_ms(tick):
    # Unix ms at a tick (within +-2**29 ms of now), or None while wall time is unknown.
    if _epoch_base is None:
        return None
    return _epoch_base + _uptime_at(tick)


def epoch_s(tick):
    # Unix seconds at a tick, or None while wall time is unknown.
    ms = epoch_ms(tick)
    return None if ms is None else ms // 1000


async def sleep_ms(ms):
    await asyncio.sleep_ms(ms if ms > 0 else 0)


async def sleep_until(tick):
    await sleep_ms(time.ticks_diff(tick, time.ticks_ms()))


class Nap:
    # A sleep that another task can end early (the uplink's, when a message comes): what
    # wait_for_ms(event.wait(), ms) does, without the two tasks wait_for makes per wait (on the
    # courtyard node they took 8 % of a cycle). A wake() while nobody sleeps ends the next sleep
    # at once, as a set Event would.
    def __init__(self):
        self._sleeper = None
        self._woken = False

    async def sleep(self, ms):
        if not self._woken:
            self._sleeper = asyncio.current_task()
            try:
                await asyncio.sleep_ms(ms if ms > 0 else 0)
            except asyncio.CancelledError:
                if not self._woken:
                    raise  # cancelled for another reason: that goes on
            finally:
                self._sleeper = None
        self._woken = False

    def wake(self):
        self._woken = True
        t = self._sleeper
        if t is not None:
            self._sleeper = None
            t.cancel()  # ends the sleep now, with a CancelledError that sleep() takes


class Timeout:
    # A bound on what a task does: arm(ms), then, unless disarm() comes first, the task that armed
    # it is cancelled once ms have passed and `expired` says why. What wait_for_ms gives a request,
    # without the two tasks wait_for makes per request: a watcher task sleeps until the deadline and
    # ends when it finds nothing armed; arm() makes one only if none is watching.
    def __init__(self):
        self.expired = False
        self._task = None  # the armed task
        self._due = 0
        self._watching = False

    def arm(self, ms):
        self._task = asyncio.current_task()
        self._due = time.ticks_add(time.ticks_ms(), ms)
        self.expired = False
        if not self._watching:
            asyncio.create_task(self._watch())
            self._watching = True

    def disarm(self):
        self._task = None

    async def _watch(self):
        try:
            while self._task is not None:
                left = time.ticks_diff(self._due, time.ticks_ms())
                if left > 0:
                    await asyncio.sleep_ms(left)  # armed again meanwhile: a later deadline
                    continue
                task, self._task = self._task, None
                self.expired = True
                task.cancel()
        finally:
            self._watching = False
