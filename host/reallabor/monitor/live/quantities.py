"""What a reading means to a person: the quantities in the order a card shows them, the colour
band with its word (CO2 after the German indoor-air guide values, particulate matter after the
Umweltbundesamt's air-quality index), the WHO 2021 guideline lines for the charts, the trend arrow
and the one value per quantity that stands for a node. One home for these rules: the page gets them
from the server and never decides them itself (docs/live.md)."""

from dataclasses import dataclass

# Card and chart order; quantities a node sends that are not listed come last, in its order.
ORDER = ("co2", "pm2_5", "pm10", "temperature", "humidity", "pressure", "illuminance", "pm1", "pm4")


@dataclass(frozen=True)
class Band:
    upper: float | None  # the band holds values up to and including this (None: no upper end)
    level: int  # 1 best .. 5 worst; the page colours by level
    word: str  # message key


# CO2, ppm: Ausschuss für Innenraumrichtwerte (UBA 2008): below 1000 hygienically harmless, 1000 to
# 2000 conspicuous (ventilate), above 2000 unacceptable.
CO2_BANDS = (Band(999, 1, "live.band.co2.good"), Band(2000, 3, "live.band.co2.moderate"),
             Band(None, 5, "live.band.co2.poor"))
# Particulate matter, µg/m³: the Umweltbundesamt's air-quality index (LQI, revised 2025, hourly
# means in whole µg/m³): PM2.5 0-5 very good, 6-15 good, 16-30 moderate, 31-50 poor, above 50 very
# poor; PM10 0-9, 10-27, 28-54, 55-90, above 90.
_UBA_WORDS = ("live.band.pm.very_good", "live.band.pm.good", "live.band.pm.moderate", "live.band.pm.poor",
              "live.band.pm.very_poor")
PM2_5_BANDS = tuple(Band(u, n + 1, w) for n, (u, w) in enumerate(zip((5, 15, 30, 50, None), _UBA_WORDS)))
PM10_BANDS = tuple(Band(u, n + 1, w) for n, (u, w) in enumerate(zip((9, 27, 54, 90, None), _UBA_WORDS)))
BANDS = {"co2": CO2_BANDS, "pm2_5": PM2_5_BANDS, "pm10": PM10_BANDS}
# The UBA publishes whole µg/m³ (and CO2 is sent in whole ppm): a value is classed rounded to that.
_ROUND = {"co2": 0, "pm2_5": 0, "pm10": 0}

# Lines on the charts: (value, message key). WHO global air quality guidelines 2021, 24-hour
# means (PM2.5 15 µg/m³, PM10 45 µg/m³); for CO2 the two indoor-air guide values.
GUIDE_LINES = {
    "pm2_5": ((15, "live.line.who_24h"),),
    "pm10": ((45, "live.line.who_24h"),),
    "co2": ((1000, "live.line.co2_1000"), (2000, "live.line.co2_2000")),
}

# Trend: the newest value against the one about TREND_S earlier; a change of at least one step is
# an oblique arrow, of two steps a straight one.
TREND_S = 600
TREND_MIN_S = 180  # with less history than this there is no arrow
TREND_STEP = {"co2": 40, "temperature": 0.3, "humidity": 2, "pressure": 0.5, "pm1": 3, "pm2_5": 3, "pm4": 3,
              "pm10": 3, "illuminance": 50}


def band(quantity: str, value: float) -> Band | None:
    bands = BANDS.get(quantity)
    if not bands:
        return None
    v = round(value, _ROUND.get(quantity, 1))
    return next(b for b in bands if b.upper is None or v <= b.upper)


def trend(quantity: str, now: float, before: float | None) -> str | None:
    """"up", "rising", "steady", "falling", "down" or None (no earlier value, unknown quantity)."""
    step = TREND_STEP.get(quantity)
    if before is None or step is None:
        return None
    change = (now - before) / step
    if change >= 2:
        return "up"
    if change >= 1:
        return "rising"
    if change <= -2:
        return "down"
    if change <= -1:
        return "falling"
    return "steady"


def main_values(readings: dict) -> dict[str, tuple[str, float, str]]:
    """quantity -> (sensor, value, unit): for each quantity the first sensor (config order, as the
    node sends its readings) that has it; the same rule as the LoRaWAN payload (docs/lorawan.md)."""
    out = {}
    for sensor, quantities in readings.items():
        for quantity, r in quantities.items():
            if quantity not in out:
                out[quantity] = (sensor, float(r["value"]), r.get("unit", ""))
    return out


def order_key(quantity: str) -> tuple[int, str]:
    return (ORDER.index(quantity), "") if quantity in ORDER else (len(ORDER), quantity)


def meta() -> dict:
    """The rules as the page gets them (JSON)."""
    return {
        "order": list(ORDER),
        "bands": {q: [{"upper": b.upper, "level": b.level, "word": b.word} for b in bs] for q, bs in BANDS.items()},
        "lines": {q: [{"value": v, "label": k} for v, k in lines] for q, lines in GUIDE_LINES.items()},
    }
