# The pipeline: window filters, the per-sensor schedule, health judgement and window summaries,
# with a scripted stand-in driver on a fake clock.
from array import array

from node import clock, pipeline
from node.sensors import (ABSENT, DONE, OK, OUT_OF_RANGE, STALE, STUCK, TIMEOUT, WARMING_UP,
                          SensorError)
from support import now, set_now

MEDIAN, TRIMMED, MEAN = 0, 1, 2  # node.config.FILTERS order


def combine(values, kind):
    buf = array("i", values)
    pipeline._scratch = array("i", bytes(4 * len(values)))
    return pipeline.combine(buf, 0, len(values), kind)


def test_filters_round_halves_up():
    assert combine([5, 1, 3], MEDIAN) == 3
    assert combine([1, 2, 3, 4], MEDIAN) == 3  # 2.5
    assert combine([-3, -2], MEDIAN) == -2  # -2.5
    assert combine([1, 2], MEAN) == 2  # 1.5
    assert combine([-1, -2], MEAN) == -1  # -1.5
    assert combine([2000, 2001, 2002, 2001, 9999, -9999, 2000, 2002, 2001, 2003], TRIMMED) == 2001
    assert combine([2000, 2001, 2002, 2001, 9999, -9999, 2000, 2002, 2001, 2003], MEAN) == 1601
    assert combine([0, 0, 0, 0, 1000], MEAN) == 200
    assert combine([0, 0, 0, 0, 1000], TRIMMED) == 0  # the highest fifth left out
    assert combine([7], MEDIAN) == 7 and combine([7], TRIMMED) == 7


class Scripted:
    # A driver whose readings come from a list: a tuple is a reading, None "not ready yet",
    # an exception is raised from poll().
    quantities = (("temperature", "°C", 2, -4000, 8500), ("humidity", "%RH", 2, 0, 10000))
    late = TIMEOUT

    def __init__(self, script, lead_ms=0, wait=5, timeout_ms=50):
        self.name = "fake"
        self.script = list(script)
        self.lead_ms = lead_ms
        self.timeout_ms = timeout_ms
        self.wait = wait
        self.values = [0, 0]
        self.ready = False
        self.calls = []

    def init(self):
        self.calls.append(("init", now()))
        self.ready = True
        return 0

    def start(self):
        self.calls.append(("start", now()))
        return self.wait

    def poll(self):
        r = self.script.pop(0) if self.script else (2000, 5000)
        if isinstance(r, Exception):
            raise r
        if r is None:
            return 10
        self.values[0], self.values[1] = r
        self.calls.append(("read", now()))
        return DONE

    def reset(self):
        self.ready = False


def channel(driver, sample_s=10, interval_s=60, filt=MEDIAN, change=None, stuck_after=0):
    set_now(0)
    cfg = {"sample_s": sample_s, "filter": {"temperature": filt, "humidity": filt}, "change": change or {},
           "stuck_after": stuck_after}
    return pipeline.Channel(driver, cfg, interval_s * 1000, 0, 0)


def run(c, until):
    while clock.diff(c.due, until) <= 0:
        set_now(c.due)
        c.step(now())
    set_now(until)


def test_window_statistics_over_a_publishing_interval():
    d = Scripted([(2000, 5000), (2010, 5100), (1990, 4900), (2100, 5000), (2005, 5050), (2002, 4990)])
    c = channel(d)
    assert c.health == WARMING_UP
    run(c, 50005)
    assert [t for what, t in d.calls if what == "read"] == [5, 10005, 20005, 30005, 40005, 50005]
    c.summarize()
    assert c.health == OK and c.n == 6
    assert list(c.summary) == [2004, 1990, 2100, 5000, 4900, 5100]  # median, min, max per quantity
    assert c.flags == ()
    c.sent_state(False)
    assert c.n == 0  # a scheduled message starts a new window


def test_failures_out_of_range_and_recovery():
    d = Scripted([(2000, 5000), OSError(5), (9000, 5000), (2000, 5000)])
    c = channel(d)
    run(c, 5)
    assert c.health == OK
    run(c, 10005)
    assert c.health == "bus_error" and not d.ready  # reset: init again before the next sample
    run(c, 20005)
    assert c.health == OUT_OF_RANGE  # 90 degC is beyond the BME-like range of this fake
    run(c, 30005)
    assert c.health == OK
    c.summarize()
    assert c.n == 2 and c.flags == ("missed", "rejected")


def test_absent_sensor_is_retried_each_sample():
    d = Scripted([])
    d.init = lambda: (_ for _ in ()).throw(OSError(19))
    c = channel(d)
    run(c, 35000)
    assert c.health == ABSENT and c.missed == 4  # at 0, 10, 20 and 30 s


def test_measurement_that_never_finishes_times_out():
    c = channel(Scripted([None] * 20))
    run(c, 1000)
    assert c.health == TIMEOUT


def test_stuck_values():
    c = channel(Scripted([(2000, 5000)] * 4 + [(2001, 5000)]), stuck_after=3)
    run(c, 10005)
    assert c.health == OK
    run(c, 20005)
    assert c.health == STUCK  # the third identical sample
    run(c, 30005)
    assert c.health == STUCK
    run(c, 40005)
    assert c.health == OK
    c.summarize()
    assert c.n == 3 and c.flags == ("rejected",)


def test_slow_sensor_is_started_ahead_and_does_not_hold_up_messages():
    d = Scripted([], lead_ms=30000, wait=30000)  # like a particulate sensor's 30 s warm-up
    c = channel(d, sample_s=60)
    run(c, 0)
    assert not c.pending(0)  # the first reading cannot be due before 30 s of airflow
    run(c, 60000)
    assert [t for what, t in d.calls if what == "read"] == [60000]
    assert ("start", 30000) not in d.calls  # the fan kept running from the first start
    run(c, 120000)
    assert ("start", 90000) in d.calls  # started lead_ms before the next sample
    assert [t for what, t in d.calls if what == "read"] == [60000, 120000]


def test_empty_window_is_stale():
    c = channel(Scripted([]), sample_s=60)
    run(c, 5)
    c.summarize()
    c.sent_state(False)
    c.summarize()  # nothing since the last message
    assert c.health == STALE and c.n == 0


def test_change_threshold_asks_for_an_early_message():
    c = channel(Scripted([(2000, 5000), (2010, 5000), (2300, 5000)]), change={"temperature": 0.5}, filt=MEAN)
    run(c, 5)
    c.summarize()
    c.sent_state(False)
    run(c, 10005)
    assert not c.changed  # 0.10 degC
    run(c, 20005)
    assert c.changed  # mean of 20.10 and 23.00 = 21.55: moved 1.55 degC
    c.summarize()
    c.sent_state(True)
    assert not c.changed and c.n == 2  # an early message keeps the window


def test_sensor_error_carries_its_health():
    c = channel(Scripted([SensorError("checksum_error", "crc")]))
    run(c, 5)
    assert c.health == "checksum_error"
