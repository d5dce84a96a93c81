"""The live view's figures (bench_live): readings per second into SQLite with de-duplication (the
writer's own path, and end to end through a real Mosquitto), the time from a node's publish to the
browser's update (a real headless Chromium), and 50 Server-Sent-Event clients at once beside that
browser. Everything runs on loopback; every loop is bounded."""

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as paho

from reallabor.monitor.live import app as live_app, fleetview, wire
from reallabor.monitor.live.collector import Collector, LiveState, Source
from reallabor.monitor.live.store import Store
from reallabor.mqtt.mosquitto import Mosquitto
from reallabor.mqtt.url import parse_url

SITE = "bench"
KIT = (("bme280", (("temperature", "°C"), ("pressure", "hPa"), ("humidity", "%RH"))),
       ("sht4x", (("temperature", "°C"), ("humidity", "%RH"))),
       ("scd4x", (("co2", "ppm"), ("temperature", "°C"), ("humidity", "%RH"))),
       ("sds011", (("pm2_5", "µg/m³"), ("pm10", "µg/m³"))), ("bh1750", (("illuminance", "lx"),)))


def kit_message(device: str, seq: int, t: int, rng: random.Random) -> bytes:
    """A state message as the workshop kit sends it (11 values, 5 sensors)."""
    readings = {s: {q: {"value": round(rng.uniform(1, 1000), 2), "unit": u, "n": 1, "min": 0, "max": 0}
                    for q, u in quantities} for s, quantities in KIT}
    return json.dumps({"v": 1, "device": device, "seq": seq, "time": t, "readings": readings,
                       "health": {s: "ok" for s, _ in KIT}}, separators=(",", ":")).encode()


def messages(devices: int, per_device: int, duplicate_share: float, seed: int = 1):
    """(topic, payload) in arrival order, with QoS-1 copies of some messages right after them."""
    rng = random.Random(seed)
    now = int(time.time()) - per_device * 60
    out = []
    for seq in range(per_device):
        for d in range(devices):
            device = f"node-{d:02d}"
            item = (f"reallabor/{SITE}/{device}/state", kit_message(device, seq, now + 60 * seq, rng))
            out.append(item)
            if rng.random() < duplicate_share:
                out.append(item)
    return out


def publish(port: int, devices: int, per_device: int, duplicate_share: float) -> None:
    """Publish the bench's messages with QoS 1, as fast as the broker takes them."""
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2)
    pub.max_inflight_messages_set(1000)
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    last = None
    for topic, payload in messages(devices, per_device, duplicate_share):
        last = pub.publish(topic, payload, qos=1)
    last.wait_for_publish(120)
    pub.disconnect()
    pub.loop_stop()


def bench_ingest(devices: int = 20, per_device: int = 1000, duplicate_share: float = 0.1) -> None:
    stream = messages(devices, per_device, duplicate_share)
    unique = devices * per_device
    with tempfile.TemporaryDirectory() as work:
        store = Store(Path(work) / "h.sqlite")
        collector = Collector(store, LiveState())
        started, cpu = time.perf_counter(), time.process_time()
        batch = []
        for topic, payload in stream:  # the writer's path: parse, de-duplicate, insert, live state
            batch.append(wire.parse(topic, payload))
            if len(batch) == 500:
                collector.process(batch)
                batch = []
        collector.process(batch)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        dup = sum(d for d, _ in store.counters().values())
        rows = store.db().execute("SELECT count(*) FROM readings").fetchone()[0]
        store.close()
    print(f"live collector, writer path: {len(stream)} messages ({len(stream) - unique} copies), {rows} stored, "
          f"{dup} copies removed: {unique / took:,.0f} readings/s ({len(stream) / took:,.0f} messages/s; "
          f"{unique / cpu:,.0f} readings per CPU second; goal 5,000 readings/s)")
    assert rows == unique

    # end to end: a publisher -> Mosquitto -> the collector's paho client -> SQLite
    # (the broker may queue more than its default 1000 messages for us: the publisher is faster)
    with Mosquitto("max_queued_messages 0\n") as broker, tempfile.TemporaryDirectory() as work:
        store = Store(Path(work) / "h.sqlite")
        collector = Collector(store, LiveState()).start()
        source = Source(parse_url(broker.url), None, wire.topics({"reallabor"}, SITE), collector.put,
                        client_id="bench-live").start()
        collector.attach(source)
        started = time.perf_counter()
        # the nodes' side in a process of its own, as nodes are (in this one it would compete with
        # the collector for the interpreter lock)
        publisher = subprocess.Popen([sys.executable, "-c", f"from bench.live import publish; publish({broker.port}, "
                                      f"{devices}, {per_device}, {duplicate_share})"],
                                     env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
        deadline = time.monotonic() + 120
        while collector.ingested == 0 and time.monotonic() < deadline:
            time.sleep(0.002)
        started = time.perf_counter()  # from the first reading stored (the publisher's start-up left out)
        first = collector.ingested
        while collector.ingested < unique and time.monotonic() < deadline:
            time.sleep(0.005)
        took = time.perf_counter() - started
        got = collector.ingested
        publisher.wait(30)
        collector.stop()
        source.stop()
    print(f"live collector through Mosquitto (QoS 1 both ways, publisher in another process): {got} of {unique} "
          f"readings stored, {(got - first) / took:,.0f} readings/s")


def _chromium(url: str, work: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={work}")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.get(url)
    deadline = time.monotonic() + 20
    while not driver.execute_script("return window.reallabor && window.reallabor.connected") \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    return driver


async def _sse_clients(url: str, n: int, expect: int, got: list, ready: threading.Event, timeout_s: float):
    import aiohttp

    async def one(i, session):
        times = {}
        async with session.get(url + "api/events") as resp:
            buffer = b""
            snapshot = False
            async for chunk in resp.content.iter_any():
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    if block.startswith(b"event: snapshot"):
                        snapshot = True
                        got[i] = times
                    elif block.startswith(b"event: reading"):
                        e = json.loads(block.split(b"data: ", 1)[1])
                        times[e["seq"]] = time.time()
                if snapshot and len(times) >= expect:
                    return

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout_s)) as session:
        tasks = [asyncio.create_task(one(i, session)) for i in range(n)]
        while sum(1 for g in got if g is not None) < n:
            await asyncio.sleep(0.02)
        ready.set()
        await asyncio.wait(tasks, timeout=timeout_s)


def bench_latency(samples: int = 30, clients: int = 50) -> None:
    if not (os.path.exists("/usr/bin/chromium") and os.path.exists("/usr/bin/chromedriver")):
        print("live latency: skipped, chromium and chromium-driver are not installed (make setup)")
        return
    with Mosquitto() as broker, tempfile.TemporaryDirectory() as work:
        store = Store(Path(work) / "h.sqlite")
        app = live_app.LiveApp(store, {"lat": fleetview.Device("lat", "Latenz", SITE)}, SITE, ("127.0.0.1", 0))
        app.start()
        source = Source(parse_url(broker.url), None, wire.topics({"reallabor"}, SITE), app.collector.put,
                        app.collector.link, client_id="bench-live-latency").start()
        app.add_source(source)
        pub = paho.Client(paho.CallbackAPIVersion.VERSION2)
        pub.connect("127.0.0.1", broker.port)
        pub.loop_start()
        driver = _chromium(app.url, Path(work) / "chromium")
        rng = random.Random(2)
        got = [None] * clients
        ready = threading.Event()
        sse = threading.Thread(target=lambda: asyncio.run(_sse_clients(app.url, clients, samples, got, ready, 120)),
                               daemon=True)
        sse.start()
        ready.wait(60)
        sent, browser = {}, []
        for seq in range(samples):
            payload = kit_message("lat", seq, int(time.time()), rng)
            sent[seq] = time.time()
            pub.publish(f"reallabor/{SITE}/lat/state", payload, qos=1)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # the card shows it once the page drew the new reading
                seen = driver.execute_script("var d = window.reallabor.devices.lat; return d && d.seq === %d "
                                             "? window.reallabor.drawn : null" % seq)
                if seen:
                    browser.append(seen / 1000 - sent[seq])
                    break
                time.sleep(0.002)
            time.sleep(0.05)
        sse.join(30)
        late = [times[s] - sent[s] for times in got if times for s in times if s in sent]
        complete = sum(1 for times in got if times and len(times) >= samples)
        driver.quit()
        pub.disconnect()
        pub.loop_stop()
        app.stop()
    ms = lambda xs, q: statistics.quantiles(xs, n=20)[q] * 1000 if len(xs) > 1 else float("nan")  # noqa: E731
    print(f"live publish -> browser card: {len(browser)} of {samples} readings, median "
          f"{statistics.median(browser) * 1000:.0f} ms, 95th percentile {ms(browser, 18):.0f} ms (goal < 200 ms; "
          f"headless Chromium with {clients} SSE clients connected beside it)")
    print(f"live publish -> {clients} SSE clients: {complete} of {clients} got all {samples} readings; median "
          f"{statistics.median(late) * 1000:.0f} ms, 95th percentile {ms(late, 18):.0f} ms over {len(late)} deliveries")


def bench_live() -> None:
    bench_ingest()
    bench_latency()


if __name__ == "__main__":
    bench_live()
