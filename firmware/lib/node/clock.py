# All waiting and all time reading goes through here, so the simulator can swap in a virtual
# clock (hal/sim.py) and a day of readings replays in seconds with every timer still correct.
# Tick arithmetic wraps like time.ticks_ms(); differences are valid within +-6 days.
import time
import asyncio

_ticks = time.ticks_ms
_boot = _ticks()
_boot_offset_ms = 0  # uptime of the first boot, for a simulator that restarts the process
_epoch_ms = None  # wall time (Unix ms) at tick _epoch_tick; None until the HAL or NTP sets it
_epoch_tick = 0
_hold = None  # the simulator's (hold, release): virtual time follows real time in between


def use(ticks, uptime_ms=0):
    # The HAL installs its tick source before anything else runs.
    global _ticks, _boot, _boot_offset_ms
    _ticks = ticks
    _boot = ticks()
    _boot_offset_ms = uptime_ms


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
    return _ticks()


def diff(a, b):
    return time.ticks_diff(a, b)


def add(t, ms):
    return time.ticks_add(t, ms)


def uptime_ms():
    return _boot_offset_ms + time.ticks_diff(_ticks(), _boot)


def set_epoch_ms(epoch_ms):
    # Anchor wall time to now (from the RTC, NTP or a trace header).
    global _epoch_ms, _epoch_tick
    _epoch_ms = epoch_ms
    _epoch_tick = _ticks()


def epoch_ms(tick):
    # Unix ms at a tick, or None while wall time is unknown.
    if _epoch_ms is None:
        return None
    return _epoch_ms + time.ticks_diff(tick, _epoch_tick)


def epoch_s(tick):
    # Unix seconds at a tick, or None while wall time is unknown.
    ms = epoch_ms(tick)
    return None if ms is None else ms // 1000


async def sleep_ms(ms):
    await asyncio.sleep_ms(ms if ms > 0 else 0)


async def sleep_until(tick):
    await sleep_ms(time.ticks_diff(tick, _ticks()))
