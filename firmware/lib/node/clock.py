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


# The port's own functions (the simulator's in a replay), not wrappers around them: a cycle calls
# them dozens of times
ticks = time.ticks_ms
diff = time.ticks_diff
add = time.ticks_add


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
