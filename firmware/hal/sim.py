# The unix-port board (the HAL contract of hal/__init__.py): buses answer from a trace file, time
# is virtual (hal/simtime.py), the current directory is the flash. Settings come from environment
# variables set by the host (host/reallabor/sim/replay.py and bootloop.py):
#   RL_TRACE     trace file (JSON Lines, docs/trace-format.md); without it no device answers
#   RL_SPEED     "max" (default) or a factor: 1 = real time, 60 = a minute per second
#   RL_END_MS    stop once virtual time passes this many ms since the trace start
#   RL_EPOCH_MS  wall time (Unix ms) at trace time 0
#   RL_DEVICE_ID the id a real board would derive from its MAC
#   RL_MAC       the MAC this board reports ("02:00:00:00:00:01"); the virtual board sets it
#   RL_START_MS  virtual ms since the trace start at which this boot begins (restarts continue)
#   RL_RESET     why this boot happened: "power" (default), "deepsleep" or "watchdog"
#   RL_RTC       RTC memory kept over deep sleep and watchdog resets (hex)
#   RL_FAULTS    "1": the trace has fault events (hal/simfaults.py)
#   RL_HOST_FAULTS  the fault kinds the host carries out ("broker_stop,..."): wait for its word
#   RL_BOARD     board name for radio() (boards/<name>.json beside firmware/); default: the
#                trace header's "board"
#   RL_LORA_JSON the board's `lora` entry as JSON text, instead of reading the board file
from hal import simtime  # first: it becomes `time` and asyncio's scheduler for all that follows

import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from node import clock, ident  # noqa: E402

_clock = simtime.clock
_trace = None
_faults = None  # hal/simfaults.Faults, when the trace has fault events
_end_ms = None
_device_id = "sim-000000"
_MAC = "02:00:00:00:00:00"  # locally administered: never a real board's
_reset = "power"
_rtc = b""


def _keep(answers, key, hex_text):
    # The simulator shares the firmware's heap, so it must not scatter long-lived objects over it
    # (a fragmented heap fails large allocations with plenty free): a new answer overwrites the
    # old one in place, and a new entry is made right after a collection, next to the other
    # long-lived objects rather than among the temporaries of the moment.
    data = bytes.fromhex(hex_text)
    old = answers.get(key)
    if old is not None and len(old) == len(data):
        old[:] = data
        return
    gc.collect()
    answers[key] = bytearray(data)


class Trace:
    # Streams the trace: only the latest answer per (bus, address, bytes written) is kept, so a
    # day-long trace replays in a few kilobytes of heap.
    def __init__(self, path):
        self._file = open(path)
        self._file.readline()  # the header; the host validated it
        self.present = set()  # "i2c0:118"
        self.answers = {}  # "i2c0:118:f7" -> bytearray, overwritten in place
        self.replies = {}  # "uart1:aab404..." -> what a UART sensor sends after that write
        self.sent = {}  # "uart1" -> bytes a UART sensor sent on its own, not yet received
        self._missing = set()
        self._next = None
        self._read_next()

    def _read_next(self):
        line = self._file.readline()
        while line and not line.strip():
            line = self._file.readline()
        self._next = json.loads(line) if line else None

    def advance(self, now):
        while self._next is not None and self._next["t"] <= now:
            r = self._next
            if "addr" in r:
                key = "%s:%d" % (r["bus"], r["addr"])
                if r.get("ack", True):
                    self.present.add(key)
                else:
                    self.present.discard(key)  # from now on the device does not answer
                if r.get("r"):
                    _keep(self.answers, key + ":" + r.get("w", ""), r["r"])
            elif "w" in r:
                _keep(self.replies, r["bus"] + ":" + r["w"], r["rx"])
            elif "rx" in r:
                self.sent[r["bus"]] = self.sent.get(r["bus"], b"") + bytes.fromhex(r["rx"])
            self._read_next()

    def answer(self, key, written, n):
        r = self.answers.get(key + ":" + written)
        if r is None or len(r) < n:
            self._note(key + ":" + written, "trace has no %d-byte answer for %s after writing '%s'" % (n, key, written))
            return None
        return r

    def reply(self, bus, written):
        r = self.replies.get(bus + ":" + written)
        if r is None:
            self._note(bus + ":" + written, "trace has nothing for %s after the firmware wrote '%s'" % (bus, written))
        return r

    def _note(self, what, text):
        if what not in self._missing:  # say it once; the driver sees the error each time
            self._missing.add(what)
            sys.stderr.write(text + "\n")


class I2C:
    # The part of machine.I2C that drivers use, answered from the trace.
    def __init__(self, name):
        self.name = name
        self._written = {}  # addr -> hex of the last writeto()

    def _device(self, addr):
        key = "%s:%d" % (self.name, addr)
        if _trace is None:
            raise OSError(19)
        _trace.advance(_clock.elapsed)
        if key not in _trace.present:
            raise OSError(19)  # ENODEV: nobody acknowledged the address, as on a real bus
        return key

    def writeto_mem(self, addr, reg, buf):
        self._device(addr)

    def writeto(self, addr, buf):
        # A command (Sensirion, BH1750): the next plain read is answered for these bytes.
        self._device(addr)
        self._written[addr] = bytes(buf).hex()

    def readfrom_into(self, addr, buf):
        self._fill(self._device(addr), self._written.get(addr, ""), buf)

    def readfrom_mem_into(self, addr, reg, buf):
        self._fill(self._device(addr), "%02x" % reg, buf)

    def _fill(self, key, written, buf):
        r = _trace.answer(key, written, len(buf))
        if r is None:
            raise OSError(5)  # EIO
        for i in range(len(buf)):
            buf[i] = r[i]


class UART:
    # The part of machine.UART (created with timeout=0) that drivers use. The sensor's side comes
    # from the trace: bytes it sends at their time, and replies to exactly what the driver wrote,
    # arriving after the time both take on the wire. Like a real receive buffer, it holds 256 bytes.
    RXBUF = 256

    def __init__(self, name, baudrate):
        self.name = name
        self._baud = baudrate
        self._rx = b""
        self._reply = None  # (virtual ms it has arrived, bytes)

    def _pump(self):
        if _trace is None:
            return
        _trace.advance(_clock.elapsed)
        sent = _trace.sent.pop(self.name, None)
        if sent:
            self._receive(sent)
        if self._reply and self._reply[0] <= _clock.elapsed:
            self._receive(self._reply[1])
            self._reply = None

    def _receive(self, data):
        self._rx += data[:self.RXBUF - len(self._rx)]  # a full buffer drops what comes

    def write(self, buf):
        self._pump()
        if _trace is not None:
            data = bytes(buf)
            reply = _trace.reply(self.name, data.hex())
            if reply:
                wire_ms = (len(data) + len(reply)) * 10000 // self._baud + 1  # 10 bits a byte
                self._reply = (_clock.elapsed + wire_ms, reply)
        return len(buf)

    def any(self):
        self._pump()
        return len(self._rx)

    def readinto(self, buf, nbytes=None):
        n = min(len(buf) if nbytes is None else nbytes, self.any())
        for i in range(n):
            buf[i] = self._rx[i]
        self._rx = self._rx[n:]
        return n or None


def setup():
    global _trace, _faults, _end_ms, _device_id, _reset, _rtc
    env = os.getenv
    speed = env("RL_SPEED") or "max"
    start = int(env("RL_START_MS") or 0)
    _clock.start(0 if speed == "max" else float(speed), start)
    clock.on_network_wait(_clock.hold, _clock.release)
    if env("RL_EPOCH_MS"):
        clock.set_epoch_ms(int(env("RL_EPOCH_MS")) + start)
    if env("RL_TRACE"):
        _trace = Trace(env("RL_TRACE"))
        if env("RL_FAULTS") == "1":  # the trace has fault events: load what carries them out
            from hal.simfaults import Faults, Flash

            _faults = Faults(env("RL_TRACE"), start, (env("RL_HOST_FAULTS") or "").split(","))
            _clock.alarms.append(_faults)
            os.mount(Flash(os.getcwd(), _faults), "/flash")
            os.chdir("/flash")
    if env("RL_END_MS"):
        _end_ms = int(env("RL_END_MS"))
    _device_id = env("RL_DEVICE_ID") or (ident.device_id(mac()) if env("RL_MAC") else _device_id)
    _reset = env("RL_RESET") or "power"
    _rtc = bytes.fromhex(env("RL_RTC") or "")


def device_id():
    return _device_id


def mac():
    return ident.parse_mac(os.getenv("RL_MAC") or _MAC)


def i2c(name):
    return I2C(name)


def uart(name, baudrate):
    return UART(name, baudrate)


async def connect_network(wifi, timeout_ms):
    # The host's network is up unless a fault in the trace took it down.
    if not _network_up():
        raise OSError(_EHOSTUNREACH)


async def connect_tcp(host, port, ca=None, timeout_ms=10000):
    from hal.tcp import connect_tcp

    if not _network_up():
        raise OSError(_EHOSTUNREACH)
    return await connect_tcp(host, port, ca, timeout_ms)


def _network_up():
    return _faults is None or _faults.network


def running():
    return _end_ms is None or _clock.elapsed <= _end_ms


def stopped():
    _clock.sample_heap()
    print("%d I sim end heap_peak=%d heap_total=%d" % (clock.uptime_ms(), _clock.heap_peak, gc.mem_alloc() + gc.mem_free()))


def reset_cause():
    return _reset


def rtc_memory():
    return _rtc


def save_rtc(data):
    global _rtc
    _rtc = bytes(data)


def watchdog(timeout_ms):
    dog = Watchdog(timeout_ms)
    _clock.alarms.append(dog)
    return dog


def deepsleep(ms):
    # The process ends; the host starts it again at the wake-up time with the same flash
    # directory and this RTC memory (host/reallabor/device.py).
    _exit_for_restart("deepsleep", _clock.elapsed + ms)


def _exit_for_restart(cause, at_ms):
    stopped()
    print("%d I sim restart cause=%s at=%d rtc=%s" % (clock.uptime_ms(), cause, at_ms, _rtc.hex()))
    sys.exit(0)


class Watchdog:
    # machine.WDT in virtual time: not fed for timeout_ms means a reset (a restart by the host).
    def __init__(self, timeout_ms):
        self.timeout = timeout_ms
        self.feed()

    def feed(self):
        self.due = _clock.elapsed + self.timeout

    def fire(self):
        print("%d W sim watchdog reset" % clock.uptime_ms())
        _exit_for_restart("watchdog", self.due)


_EHOSTUNREACH = 113


_radio = None


def radio():
    # The board's LoRa radio: the real driver over a simulated chip on a simulated SPI bus
    # (hal/simradio.py), hearing the trace's radio records; None if the board has none.
    global _radio
    if _radio is None:
        lora = os.getenv("RL_LORA_JSON")
        if lora:
            lora = json.loads(lora)
        else:
            name = os.getenv("RL_BOARD")
            if not name and os.getenv("RL_TRACE"):
                with open(os.getenv("RL_TRACE")) as f:
                    name = json.loads(f.readline())["board"]
            if not name:
                return None
            with open(__file__.rsplit("/", 2)[0] + "/../boards/%s.json" % name) as f:
                lora = json.load(f).get("lora")
        if lora:
            from hal import simradio

            _radio = simradio.radio(lora, os.getenv("RL_TRACE"))
    return _radio
