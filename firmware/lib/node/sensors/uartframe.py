# Receiving frames from UART sensors (SDS011, PMS5003) without blocking: collect what has arrived
# in a fixed buffer, drop bytes until a frame header, let the driver check length and checksum.
# The UART comes from the HAL with machine.UART's non-blocking calls: any(), readinto(), write().
from node.sensors import ABSENT, CHECKSUM, STALE


class FrameReader:
    def __init__(self, uart, size):
        self._uart = uart
        self.buf = bytearray(size)
        self._mv = memoryview(self.buf)
        self.n = 0  # bytes held in buf
        self.got = 0  # bytes received since flush(): garbage if no frame came of them
        self.heard = False  # a valid frame since start-up

    def late(self):
        # health when no frame came in time: never heard, heard garbage, or went silent
        return ABSENT if not self.heard else CHECKSUM if self.got else STALE

    def flush(self):
        # Before a request: forget stale replies and noise.
        u = self._uart
        while u.any():
            u.readinto(self.buf)
        self.n = 0
        self.got = 0

    def seek(self, h0, h1, length):
        # Read what arrived; True once buf starts with h0 h1 and holds length bytes.
        u = self._uart
        b = self.buf
        while self.n < len(b) and u.any():
            k = u.readinto(self._mv[self.n:]) or 0  # as much as fits, not a byte per call
            self.n += k
            self.got += k
        i = 0
        n = self.n
        while i < n and not (b[i] == h0 and (i + 1 == n or b[i + 1] == h1)):
            i += 1
        self.drop(i)
        return self.n >= length

    def drop(self, k):
        # Remove k bytes from the front (a consumed frame, or garbage).
        n = self.n - k
        if k:
            self.buf[:n] = self.buf[k:k + n]
        self.n = n

    def sum(self, start, end):
        s = 0
        for i in range(start, end):
            s += self.buf[i]
        return s
