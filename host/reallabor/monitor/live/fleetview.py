"""The technician's view of the fleet: every provisioned device (and every device that sends
without being in the inventory), its state, last contact, readings missing by seq gaps, battery,
signal, firmware and sensor health, with its problems as message keys; worst first."""

from dataclasses import dataclass

# When something counts as a problem (docs/live.md, "Fleet view").
BATTERY_LOW_MV = 3400  # a 1-cell LiPo below this has little left
RSSI_WEAK_DBM = {"mqtt": -80, "tts": -120}  # Wi-Fi; LoRa (SF7..SF12 reach down to about -137)
LATE_GRACE_S = 120  # a sleeping node is late this long after its wake time
SILENT_INTERVALS = 3  # an online node that sent nothing for this many intervals is silent
GAP_WINDOW_S = 86400  # seq gaps are counted over the last day
QUIET_HEALTH = ("ok", "warming_up")


@dataclass(frozen=True)
class Device:
    """A provisioned device as the live view knows it from the inventory."""

    id: str
    name: str
    site: str
    prefix: str = "reallabor"
    board: str = ""
    discovery: bool = False


def load_roster(data, site: str | None) -> dict:
    """{device id: Device} from the inventory (of one site, or all)."""
    from reallabor.fleet.inventory import Inventory

    inventory = Inventory(data)
    records = inventory.select("site = ?", (site,)) if site else inventory.select()
    return {r.id: Device(r.id, r.name, r.site, r.prefix, r.board, bool(getattr(r, "discovery", 0))) for r in records}


def _problem(key: str, severity: int, **params) -> dict:
    return {"key": key, "severity": severity, "params": params}


def rows(roster: dict, devices: list[dict], gaps: dict, counters: dict, since_of, interval_of, now: float,
         rate: float = 1.0) -> list[dict]:
    """roster: {id: Device}; devices: LiveState.snapshot(); gaps, counters: Store.gaps/counters;
    since_of(id) -> when the current status began; interval_of(id) -> seconds between readings;
    rate: how much faster than the wall clock time runs (the demo's), for the grace of a late node."""
    seen = {d["device"]: d for d in devices}
    out = []
    for device_id in sorted(set(roster) | set(seen)):
        known, live = roster.get(device_id), seen.get(device_id)
        out.append(_row(device_id, known, live, gaps.get(device_id, (0, 0)), counters.get(device_id, (0, 0)),
                        since_of, interval_of, now, LATE_GRACE_S * max(1.0, rate)))
    out.sort(key=lambda r: (-r["severity"], r["name"].lower(), r["device"]))
    return out


def _row(device_id, known, live, gap, counter, since_of, interval_of, now, grace) -> dict:
    problems = []
    status = (live or {}).get("status") or {}
    node = (live or {}).get("node") or {}
    source = (live or {}).get("source", "mqtt")
    last_t = (live or {}).get("t")
    last_seen = max(filter(None, [(live or {}).get("received"), status.get("received") if not status.get("retained")
                                  else None]), default=None)
    state, since = "never", None
    if live and (last_t is not None or status):
        state = status.get("state") or "online"
        since = since_of(device_id) if status else None
        if state == "offline":
            since = since or last_t
            problems.append(_problem("live.problem.offline", 3, since=since))
        elif state == "sleeping" and status.get("wake") and now > status["wake"] + grace:
            state = "late"
            problems.append(_problem("live.problem.late", 3, wake=status["wake"]))
        elif state == "online" and last_t is not None:
            interval = interval_of(device_id)
            if interval and now - last_t > SILENT_INTERVALS * interval:
                state = "silent"
                problems.append(_problem("live.problem.silent", 3, since=last_t))
    else:
        problems.append(_problem("live.problem.never", 2))
    if live and not known:
        problems.append(_problem("live.problem.not_provisioned", 1))
    for sensor, health in ((live or {}).get("health") or {}).items():
        if health not in QUIET_HEALTH:
            problems.append(_problem("live.problem.sensor", 2, sensor=sensor, health=health))
        elif health == "warming_up":
            problems.append(_problem("live.problem.sensor", 1, sensor=sensor, health=health))
    readings, missing = gap
    if missing:
        problems.append(_problem("live.problem.missing", 2, count=missing))
    if status.get("dropped"):
        problems.append(_problem("live.problem.dropped", 1, count=status["dropped"]))
    battery, rssi = node.get("battery_mv"), node.get("rssi_dbm")
    if battery is not None and battery < BATTERY_LOW_MV:
        problems.append(_problem("live.problem.battery", 2, volts=f"{battery / 1000:.2f}"))
    if rssi is not None and rssi < RSSI_WEAK_DBM.get(source, -80):
        problems.append(_problem("live.problem.signal", 1, dbm=rssi))
    if node.get("reset") == "watchdog":
        problems.append(_problem("live.problem.watchdog", 1))
    return {
        "device": device_id, "name": known.name if known else device_id, "site": known.site if known else
        (live or {}).get("site", ""), "board": known.board if known else "", "provisioned": bool(known),
        "state": state, "since": since, "wake": status.get("wake"), "last_seen": last_seen, "t": last_t,
        "seq": (live or {}).get("seq"), "readings": readings, "missing": missing, "dropped": status.get("dropped"),
        "duplicates": counter[0], "restarts": counter[1], "battery_mv": battery, "rssi_dbm": rssi,
        "firmware": node.get("firmware"), "reset": node.get("reset"), "uptime_s": node.get("uptime_s"),
        "heap_free": node.get("heap_free"), "health": (live or {}).get("health") or {}, "source": source,
        "problems": sorted(problems, key=lambda p: -p["severity"]),
        "severity": max((p["severity"] for p in problems), default=0),
    }
