"""Synthetic traces, physically plausible: a day's weather is turned into the raw register bytes a
BME280/BMP280 would return, by inverting the firmware's own compensation for a calibration set."""

import math
import random
import struct
from pathlib import Path

from reallabor import trace
from reallabor.devicecode import firmware_module

# Calibration: T and P words are the BMP280 datasheet's example (section 3.12); the humidity words
# are of the size real BME280 parts carry.
CALIBRATION = dict(
    T=(27504, 26435, -1000),
    P=(36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000),
    H=(75, 362, 0, 313, 50, 30),
)
ADDR = 0x76
MINUTE = 60_000


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


def _header(kind: str, minutes: int, description: str, **extra) -> dict:
    return {
        "format": trace.FORMAT,
        "version": trace.VERSION,
        "board": "esp32-devkitc",
        "source": "synthetic",
        "start": "2026-05-14T00:00:00Z",
        "interval_ms": MINUTE,
        "sensors": [{"type": kind, "bus": "i2c0", "addr": ADDR}],
        "description": description,
        **extra,
    }


def bme_day(kind: str = "bme280", minutes: int = 24 * 60, seed: int = 1) -> tuple[dict, list[dict]]:
    tp, h = calibration_bytes()
    records = [
        {"t": 0, "bus": "i2c0", "addr": ADDR, "w": "d0", "r": "60" if kind == "bme280" else "58"},
        {"t": 0, "bus": "i2c0", "addr": ADDR, "w": "88", "r": tp.hex()},
    ]
    if kind == "bme280":
        records.append({"t": 0, "bus": "i2c0", "addr": ADDR, "w": "e1", "r": h.hex()})
    records.append({"t": 0, "bus": "i2c0", "addr": ADDR, "w": "f3", "r": "00"})  # status: idle
    for m, (t, p, rh) in enumerate(courtyard_day(minutes, seed)):
        raw = raw_for(t, p, rh if kind == "bme280" else None)
        records.append({"t": m * MINUTE, "bus": "i2c0", "addr": ADDR, "w": "f7", "r": raw.hex()})
    text = f"Synthetic courtyard day, {minutes} min at one sample a minute, {kind.upper()} at 0x76 (seed {seed})."
    return _header(kind, minutes, text), records


def missing_sensor(minutes: int = 60) -> tuple[dict, list[dict]]:
    text = "A BME280 is configured at 0x76 but nothing answers on the bus (unplugged or wrong address)."
    return _header("bme280", minutes, text, end_ms=minutes * MINUTE), []


SAMPLES = {
    "courtyard-24h-bme280.jsonl": lambda: bme_day("bme280", 24 * 60, seed=1),
    "courtyard-2h-bmp280.jsonl": lambda: bme_day("bmp280", 2 * 60, seed=2),
    "missing-sensor-bme280.jsonl": lambda: missing_sensor(60),
}


def write_samples(directory: Path) -> list[Path]:
    written = []
    for name, make in SAMPLES.items():
        header, records = make()
        path = directory / name
        trace.write(path, header, records)
        written.append(path)
    return written
