# The compact LoRaWAN payload (docs/lorawan.md): one state message, 11 bytes for a full node. Layout v1,
# on FPort 1 (layout vN goes on FPort N), bit fields packed most significant bit first:
#   seq mod 256 (8) | n (3) | n ok bits | a 4-bit health code per sensor not ok |
#   all (1) | presence map (6, only when all is 0) | the values present, in FIELDS order | 0 bits
# Health: of the first MAX_SENSORS configured sensors, in config order. Values: integers from the
# Channel summary (units of 10**-decimals), rescaled with integer arithmetic only. A quantity comes
# from the first configured sensor that has it, and only while that sensor is ok: a second sensor
# of the same quantity never stands in, so a time series never jumps between two sensors.
from micropython import const

from node.sensors import ABSENT, BUS_ERROR, CHECKSUM, OK, OUT_OF_RANGE, STALE, STUCK, TIMEOUT, WARMING_UP, WRONG_CHIP

FPORT = const(1)
SEQ_BITS = const(8)  # receivers extend these to the full seq (docs/lorawan.md)
MAX_SENSORS = const(7)  # the count field has 3 bits

# Health code = index here; 10..14 are reserved, OTHER stands for a health this table lacks.
HEALTH = (OK, WARMING_UP, ABSENT, BUS_ERROR, WRONG_CHIP, TIMEOUT, CHECKSUM, STALE, STUCK, OUT_OF_RANGE)
OTHER = const(15)

# Per quantity, in payload order: decimals of lo and step, lo, step, bits, highest code.
# code = (value - lo) / step, halves rounded up, clamped to 0..highest (the ranges hold every
# driver's plausible range, so the pipeline never hands over a value that needs clamping).
FIELDS = (
    ("temperature", 2, -4000, 10, 11, 2047),  # -40.0 .. 164.7 °C, 0.1 °C
    ("humidity", 2, 0, 50, 8, 200),  # 0 .. 100 %RH, 0.5 %RH
    ("pressure", 2, 30000, 10, 13, 8191),  # 300.0 .. 1119.1 hPa, 0.1 hPa
    ("co2", 0, 0, 1, 16, 65535),  # 0 .. 65535 ppm, 1 ppm
    ("pm2_5", 1, 0, 10, 10, 1023),  # 0 .. 1023 µg/m³, 1 µg/m³
    ("pm10", 1, 0, 10, 10, 1023),
)
_ALL = const(0x3F)
_MAX_BYTES = const(15)  # 8 + 3 + 7 + 7 * 4 + 1 + 68 bits at most (a presence map means fewer values)


def scale(value, decimals, to_decimals, lo, step, lowest, highest):
    # value in units of 10**-decimals -> (value - lo) / step, with lo and step in units of
    # 10**-to_decimals; halves round up; clamped to lowest..highest
    if decimals > to_decimals:
        f = 10 ** (decimals - to_decimals)
        lo *= f
        step *= f
    else:
        value *= 10 ** (to_decimals - decimals)
    c = (value - lo + step // 2) // step
    return lowest if c < lowest else highest if c > highest else c


def reading(channels, quantity):
    # The value a payload carries for quantity -> (integer, decimals), or None: no sensor has it, or
    # the first one that has it is not ok.
    for c in channels:
        q = c.quantities
        for i in range(len(q)):
            if q[i][0] == quantity:
                return (c.summary[3 * i], q[i][2]) if c.health == OK else None
    return None


def health_code(health):
    try:
        return HEALTH.index(health)
    except ValueError:
        return OTHER


def _put(buf, pos, value, bits):
    # the low `bits` bits of value into the zeroed buf at bit pos, most significant first -> next pos
    while bits:
        free = 8 - (pos & 7)
        take = free if free < bits else bits
        bits -= take
        buf[pos >> 3] |= ((value >> bits) & ((1 << take) - 1)) << (free - take)
        pos += take
    return pos


def encode(seq, channels):
    # channels: node.pipeline.Channel after summarize() (name, health, quantities, out), config order
    buf = bytearray(_MAX_BYTES)
    pos = _put(buf, 0, seq, SEQ_BITS)
    n = len(channels) if len(channels) < MAX_SENSORS else MAX_SENSORS
    pos = _put(buf, pos, n, 3)
    for i in range(n):
        pos = _put(buf, pos, 1 if channels[i].health == OK else 0, 1)
    for i in range(n):
        if channels[i].health != OK:
            pos = _put(buf, pos, health_code(channels[i].health), 4)
    codes = []
    mask = 0
    for j in range(len(FIELDS)):
        f = FIELDS[j]
        r = reading(channels, f[0])
        if r is not None:
            mask |= 0x20 >> j
            codes.append(scale(r[0], r[1], f[1], f[2], f[3], 0, f[5]))
    if mask == _ALL:
        pos = _put(buf, pos, 1, 1)
    else:
        pos = _put(buf, pos, 0, 1)
        pos = _put(buf, pos, mask, 6)
    k = 0
    for j in range(len(FIELDS)):
        if mask & (0x20 >> j):
            pos = _put(buf, pos, codes[k], FIELDS[j][4])
            k += 1
    return bytes(buf[:(pos + 7) >> 3])
