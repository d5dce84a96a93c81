# The JSON state message, one per publishing interval (docs/payload.md). Numbers are written from integers as
# fixed-point text, never through floats, so every port prints the same bytes.
import json

from node.sensors import OK

VERSION = 1


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
    # channels: node.pipeline.Channel after summarize(): name, health, quantities, n, summary, flags.
    # node: the node's own diagnostics, (battery mV, RSSI dBm, firmware, reset cause, uptime s,
    # free heap), None values published as null. Built sensor by sensor, so only one sensor's small
    # pieces are alive at a time.
    parts = ['{"v":%d,"device":%s,"seq":%d,"time":%s,"readings":{'
             % (VERSION, json.dumps(device), seq, "null" if time_s is None else time_s)]
    for c in channels:
        if c.health == OK:  # a reading from an unhealthy sensor is never published as valid
            parts.append(("," if len(parts) > 1 else "") + _readings(c))
    health = ",".join(['%s:"%s"' % (json.dumps(c.name), c.health) for c in channels])
    parts.append('},"health":{%s}' % health)
    if node:
        parts.append(',"node":{"battery_mv":%s,"rssi_dbm":%s,"firmware":%s,"reset":"%s","uptime_s":%d,"heap_free":%d}'
                     % (_num(node[0]), _num(node[1]), json.dumps(node[2]), node[3], node[4], node[5]))
    parts.append("}")
    return "".join(parts)


def _num(value):
    return "null" if value is None else str(value)


def _readings(c):
    flags = c.flags
    quality = ',"flags":["%s"]' % '","'.join(flags) if flags else ""
    summary = c.summary
    values = []
    for i, (quantity, unit, decimals, _, _) in enumerate(c.quantities):
        values.append('"%s":{"value":%s,"unit":"%s","n":%d,"min":%s,"max":%s%s}' % (
            quantity, fixed(summary[3 * i], decimals), unit, c.n, fixed(summary[3 * i + 1], decimals),
            fixed(summary[3 * i + 2], decimals), quality))
    return "%s:{%s}" % (json.dumps(c.name), ",".join(values))
