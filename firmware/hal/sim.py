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
#   RL_FLASH     the flash directory of a virtual board, which mounts it itself; without it the
#                current directory becomes the flash (hal/simflash.py: writes take their time)
#   RL_HOST_FAULTS  the fault kinds the host carries out ("broker_stop,..."): wait for its word
#   RL_HOST_RADIO  "1": a receive window asks the host for downlinks (a simulated gateway, docs/radio.md)
#   RL_NTP_DOWN  "1": the time server never answers (a site network that blocks NTP)
#   RL_PROFILE   "1": time the simulator's parts; the end line reports them (make bench)
#   RL_VALUES    "1": the trace holds value records, replayed without sensor drivers (hal/simvalues.py)
# The board file (board.json in the flash directory, as deploy writes it) names the buses and the
# LoRa radio, as on a board.
from hal import simtime  # first: it becomes `time` and asyncio's scheduler for all that follows

from micropython import const  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from hal import boardfile, tcp  # noqa: E402  (tcp: loaded at boot, as on a board)
from node import clock, ident  # noqa: E402


_clock = simtime.clock
_trace = None
_faults = None  # hal/simfaults.Faults, when the trace has fault events
_end_ms = None
_device_id = "sim-000000"
_MAC = "02:00:00:00:00:00"  # locally administered: never a real board's
_reset = "power"
_rtc = b""
_supply_on_ms = 0  # virtual ms at which the sensors' supply came on (None: on during the deep sleep before)
_buses = {}
_bus_us = 0  # bus time not yet taken from the virtual clock (transfers take microseconds)
_profile = None  # RL_PROFILE=1: real µs spent in the simulator's parts (make bench: where a cycle's time goes)

# What blocking calls cost on an ESP32 at 240 MHz with MicroPython, in virtual ms (docs/sensors.md
# lists them with their sources and what they mean for sensor timing):
COST_MS = {
    "wifi_join": 1600,  # association and DHCP; waited for without blocking (glenn20/upy-esp32-experiments)
    "dns": 20,  # getaddrinfo, one UDP round trip to a LAN resolver; blocks
    "tcp_connect": 10,  # one round trip on a LAN with modem power save; waited for without blocking
    "tls_handshake": 1000,  # ECDHE-ECDSA in mbedTLS, 926-1067 ms measured (microdot#34); blocks the CPU
    "ntp": 50,  # ntptime.settime: DNS and one UDP round trip; blocks
    "flash_erase_4k": 45,  # one 4 KB sector, W25Q32JV tSE typical; blocks
    "flash_page_us": 440,  # programming one 256-byte page, tPP typical (0.4 ms) plus the command; blocks
}


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


_BLOCK = 512  # bytes of the trace file read at a time


class TraceFile:
    # The lines of a trace file, read a block at a time into one buffer (the unix port's readline()
    # makes a system call per byte). Lines end at LF alone and a line of JSON white space only is
    # skipped, as the host reads them (traces/fileformat.py, lines()).
    def __init__(self, path):
        self._f = open(path, "rb")
        self._buf = bytearray(_BLOCK)  # grows to the longest line (the host allows 16 KB)
        self._mv = memoryview(self._buf)
        self._pos = self._end = 0  # the unread bytes are _buf[_pos:_end]
        self._start = self._stop = 0  # the line found last is _buf[_start:_stop]

    def line(self):
        # -> the next line that is not blank (bytes, without its LF), or None at the end
        if not self._find():
            return None
        try:
            return bytes(self._mv[self._start:self._stop])
        except MemoryError:  # the simulator shares the firmware's heap: the same line next time
            self._pos = self._start
            raise

    def record(self):
        # -> the next line's JSON value, or None at the end; read in place, without a copy of the line
        return json.loads(self._mv[self._start:self._stop]) if self._find() else None

    def _find(self):
        # The next line that is not blank into _start, _stop -> False at the end of the file
        while True:
            buf = self._buf
            i = buf.find(b"\n", self._pos, self._end)
            if i < 0:
                if self._fill():
                    continue
                i = self._end  # the last line, without an LF
                if self._pos >= i:
                    return False
            start = self._pos
            self._pos = min(i + 1, self._end)
            first = start
            while first < i and buf[first] in _BLANK:
                first += 1
            if first < i:
                self._start, self._stop = start, i
                return True

    def _fill(self):
        # More of the file behind the unread bytes -> False at its end
        left = self._end - self._pos
        if left == len(self._buf):  # a line longer than the buffer
            self._buf.extend(bytes(left))
            self._mv = memoryview(self._buf)  # the old view may point at the buffer's old place
        mv = self._mv
        mv[:left] = mv[self._pos:self._end]
        n = self._f.readinto(mv[left:])
        self._pos, self._end = 0, left + (n or 0)
        return bool(n)


_BLANK = (0x20, 0x09, 0x0D)  # space, tab, CR: white space between JSON values


def open_trace(path):
    # -> (the trace's TraceFile, positioned after its header; the header)
    f = TraceFile(path)
    return f, f.record()  # the host validated it


def _field(line, key):
    # The value of key (b'"t":') in a bus record, in compact JSON -> an int, a string as bytes, or
    # None if the record lacks it. Read straight from the line: every string json.loads makes is
    # first looked for among the interned ones, a walk through all the loaded modules' names (3 %
    # of a courtyard replay), and bytes need none. Bus records hold no nested values.
    i = line.find(key)
    if i < 0:
        return None
    i += len(key)
    if line[i] == 0x22:
        return line[i + 1:line.index(b'"', i + 1)]
    j = line.find(b",", i)
    return int(line[i:j if j > 0 else line.index(b"}", i)])


class Trace:
    # Streams the trace: only the latest answer per (bus, address, bytes written) is kept, so a
    # day-long trace replays in a few kilobytes of heap. Answers, replies and writes are keyed by
    # bytes, b"i2c0:118:" and the raw bytes written: a bytes object, unlike a new string, needs no
    # look through the interned strings, and the buses make one per transfer. The header's sensor
    # entries give what the devices themselves can do: "i2c_max_hz" (the fastest bus clock they
    # follow) and "power_up_ms" (how long after their supply comes on before they answer).
    def __init__(self, path):
        self._file, header = open_trace(path)
        self.limits = {}  # "i2c0:97" -> (max bus Hz or 0, power-up ms)
        for s in header.get("sensors", ()):
            if "addr" in s:
                self.limits["%s:%d" % (s.get("bus", "i2c0"), s["addr"])] = (s.get("i2c_max_hz", 0), s.get("power_up_ms", 0))
        del header
        self.present = set()  # "i2c0:118"
        self.answers = {}  # b"i2c0:118:\xf7" -> bytearray, overwritten in place
        self.stretch = {}  # b"i2c0:97:\x03\x00" -> us the device holds the clock before it answers that
        self.accepts = set()  # b"i2c0:98:\xe0\x00...": writes the device takes without a read
        self.replies = {}  # b"uart1:\xaa\xb4..." -> what a UART sensor sends after that write
        self.sent = {}  # b"uart1" -> bytes a UART sensor sent on its own, not yet received
        self._missing = set()
        self._devices = {}  # b"i2c0" -> {addr (None for a UART) -> (key, {hex written -> _keys()})}
        self._next = None
        self._read_next()

    def _read_next(self):
        # The next record and its time. A bus record is read in the compact form the host writes
        # (a hand-written one with spaces or tabs is made so); one with nested values (a sensor's
        # values) is no bus record, and only its time counts here.
        line = self._file.line()
        if line is not None:
            nested = line.find(b"{", 1) > 0
            if nested or b" " in line or b"\t" in line:
                record = json.loads(line)
                self._next_t = record["t"]
                line = b"{}" if nested else json.dumps(record, separators=(",", ":")).encode()
            else:
                self._next_t = _field(line, b'"t":')
        self._next = line

    def advance(self, now):
        while self._next is not None and self._next_t <= now:
            r = self._next
            bus, addr, w = _field(r, b'"bus":'), _field(r, b'"addr":'), _field(r, b'"w":')
            if addr is not None:
                key, what = self._keys(bus, addr, w or b"")
                if b'"ack":false' in r:
                    self.present.discard(key)  # from now on the device does not answer
                else:
                    self.present.add(key)
                answer = _field(r, b'"r":')
                if answer is not None:
                    _keep(self.answers, what, answer)
                    stretch = _field(r, b'"stretch_us":')
                    if stretch:
                        self.stretch[what] = stretch
                    else:
                        self.stretch.pop(what, None)
                elif w is not None:
                    self.accepts.add(what)
            elif w is not None:
                _keep(self.replies, self._keys(bus, None, w)[1], _field(r, b'"rx":'))
            else:
                rx = _field(r, b'"rx":')
                if rx is not None:  # more than a receive buffer holds is lost, read or not
                    self.sent[bus] = (self.sent.get(bus, b"") + bytes.fromhex(rx))[:UART.RXBUF]
            self._read_next()

    def _keys(self, bus, addr, w):
        # bus, w: as in the trace, b"i2c0", b"f7" -> (the device's key "i2c0:118", or for a UART the
        # bus's; the key of what was written to it, b"i2c0:118:\xf7"). Records repeat the same few,
        # so each pair is made once, right after a collection as _keep makes its entries.
        devices = self._devices.get(bus)
        device = devices.get(addr) if devices is not None else None
        pair = device[1].get(w) if device is not None else None
        if pair is None:
            gc.collect()
            if devices is None:
                devices = self._devices[bus] = {}
            if device is None:
                key = bus.decode() if addr is None else "%s:%d" % (bus.decode(), addr)
                device = devices[addr] = (key, {})
            pair = device[1][w] = (device[0], device[0].encode() + b":" + bytes.fromhex(w))
        return pair

    def answer(self, key, what, n):
        # key: the device ("i2c0:118"); what: the answer's key (b"i2c0:118:" and the bytes written)
        r = self.answers.get(what)
        if r is None or len(r) < n:
            self.missing(key, what, "a %d-byte read" % n)
            return None
        return r

    def accepted(self, key, what):
        # A write the device takes: one the trace lists, or a command the trace has answers for.
        if what in self.accepts or what in self.answers:
            return True
        self.missing(key, what, "the write")
        return False

    def reply(self, bus, what):
        r = self.replies.get(what)
        if r is None:
            self.missing(bus, what, "a reply")
        return r

    def missing(self, where, what, event):
        # One form for every bus: "trace has nothing for i2c0:98 after the firmware wrote 'e000...' (the write)"
        written = what[len(where) + 1:].hex()
        self.note(where + ":" + written, "trace has nothing for %s after the firmware wrote '%s' (%s)" % (where, written, event))

    def note(self, what, text):
        if what not in self._missing:  # say it once; the driver sees the error each time
            self._missing.add(what)
            sys.stderr.write(text + "\n")


_EIO = const(5)
_ENODEV = const(19)
_ETIMEDOUT = const(116)
_IDF_WAIT_MS = const(100)  # per byte (+1): how long the ESP-IDF I2C driver waits for a hardware transfer at most


class I2C:
    # The part of machine.I2C (or machine.SoftI2C) that drivers use, answered from the trace, timed
    # as on the chip: each transfer takes its bits at the bus clock (9 per byte, plus start, address
    # and stop), a device that holds the clock longer than the controller waits fails with
    # ETIMEDOUT, one driven faster than it can follow fails with EIO, as do writes the device does
    # not take. freq, timeout_us and soft come from the board file (and the config).
    def __init__(self, name, freq, timeout_us, soft):
        self.name = name
        self.freq = freq
        # the hardware controller's limit (the chip table's, in the board file deploy writes) or a
        # software bus's own timeout
        cap = boardfile.load().get("chip_facts", {}).get("i2c_stretch_cap_us", 0)
        self.stretch_limit_us = timeout_us if soft or not cap else min(timeout_us, cap)
        self.soft = soft
        self._written = {}  # addr -> the trace's key for the answer to the last writeto()
        # addr -> ("i2c0:118", b"i2c0:118:"): the trace's key for the device and what the keys of
        # its answers start with, made once
        self._keys = {}

    def _device(self, addr):
        # -> the device's keys (above), once it acknowledges its address
        keys = self._keys.get(addr)
        if keys is None:
            key = "%s:%d" % (self.name, addr)
            keys = self._keys[addr] = (key, key.encode() + b":")
        key = keys[0]
        if _trace is None:
            raise OSError(_ENODEV)
        _trace.advance(_clock.elapsed)
        if key not in _trace.present or not _powered(key):
            raise OSError(_ENODEV)  # nobody acknowledged the address, as on a real bus
        max_hz = _trace.limits.get(key, (0, 0))[0]
        if max_hz and self.freq > max_hz:
            _trace.note(key + ":freq", "%s runs at %d Hz, the device at address %d follows at most %d Hz"
                        % (self.name, self.freq, addr, max_hz))
            raise OSError(_EIO)
        return keys

    def _transfer(self, nbytes, what=None):
        # Bus time of a transfer (the board stands still meanwhile), clock stretching included
        # (what: the key of the answer read).
        us = (nbytes + 1) * 9 * 1000000 // self.freq + 20
        stretch = _trace.stretch.get(what, 0) if what else 0
        if stretch:
            limit = self.stretch_limit_us
            if not self.soft:  # the driver gives a hardware transfer only so long
                limit = min(limit, (nbytes + 1) * _IDF_WAIT_MS * 1000)
            if stretch > limit:
                spend_us(limit)
                raise OSError(_ETIMEDOUT)
            us += stretch
        spend_us(us)

    def writeto_mem(self, addr, reg, buf):
        key, prefix = self._device(addr)
        self._transfer(1 + len(buf))
        if not _trace.accepted(key, prefix + bytes((reg,)) + bytes(buf)):
            raise OSError(_EIO)

    def writeto(self, addr, buf):
        # A command (Sensirion, BH1750): the next plain read is answered for these bytes.
        key, prefix = self._device(addr)
        what = prefix + bytes(buf)
        self._transfer(len(buf))
        if not _trace.accepted(key, what):
            self._written.pop(addr, None)  # the device has no command now: no answer to read
            raise OSError(_EIO)
        self._written[addr] = what

    def readfrom_into(self, addr, buf):
        key, prefix = self._device(addr)
        what = self._written.get(addr) or prefix
        self._transfer(len(buf), what)
        self._fill(key, what, buf)

    def readfrom_mem_into(self, addr, reg, buf):
        key, prefix = self._device(addr)
        what = prefix + bytes((reg,))
        self._transfer(1 + len(buf), what)
        self._fill(key, what, buf)

    def _fill(self, key, what, buf):
        r = _trace.answer(key, what, len(buf))
        if r is None:
            raise OSError(_EIO)
        n = len(buf)
        buf[:n] = r if len(r) == n else r[:n]  # the whole answer: no copy of it first


def spend_us(us):
    # A blocking operation takes us: the whole board stands still (whole ms at a time).
    global _bus_us
    _bus_us += us
    if _bus_us >= 1000:
        simtime.sleep_ms(_bus_us // 1000)
        _bus_us %= 1000


def _powered(key):
    # A device answers once its power-up time has passed since its supply came on.
    if _supply_on_ms is None:
        return True
    return _clock.elapsed - _supply_on_ms >= _trace.limits.get(key, (0, 0))[1]


class _NoBus:
    # A bus the board file does not have: said once, and every device on it is absent (ENODEV).
    def __init__(self, name):
        sys.stderr.write("sim: the board file has no bus %s\n" % name)

    def _absent(self, *args):
        raise OSError(_ENODEV)

    readfrom_mem_into = writeto_mem = writeto = readfrom_into = write = readinto = _absent

    def any(self):
        raise OSError(_ENODEV)


class UART:
    # The part of machine.UART (created with timeout=0) that drivers use. The sensor's side comes
    # from the trace: bytes it sends at their time, and replies to exactly what the driver wrote,
    # arriving after the time both take on the wire. Like a real receive buffer, it holds 256 bytes.
    RXBUF = 256

    def __init__(self, name, baudrate):
        self.name = name
        self._bus = name.encode()  # as the trace's records name it
        self._prefix = self._bus + b":"  # of its replies' keys in the trace
        self._baud = baudrate
        self._rx = b""
        self._reply = None  # (virtual ms it has arrived, bytes)

    def _pump(self):
        if _trace is None:
            return
        _trace.advance(_clock.elapsed)
        sent = _trace.sent.pop(self._bus, None)
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
            reply = _trace.reply(self.name, self._prefix + data)
            if reply:
                wire_ms = (len(data) + len(reply)) * 10000 // self._baud + 1  # 10 bits a byte
                self._reply = (_clock.elapsed + wire_ms, reply)
        return len(buf)

    def any(self):
        self._pump()
        return len(self._rx)

    def readinto(self, buf, nbytes=None):
        n = min(len(buf) if nbytes is None else nbytes, self.any())
        if n:
            buf[:n] = self._rx[:n]
            self._rx = self._rx[n:]
        return n or None


def _profiled(bucket, f):
    # f, timing itself into _profile[bucket] (a tuple per call: only for the benchmark's profile run)
    real = simtime._real

    def timed(*args, **kw):
        t = real.ticks_us()
        try:
            return f(*args, **kw)
        finally:
            _profile[bucket] += real.ticks_diff(real.ticks_us(), t)

    return timed


def _install_profile():
    # The buses (their trace lookups included), the Python scheduler the virtual clock needs, and
    # the real waits for the network; the rest of the process's CPU time is the firmware's.
    global _profile
    _profile = {"buses_us": 0, "scheduler_us": 0, "wait_us": 0}
    for cls, names in ((I2C, ("writeto_mem", "writeto", "readfrom_into", "readfrom_mem_into")),
                       (UART, ("write", "any", "readinto")), (simtime.TaskQueue, ("peek", "push", "pop", "remove"))):
        bucket = "scheduler_us" if cls is simtime.TaskQueue else "buses_us"
        for name in names:
            setattr(cls, name, _profiled(bucket, getattr(cls, name)))
    _clock._real_wait = _profiled("wait_us", _clock._real_wait)


def setup():
    global _trace, _faults, _end_ms, _device_id, _reset, _rtc, _supply_on_ms
    env = os.getenv
    if env("RL_PROFILE") == "1":
        _install_profile()
    speed = env("RL_SPEED") or "max"
    start = int(env("RL_START_MS") or 0)
    _clock.start(0 if speed == "max" else float(speed), start)
    clock.on_network_wait(_clock.hold, _clock.release)
    _reset = env("RL_RESET") or "power"
    if env("RL_EPOCH_MS") and _reset != "power":
        clock.set_epoch_ms(_epoch_at(_clock.elapsed))  # the RTC kept wall time; after power-up it is 2000-01-01
    if env("RL_TRACE"):
        _trace = Trace(env("RL_TRACE"))
        if env("RL_FAULTS") == "1":  # the trace has fault events: load what carries them out
            from hal.simfaults import Faults

            _faults = Faults(env("RL_TRACE"), start, (env("RL_HOST_FAULTS") or "").split(","))
            _clock.alarms.append(_faults)
    if not env("RL_FLASH"):  # a replay (a virtual board mounts its flash itself, and runs in real time)
        from hal.simflash import Flash

        os.mount(Flash(os.getcwd(), spend_us, COST_MS, _faults), "/flash")
        os.chdir("/flash")
    if env("RL_VALUES") == "1":  # a value-level trace: value drivers instead of the sensor drivers
        from hal import simvalues

        simvalues.install(env("RL_TRACE"))
    if env("RL_END_MS"):
        _end_ms = int(env("RL_END_MS"))
    _device_id = env("RL_DEVICE_ID") or (ident.device_id(mac()) if env("RL_MAC") else _device_id)
    _rtc = bytes.fromhex(env("RL_RTC") or "")
    # Sensors without a switched supply stay powered through deep sleep; a switched one (Vext)
    # comes on now, as after a power-up.
    switched = boardfile.load().get("vext")
    _supply_on_ms = _clock.elapsed if switched or _reset == "power" else None
    return 0 if _supply_on_ms is not None else 3600000


def _epoch_at(virtual_ms):
    return int(os.getenv("RL_EPOCH_MS")) + virtual_ms

def device_id():
    return _device_id


def battery_mv():
    return None  # no battery in a replay


def rssi_dbm():
    return None  # no radio link to measure: the host's network


def mac():
    return ident.parse_mac(os.getenv("RL_MAC") or _MAC)


def i2c(name, overrides=None):
    bus = _buses.get(name)
    if bus is None:
        settings = boardfile.i2c_settings(name, overrides)
        bus = _NoBus(name) if settings is None else I2C(name, *settings[1:])
        bus = _buses[name] = _recorded("i2c", name, bus, settings and settings[1])
    return bus


def uart(name, baudrate):
    bus = _buses.get(name)
    if bus is None:
        known = name in boardfile.load().get("uart", {})
        bus = _buses[name] = _recorded("uart", name, UART(name, baudrate) if known else _NoBus(name), baudrate)
    return bus


_joined = False


async def connect_network(wifi, timeout_ms):
    # The host's network is up unless a fault in the trace took it down; joining it takes what a
    # Wi-Fi join takes.
    global _joined
    if not _network_up():
        _joined = False
        raise OSError(_EHOSTUNREACH)
    if not _joined:
        await clock.sleep_ms(COST_MS["wifi_join"])
        _joined = True


def sync_time(server):
    # An NTP query (blocking), if the network is up: wall time as the trace's start says, or the
    # host's own (a virtual board runs in real time).
    spend_us(COST_MS["ntp"] * 1000)
    if not _network_up() or os.getenv("RL_NTP_DOWN") == "1":
        return False
    clock.set_epoch_ms(_epoch_at(_clock.elapsed) if os.getenv("RL_EPOCH_MS") else int(simtime._real.time() * 1000))
    return True


async def connect_tcp(host, port, ca=None, timeout_ms=10000):
    if not _network_up():
        raise OSError(_EHOSTUNREACH)
    spend_us((COST_MS["dns"] + COST_MS["tcp_connect"]) * 1000)
    if ca is not None:
        if clock.epoch_ms(clock.ticks()) is None:
            # mbedTLS on the ESP32 port checks certificate dates against the RTC (since 1.22),
            # which reads 2000-01-01 until NTP set it
            raise ValueError("The certificate validity starts in the future")
        spend_us(COST_MS["tls_handshake"] * 1000)
    return await tcp.connect_tcp(host, port, ca, timeout_ms, _TCP_NODELAY)


def _network_up():
    return _faults is None or _faults.network


def running():
    return _end_ms is None or _clock.elapsed <= _end_ms


def stopped():
    global _ended
    _ended = True
    if _rec:
        _rec.flush()
    _clock.sample_heap()
    profile = "".join(" %s=%d" % kv for kv in _profile.items()) if _profile else ""
    print("%d I sim end heap_peak=%d%s" % (clock.uptime_ms(), _clock.heap_peak, profile))


def reset_cause():
    return _reset


def rtc_memory():
    return _rtc


def save_rtc(data):
    global _rtc
    _rtc = bytes(data)


_dog = None
_ended = False  # the app ended as it should: its stopped() came, or a restart of its own


def watchdog(timeout_ms):
    # One watchdog, as on the chip: a later call sets its timeout anew. On a virtual board it runs
    # in the host's bridge, in real time, and goes on across a soft reset as the chip's does.
    global _dog
    if _dog is None:
        bridge = sys.modules.get("virtualboard")
        _dog = _BridgeWatchdog(bridge.watchdog) if bridge else Watchdog()
        if not bridge:
            _clock.alarms.append(_dog)
            sys.atexit(_app_died)
    _dog.start(timeout_ms)
    return _dog


def deepsleep(ms):
    # The process ends; the host starts it again at the wake-up time with the same flash
    # directory and this RTC memory (host/reallabor/device.py).
    _exit_for_restart("deepsleep", _clock.elapsed + ms)


def _exit_for_restart(cause, at_ms):
    _say_restart(cause, at_ms)
    sys.exit(0)


def _say_restart(cause, at_ms):
    stopped()
    print("%d I sim restart cause=%s at=%d rtc=%s" % (clock.uptime_ms(), cause, at_ms, _rtc.hex()))


def _app_died():
    # At exit (sys.atexit) after an uncaught exception, its traceback already on stderr: a board
    # sits in the REPL now, its watchdog still running, and is reset when it bites. Nothing may
    # raise here (the unix port would abort), so a restart it has no room to announce is none.
    if _ended:
        return
    try:
        gc.collect()
        _clock.elapsed = max(_clock.elapsed, _dog.due)
        _dog.bite(" (the app ended)")
    except Exception:
        pass


class Watchdog:
    # machine.WDT in virtual time: not fed for timeout_ms means a reset (a restart by the host).
    def start(self, timeout_ms):
        self.timeout = timeout_ms
        self.feed()

    def feed(self):
        self.due = _clock.elapsed + self.timeout

    def fire(self):
        self.bite("")
        sys.exit(0)

    def bite(self, why):
        print("%d W sim watchdog reset%s" % (clock.uptime_ms(), why))
        _say_restart("watchdog", self.due)


class _BridgeWatchdog:
    # machine.WDT on a virtual board: each feed tells the bridge the timeout from now on
    # (host/reallabor/sim/virtualboard.py); the bridge resets the board when it passes.
    def __init__(self, pipe):
        self._pipe = pipe

    def start(self, timeout_ms):
        self.timeout = timeout_ms
        self.feed()

    def feed(self):
        self._pipe.write(b"%d\n" % self.timeout)  # unbuffered (and a pipe has no flush: EINVAL)


_EHOSTUNREACH = 113
_TCP_NODELAY = 1  # Linux; the unix port's socket module takes the number but does not name it


_radio = None


def radio():
    # The board's LoRa radio: the real driver over a simulated chip on a simulated SPI bus
    # (hal/simradio.py), hearing the trace's radio records and, with RL_HOST_RADIO, the host's
    # gateway; None if the board file has none.
    global _radio
    if _radio is None:
        lora = boardfile.load().get("lora")
        if lora:
            from node.radio import make

            from hal import simradio

            simradio.AIR.host = os.getenv("RL_HOST_RADIO") == "1"
            simradio.AIR.keep = 1  # the console has every transmission; keep no list of them
            chip, bus, pins = simradio.chip(lora, os.getenv("RL_TRACE"))
            if hasattr(chip, "last"):
                chip.last = None  # what each command was last sent with: for tests, not replays
            _radio = make(lora, bus, chip.nss_pin, chip.reset_pin, **pins)
    return _radio


_rec = None  # hal.record while capture is on (imported only then)


def capture(settings):
    # From now on every bus this board hands out is recorded (hal/record.py), each transfer timed
    # by the virtual bus clock; settings: the config's capture section.
    global _rec
    from hal import record

    record.start(settings, _bus_clock_us)
    _rec = record


def _bus_clock_us():
    return _clock.elapsed * 1000 + _bus_us  # whole virtual ms, and bus time not yet taken from them


def _recorded(kind, name, bus, hz):
    # The bus as drivers get it: recorded while capture is on (a bus the board lacks is not)
    if _rec is None or isinstance(bus, _NoBus):
        return bus
    return _rec.i2c(name, bus, hz) if kind == "i2c" else _rec.uart(name, bus, hz)
