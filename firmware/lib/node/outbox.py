# The persistent outbox (store and forward): every state message is appended here before any send
# is tried, and leaves only after the broker's PUBACK. Bounded in bytes: when full, the oldest
# segment goes and `dropped` counts its messages. Crash-safe (docs/mqtt.md):
#   <dir>/<n>     segments numbered upwards; records are only ever appended to the newest one:
#                 magic, flags (bit 0 retain), topic length, payload length, seq, CRC-32 of the
#                 record's other bytes, then topic and payload
#   <dir>/head    "segment offset next_seq dropped reserved": the oldest unacknowledged record,
#                 a line appended at each save (the last whole line counts), the file written anew
#                 (new, then rename) at the first save after boot and once it is _HEAD_LOG long;
#                 reserved: numbers below it may have been used without a record of their own
#                 (readings held in RAM while the flash refuses writes), so a node that lost its
#                 RAM starts there and never uses one twice
# A power cut can only tear the last record of the newest segment: the start-up scan keeps the
# valid prefix (copy, then rename over the torn file). One record at a time is read into (or made
# in) a preallocated buffer, sized for this node's messages and grown once if a larger one comes;
# the queue itself stays on flash.
from micropython import const
import binascii
import os
import struct

from node import persist

_MAGIC = const(0xA5)
_HDR = const(14)  # struct "<BBHHII"
_SEGMENTS = const(8)  # the byte budget is split into this many segments; one goes when full
MAX_RECORD = const(2560)  # header + topic + payload of one message: a state message of ~14 sensors
_RESERVE = const(64)  # numbers reserved on flash ahead of the next one, for readings the flash refuses
_AHEAD = const(32)  # reserve again (one head write) when fewer than this are left
_HEAD_LOG = const(256)  # bytes of head lines after which the head file is written anew


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass  # gone already, or the flash refuses even that (full): tried again at the next boot


class Outbox:
    def __init__(self, path="outbox", cap=256 * 1024, record_bytes=MAX_RECORD):
        # record_bytes: the size this node's messages usually take (the buffer starts there)
        self._dir = path
        self._head_file = path + "/head"
        self._cap = cap
        self._seg_cap = cap // _SEGMENTS
        self._grow(record_bytes)
        self._hdr = bytearray(_HDR)
        self._loaded = None  # (segment, offset) of the record in buf
        self._named = (None, None)  # (segment, its path): the one last used, made once, as bytes (node.persist)
        self._head_bytes = None  # in the head file since it was written anew; None: write it anew next
        try:
            os.mkdir(path)
        except OSError:
            pass  # exists
        segs = []
        try:
            names = os.listdir(path)
        except OSError:  # no directory: the flash refused even that
            names = ()
        for name in names:
            if name.isdigit():
                segs.append(int(name))
            elif name.endswith(".tmp"):
                _remove(path + "/" + name)  # an interrupted write-then-rename
        segs.sort()
        head = (persist.load_ints(self._head_file, 5) or persist.load_ints(self._head_file, 4)  # older: 4
                or [segs[0] if segs else 0, 0, 0, 0])
        self._first, self._off, self.next_seq, self.dropped = head[:4]
        self.reserved = head[4] if len(head) == 5 else self.next_seq  # as far as the flash knows
        for n in segs:
            if n < self._first:  # already delivered; the crash came before its removal
                _remove(self._name(n))
        segs = [n for n in segs if n >= self._first]
        if segs and segs[0] != self._first:
            self._first, self._off = segs[0], 0
        self._last = segs[-1] if segs else self._first
        self._last_size, last_seq = self._recover()
        for n in reversed(segs[:-1]):  # the newest segment may be empty after a failed append
            if last_seq is not None:
                break
            last_seq = self._walk(n, 0)[1]
        if last_seq is not None and last_seq >= self.next_seq:
            self.next_seq = last_seq + 1
        self._bytes = sum(self._size(n) for n in segs)

    def _grow(self, n):
        # The record buffer, at least n bytes (a larger message came); what it holds is kept.
        old = getattr(self, "buf", b"")
        if n <= len(old):
            return
        self.buf = bytearray(min(n, MAX_RECORD))
        self.buf[:len(old)] = old
        self._mv = memoryview(self.buf)

    def _name(self, n):
        if self._named[0] != n:
            self._named = (n, ("%s/%d" % (self._dir, n)).encode())
        return self._named[1]

    def _size(self, n):
        try:
            return os.stat(self._name(n))[6]
        except OSError:
            return 0

    def _walk(self, n, off):
        # Record headers of a complete segment from off -> (count, seq of the last one or None)
        count = 0
        seq = None
        h = self._hdr
        try:
            with open(self._name(n), "rb") as f:
                f.seek(off)
                while f.readinto(h) == _HDR and h[0] == _MAGIC:
                    count += 1
                    seq = struct.unpack_from("<I", h, 6)[0]
                    f.seek(struct.unpack_from("<H", h, 2)[0] + struct.unpack_from("<H", h, 4)[0], 1)
        except OSError:
            pass
        return count, seq

    def _recover(self):
        # Scan the newest segment -> (valid length, seq of its last record or None); a torn tail
        # is cut off by copying the valid prefix to a new file that replaces the old one.
        name = self._name(self._last)
        size = self._size(self._last)
        end = 0
        seq = None
        try:
            with open(name, "rb") as f:
                while True:
                    n = self._read(f)
                    if not n:
                        break
                    end += n
                    seq = self._seq()
        except OSError:
            pass
        if end < size:
            try:
                with open(name, "rb") as src, open(name + b".tmp", "wb") as dst:
                    left = end
                    while left:
                        k = src.readinto(self._mv[:min(left, len(self.buf))])
                        dst.write(self._mv[:k])
                        left -= k
                os.rename(name + b".tmp", name)
            except OSError:  # the flash refuses writes: leave the torn tail, append elsewhere
                _remove(name + b".tmp")
                return self._seg_cap, seq
        if self._first == self._last and self._off > end:
            self._off = end
        return end, seq

    def _read(self, f):
        # One record from f into buf -> its length, or 0 at the end or at a damaged record.
        hdr = self._mv[:_HDR]
        if f.readinto(hdr) != _HDR:
            return 0
        magic, _, tlen, plen, _, crc = struct.unpack_from("<BBHHII", self.buf)
        n = _HDR + tlen + plen
        if magic != _MAGIC or n > MAX_RECORD:
            return 0
        self._grow(n)
        if f.readinto(self._mv[_HDR:n]) != n - _HDR:
            return 0
        if binascii.crc32(self._mv[_HDR:n], binascii.crc32(self._mv[:10])) != crc:
            return 0
        return n

    def _seq(self):
        return struct.unpack_from("<I", self.buf, 6)[0]

    def pending(self):
        return self._first != self._last or self._off < self._last_size

    def put(self, seq, topic, payload, retain=False):
        # Append one message (topic: str or bytes; payload: bytes, or a list of bytes written one
        # after the other, as the codecs make them); True once it is on flash. Raises OSError if
        # the flash refuses it (full), ValueError if it is larger than a record.
        parts = payload if isinstance(payload, list) else (payload,)
        t = memoryview(topic)
        plen = 0
        for x in parts:
            plen += len(x)
        n = _HDR + len(t) + plen
        if n > MAX_RECORD:
            raise ValueError("message of %d bytes, at most %d" % (n, MAX_RECORD))
        self._grow(n)  # it must be readable again
        if self._last_size >= self._seg_cap:
            self._last += 1
            self._last_size = 0
        while self._bytes + n > self._cap and self._first < self._last:
            self._drop_first()
        h = self._hdr
        struct.pack_into("<BBHHI", h, 0, _MAGIC, 1 if retain else 0, len(t), plen, seq)
        crc = binascii.crc32(t, binascii.crc32(memoryview(h)[:10]))
        for x in parts:
            crc = binascii.crc32(x, crc)
        struct.pack_into("<I", h, 10, crc)
        # buf holds no record that is being sent: the record is made there, goes to flash in one
        # write and stays loaded, so sending it reads nothing back (load() takes it once it is the oldest)
        whole = self._loaded is None
        try:
            with open(self._name(self._last), "ab") as f:
                if whole:
                    self._compose(h, t, parts)
                    f.write(self._mv[:n])
                else:
                    f.write(h)
                    f.write(t)
                    for x in parts:
                        f.write(x)
        except OSError:
            # Part of the record may be on flash now: append from a fresh segment next time.
            self._last_size = self._seg_cap
            raise
        if whole:
            self._loaded = (self._last, self._last_size)
        self._last_size += n
        self._bytes += n
        self.next_seq = max(self.next_seq, seq + 1)  # past it already if it waited in RAM (node.uplink)
        if self.reserved - self.next_seq < _AHEAD:
            self.save_head(self.next_seq + _RESERVE)
        return True

    def _compose(self, h, t, parts):
        mv = self._mv
        mv[:_HDR] = h
        i = _HDR + len(t)
        mv[_HDR:i] = t
        for x in parts:
            mv[i:i + len(x)] = x
            i += len(x)

    def _drop_first(self):
        # The byte budget is used up: the oldest segment goes, and its messages are counted.
        self.dropped += self._walk(self._first, self._off)[0]
        self._next_segment()

    def _next_segment(self):
        old = self._first
        size = self._size(old)
        self._first += 1
        self._off = 0
        self._loaded = None
        self.save_head()
        _remove(self._name(old))
        self._bytes -= size

    def load(self):
        # The oldest unacknowledged message into buf -> its seq, or None if there is none.
        while self.pending():
            if self._loaded == (self._first, self._off):
                return self._seq()
            n = 0
            try:
                with open(self._name(self._first), "rb") as f:
                    f.seek(self._off)
                    n = self._read(f)
            except OSError:
                pass
            if n:
                self._loaded = (self._first, self._off)
                return self._seq()
            if self._first == self._last:
                self._off = self._last_size  # nothing valid beyond: unreachable after start-up
            else:
                self._next_segment()  # the end of a segment (or the tail of a failed append)
        return None

    def retain(self):
        return self.buf[1] & 1

    def topic(self):
        return self._mv[_HDR:_HDR + struct.unpack_from("<H", self.buf, 2)[0]]

    def payload(self):
        start = _HDR + struct.unpack_from("<H", self.buf, 2)[0]
        return self._mv[start:start + struct.unpack_from("<H", self.buf, 4)[0]]

    def pop(self, seq):
        # The broker acknowledged seq: if it is still the oldest message, it leaves the outbox.
        if self._loaded != (self._first, self._off) or self._seq() != seq:
            return  # dropped meanwhile to make room
        self._off += _HDR + len(self.topic()) + len(self.payload())
        self._loaded = None
        if self._first != self._last and self._off >= self._size(self._first):
            self._next_segment()
        else:
            self.save_head()

    def save_head(self, reserved=None):
        # The head, with the dropped count and, if given, numbers reserved up to there. reserved
        # only ever holds what the flash holds: a number below it is safe to use without a record.
        reserved = max(self.reserved, reserved or 0)
        head = (self._first, self._off, self.next_seq, self.dropped, reserved)
        try:
            if self._head_bytes is None or self._head_bytes >= _HEAD_LOG:
                self._head_bytes = persist.save_ints(self._head_file, head)
            else:
                self._head_bytes += persist.append_ints(self._head_file, head)
        except OSError:
            # flash full: the head in RAM is right; after a restart a few get sent twice. A line
            # may be torn: the next save writes the file anew.
            self._head_bytes = None
            return
        self.reserved = reserved
