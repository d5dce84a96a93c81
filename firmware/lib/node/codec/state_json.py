# The JSON state message, one per publishing interval (docs/payload.md). Numbers are written from integers as
# fixed-point text, never through floats, so every port prints the same bytes. The message is made of
# bytes, not str (node/__init__.py); a str argument goes in as UTF-8.
from micropython import const
import json

from node.sensors import OK

_VERSION = const(1)
_quotes = {}  # name (the device's, a sensor's, the firmware digest) -> its JSON text, made once
# A quantity's readings: value, unit, n, min, max and the window's flags (_readings)
_SIGN = (b"", b"-")
_FIXED = b'%s"%s":{"value":%s%d.%0*d,"unit":"%s","n":%d,"min":%s%d.%0*d,"max":%s%d.%0*d%s}'
_WHOLE = b'%s"%s":{"value":%d,"unit":"%s","n":%d,"min":%d,"max":%d%s}'


def parts_needed(channels):
    # The length of the parts list encode_state() fills for these channels (all of them healthy).
    n = 0
    for c in channels:
        n += len(c.quantities) + 2  # the readings of each quantity, their end, the health
    return n + 5


def encode_state(parts, device, seq, time_s, channels, node=None):
    # Fills parts, a list made once for the node's largest message (parts_needed()), with the
    # message: one short bytes object per quantity and section, to be written one after the other
    # (node.outbox), and b"" in the slots left over. So no string of the whole message, and no list
    # growing with it, has to find room in the heap.
    # channels: node.pipeline.Channel after summarize(): name, health, quantities, n, summary, flags.
    # node: the node's own diagnostics, (battery mV, RSSI dBm, firmware, reset cause, uptime s,
    # free heap), None values published as null.
    parts[0] = (b'{"v":%d,"device":%s,"seq":%d,"time":%s,"readings":{'
                % (_VERSION, _quoted(device), seq, _num(time_s)))
    i = 1
    sep = b""
    for c in channels:
        if c.health == OK:  # a reading from an unhealthy sensor is never published as valid
            i = _readings(parts, i, sep, c)
            sep = b","
    sep = b'},"health":{'
    for c in channels:
        parts[i] = b'%s%s:"%s"' % (sep, _quoted(c.name), c.health)
        i += 1
        sep = b","
    parts[i] = b"}" if sep == b"," else sep + b"}"
    parts[i + 1] = b"}" if not node else (
        b',"node":{"battery_mv":%s,"rssi_dbm":%s,"firmware":%s,"reset":"%s","uptime_s":%d,"heap_free":%d}}'
        % (_num(node[0]), _num(node[1]), _quoted(node[2]), node[3], node[4], node[5]))
    for j in range(i + 2, len(parts)):
        parts[j] = b""


def _quoted(name):
    # name (None: null) as JSON text; the names of a node are few and the same in every message
    q = _quotes.get(name)
    if q is None:
        q = _quotes[name] = json.dumps(name)
    return q


def _num(value):
    return b"null" if value is None else b"%d" % value


def _readings(parts, i, sep, c):
    # -> the next free index of parts. One format per quantity, its three numbers split into sign,
    # whole and fraction in place: a bytes object for each number first would double what a message
    # leaves for the collector.
    flags = c.flags
    quality = b',"flags":["%s"]' % '","'.join(flags) if flags else b""
    summary = c.summary
    start = b"%s%s:{" % (sep, _quoted(c.name))
    n = c.n
    j = 0
    for quantity, unit, decimals, _, _ in c.quantities:
        v, lo, hi = summary[j], summary[j + 1], summary[j + 2]
        j += 3
        if decimals:  # 2153, 2 -> 21.53; -5, 2 -> -0.05
            s = 10**decimals
            parts[i] = _FIXED % (start, quantity, _SIGN[v < 0], abs(v) // s, decimals, abs(v) % s, unit, n,
                                 _SIGN[lo < 0], abs(lo) // s, decimals, abs(lo) % s,
                                 _SIGN[hi < 0], abs(hi) // s, decimals, abs(hi) % s, quality)
        else:
            parts[i] = _WHOLE % (start, quantity, v, unit, n, lo, hi, quality)
        i += 1
        start = b","
    parts[i] = b"}"
    return i + 1
