# Virtual time for the simulator, and the one place that reaches into asyncio's internals.
#
# On a board, asyncio's scheduler (the C module _asyncio) keys every task by time.ticks_ms().
# Here time is virtual: when every task sleeps, the clock jumps to the next wake-up instead of
# waiting, so a day replays in seconds with every timer still correct. Two things make that exact:
# - This module is `time` for everything imported after it (sys.modules): ticks_ms() is the
#   virtual clock, counting from 0 at each boot and wrapping at 2**30 ms with ticks_diff() valid
#   for +-2**29 ms, as on the ESP32 port (the 64-bit unix port's own ticks wrap at 2**62); a
#   blocking sleep_ms() costs virtual time as it would stall a board. The rest is the real time.
# - asyncio's Task and TaskQueue come from here, in Python, keyed by the virtual clock (the C
#   queue would stamp the tasks it queues "now" with the real clock).
# Both are installed before asyncio or the firmware is first imported (hal.sim imports this first).
#
# What this relies on, checked by check() at start-up (MicroPython 1.22 and later):
#   asyncio.core falls back to `from .task import TaskQueue, Task` when _asyncio has none
#   asyncio.core.ticks          the scheduler's time source, looked up at each use
#   asyncio.core._io_queue.wait_io_event(dt)   where the scheduler waits; replaced here
#   asyncio.core._io_queue.map  the streams waited on (empty: a poll would find nothing)
#   asyncio.core._task_queue    the run queue (peek, push with or without key, pop, remove)
#   asyncio.core.cur_task, CancelledError      read by Task.cancel and by awaiting a task
#   Task.state / .data / .ph_key / .coro as core.py uses them (True: running, not awaited;
#   None: done, not awaited; False: done and awaited; a TaskQueue: tasks awaiting it)
from micropython import const
import gc
import sys
import time as _real

TICKS_PERIOD = const(1 << 30)  # time.ticks_ms() on the ESP32 port wraps here
_TICKS_MASK = const(TICKS_PERIOD - 1)  # const: folded into the code, not a global looked up at every tick
_TICKS_HALF = const(TICKS_PERIOD >> 1)
HOLD_GRACE_MS = const(50)  # a network reply within this (a broker on this machine, even a busy one) takes no virtual time
BUSY_MS = const(200)  # tasks running one after the other this long while a request waits (a flood) take their real time
# virtual ms between two measurements of the live heap: each is a full collection (4 % of a courtyard
# cycle when every 10 min), and between cycles the live heap hardly moves
HEAP_SAMPLE_MS = const(1800000)

clock = None  # the VirtualClock (made below)


# -- this module as `time` -----------------------------------------------------------------------

def ticks_ms():
    return (clock.elapsed - clock.boot_ms) & _TICKS_MASK


def ticks_diff(a, b):
    return ((a - b + _TICKS_HALF) & _TICKS_MASK) - _TICKS_HALF


def ticks_add(t, ms):
    return (t + ms) & _TICKS_MASK


def sleep_ms(ms):
    clock.advance(ms)  # a blocking wait: the whole board stands still meanwhile


def sleep(s):
    sleep_ms(int(s * 1000))


def __getattr__(name):
    return getattr(_real, name)  # wall time, gmtime, ticks_us...: the real ones


class TaskQueue:
    # Tasks in the order they are due; ties keep the order of arrival, so runs are repeatable.
    # A plain list: the firmware has a handful of tasks.
    def __init__(self):
        self._q = []

    def peek(self):
        q = self._q
        return q[0] if q else None

    def push(self, t, key=None):
        t.data = None
        k = t.ph_key = ticks_ms() if key is None else key
        q = self._q
        i = len(q)
        while i and ticks_diff(q[i - 1].ph_key, k) > 0:
            i -= 1
        q.insert(i, t)

    def pop(self):
        return self._q.pop(0)

    def remove(self, t):
        self._q.remove(t)


_core = None  # asyncio.core's globals, handed to the first Task (as to the C Task)


class Task:
    def __init__(self, coro, context=None):
        global _core
        if context is not None:
            _core = context
        self.coro = coro
        self.data = None
        self.state = True
        self.ph_key = 0

    def done(self):
        return not self.state

    def __iter__(self):
        # `await task`: a finished task gives its result at once; a running one collects its waiters
        if not self.state:
            self.state = False
        elif self.state is True:
            self.state = TaskQueue()
        elif type(self.state) is not TaskQueue:
            raise RuntimeError("can't wait")
        return self

    def __next__(self):
        if not self.state:
            raise self.data  # the StopIteration carrying the result, or the task's exception
        waiter = _core["cur_task"]
        self.state.push(waiter)
        waiter.data = self

    def cancel(self):
        if not self.state:
            return False
        if self is _core["cur_task"]:
            raise RuntimeError("can't cancel self")
        t = self
        while isinstance(t.data, Task):  # waits on another task: cancel that one's waiter
            t = t.data
        run = _core["_task_queue"]
        if hasattr(t.data, "remove"):  # waiting in an event's, a task's or the I/O queue
            t.data.remove(t)
            run.push(t)
        elif ticks_diff(t.ph_key, ticks_ms()) > 0:  # sleeping: wake it now
            run.remove(t)
            run.push(t)
        t.data = _core["CancelledError"]
        return True


class _NoNativeTasks:
    pass  # stands in for _asyncio, so asyncio.core falls back to the Task and TaskQueue above


def _install():
    for name in ("asyncio", "node.clock"):
        if name in sys.modules:
            raise RuntimeError("sim: %s was imported before hal.simtime; import hal first (main.py does)" % name)
    me = sys.modules[__name__]
    sys.modules["time"] = me
    sys.modules["_asyncio"] = _NoNativeTasks()
    sys.modules["asyncio.task"] = me


_install()
from asyncio import core  # noqa: E402  (after _install: it must take our time, Task and TaskQueue)


def check():
    # Fail loudly, with what changed, if this MicroPython's asyncio is not the one described above.
    missing = [name for name in ("ticks", "_task_queue", "_io_queue", "cur_task", "CancelledError", "TaskQueue",
                                 "Task") if not hasattr(core, name)]
    io = getattr(core, "_io_queue", None)
    missing += ["_io_queue." + name for name in ("wait_io_event", "map") if not hasattr(io, name)]
    if missing:
        raise RuntimeError("sim: this MicroPython's asyncio lacks %s; hal/simtime.py needs updating" % ", ".join(missing))
    if core.TaskQueue is not TaskQueue or core.Task is not Task or core.ticks is not ticks_ms:
        raise RuntimeError("sim: asyncio.core did not take the simulator's time, Task and TaskQueue; "
                           "hal/simtime.py needs updating for this MicroPython")


check()


class VirtualClock:
    # Drives asyncio: when every task sleeps, jump to the next wake-up instead of waiting. While
    # the firmware awaits a network reply (hold()), virtual time follows real time instead.
    # alarms: objects with .due (virtual ms, or None) and fire(), fired as time passes them
    # (fault events, the watchdog).
    def __init__(self):
        self.speed = 0  # 0 = as fast as possible, else a factor: 1 = real time
        self.elapsed = 0  # virtual ms since the trace start, never wraps
        self.boot_ms = 0  # when this boot began: ticks count from here, as on a board
        self.alarms = []
        self.holds = 0
        self.heap_peak = 0  # largest live heap seen
        self._heap_at = -HEAP_SAMPLE_MS
        self._busy_at = None  # real ms at which tasks last started to run one after the other while held
        self.off = False  # the power went (a power_loss fault): time stands still until the process ends
        self._io = core._io_queue
        self._real_wait = self._io.wait_io_event
        self._io.wait_io_event = self._wait

    def start(self, speed, boot_ms):
        # A fresh boot at boot_ms virtual ms since the trace start.
        self.speed = speed
        self.elapsed = self.boot_ms = boot_ms
        self.alarms = []
        self.holds = 0
        self.heap_peak = 0
        self._heap_at = boot_ms - HEAP_SAMPLE_MS
        self._busy_at = None
        self.off = False

    def _wait(self, dt):
        if self.off:
            self._real_wait(10)  # what runs now finishes; nothing new comes due
            return
        if dt <= 0:  # 0: poll I/O for due tasks; -1: nothing scheduled, only I/O left
            if dt or self._io.map:  # no socket waited on: a poll (a system call) would find nothing
                self._real_wait(dt)
            if dt == 0 and self.holds:
                self._busy()
            else:
                self._busy_at = None
            return
        self._busy_at = None
        if self.elapsed - self._heap_at >= HEAP_SAMPLE_MS:
            self.sample_heap()
        if self.holds:
            start = _real.ticks_ms()
            self._real_wait(dt)
            spent = _real.ticks_diff(_real.ticks_ms(), start)
            # A reply within a few ms (a broker on this machine) takes no virtual time, so replays
            # stay deterministic; a slow one or a timeout takes its real time.
            self.advance(dt if spent >= dt else spent if spent > HOLD_GRACE_MS else 0)
            return
        if self.speed or self._io.map:
            self._real_wait(int(dt / self.speed) if self.speed else 0)
        head = core._task_queue.peek()
        if head is not None and ticks_diff(head.ph_key, ticks_ms()) <= 0:
            return  # I/O woke a task: let it run before time moves on
        self.advance(dt)

    def _busy(self):
        # Tasks due one after the other while the firmware awaits the network (a broker flooding
        # it with packets, each read and yielded): virtual time follows real time here too, so a
        # request's timeout comes while it keeps the board busy.
        now = _real.ticks_ms()
        if self._busy_at is None:
            self._busy_at = now
            return
        spent = _real.ticks_diff(now, self._busy_at)
        if spent > BUSY_MS:  # well above a scheduler turn, even on a loaded machine
            self._busy_at = now
            self.advance(spent)

    def sample_heap(self):
        # The live heap while idle: the firmware's working set (a full collection, so not at every jump)
        gc.collect()
        self._heap_at = self.elapsed
        alloc = gc.mem_alloc()
        if alloc > self.heap_peak:
            self.heap_peak = alloc

    def cut_power(self):
        # A power loss: the host kills the process a moment later, wherever it is. Until then the
        # code running goes on, but virtual time no longer passes: no sample, no timer comes due.
        self.off = True

    def advance(self, ms):
        # Time passes; alarms fire at their own instants on the way.
        if self.off:
            return
        to = self.elapsed + ms
        while True:
            first = None
            for a in self.alarms:
                if a.due is not None and a.due <= to and (first is None or a.due < first.due):
                    first = a
            if first is None:
                break
            self.elapsed = max(self.elapsed, first.due)
            first.fire()
            if self.off:
                return
        self.elapsed = to

    def hold(self):
        self.holds += 1

    def release(self):
        self.holds -= 1


clock = VirtualClock()
