# Between the drivers and the codec. A Channel wraps one driver: it schedules the driver's samples
# on a fixed grid (sampling interval), judges each sample (plausible range, stuck values,
# failures -> health), keeps a window of accepted samples per quantity and summarises the window
# for the state message (filtered value, n, min, max, flags). Drivers are non-blocking cores, so
# the app steps whichever channel is due and a slow or failing sensor never holds up the others.
from array import array
from micropython import const

from node import clock, log
from node.sensors import DONE, OK, OUT_OF_RANGE, STALE, STUCK, WARMING_UP, SensorError, health_of

_MEDIAN = const(0)  # the order of node.config.FILTERS
_TRIMMED = const(1)
_MEAN = const(2)

# A sample whose reading cannot start within this of its grid slot is moved to a later slot, and a
# state message waits this long at most for the samples due by its time: it waits for quick
# measurements, not for a warming-up fan, a 5 s CO2 reading or a sensor that does not answer. It
# is longer than the longest time the board stands still (a TLS connect: DNS and handshake, about
# 1.03 s; docs/sensors.md), so such a stall delays a sample but never costs it.
_GRACE_MS = const(1500)

_INIT = const(0)
_IDLE = const(1)
_MEASURING = const(2)

_scratch = array("i")  # sorted copy of a window, shared by all channels


def combine(buf, start, n, kind):
    # buf[start:start + n] -> one integer, rounding halves up, as every port does the same
    if kind == _MEAN:
        lo, hi, src = start, start + n, buf
    else:
        s = _scratch
        for i in range(n):  # insertion sort: windows are short
            x = buf[start + i]
            j = i
            while j and s[j - 1] > x:
                s[j] = s[j - 1]
                j -= 1
            s[j] = x
        if kind == _MEDIAN:
            m = n >> 1
            return s[m] if n & 1 else (s[m - 1] + s[m] + 1) >> 1
        k = n // 5  # trimmed mean: without the lowest and the highest fifth
        lo, hi, src = k, n - k, s
    total = 0
    for i in range(lo, hi):
        total += src[i]
    m = hi - lo
    return (2 * total + m) // (2 * m)


def _later(a, b):
    return a if clock.diff(a, b) > 0 else b


class Channel:
    # At most 19 attributes: an instance's attribute table grows in steps (7, 19, 43 entries), and
    # there is one channel per sensor. Per quantity i: newest[i] the newest accepted sample,
    # sent[i] the value in the last state message, rules[i] the change threshold (0: none) and
    # rules[nq + i] the filter (see _threshold() and _filter()).
    def __init__(self, sensor, cfg, interval_ms, start, first_due):
        # start: the grid's first slot; first_due: when the sensor may first be addressed (its
        # power-up time after the supply came on, or at once)
        global _scratch
        self.sensor = sensor
        q = sensor.quantities
        nq = len(q)
        self.sample_ms = cfg["sample_s"] * 1000
        self.size = size = interval_ms // self.sample_ms + 2  # + a sample read late, + rounding
        self.buf = array("i", bytes(4 * nq * size))  # the window: quantity i at buf[i * size:]
        if len(_scratch) < size:
            _scratch = array("i", bytes(4 * size))
        self.newest = array("i", bytes(4 * nq))
        self.sent = array("i", bytes(4 * nq))
        # change thresholds come in the published unit, as a number; then the filters
        self.rules = array("i", [round(cfg["change"].get(q[i][0], 0) * 10 ** q[i][2]) for i in range(nq)]
                           + [cfg["filter"][q[i][0]] for i in range(nq)])
        self.summary = array("i", bytes(12 * nq))  # value, min, max per quantity, from summarize()
        self.stuck_after = cfg["stuck_after"]
        self.n = 0  # samples in the window
        self.missed = 0  # samples of this window that failed
        self.rejected = 0  # samples of this window outside the range or stuck
        self.repeats = 0  # identical samples in a row
        self.changed = False  # a value moved by its threshold since the last state message
        self.armed = False  # compare with the last message: thresholds set and a message sent
        self.health = WARMING_UP
        self.phase = _INIT
        self.slot = start  # grid time of the sample being worked on
        self.due = first_due  # when step() wants to run next

    def _threshold(self, i):
        return self.rules[i]

    def _filter(self, i):
        return self.rules[len(self.sensor.quantities) + i]

    @property
    def name(self):
        return self.sensor.name

    @property
    def quantities(self):
        return self.sensor.quantities

    def last(self, i):
        # the newest accepted sample of quantity i
        return self.newest[i]

    def healthy(self):
        return self.health == OK

    def pending(self, t):
        # A sample due by t is being read and its next step is near: a state message for t waits.
        return clock.diff(self.slot, t) <= 0 and clock.diff(self.due, clock.add(self.slot, _GRACE_MS)) <= 0

    def step(self, now):
        s = self.sensor
        try:
            if self.phase == _INIT:
                wait = s.init()
                if s.ready:
                    self.phase = _IDLE
                    self.due = _later(clock.add(now, wait), clock.add(self.slot, -s.lead_ms))
                else:
                    self.due = clock.add(now, wait)
            elif self.phase == _IDLE:
                ready = clock.add(now, s.start())
                late = clock.diff(ready, self.slot)
                if late > _GRACE_MS:  # on to the first slot it can make
                    self.slot = clock.add(self.slot, -(-late // self.sample_ms) * self.sample_ms)
                self.phase = _MEASURING
                self.due = _later(ready, self.slot)
            else:
                wait = s.poll()
                if wait == DONE:
                    self._take_sample()
                    self._next(now)
                    self.phase = _IDLE
                    self.due = clock.add(self.slot, -s.lead_ms)
                    if clock.diff(self.due, now) > 0 and hasattr(s, "stop"):
                        s.stop()  # fan and laser rest until the next start
                elif clock.diff(clock.add(now, wait), clock.add(self.slot, s.timeout_ms)) > 0:
                    self._fail(now, s.late, "no reading within %d ms" % s.timeout_ms)
                else:
                    self.due = clock.add(now, wait)
        except (OSError, SensorError) as e:
            self._fail(now, health_of(e), e)

    def rest(self):
        # Before a deep sleep: the sensor's fan, laser or periodic measurement off.
        s = self.sensor
        try:
            if hasattr(s, "sleep"):
                s.sleep()
            elif hasattr(s, "stop"):
                s.stop()
        except (OSError, SensorError):
            pass  # gone meanwhile: it rests anyway

    def _next(self, now):
        # on to the first grid slot after now (at least the one after the current)
        late = clock.diff(now, self.slot)
        k = late // self.sample_ms + 1 if late >= 0 else 1
        self.slot = clock.add(self.slot, k * self.sample_ms)

    def _fail(self, now, health, why):
        self._set(health, why)
        self.missed += 1
        self.sensor.reset()
        self.phase = _INIT
        self._next(now)
        # init again for the next slot, but not at once: a sensor started far ahead would retry in a loop
        self.due = _later(clock.add(self.slot, -self.sensor.lead_ms), clock.add(now, _GRACE_MS))

    def _set(self, health, why):
        if health != self.health:  # log changes, not every sample
            if health == OK:
                log.info("sensor %s: ok" % self.name)
            else:
                log.warn("sensor %s: %s (%s)" % (self.name, health, why))
            self.health = health

    def _take_sample(self):
        # Judge the sample in sensor.values (range, stuck); an accepted one goes into the window.
        v = self.sensor.values
        q = self.sensor.quantities
        nq = len(q)
        for i in range(nq):
            if not q[i][3] <= v[i] <= q[i][4]:
                self.rejected += 1
                self._set(OUT_OF_RANGE, "%s %d not in %d..%d" % (q[i][0], v[i], q[i][3], q[i][4]))
                return
        newest = self.newest
        same = True
        for i in range(nq):
            if newest[i] != v[i]:
                same = False
                newest[i] = v[i]
        self.repeats = self.repeats + 1 if same else 1
        if self.stuck_after and self.repeats >= self.stuck_after:
            self.rejected += 1
            self._set(STUCK, "%d identical samples" % self.repeats)
            return
        n = self.n
        if n < self.size:
            for i in range(nq):
                self.buf[i * self.size + n] = v[i]
            self.n = n + 1
        self._set(OK, None)
        if self.armed:
            for i in range(nq):
                t = self._threshold(i)
                if t and abs(combine(self.buf, i * self.size, self.n, self._filter(i)) - self.sent[i]) >= t:
                    self.changed = True

    def summarize(self):
        # Fill summary (value, min, max per quantity) for a state message. A sensor that is ok but
        # has no sample since the last message is stale.
        if not self.n:
            if self.health == OK:
                self._set(STALE, "no new data")
            return
        if self.health != OK:
            return
        size = self.size
        summary = self.summary
        nq = len(self.sensor.quantities)
        for i in range(nq):
            start = i * size
            lo = hi = self.buf[start]
            for k in range(start + 1, start + self.n):
                x = self.buf[k]
                lo = x if x < lo else lo
                hi = x if x > hi else hi
            summary[3 * i] = combine(self.buf, start, self.n, self._filter(i))
            summary[3 * i + 1] = lo
            summary[3 * i + 2] = hi

    @property
    def flags(self):
        # quality flags of the window: some samples failed, some were left out
        if self.missed:
            return ("missed", "rejected") if self.rejected else ("missed",)
        return ("rejected",) if self.rejected else ()

    def sent_state(self, early):
        # After a state message: remember what went out; a scheduled one also starts a new window.
        self.changed = False
        if self.health == OK and self.n:
            nq = len(self.sensor.quantities)
            for i in range(nq):
                self.sent[i] = self.summary[3 * i]
                if self._threshold(i):
                    self.armed = True
        if not early:
            self.n = self.missed = self.rejected = 0
