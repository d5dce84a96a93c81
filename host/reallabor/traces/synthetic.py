"""Synthetic traces, physically plausible: a day's weather (a courtyard) or a day in a makerspace
room is turned into the bytes the sensors would send, by inverting the firmware's own conversions
(BME280 compensation, Sensirion and BH1750 formulas) or by packing datasheet frame layouts (floats,
UART frames). Fault traces add what goes wrong in the field."""

import math
import random
import struct
from pathlib import Path

from reallabor.firmware import devicecode
from reallabor.firmware.devicecode import firmware_module
from reallabor.traces import fileformat

# Calibration: T and P words are the BMP280 datasheet's example (section 3.12); the humidity words
# are of the size real BME280 parts carry.
CALIBRATION = dict(
    T=(27504, 26435, -1000),
    P=(36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000),
    H=(75, 362, 0, 313, 50, 30),
)
ADDR = 0x76
MINUTE_MS = 60_000


def calibration_bytes(cal=CALIBRATION) -> tuple[bytes, bytes]:
    """-> (26 bytes from 0x88, 7 bytes from 0xE1) as the chip stores them."""
    tp = struct.pack("<HhhHhhhhhhhh", *cal["T"], *cal["P"]) + bytes((0, cal["H"][0]))
    _, h2, h3, h4, h5, h6 = cal["H"]
    e4 = (h4 >> 4) & 0xFF
    e5 = (h4 & 0x0F) | ((h5 & 0x0F) << 4)
    e6 = (h5 >> 4) & 0xFF
    return tp, struct.pack("<hBBBBb", h2, h3, e4, e5, e6, h6)


def _invert(f, target, increasing=True, lo=0, hi=(1 << 20) - 1):
    """Smallest raw value whose compensated output reaches target (f monotonic in raw)."""
    while lo < hi:
        mid = (lo + hi) // 2
        reached = f(mid) >= target if increasing else f(mid) <= target
        if reached:
            hi = mid
        else:
            lo = mid + 1
    return lo


def raw_for(temperature_c: float, pressure_hpa: float, humidity: float | None, cal=CALIBRATION) -> bytes:
    """Register bytes 0xF7.. (8 with humidity, 6 without) that compensate to the given values."""
    bme = firmware_module("node.sensors.bme280")
    tp, h = calibration_bytes(cal)
    c = bme.parse_calibration(tp, h)
    adc_t = _invert(lambda a: bme.compensate_t(c, a)[0], round(temperature_c * 100))
    _, t_fine = bme.compensate_t(c, adc_t)
    adc_p = _invert(lambda a: (bme.compensate_p(c, a, t_fine) + 128) >> 8, round(pressure_hpa * 100), increasing=False)
    out = struct.pack(">I", adc_p << 4)[1:] + struct.pack(">I", adc_t << 4)[1:]
    if humidity is not None:
        adc_h = _invert(lambda a: (bme.compensate_h(c, a, t_fine) * 100 + 512) >> 10, round(humidity * 100), hi=0xFFFF)
        out += struct.pack(">H", adc_h)
    return out


def courtyard_day(minutes: int, seed: int):
    """(temperature degC, pressure hPa, humidity %RH) per minute of a fair spring day in a courtyard:
    coolest before sunrise, warmest mid-afternoon, humidity moving against temperature, pressure
    slowly falling with the small semi-diurnal tide on top."""
    rng = random.Random(seed)
    for m in range(minutes):
        hour = m / 60
        daily = math.sin(2 * math.pi * (hour - 9) / 24)  # -1 at 03:00, +1 at 15:00
        temperature = 14.0 + 7.0 * daily + rng.gauss(0, 0.05)
        humidity = min(98.0, max(5.0, 62.0 - 24.0 * daily + rng.gauss(0, 0.3)))
        pressure = 1016.0 - 0.25 * hour + 0.4 * math.sin(2 * math.pi * hour / 12) + rng.gauss(0, 0.02)
        yield temperature, pressure, humidity


def sensor_entry(config: dict) -> dict:
    """A header's sensor entry: the config entry and, for I2C chips, what the chip itself can do
    (the fastest clock it follows, how long it takes to power up), from the firmware's sensor table."""
    entry = dict(config)
    if "addr" in config:
        max_hz, power_up_ms = devicecode.config().chip_facts(config["type"])
        entry.update({k: v for k, v in (("i2c_max_hz", max_hz), ("power_up_ms", power_up_ms)) if v})
    return entry


def bus_settings(sensors: list[dict]) -> dict:
    """The I2C bus settings a node with these sensors needs (docs/boards.md): an SCD30 stretches
    the clock longer than the ESP32's controller waits and follows at most 100 kHz, so its bus is a
    software one at 50 kHz; an SPS30 needs 100 kHz or less."""
    out = {}
    for s in sensors:
        if s["type"] == "scd30":
            out[s["bus"]] = {"freq": 50000, "soft": True, "timeout_us": 200000}
        elif s.get("i2c_max_hz") and s["bus"] not in out:
            out[s["bus"]] = {"freq": s["i2c_max_hz"]}
    return out


def _header(kind: str, minutes: int, description: str, **extra) -> dict:
    return {
        "format": fileformat.FORMAT,
        "version": fileformat.VERSION,
        "board": "esp32-devkitc",
        "source": "synthetic",
        "start": "2026-05-14T00:00:00Z",
        "interval_ms": MINUTE_MS,
        "sensors": [sensor_entry({"type": kind, "bus": "i2c0", "addr": ADDR})],
        "description": description,
        **extra,
    }


def bme_day(kind: str = "bme280", minutes: int = 24 * 60, seed: int = 1) -> tuple[dict, list[dict]]:
    records = bme_setup(kind=kind)
    for m, (t, p, rh) in enumerate(courtyard_day(minutes, seed)):
        raw = raw_for(t, p, rh if kind == "bme280" else None)
        records.append({"t": m * MINUTE_MS, "bus": "i2c0", "addr": ADDR, "w": "f7", "r": raw.hex()})
    text = f"Synthetic courtyard day, {minutes} min at one sample a minute, {kind.upper()} at 0x76 (seed {seed})."
    return _header(kind, minutes, text), records


def courtyard_days(path, days: int, every_min: int):
    """A trace file of the courtyard BME280 for days, one reading every every_min minutes (the long
    replays of the tests and the bench)."""
    header, records = bme_day(minutes=days * 24 * 60)
    step = every_min * MINUTE_MS
    header.update(interval_ms=step, end_ms=days * 24 * 60 * MINUTE_MS - step,
                  description=f"Synthetic courtyard, {days} days at one sample every {every_min} min (seed 1).")
    fileformat.write(path, header, [r for r in records if r["t"] % step == 0])
    return path


def missing_sensor(minutes: int = 60) -> tuple[dict, list[dict]]:
    text = "A BME280 is configured at 0x76 but nothing answers on the bus (unplugged or wrong address)."
    return _header("bme280", minutes, text, end_ms=minutes * MINUTE_MS), []


# --- The sensor suite in a makerspace room --------------------------------------------------------

def _episode(hour: float, start: float, hours: float, peak: float) -> float:
    """A source of particles switched on at start for hours: quick rise, exponential decay after."""
    if hour < start:
        return 0.0
    if hour < start + hours:
        return peak * (1 - math.exp(-(hour - start) * 8))
    return peak * (1 - math.exp(-hours * 8)) * math.exp(-(hour - start - hours) * 3)


_PEOPLE = ((0, 0), (8.5, 0), (9.5, 8), (12, 8), (12.25, 3), (13.25, 3), (13.5, 10), (17.5, 10), (18.25, 0),
           (19, 0), (19.25, 12), (21.5, 12), (22, 0), (24, 0))


def occupancy(hour: float) -> float:
    """People in the room: workshop day 09:30-18:00 with a lunch break, an evening workshop 19:15-21:30."""
    for (h0, p0), (h1, p1) in zip(_PEOPLE, _PEOPLE[1:]):
        if h0 <= hour <= h1:
            return p0 + (p1 - p0) * (hour - h0) / (h1 - h0)
    return 0.0


def room_day(minutes: int = 24 * 60, seed: int = 3) -> list[dict]:
    """Per minute, what is in the air of a makerspace room with a south window, from midnight: CO2
    following occupancy (5 ppm a minute per person, 3 air changes an hour toward 420 ppm outdoors),
    particulate episodes (morning traffic through the open window, soldering at noon, the laser
    cutter in the evening workshop), daylight following the sun (05:30-20:30) under drifting clouds,
    lamps while people are in and it is dark; temperature and humidity from people, sun and weather."""
    rng = random.Random(seed)
    weather = list(courtyard_day(minutes, seed))
    co2, cloud = 430.0, 0.8
    out = []
    for m in range(minutes):
        hour = m / 60
        people = occupancy(hour)
        co2 += 5.0 * people - 0.05 * (co2 - 420.0) + rng.gauss(0, 2)
        sun = max(0.0, math.sin(math.pi * (hour - 5.5) / 15))
        cloud = min(1.0, max(0.3, cloud + rng.gauss(0, 0.03)))
        daylight = 18000 * sun ** 1.5 * cloud
        outdoor_t, pressure, outdoor_rh = weather[m]
        pm = max(0.5, 5.0 + 1.5 * math.sin(2 * math.pi * hour / 24) + _episode(hour, 7.5, 1.0, 14)
                 + _episode(hour, 12.2, 0.6, 35) + _episode(hour, 19.6, 0.7, 55) + rng.gauss(0, 0.4))
        dust = 1.5 * math.sqrt(people)  # coarse particles stirred up by people
        out.append({
            "temperature": 20.5 + 0.12 * people + 0.08 * (outdoor_t - 14) + 1.2 * sun * cloud + rng.gauss(0, 0.03),
            "humidity": min(95.0, max(15.0, 42.0 + 0.9 * people + 0.15 * (outdoor_rh - 62) + rng.gauss(0, 0.2))),
            "pressure": pressure,
            "co2": co2,
            "illuminance": daylight + (350 if people and daylight < 300 else 0),
            "pm1": 0.68 * pm, "pm2_5": pm, "pm4": 1.12 * pm + 0.5 * dust, "pm10": 1.25 * pm + dust,
        })
    return out


# How each sensor type sees the room: its own small offsets (a board warmed by its neighbours, the
# SCD4x's remaining self-heating, hygroscopic growth in the optical PM sensors).
_BIAS = {
    "bme280": {"temperature": 0.3, "humidity": -1.0},
    "sht3x": {"temperature": -0.1, "humidity": 0.8},
    "scd4x": {"temperature": 0.6, "humidity": -1.5},
    "scd30": {"temperature": 0.4, "humidity": -2.0},
}
_GAIN = {"scd30": {"co2": 1.02}, "sds011": {"pm2_5": 1.15, "pm10": 1.2}, "pms5003": {"pm2_5": 1.1, "pm10": 1.05}}
QUANTITIES = {
    "bme280": ("temperature", "pressure", "humidity"), "sht4x": ("temperature", "humidity"),
    "sht3x": ("temperature", "humidity"), "scd4x": ("co2", "temperature", "humidity"),
    "scd30": ("co2", "temperature", "humidity"), "sps30": ("pm1", "pm2_5", "pm4", "pm10"),
    "sds011": ("pm2_5", "pm10"), "pms5003": ("pm1", "pm2_5", "pm10"), "bh1750": ("illuminance",),
}


def reading(kind: str, air: dict) -> dict:
    """What a sensor of this type reads from one minute of room_day()."""
    return {q: air[q] * _GAIN.get(kind, {}).get(q, 1.0) + _BIAS.get(kind, {}).get(q, 0.0) for q in QUANTITIES[kind]}


def crc8(data: bytes) -> int:
    """Sensirion CRC-8: polynomial 0x31, init 0xFF (written apart from the firmware's on purpose)."""
    crc = 0xFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x31) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def words(*values: int) -> str:
    """Sensirion reply: each 16-bit word big-endian followed by its CRC."""
    return b"".join(struct.pack(">H", v) + bytes((crc8(struct.pack(">H", v)),)) for v in values).hex()


def command(cmd: int, arg: int | None = None) -> str:
    """A Sensirion command as written: 16 bits, and an argument word with its CRC."""
    return f"{cmd:04x}" + ("" if arg is None else words(arg))


def float_words(*values: float) -> list[int]:
    """IEEE 754 single big-endian, as two words each (SCD30)."""
    return [w for v in values for w in struct.unpack(">HH", struct.pack(">f", v))]


def _raw16(f, value: float, decimals: int = 2) -> int:
    """Smallest 16-bit raw value the firmware converts to the value at its resolution."""
    return _invert(f, round(value * 10**decimals), hi=0xFFFF)


def sds011_frame(cmd: int, data: bytes) -> str:
    """A 10-byte SDS011 reply: AA <cmd> <6 data bytes> <low byte of their sum> AB."""
    return (bytes((0xAA, cmd)) + data + bytes((sum(data) & 0xFF, 0xAB))).hex()


def sds011_command(cmd: int, *data: int) -> str:
    """A 19-byte SDS011 command to all devices (id FF FF)."""
    body = bytes((cmd, *data)) + bytes(12 - len(data)) + b"\xff\xff"
    return (b"\xaa\xb4" + body + bytes((sum(body) & 0xFF, 0xAB))).hex()


def pms_frame(words16: list[int]) -> str:
    """A PMS5003 frame: 42 4D, length, the words, and the 16-bit sum of everything before it."""
    body = b"BM" + struct.pack(">H", 2 * len(words16) + 2) + b"".join(struct.pack(">H", w) for w in words16)
    return (body + struct.pack(">H", sum(body))).hex()


def pms_command(cmd: int, data: int) -> str:
    body = bytes((0x42, 0x4D, cmd, 0, data))
    return (body + struct.pack(">H", sum(body))).hex()


SDS_ID = b"\xa1\x60"  # the device id a unit reports


class Suite:
    """Records for one sensor in a synthetic trace: setup answers at t = 0, then per minute the
    answer to the reading command. Faults change what the sensor does from a given minute on."""

    def __init__(self, kind: str, bus: str, addr: int | None = None, **options):
        self.kind, self.bus, self.addr = kind, bus, addr
        self.config = {"type": kind, "bus": bus, **({"addr": addr} if addr is not None else {}), **options}
        self.options = options
        self.fault, self.fault_from = None, None
        self.rng = random.Random(kind)

    def broken(self, fault: str, minute: int) -> "Suite":
        self.fault, self.fault_from = fault, minute
        return self

    def _i2c(self, t: int, **fields) -> dict:
        return {"t": t, "bus": self.bus, "addr": self.addr, **fields}

    def _uart(self, t: int, w: str, rx: str) -> dict:
        return {"t": t, "bus": self.bus, "w": w, "rx": rx}

    def records(self, air: list[dict]) -> list[dict]:
        late = self.fault == "late" and self.fault_from or 0
        out = self.setup(late * MINUTE_MS) if self.fault != "silent" else []
        frozen = None
        for m, a in enumerate(air):
            if m < late or self.fault == "silent":
                continue
            faulty = self.fault is not None and m >= self.fault_from
            if faulty and self.fault == "stuck":
                frozen = frozen or a  # a dead sensor repeating its last reading
                a = frozen
            out += self.sample(m * MINUTE_MS, reading(self.kind, a), faulty)
        return out

    def setup(self, t: int) -> list[dict]:
        """What the sensor answers and takes from t on (the commands of docs/trace-format.md)."""
        k = self.kind
        if k == "sht4x":
            return [self._i2c(t, w="89", r=words(0x1234, 0x5678))]  # serial number
        if k == "sht3x":
            return [self._i2c(t, w="f32d", r=words(0x0000))]  # status: no alerts
        if k == "scd4x":
            single = self.options.get("mode") == "single"
            takes = [command(0x3F86), command(0x2416, 1), command(0x2427, 0)]  # stop, ASC on, altitude 0 m
            takes.append(command(0x219D) if single else command(0x21B1))  # single shot, or start periodic
            return ([self._i2c(t, w="e4b8", r=words(0x8006))]  # data ready (lowest 11 bits not 0)
                    + [self._i2c(t, w=w) for w in takes])
        if k == "scd30":
            # data ready; start continuous measurement without pressure compensation; stop (deep sleep)
            return [self._i2c(t, w="0202", r=words(1)), self._i2c(t, w=command(0x0010, 0)),
                    self._i2c(t, w=command(0x0104))]
        if k == "sps30":
            # data ready; stop (idle); start with the uint16 output format
            return [self._i2c(t, w="0202", r=words(1)), self._i2c(t, w=command(0x0104)),
                    self._i2c(t, w=command(0x0010, 0x0500))]
        if k == "bh1750":
            return [self._i2c(t, w="01")]  # power on
        if k == "sds011":
            return [self._uart(t, sds011_command(6, 1, 1), sds011_frame(0xC5, b"\x06\x01\x01\x00" + SDS_ID)),
                    self._uart(t, sds011_command(2, 1, 1), sds011_frame(0xC5, b"\x02\x01\x01\x00" + SDS_ID)),
                    self._uart(t, sds011_command(6, 1, 0), sds011_frame(0xC5, b"\x06\x01\x00\x00" + SDS_ID))]
        if k == "pms5003":
            return [self._uart(t, pms_command(0xE4, 1), ""),  # waking up it says nothing
                    self._uart(t, pms_command(0xE4, 0), pms_frame([0xE400])),
                    self._uart(t, pms_command(0xE1, 0), pms_frame([0xE100]))]
        return []  # BME280 setup comes from bme_setup()

    def sample(self, t: int, v: dict, faulty: bool) -> list[dict]:
        k, fault = self.kind, self.fault if faulty else None
        if fault == "gone":
            return [self._i2c(t, ack=False)] if t == self.fault_from * MINUTE_MS else []
        if fault == "stale":  # answers, but the data-ready flag never comes back
            return [self._i2c(t, w="e4b8", r=words(0x8000))] if t == self.fault_from * MINUTE_MS else []
        if k in ("sht4x", "sht3x"):
            sht = firmware_module("node.sensors.sht")
            rh = sht.humidity_sht4x if k == "sht4x" else sht.humidity_sht3x
            r = words(_raw16(sht.temperature, v["temperature"]), _raw16(rh, v["humidity"]))
            if fault == "crc":
                r = r[:-2] + "%02x" % (int(r[-2:], 16) ^ 0x5A)  # a flipped bit pattern in the RH CRC
            return [self._i2c(t, w="fd" if k == "sht4x" else "2400", r=r)]
        if k == "scd4x":
            scale = firmware_module("node.sensors.sensirion").scale
            raw_t = _raw16(lambda raw: scale(raw, 17500) - 4500, v["temperature"])
            raw_rh = _raw16(lambda raw: scale(raw, 10000), v["humidity"])
            return [self._i2c(t, w="ec05", r=words(round(v["co2"]), raw_t, raw_rh))]
        if k == "scd30":
            co2 = 0.0 if fault == "zero" else v["co2"]  # a broken SCD30 reports 0 ppm
            # it holds the clock 30 ms on a read, once a day (its calibration, at 03:00) 150 ms
            stretch = 150_000 if t % (24 * 60 * MINUTE_MS) == 3 * 60 * MINUTE_MS else 30_000
            return [self._i2c(t, w="0300", r=words(*float_words(co2, v["temperature"], v["humidity"])),
                              stretch_us=stretch)]
        if k == "sps30":
            mass = [round(v[q]) for q in ("pm1", "pm2_5", "pm4", "pm10")]
            number = [round(m * f) for m, f in zip(mass + mass[-1:], (7.2, 8.4, 8.6, 8.7, 8.7))]
            return [self._i2c(t, w="0300", r=words(*mass, *number, 540))]  # typical particle size 540 nm
        if k == "bh1750":
            count = _invert(firmware_module("node.sensors.bh1750").lux_tenths, round(v["illuminance"] * 10), hi=0xFFFF)
            return [self._i2c(t, w="20", r=struct.pack(">H", count).hex())]
        if k == "sds011":
            if fault == "quiet":  # from now on it answers nothing at all
                commands = (sds011_command(4), sds011_command(6, 1, 1), sds011_command(2, 1, 1), sds011_command(6, 1, 0))
                return [self._uart(t, c, "") for c in commands] if t == self.fault_from * MINUTE_MS else []
            data = struct.pack("<HH", round(v["pm2_5"] * 10), round(v["pm10"] * 10)) + SDS_ID
            frame = sds011_frame(0xC0, data)
            if fault == "checksum":
                frame = frame[:-4] + "%02x" % ((int(frame[-4:-2], 16) + 1) & 0xFF) + "ab"
            return [self._uart(t, sds011_command(4), frame)]
        if k == "pms5003":
            pm = [round(v[q]) for q in ("pm1", "pm2_5", "pm10")]
            counts = [round(pm[1] * f) for f in (180, 52, 9, 1.2, 0.3, 0.1)]
            frame = pms_frame(pm + pm + counts + [0x9700])  # CF=1 and atmospheric alike indoors
            if fault == "garbage":  # from then on only noise comes back
                return [self._uart(t, pms_command(0xE2, 0), self._noise(40))]
            if self.fault == "garbage":  # noise around the frames before that
                return [self._uart(t, pms_command(0xE2, 0), self._noise(10) + "424d0010" + self._noise(6) + frame),
                        {"t": t + 30_000, "bus": self.bus, "rx": self._noise(24)}]
            return [self._uart(t, pms_command(0xE2, 0), frame)]
        raise ValueError(k)

    def _noise(self, n: int) -> str:
        """Random bytes without the frame header 42 4D."""
        return bytes(self.rng.choice([b for b in range(256) if b != 0x42]) for _ in range(n)).hex()


def bme_setup(addr: int = ADDR, bus: str = "i2c0", kind: str = "bme280") -> list[dict]:
    """What a BME280 (or BMP280) answers and takes (docs/trace-format.md): chip id, calibration,
    status idle; config 0 (IIR off), ctrl_hum and ctrl_meas for oversampling 1 in forced mode."""
    tp, h = calibration_bytes()
    humid = kind == "bme280"
    records = [{"t": 0, "bus": bus, "addr": addr, "w": "d0", "r": "60" if humid else "58"},
               {"t": 0, "bus": bus, "addr": addr, "w": "88", "r": tp.hex()}]
    if humid:
        records.append({"t": 0, "bus": bus, "addr": addr, "w": "e1", "r": h.hex()})
    records.append({"t": 0, "bus": bus, "addr": addr, "w": "f3", "r": "00"})  # status: idle
    for write in ("f500", "f201", "f425") if humid else ("f500", "f425"):
        records.append({"t": 0, "bus": bus, "addr": addr, "w": write})
    return records


def suite_trace(parts: list[Suite], minutes: int, first_minute: int, description: str,
                bme: bool = False, seed: int = 3) -> tuple[dict, list[dict]]:
    """A trace of the room from first_minute for minutes, through the given sensors (and a BME280)."""
    air = room_day(first_minute + minutes, seed)[first_minute:]
    records = []
    sensors = []
    pressures = []  # (minute, hPa) whenever the BME280's rounded pressure changes
    if bme:
        records += bme_setup()
        sensors.append(sensor_entry({"type": "bme280", "bus": "i2c0", "addr": ADDR}))
        for m, a in enumerate(air):
            v = reading("bme280", a)
            raw = raw_for(v["temperature"], v["pressure"], v["humidity"])
            records.append({"t": m * MINUTE_MS, "bus": "i2c0", "addr": ADDR, "w": "f7", "r": raw.hex()})
            hpa = (compensated_pressure(raw) + 50) // 100  # as node.app hands it to an SCD4x
            if not pressures or pressures[-1][1] != hpa:
                pressures.append((m, hpa))
    for part in parts:
        records += part.records(air)
        sensors.append(sensor_entry(part.config))
        if part.kind == "scd4x":  # it takes the node's pressure (set_ambient_pressure) as it changes
            records += [part._i2c(m * MINUTE_MS, w=command(0xE000, hpa)) for m, hpa in pressures]
    records.sort(key=lambda r: r["t"])  # stable: a minute's records keep their order
    start = f"2026-05-14T{first_minute // 60:02d}:{first_minute % 60:02d}:00Z"
    header = {
        "format": fileformat.FORMAT, "version": fileformat.VERSION, "board": "esp32-devkitc", "source": "synthetic",
        "start": start, "interval_ms": MINUTE_MS, "end_ms": (minutes - 1) * MINUTE_MS, "sensors": sensors,
        "description": description,
    }
    if bus_settings(sensors):
        header["i2c"] = bus_settings(sensors)
    return header, records


def compensated_pressure(raw: bytes, cal=CALIBRATION) -> int:
    """The BME280's pressure in 0.01 hPa from its data registers, as the firmware computes it."""
    bme = firmware_module("node.sensors.bme280")
    c = bme.parse_calibration(*calibration_bytes(cal))
    adc_p = (raw[0] << 12) | (raw[1] << 4) | (raw[2] >> 4)
    adc_t = (raw[3] << 12) | (raw[4] << 4) | (raw[5] >> 4)
    return (bme.compensate_p(c, adc_p, bme.compensate_t(c, adc_t)[1]) + 128) >> 8


# Where each sensor sits by default in the suite traces.
PLACES = {"sht4x": ("i2c0", 0x44), "sht3x": ("i2c0", 0x45), "scd4x": ("i2c0", 0x62), "scd30": ("i2c0", 0x61),
          "sps30": ("i2c0", 0x69), "bh1750": ("i2c0", 0x23), "sds011": ("uart1", None), "pms5003": ("uart2", None)}


def part(kind: str, **options) -> Suite:
    bus, addr = PLACES[kind]
    return Suite(kind, bus, addr, **options)


HOUR_MINUTES = 60
MORNING = 9 * 60  # people arrive: CO2 rises


def one_hour(kind: str, **options) -> tuple[dict, list[dict]]:
    what = ", ".join(f"{k} {v}" for k, v in options.items())
    return suite_trace([part(kind, **options)], HOUR_MINUTES, MORNING,
                       f"Synthetic makerspace room 09:00-10:00, {kind.upper()}{' (' + what + ')' if what else ''} "
                       "alone, one sample a minute; people arrive.")


def fault(kind: str, name: str, minute: int, text: str, minutes: int = HOUR_MINUTES, **options) -> tuple[dict, list[dict]]:
    return suite_trace([part(kind, **options).broken(name, minute), part("sht4x" if kind != "sht4x" else "bh1750")],
                       minutes, MORNING, f"Synthetic fault: {text} A healthy second sensor keeps publishing.")


MULTI_DAY = ("sht4x", "sht3x", "scd4x", "scd30", "sps30", "sds011", "pms5003", "bh1750")


def makerspace_day() -> tuple[dict, list[dict]]:
    return suite_trace([part(k) for k in MULTI_DAY], 24 * 60, 0,
                       "Synthetic makerspace day, every supported sensor on one node, one sample a minute: CO2 "
                       "following occupancy, particulate episodes at 07:30, 12:10 and 19:35, daylight following "
                       "the sun. The SCD4x gets the BME280's pressure.", bme=True)


# A node as the real-lab and the workshops build it: BME280 (pressure), SHT4x (accurate temperature
# and humidity), SCD41 (CO2), SDS011 (particulate matter, UART), BH1750 (light).
KIT_DAY = ("sht4x", "scd4x", "sds011", "bh1750")


def kit_day() -> tuple[dict, list[dict]]:
    return suite_trace([part(k) for k in KIT_DAY], 24 * 60, 0,
                       "Synthetic makerspace day, the workshop kit on one node (BME280, SHT4x, SCD41, SDS011, "
                       "BH1750), one sample a minute: CO2 following occupancy, particulate episodes at 07:30, "
                       "12:10 and 19:35, daylight following the sun. The SCD4x gets the BME280's pressure.", bme=True)


# Keys of the sample LoRa node (not a real device's): the replay's network server knows them too.
LORA_SAMPLE_KEYS = {"dev_eui": "70B3D57ED0000001", "join_eui": "70B3D57ED0000000",
                    "app_key": "2B7E151628AED2A6ABF7158809CF4F3C"}
LORA_INTERVAL_MS = 5 * MINUTE_MS  # within the fair-use budget at SF7 (docs/lorawan.md)


def lora_day() -> tuple[dict, list[dict]]:
    """The courtyard day on a Heltec WiFi LoRa 32 V3 that sends over LoRaWAN every 5 minutes: the
    BME280 on the board's i2c0 (the Ve header), the keys in the header (a replay without --config
    runs a LoRa node)."""
    header, records = bme_day("bme280", 24 * 60, seed=1)
    every = LORA_INTERVAL_MS // MINUTE_MS
    records = [r for r in records if r["t"] == 0 or r["w"] != "f7" or (r["t"] // MINUTE_MS) % every == 0]
    header.update(board="heltec-wifi-lora32-v3", interval_ms=LORA_INTERVAL_MS, lora=dict(LORA_SAMPLE_KEYS),
                  end_ms=24 * 60 * MINUTE_MS - 1,
                  description="Synthetic courtyard day (seed 1) on a Heltec WiFi LoRa 32 V3, BME280 at 0x76 on "
                              "i2c0, one LoRaWAN uplink every 5 minutes (sample keys in the header).")
    return header, records


SAMPLES = {
    "courtyard-24h-bme280.jsonl": lambda: bme_day("bme280", 24 * 60, seed=1),
    "courtyard-2h-bmp280.jsonl": lambda: bme_day("bmp280", 2 * 60, seed=2),
    "missing-sensor-bme280.jsonl": lambda: missing_sensor(60),
    "makerspace-24h-kit.jsonl": kit_day,
    "courtyard-24h-lora.jsonl": lora_day,
    "makerspace-24h-multi.jsonl": makerspace_day,
    "sht4x-1h.jsonl": lambda: one_hour("sht4x"),
    "sht3x-1h.jsonl": lambda: one_hour("sht3x"),
    "scd4x-1h.jsonl": lambda: one_hour("scd4x"),
    "scd41-single-shot-1h.jsonl": lambda: one_hour("scd4x", mode="single"),
    "scd30-1h.jsonl": lambda: one_hour("scd30"),
    "sps30-1h.jsonl": lambda: one_hour("sps30"),
    "sds011-1h.jsonl": lambda: one_hour("sds011"),
    "pms5003-1h.jsonl": lambda: one_hour("pms5003"),
    "bh1750-1h.jsonl": lambda: one_hour("bh1750"),
    "sht4x-crc-error.jsonl": lambda: fault("sht4x", "crc", 30, "from minute 30 the SHT4x's humidity CRC is wrong."),
    "sht3x-stops-answering.jsonl": lambda: fault("sht3x", "gone", 40, "at minute 40 the SHT3x stops answering its address."),
    "scd4x-stale.jsonl": lambda: fault("scd4x", "stale", 30, "from minute 30 the SCD4x answers but never has new data."),
    "scd4x-stuck.jsonl": lambda: fault("scd4x", "stuck", 20, "from minute 20 the SCD4x repeats one reading.", 2 * HOUR_MINUTES),
    "scd30-out-of-range.jsonl": lambda: fault("scd30", "zero", 30, "from minute 30 the SCD30 reports 0 ppm CO2."),
    "sps30-appears-late.jsonl": lambda: fault("sps30", "late", 20, "the SPS30 is plugged in at minute 20."),
    "bh1750-stops-answering.jsonl": lambda: fault("bh1750", "gone", 30, "at minute 30 the BH1750 stops answering its address."),
    "sds011-silent.jsonl": lambda: fault("sds011", "silent", 0, "the SDS011 never sends a byte (TX not connected)."),
    "sds011-goes-silent.jsonl": lambda: fault("sds011", "quiet", 30, "from minute 30 the SDS011 no longer answers."),
    "sds011-checksum.jsonl": lambda: fault("sds011", "checksum", 30, "from minute 30 the SDS011's frame checksums are wrong."),
    "pms5003-garbage.jsonl": lambda: fault("pms5003", "garbage", 40, "noise on the PMS5003's line around every frame; "
                                           "from minute 40 only noise."),
}


def write_samples(directory: Path) -> list[Path]:
    written = []
    for name, make in SAMPLES.items():
        header, records = make()
        path = directory / name
        fileformat.write(path, header, records)
        written.append(path)
    return written
