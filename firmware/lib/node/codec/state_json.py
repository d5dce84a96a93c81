# The JSON state message, one per publishing interval (docs/payload.md). Numbers are written from integers as
# fixed-point text, never through floats, so every port prints the same bytes.
from micropython import const
import json

from node.sensors import OK

_VERSION = const(1)


def fixed(value, decimals):
    # 2153, 2 -> "21.53"; -5, 2 -> "-0.05"
    if not decimals:
        return str(value)
    sign = "-" if value < 0 else ""
    value = -value if value < 0 else value
    scale = 10**decimals
    frac = str(value % scale)
    return "%s%d.%s%s" % (sign, value // scale, "0" * (decimals - len(frac)), frac)


def encode_state(device, seq, time_s, channels, node=None):
    # -> the message as a list of short strings, one per quantity and section, written one after
    # the other (node.outbox): no single string of the whole message has to fit into the heap.
    # channels: node.pipeline.Channel after summarize(): name, health, quantities, n, summary, flags.
    # node: the node's own diagnostics, (battery mV, RSSI dBm, firmware, reset cause, uptime s,
    # free heap), None values published as null.
    parts = ['{"v":%d,"device":%s,"seq":%d,"time":%s,"readings":{'
             % (_VERSION, json.dumps(device), seq, "null" if time_s is None else time_s)]
    sep = ""
    for c in channels:
        if c.health == OK:  # a reading from an unhealthy sensor is never published as valid
            _readings(parts, sep, c)
            sep = ","
    sep = '},"health":{'
    for c in channels:
        parts.append('%s%s:"%s"' % (sep, json.dumps(c.name), c.health))
        sep = ","
    if sep != ",":
        parts.append(sep)
    parts.append("}")
    if node:
        parts.append(',"node":{"battery_mv":%s,"rssi_dbm":%s,"firmware":%s,"reset":"%s","uptime_s":%d,"heap_free":%d}'
                     % (_num(node[0]), _num(node[1]), json.dumps(node[2]), node[3], node[4], node[5]))
    parts.append("}")
    return parts


def _num(value):
    return "null" if value is None else str(value)


def _readings(parts, sep, c):
    flags = c.flags
    quality = ',"flags":["%s"]' % '","'.join(flags) if flags else ""
    summary = c.summary
    start = "%s%s:{" % (sep, json.dumps(c.name))
    for i, (quantity, unit, decimals, _, _) in enumerate(c.quantities):
        parts.append('%s"%s":{"value":%s,"unit":"%s","n":%d,"min":%s,"max":%s%s}' % (
            start, quantity, fixed(summary[3 * i], decimals), unit, c.n, fixed(summary[3 * i + 1], decimals),
            fixed(summary[3 * i + 2], decimals), quality))
        start = ","
    parts.append("}")
