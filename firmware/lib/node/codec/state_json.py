# The JSON state message, one per cycle (docs/payload.md). Numbers are written from integers as
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


def encode_state(device, seq, time_s, sensors):
    parts = ['{"v":%d,"device":' % VERSION, json.dumps(device), ',"seq":%d,"time":' % seq]
    parts.append("null" if time_s is None else str(time_s))
    parts.append(',"readings":{')
    first = True
    for s in sensors:
        if s.health != OK:
            continue  # a reading from an unhealthy sensor is never published as valid
        parts.append(("" if first else ",") + json.dumps(s.name) + ":{")
        first = False
        for i, (quantity, unit, decimals) in enumerate(s.quantities):
            text = fixed(s.values[i], decimals)
            parts.append(
                '%s"%s":{"value":%s,"unit":%s,"n":1,"min":%s,"max":%s}'
                % ("," if i else "", quantity, text, json.dumps(unit), text, text)
            )
        parts.append("}")
    parts.append('},"health":{')
    for i, s in enumerate(sensors):
        parts.append("%s%s:%s" % ("," if i else "", json.dumps(s.name), json.dumps(s.health)))
    parts.append("}}")
    return "".join(parts)
