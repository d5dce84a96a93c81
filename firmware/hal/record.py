# Capture: the recording layer between the HAL's buses and the drivers (docs/console-log.md,
# "Capture frames"; docs/trace-format.md, "Captured traces"). The HAL wraps every I2C and UART bus
# it hands out once capture is on; each transaction (address, bytes written and read, or the
# error; UART bytes taken and written) is noted with the node's tick in a buffer allocated once,
# and a background task writes the notes out as framed lines: on the console, or appended to
# rotating chunk files on flash. The sampling path only copies bytes (no allocation, no I/O); a
# note that finds the buffer full is dropped and counted, and its sequence number tells the host.
# Imported only when capture is on: hal/esp32.py and hal/sim.py, capture().
#
# Frame (one line): RS "rl1" SP kind SP seq SP tick [SP field]... SP crc LF, where crc is the
# CRC-32 of everything between RS and the space before it, as 8 hex digits. Kinds: H capture
# starts (a boot, or a new chunk), T wall time, b a bus, i an I2C transaction, u UART bytes,
# E capture stops. Data frames (b, i, u) are numbered from 0 at each boot; H, T and E carry the
# next number, so a gap shows.
from micropython import const
import asyncio
import binascii
import os
import struct
import sys
import time

from node import clock

VERSION = const(1)
_BUF = const(1024)  # notes waiting for the writer (bytes); a minute of nine sensors takes about 800
_NOTE = const(16)  # note header: "<BBBBBxHII" data length, kind, bus, addr, err, seq, tick, us or Hz
_MAX_DATA = const(200)  # bytes of one note; more UART bytes go on in the next
_LINE = const(464)  # one frame: its fields, a note's data in hex, the check
_OUT = const(640)  # frames gathered before a write (console or flash)
_TIME_EVERY_MS = const(60000)  # a T frame at least this often
_FLASH_AFTER_MS = const(60000)  # flash: notes wait at most this long before they are appended
_DIR = "capture"

# note kinds (the frame's op letter) and the frame kinds
_RD_MEM = const(0x6D)  # "m" readfrom_mem_into: register, then the bytes read
_WR_MEM = const(0x4D)  # "M" writeto_mem: register, then the bytes written
_WR = const(0x77)  # "w" writeto
_RD = const(0x72)  # "r" readfrom_into
_RX = const(0x78)  # "x" UART bytes the driver took
_TX = const(0x74)  # "t" UART bytes the driver wrote
_BUS = const(0x62)  # "b" a bus: its name, its clock (I2C) or baud rate (UART)

_HEXD = b"0123456789abcdef"
_rec = None


def start(settings, us, console=None):
    # -> the recorder (one per boot). settings: the config's capture section ({"to": "console"} or
    # {"to": "flash", "flash_kb": .., "chunk_kb": ..}); us: the board's microsecond clock for
    # transfer times (time.ticks_us on a board, the simulator's virtual bus clock); console: where
    # console frames go (default: standard output).
    global _rec
    if _rec is None:
        _rec = Recorder(settings, us, console or getattr(sys.stdout, "buffer", sys.stdout))
    return _rec



def i2c(name, bus, hz):
    # The HAL's I2C bus (hz: its clock), recorded
    return I2C(bus, _rec.bus(name, hz))


def uart(name, bus, baud):
    return UART(bus, _rec.bus(name, baud))


def flush():
    if _rec is not None:
        _rec.flush()


def _errno(e):
    code = e.args[0] if e.args and isinstance(e.args[0], int) else 5  # EIO
    return code if 0 < code < 256 else 5


class I2C:
    # machine.I2C's calls that drivers use, each noted after it ran (with its bus time), errors
    # included; anything else goes to the bus itself.
    def __init__(self, bus, index):
        self._bus = bus
        self._i = index

    def __getattr__(self, name):
        return getattr(self._bus, name)

    def readfrom_mem_into(self, addr, reg, buf):
        rec = _rec
        tick = time.ticks_ms()  # a replay looks the answer up when the transfer starts
        t0 = rec.us()
        try:
            self._bus.readfrom_mem_into(addr, reg, buf)
        except OSError as e:
            rec.note(_RD_MEM, self._i, addr, _errno(e), _spent(rec, t0), tick, reg, buf, 0)
            raise
        rec.note(_RD_MEM, self._i, addr, 0, _spent(rec, t0), tick, reg, buf, len(buf))

    def writeto_mem(self, addr, reg, buf):
        rec = _rec
        tick = time.ticks_ms()  # a replay looks the answer up when the transfer starts
        t0 = rec.us()
        try:
            self._bus.writeto_mem(addr, reg, buf)
        except OSError as e:
            rec.note(_WR_MEM, self._i, addr, _errno(e), _spent(rec, t0), tick, reg, buf, len(buf))
            raise
        rec.note(_WR_MEM, self._i, addr, 0, _spent(rec, t0), tick, reg, buf, len(buf))

    def writeto(self, addr, buf, *stop):
        rec = _rec
        tick = time.ticks_ms()  # a replay looks the answer up when the transfer starts
        t0 = rec.us()
        try:
            r = self._bus.writeto(addr, buf, *stop)
        except OSError as e:
            rec.note(_WR, self._i, addr, _errno(e), _spent(rec, t0), tick, -1, buf, len(buf))
            raise
        rec.note(_WR, self._i, addr, 0, _spent(rec, t0), tick, -1, buf, len(buf))
        return r

    def readfrom_into(self, addr, buf, *stop):
        rec = _rec
        tick = time.ticks_ms()  # a replay looks the answer up when the transfer starts
        t0 = rec.us()
        try:
            self._bus.readfrom_into(addr, buf, *stop)
        except OSError as e:
            rec.note(_RD, self._i, addr, _errno(e), _spent(rec, t0), tick, -1, buf, 0)
            raise
        rec.note(_RD, self._i, addr, 0, _spent(rec, t0), tick, -1, buf, len(buf))


def _spent(rec, t0):
    d = time.ticks_diff(rec.us(), t0)
    return d if d > 0 else 0


class UART:
    # machine.UART (timeout=0) as drivers use it: the bytes they take and write are noted.
    def __init__(self, bus, index):
        self._bus = bus
        self._i = index

    def __getattr__(self, name):
        return getattr(self._bus, name)

    def any(self):
        return self._bus.any()

    def readinto(self, buf, nbytes=None):
        tick = time.ticks_ms()
        n = self._bus.readinto(buf) if nbytes is None else self._bus.readinto(buf, nbytes)
        if n:
            _rec.rx(self._i, buf, n, tick)
        return n

    def read(self, nbytes=None):
        tick = time.ticks_ms()
        data = self._bus.read() if nbytes is None else self._bus.read(nbytes)
        if data:
            _rec.rx(self._i, data, len(data), tick)
        return data

    def write(self, buf):
        tick = time.ticks_ms()
        n = self._bus.write(buf)
        _rec.note(_TX, self._i, 0, 0, 0, tick, -1, buf, len(buf))
        return n


class Recorder:
    def __init__(self, settings, us, console):
        self.us = us
        self.buf = bytearray(_BUF)
        self.n = 0  # bytes of notes in buf
        self.r = 0  # the writer's position in buf
        self.seq = 0  # next note number (dropped ones count too)
        self.lost = 0  # notes that found the buffer full
        self.names = []  # bus index -> name (bytes)
        self._rx = -1  # offset of the newest note while it is UART bytes open for more
        self._rx_tick = 0
        self._line = bytearray(_LINE)
        self._hl = bytearray(64)  # the H and T frames that begin a chunk
        self._out = bytearray(_OUT)
        self._mv = memoryview(self._out)
        self._k = 0  # bytes in _out
        self._fseq = 0  # the number the newest frame carries
        self._bseq = 0  # the number of the first frame in _out
        self._time_at = None  # tick of the last T frame
        self._epoch = None  # the wall time it gave (Unix ms at tick 0); None: unknown
        self._first = None  # flash: tick of the oldest note not yet written
        self._ready = asyncio.Event()
        self.flash = settings["to"] == "flash"
        if self.flash:
            self._chunks = Chunks(_DIR, settings["chunk_kb"] * 1024, settings["flash_kb"] * 1024)
        else:
            self._console = console
        self._head(0x48)  # H
        self._clock(time.ticks_ms(), True, 0)
        self._emit()
        asyncio.create_task(self._run())

    # -- the bus side: called by the wrappers, in the sampling path ----------------------------

    def bus(self, name, hz):
        i = len(self.names)
        name = name.encode()
        self.names.append(name)
        self.note(_BUS, i, 0, 0, hz, time.ticks_ms(), -1, name, len(name))
        return i

    def note(self, kind, bus, addr, err, us, tick, reg, data, n):
        # One transaction that started at tick: reg (a register, or -1), then n bytes of data ->
        # the note's offset, or -1 if the buffer was full (the note is lost, its number skipped).
        self._rx = -1
        has_reg = 1 if reg >= 0 else 0
        if n + has_reg > _MAX_DATA:
            n = _MAX_DATA - has_reg
        k = n + has_reg
        seq = self.seq
        self.seq = seq + 1
        o = self.n
        if o + _NOTE + k > _BUF:
            self.lost += 1
            self._ready.set()
            return -1
        b = self.buf
        struct.pack_into("<BBBBBxHII", b, o, k, kind, bus, addr, err, seq & 0xFFFF, tick, us)
        p = o + _NOTE
        if has_reg:
            b[p] = reg
            p += 1
        if n == len(data):
            b[p:p + n] = data
        else:
            for i in range(n):
                b[p + i] = data[i]
        self.n = o + _NOTE + k
        self._rx_tick = tick
        if not self.flash:
            self._ready.set()
        else:
            if self._first is None:
                self._first = tick
            if self._due():
                self._ready.set()
        return o

    def rx(self, bus, data, n, tick):
        # UART bytes the driver took: more taken in the same ms on the same bus join that note.
        o = self._rx
        b = self.buf
        if (o >= 0 and b[o + 2] == bus and b[o] + n <= _MAX_DATA and self.n + n <= _BUF
                and self._rx_tick == tick):
            p = self.n
            for i in range(n):
                b[p + i] = data[i]
            b[o] += n
            self.n = p + n
            return
        self._rx = self.note(_RX, bus, 0, 0, 0, tick, -1, data, n)

    # -- the writer: a task of its own; flush() before the node stops or sleeps ----------------

    async def _run(self):
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self.r < self.n and (not self.flash or self._due()):
                self._frames(8)
                await asyncio.sleep_ms(0)  # the sampling goes on between batches

    def _due(self):
        # flash: append once half the buffer is taken or the oldest note waited a minute
        return self.n > _BUF // 2 or (self._first is not None
                                      and time.ticks_diff(time.ticks_ms(), self._first) >= _FLASH_AFTER_MS)

    def flush(self):
        # Everything noted so far, then E: before a stop or a deep sleep (RAM does not survive it).
        while self.r < self.n:
            self._frames(64)
        self._head(0x45, self.lost)  # E
        self._emit()

    def _frames(self, most):
        # Up to `most` notes as frames, out in one write.
        b = self.buf
        first = True
        while most and self.r < self.n:
            most -= 1
            o = self.r
            k, kind, bus, addr, err, seq, tick, us = struct.unpack_from("<BBBBBxHII", b, o)
            self.r = o + _NOTE + k
            if self._rx == o:
                self._rx = -1  # written out: no more bytes join it
            if first:
                self._clock(tick, False, seq)
                first = False
            line = self._line
            d = o + _NOTE
            if kind == _BUS:
                j = self._start(0x62, seq, tick)  # b
                j = _copy(line, j, b, d, k)
                j = _dec(line, j, us)
            elif kind == _RX or kind == _TX:
                j = self._start(0x75, seq, tick)  # u
                name = self.names[bus]
                j = _copy(line, j, name, 0, len(name))
                line[j] = kind
                line[j + 1] = 0x20
                j = _hex(line, j + 2, b, d, k)
            else:
                j = self._start(0x69, seq, tick)  # i
                name = self.names[bus]
                j = _copy(line, j, name, 0, len(name))
                j = _dec(line, j, addr)
                line[j] = kind
                line[j + 1] = 0x20
                j = _hex(line, j + 2, b, d, k)
                j = _dec(line, j, us)
                j = _dec(line, j, err)
            self._end(j)
        if self.r >= self.n:
            self.r = self.n = 0
            self._first = None
        self._emit()

    def _clock(self, tick, always, seq):
        # T: the wall time at tick 0 of this boot, when it became known or changed, and once a minute
        ms = clock.epoch_ms(tick)
        epoch = None if ms is None else ms - tick
        if (not always and self._time_at is not None and epoch == self._epoch
                and time.ticks_diff(tick, self._time_at) < _TIME_EVERY_MS):
            return
        self._time_at = tick
        self._epoch = epoch
        j = self._start(0x54, seq, tick)  # T
        if ms is None:
            self._line[j] = 0x2D  # "-": not known yet
            self._line[j + 1] = 0x20
            j += 2
        else:
            j = _dec(self._line, j, ms)
        self._end(j)

    def _head(self, kind, value=VERSION):
        # H: capture starts (the framing version, the output); E: it stops (notes lost). Both
        # carry the number of the next data frame, as T does.
        j = self._start(kind, self.seq, time.ticks_ms())
        j = _dec(self._line, j, value)
        if kind == 0x48:
            j = _copy(self._line, j, b"flash" if self.flash else b"console", 0, 5 if self.flash else 7)
        self._end(j)

    def _restate(self, chunks):
        # A new chunk starts with H and T, so that it can be read alone; built in a line of their
        # own (the frame in _line may still be on its way into _out) and written straight to it.
        line = self._hl
        seq = self._bseq
        tick = time.ticks_ms()
        j = _dec(line, _frame_start(line, 0x48, seq), tick)
        j = _copy(line, _dec(line, j, VERSION), b"flash", 0, 5)
        chunks.append(memoryview(line)[:_seal(line, j)])
        j = _dec(line, _frame_start(line, 0x54, seq), tick)
        ms = clock.epoch_ms(tick)
        j = _copy(line, j, b"-", 0, 1) if ms is None else _dec(line, j, ms)
        chunks.append(memoryview(line)[:_seal(line, j)])

    def _start(self, kind, seq, tick):
        self._fseq = seq
        return _dec(self._line, _frame_start(self._line, kind, seq), tick)

    def _end(self, j):
        # The frame, sealed, into the output batch.
        line = self._line
        j = _seal(line, j)
        if self._k + j > _OUT:
            self._emit()
        if not self._k:
            self._bseq = self._fseq
        self._out[self._k:self._k + j] = memoryview(line)[:j]
        self._k += j

    def _emit(self):
        k = self._k
        if not k:
            return
        try:
            if not self.flash:
                self._console.write(self._mv[:k])
            else:
                ch = self._chunks
                if ch.size and ch.size + k > ch.chunk:
                    ch.new_chunk()
                    self._restate(ch)
                ch.append(self._mv[:k])
        except OSError:
            pass  # a full flash, a console nobody reads: capture must never stop the node
        self._k = 0


def _frame_start(line, kind, seq):
    line[0] = 0x1E  # RS: no log line, REPL prompt or traceback starts with it
    line[1] = 0x72  # r
    line[2] = 0x6C  # l
    line[3] = 0x31  # 1
    line[4] = 0x20
    line[5] = kind
    line[6] = 0x20
    return _dec(line, 7, seq & 0xFFFF)


def _seal(line, j):
    # The check (CRC-32 of the frame after RS) and the newline -> the frame's length
    crc = binascii.crc32(memoryview(line)[1:j - 1])
    for s in range(28, -4, -4):
        line[j] = _HEXD[(crc >> s) & 15]
        j += 1
    line[j] = 0x0A
    return j + 1


def _dec(line, j, x):
    # x (>= 0) in decimal at line[j:], then a space -> the next free index
    e = j
    while True:
        line[e] = 0x30 + x % 10
        x //= 10
        e += 1
        if not x:
            break
    i, k = j, e - 1
    while i < k:
        line[i], line[k] = line[k], line[i]
        i += 1
        k -= 1
    line[e] = 0x20
    return e + 1


def _hex(line, j, src, start, n):
    if not n:
        line[j] = 0x2D  # "-": no bytes
        line[j + 1] = 0x20
        return j + 2
    h = _HEXD
    for i in range(start, start + n):
        x = src[i]
        line[j] = h[x >> 4]
        line[j + 1] = h[x & 15]
        j += 2
    line[j] = 0x20
    return j + 1


def _copy(line, j, src, start, n):
    line[j:j + n] = memoryview(src)[start:start + n]
    line[j + n] = 0x20
    return j + n + 1

class Chunks:
    # Rotating chunk files on flash: <dir>/<n> numbered upwards, each up to `chunk` bytes of whole
    # frames, all together at most `cap` bytes (the oldest goes first). Frames are only ever
    # appended (open, write, close: on LittleFS the close commits them), so a power cut can at
    # most cut the newest chunk's last frame short; the next boot then begins a new chunk, and
    # every earlier chunk stays as it was. A deep sleep's next boot goes on in the same chunk.
    def __init__(self, path, chunk, cap):
        self.dir = path
        self.chunk = chunk
        self.cap = cap
        try:
            os.mkdir(path)
        except OSError:
            pass  # there already
        names = [int(x) for x in os.listdir(path) if x.isdigit()]
        names.sort()
        self.first = names[0] if names else 0
        self.last = names[-1] if names else 0
        self.total = 0
        for n in names:
            self.total += self._size(n)
        self.size = self._size(self.last)
        if self.size:
            with open(self._name(self.last), "rb") as f:
                f.seek(self.size - 1)
                torn = f.read(1) != b"\n"
            if torn or self.size >= chunk:
                self.new_chunk()

    def _name(self, n):
        return "%s/%d" % (self.dir, n)

    def _size(self, n):
        try:
            return os.stat(self._name(n))[6]
        except OSError:
            return 0

    def new_chunk(self):
        if self.size:
            self.last += 1
            self.size = 0
        while self.total + self.chunk > self.cap and self.first < self.last:
            self.total -= self._size(self.first)
            try:
                os.remove(self._name(self.first))
            except OSError:
                pass
            self.first += 1

    def append(self, data):
        with open(self._name(self.last), "ab") as f:
            f.write(data)
        self.size += len(data)
        self.total += len(data)
