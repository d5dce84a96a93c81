# CayenneLPP on FPort 20 (docs/lorawan.md), for generic decoders: the readings of the compact
# payload (same quantities, same choice of sensor) as LPP items (channel, type, big-endian value),
# the seq and every sensor's health code as digital inputs. Only types that the built-in LPP
# decoders of The Things Stack and ChirpStack know: CO2 and particulate matter go as type 101
# (2 bytes unsigned, resolution 1, "luminosity" to those decoders); the channel names the quantity.
from micropython import const

from node.codec.compact import MAX_SENSORS, health_code, reading, scale

FPORT = const(20)
SEQ_CHANNEL = const(0)  # digital input: seq mod 256
HEALTH_CHANNEL = const(10)  # + sensor index (config order): digital input, the compact health code
_DIGITAL_IN = const(0)

# quantity, channel, LPP type, decimals of step, step, bytes, lowest, highest
ITEMS = (
    ("temperature", 1, 103, 2, 10, 2, -32768, 32767),  # 0.1 °C signed
    ("humidity", 2, 104, 2, 50, 1, 0, 255),  # 0.5 %RH unsigned
    ("pressure", 3, 115, 2, 10, 2, 0, 32767),  # 0.1 hPa (decoders differ on the sign: keep it positive)
    ("co2", 4, 101, 0, 1, 2, 0, 65535),  # ppm
    ("pm2_5", 5, 101, 1, 10, 2, 0, 65535),  # µg/m³
    ("pm10", 6, 101, 1, 10, 2, 0, 65535),
)


def encode(seq, channels):
    n = len(channels) if len(channels) < MAX_SENSORS else MAX_SENSORS
    out = bytearray(3 + 4 * len(ITEMS) + 3 * n)
    out[0], out[1], out[2] = SEQ_CHANNEL, _DIGITAL_IN, seq & 0xFF
    p = 3
    for quantity, channel, kind, decimals, step, size, lowest, highest in ITEMS:
        r = reading(channels, quantity)
        if r is not None:
            x = scale(r[0], r[1], decimals, 0, step, lowest, highest) & 0xFFFF  # two's complement
            out[p], out[p + 1] = channel, kind
            if size == 2:
                out[p + 2], out[p + 3] = x >> 8, x & 0xFF
            else:
                out[p + 2] = x
            p += 2 + size
    for i in range(n):
        out[p], out[p + 1], out[p + 2] = HEALTH_CHANNEL + i, _DIGITAL_IN, health_code(channels[i].health)
        p += 3
    return bytes(out[:p])
