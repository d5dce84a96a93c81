# The persistent outbox (store and forward): every state message is appended here before any send
# is tried, and leaves only after the broker's PUBACK. Bounded in bytes: when full, the oldest
# segment goes and `dropped` counts its messages. Crash-safe (docs/mqtt.md):
#   <dir>/<n>     segments numbered upwards; records are only ever appended to the newest one:
#                 magic, flags (bit 0 retain), topic length, payload length, seq, CRC-32 of the
#                 record's other bytes, then topic and payload
#   <dir>/head    "segment offset next_seq dropped": the oldest unacknowledged record, replaced
#                 by write-new-then-rename
# A power cut can only tear the last record of the newest segment: the start-up scan keeps the
# valid prefix (copy, then rename over the torn file). One record at a time is read into a
# preallocated buffer; the queue itself stays on flash.
from micropython import const
import binascii
import os
import struct

from node import persist

_MAGIC = const(0xA5)
_HDR = const(14)  # struct "<BBHHII"
_SEGMENTS = const(8)  # the byte budget is split into this many segments; one goes when full
MAX_RECORD = const(2560)  # header + topic + payload of one message: a state message of ~14 sensors


class Outbox:
    def __init__(self, path="outbox", cap=256 * 1024, record=MAX_RECORD):
        # record: the largest record in bytes (header, topic, payload); a LoRa node's are small
        self._dir = path
        self._head_file = path + "/head"
        self._cap = cap
        self._seg_cap = cap // _SEGMENTS
        self.buf = bytearray(record)
        self._mv = memoryview(self.buf)
        self._hdr = bytearray(_HDR)
        self._loaded = None  # (segment, offset) of the record in buf
        try:
            os.mkdir(path)
        except OSError:
            pass  # exists
        segs = []
        for name in os.listdir(path):
            if name.isdigit():
                segs.append(int(name))
            elif name.endswith(".tmp"):
                os.remove(path + "/" + name)  # an interrupted write-then-rename
        segs.sort()
        head = persist.load_ints(self._head_file, 4) or [segs[0] if segs else 0, 0, 0, 0]
        self._first, self._off, self.next_seq, self.dropped = head
        for n in segs:
            if n < self._first:  # already delivered; the crash came before its removal
                os.remove(self._name(n))
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

    def _name(self, n):
        return "%s/%d" % (self._dir, n)

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
            with open(name, "rb") as src, open(name + ".tmp", "wb") as dst:
                left = end
                while left:
                    k = src.readinto(self._mv[:min(left, len(self.buf))])
                    dst.write(self._mv[:k])
                    left -= k
            os.rename(name + ".tmp", name)
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
        if magic != _MAGIC or n > len(self.buf):
            return 0
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
        # Append one message (topic, payload: str or bytes); True once it is on flash. Raises
        # OSError if the flash refuses it (full), ValueError if it is larger than a record.
        t = memoryview(topic)
        p = memoryview(payload)
        n = _HDR + len(t) + len(p)
        if n > len(self.buf):
            raise ValueError("message of %d bytes, at most %d" % (n, len(self.buf)))
        if self._last_size >= self._seg_cap:
            self._last += 1
            self._last_size = 0
        while self._bytes + n > self._cap and self._first < self._last:
            self._drop_first()
        h = self._hdr
        struct.pack_into("<BBHHI", h, 0, _MAGIC, 1 if retain else 0, len(t), len(p), seq)
        crc = binascii.crc32(p, binascii.crc32(t, binascii.crc32(memoryview(h)[:10])))
        struct.pack_into("<I", h, 10, crc)
        try:
            with open(self._name(self._last), "ab") as f:
                f.write(h)
                f.write(t)
                f.write(p)
        except OSError:
            # Part of the record may be on flash now: append from a fresh segment next time.
            self._last_size = self._seg_cap
            raise
        self._last_size += n
        self._bytes += n
        self.next_seq = seq + 1
        return True

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
        self._save_head()
        try:
            os.remove(self._name(old))
        except OSError:
            pass
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
            self._save_head()

    def _save_head(self):
        try:
            persist.save_ints(self._head_file, (self._first, self._off, self.next_seq, self.dropped))
        except OSError:
            pass  # flash full: the head in RAM is right; after a restart a few get sent twice
