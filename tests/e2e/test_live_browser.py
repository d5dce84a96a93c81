"""The live page in a real browser (headless Chromium through Selenium) against a real Mosquitto,
a real replay of the firmware and `reallabor live` as a technician starts it: the page shows what
the firmware published, the band turns as CO2 crosses 1000 ppm, a last will greys the card, a
sleeping node says until when, the chart holds the points, the page comes back after the server
restarts, the projector's QR code decodes to the page's address (a screenshot goes to build/), and
the fleet view and the phone layout work."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as paho
import pytest

from reallabor.fleet.exports import mosquitto_hash
from reallabor.fleet.inventory import Inventory, Record
from reallabor.mqtt.mosquitto import Mosquitto, free_port

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
TZ = "Europe/Berlin"
SITE = "makerspace"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")

webdriver = pytest.importorskip("selenium.webdriver")
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    if os.environ.get("CI"):
        raise RuntimeError("Chromium and chromedriver are missing: make setup installs them (scripts/ensure-chromium)")
    pytest.skip("chromium and chromium-driver are not installed (make setup installs them)", allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def record(device, name):
    return Record(mac=f"02:00:00:00:{abs(hash(device)) % 256:02x}:{len(device):02x}", id=device, name=name,
                  board="esp32-devkitc", site=SITE, prefix="reallabor", firmware="", config_hash="", time="",
                  mqtt_user=device, mqtt_hash=mosquitto_hash(f"{device}-geheim"))


class LiveServer:
    """`reallabor live` in a process of its own (so it can be stopped and started again)."""

    def __init__(self, broker_url, data, port):
        self.args = [sys.executable, "-m", "reallabor.cli", "live", "--broker", broker_url, "--site", SITE,
                     "--listen", f"127.0.0.1:{port}", "--data", str(data)]
        self.url = f"http://127.0.0.1:{port}/"
        self.env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "REALLABOR_LANG")}
        self.env["PYTHONPATH"] = str(ROOT / "host")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=self.env, cwd=ROOT)
        lines = [self.process.stdout.readline() for _ in range(2)]
        assert "Live-Ansicht: " + self.url in lines[1], lines + [self.process.stderr.read()]
        return self

    def stop(self):
        self.process.terminate()
        out, err = self.process.communicate(timeout=15)
        assert "Traceback" not in err, err
        return out


class Publisher:
    """Crafted messages, as a node would send them (paho, QoS 1)."""

    def __init__(self, port, device, will=False):
        self.device = device
        self.topic = f"reallabor/{SITE}/{device}/"
        self.c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=device)
        if will:
            self.c.will_set(self.topic + "status", json.dumps({"state": "offline"}), qos=1, retain=True)
        self.c.connect("127.0.0.1", port, keepalive=5)
        self.c.loop_start()
        self.seq = 0

    def state(self, co2, health=None, t=None):
        self.seq += 1
        body = {"v": 1, "device": self.device, "seq": self.seq, "time": int(t or time.time()),
                "readings": {"scd4x": {"co2": {"value": co2, "unit": "ppm", "n": 1, "min": co2, "max": co2}}},
                "health": health or {"scd4x": "ok"}}
        self.c.publish(self.topic + "state", json.dumps(body), qos=1).wait_for_publish(5)

    def status(self, **body):
        self.c.publish(self.topic + "status", json.dumps(body), qos=1, retain=True).wait_for_publish(5)

    def vanish(self):
        """The node loses power: its TCP connection just ends, the broker sends the last will."""
        self.c.loop_stop()
        self.c.socket().close()

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


@pytest.fixture(scope="module")
def setup():
    work = Path(tempfile.mkdtemp(prefix="reallabor-live-e2e-"))
    data = work / "data"
    data.mkdir(mode=0o700)
    inventory = Inventory(data)
    for device, name in (("werkbank-a", "Werkbank A"), ("co2-probe", "Messkoffer"), ("spare", "Ersatzknoten")):
        inventory.save(record(device, name))
    broker = Mosquitto().start()
    server = LiveServer(broker.url, data, free_port()).start()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={work / 'chromium'}")
    options.add_argument("--window-size=1400,1000")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env={**os.environ, "TZ": TZ}), options=options)
    try:
        yield {"broker": broker, "server": server, "driver": driver, "data": data, "port": broker.port}
    finally:
        driver.quit()
        server.stop()
        broker.stop()
        shutil.rmtree(work, ignore_errors=True)


def wait(driver, condition, timeout=15):
    """Until condition(driver) holds; a card redrawn under our fingers (stale element) is read again."""
    return WebDriverWait(driver, timeout, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)) \
        .until(lambda d: condition(d))


def card(driver, device):
    found = driver.find_elements(By.CSS_SELECTOR, f'.card[data-device="{device}"]')
    return found[0] if found else None


def js(driver, expression):
    return driver.execute_script("return " + expression)


@pytest.fixture(scope="module")
def replayed(setup):
    """A real replay of the firmware (the workshop kit, an hour ending now) into the broker."""
    from reallabor.monitor.live import demo
    from reallabor.sim import replay

    work = Path(tempfile.mkdtemp(prefix="reallabor-live-trace-"))
    trace = demo.write_trace(0, work, int(time.time() * 1000) - 60 * 60_000, 60)
    config = demo.node_config(trace, "werkbank-a", deep_sleep=False)
    result = replay.run(trace, setup["broker"].url, "max", config=config)
    assert result.returncode == 0, result.stderr
    shutil.rmtree(work, ignore_errors=True)
    return result


def test_an_empty_page_says_so_until_the_first_node_sends(setup):
    driver = setup["driver"]
    driver.get(setup["server"].url)
    wait(driver, lambda d: js(d, "window.reallabor.connected"))
    assert driver.find_element(By.CSS_SELECTOR, "#cards .empty").text.startswith("Noch keine Messwerte")
    first = Publisher(setup["port"], "first-node")
    try:
        first.state(500)
        wait(driver, lambda d: card(d, "first-node") is not None, timeout=5)
        assert not driver.find_elements(By.CSS_SELECTOR, "#cards .empty")
        assert driver.get_log("browser") == []  # no script error on the way
    finally:
        first.close()


def german(quantity, value):
    decimals = {"temperature": 1, "humidity": 0, "pressure": 0, "co2": 0, "illuminance": 0}.get(
        quantity, 1 if abs(value) < 10 else 0)
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def test_page_shows_what_the_firmware_published_and_the_chart_has_the_points(setup, replayed):
    driver = setup["driver"]
    driver.get(setup["server"].url)
    last = replayed.states[-1].payload
    wait(driver, lambda d: card(d, "werkbank-a") and js(d, "window.reallabor.devices['werkbank-a'].seq") == last["seq"])
    node = card(driver, "werkbank-a")
    assert node.find_element(By.CSS_SELECTOR, ".name").text == "Werkbank A"  # from the inventory
    shown = {e.get_attribute("data-quantity"): e.find_element(By.CSS_SELECTOR, ".num").text
             for e in node.find_elements(By.CSS_SELECTOR, ".value")}
    main = {}
    for sensor, readings in last["readings"].items():
        for quantity, r in readings.items():
            main.setdefault(quantity, float(r["value"]))
    assert set(shown) == set(main)
    for quantity, value in main.items():
        assert shown[quantity] == german(quantity, value), quantity
    co2 = node.find_element(By.CSS_SELECTOR, '.value[data-quantity="co2"] .band').text
    assert co2 in ("gut", "mäßig, lüften", "schlecht, jetzt lüften")
    # the chart (CO2 first): one point for every reading of the last 30 minutes
    wait(driver, lambda d: js(d, "window.reallabor.chart && window.reallabor.chart.data[0].length") > 20)
    labels = js(driver, "window.reallabor.chart.series.map(function (s) { return s.label; })")
    xs, ys = js(driver, "[window.reallabor.chart.data[0], window.reallabor.chart.data[%d]]" % labels.index("Werkbank A"))
    points = {x: y for x, y in zip(xs, ys) if y is not None}
    published = {m.payload["time"]: float(m.payload["readings"]["scd4x"]["co2"]["value"])
                 for m in replayed.states if "scd4x" in m.payload["readings"] and m.payload["time"] >= min(points)}
    assert len(points) >= 25 and points == published


def test_band_turns_from_good_to_moderate_and_health_is_in_words(setup):
    driver = setup["driver"]
    driver.get(setup["server"].url)
    wait(driver, lambda d: js(d, "window.reallabor.connected"))
    probe = Publisher(setup["port"], "co2-probe")
    try:
        probe.state(950, health={"scd4x": "ok", "sds011": "warming_up", "sht4x": "absent"})
        band = lambda d: d.find_element(By.CSS_SELECTOR, '.card[data-device="co2-probe"] .band')  # noqa: E731
        wait(driver, lambda d: card(d, "co2-probe") and band(d).text == "gut")
        assert band(driver).get_attribute("data-level") == "1"
        health = card(driver, "co2-probe").find_element(By.CSS_SELECTOR, ".health").text
        assert "sht4x: Sensor nicht angeschlossen" in health and "sds011: Sensor wärmt auf" in health
        probe.state(1050)
        wait(driver, lambda d: band(d).text == "mäßig, lüften", timeout=5)
        assert band(driver).get_attribute("data-level") == "3"
        assert card(driver, "co2-probe").find_element(By.CSS_SELECTOR, ".num").text == "1.050"
        probe.state(2100)
        wait(driver, lambda d: band(d).text == "schlecht, jetzt lüften", timeout=5)
        # the facilitator marks the moment: the marker comes back through the event stream
        driver.find_element(By.CSS_SELECTOR, '[data-marker="live.marker.window_open"]').click()
        wait(driver, lambda d: [m["text"] for m in js(d, "window.reallabor.markers()")] == ["Fenster auf"], timeout=5)
    finally:
        probe.close()


def test_last_will_greys_the_card_and_sleep_shows_the_wake_time(setup):
    driver = setup["driver"]
    driver.get(setup["server"].url)
    wait(driver, lambda d: js(d, "window.reallabor.connected"))
    node = Publisher(setup["port"], "werkbank-will", will=True)
    node.status(state="online", dropped=0)
    node.state(700)
    wait(driver, lambda d: card(d, "werkbank-will") and card(d, "werkbank-will").get_attribute("data-state") == "online")
    node.vanish()
    wait(driver, lambda d: card(d, "werkbank-will").get_attribute("data-state") == "offline", timeout=10)
    c = card(driver, "werkbank-will")
    assert c.find_element(By.CSS_SELECTOR, ".state").text.startswith("offline")
    wait(driver, lambda d: c.value_of_css_property("filter") == "grayscale(1)", timeout=3)  # after its fade
    sleeper = Publisher(setup["port"], "werkbank-sleep")
    try:
        wake = int(time.time()) + 600
        sleeper.state(650)
        sleeper.status(state="sleeping", dropped=0, wake=wake)
        expected = "schläft bis " + datetime.fromtimestamp(wake, ZoneInfo(TZ)).strftime("%H:%M")
        wait(driver, lambda d: card(d, "werkbank-sleep")
             and card(d, "werkbank-sleep").find_element(By.CSS_SELECTOR, ".state").text == expected)
    finally:
        sleeper.close()


def test_page_reconnects_after_the_server_restarts(setup):
    driver = setup["driver"]
    driver.get(setup["server"].url)
    wait(driver, lambda d: js(d, "window.reallabor.connected"))
    snapshots = js(driver, "window.reallabor.snapshots")
    setup["server"].stop()
    wait(driver, lambda d: not js(d, "window.reallabor.connected"), timeout=10)
    assert driver.find_element(By.ID, "conn").get_attribute("data-state") == "lost"
    setup["server"].start()
    wait(driver, lambda d: js(d, "window.reallabor.connected") and js(d, "window.reallabor.snapshots") > snapshots,
         timeout=20)
    probe = Publisher(setup["port"], "co2-probe")
    try:
        probe.seq = 100
        probe.state(1234)
        wait(driver, lambda d: card(d, "co2-probe").find_element(By.CSS_SELECTOR, ".num").text == "1.234", timeout=5)
    finally:
        probe.close()


def test_english_and_the_phone_layout(setup):
    driver = setup["driver"]
    driver.get(setup["server"].url + "?lang=en")
    wait(driver, lambda d: card(d, "co2-probe") is not None)
    assert driver.find_element(By.CSS_SELECTOR, "h1").text == "Air in the room"
    assert driver.find_element(By.CSS_SELECTOR, '.card[data-device="co2-probe"] .band').text == "poor, ventilate now" \
        or driver.find_element(By.CSS_SELECTOR, '.card[data-device="co2-probe"] .band').text.startswith("moderate")
    driver.execute_script("localStorage.removeItem('reallabor.lang')")
    driver.set_window_size(390, 844)
    try:
        driver.get(setup["server"].url + "?lang=de")
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card")) >= 2)
        cards = driver.find_elements(By.CSS_SELECTOR, ".card")
        xs = {c.rect["x"] for c in cards}
        assert len(xs) == 1  # one column
        width = js(driver, "document.documentElement.clientWidth")
        assert all(c.rect["width"] > width * 0.85 for c in cards)
        assert js(driver, "document.documentElement.scrollWidth") <= width + 1  # nothing sticks out sideways
    finally:
        driver.set_window_size(1400, 1000)


def test_projector_qr_code_opens_the_page_and_a_screenshot_is_kept(setup, replayed):
    import zxingcpp
    from PIL import Image

    driver = setup["driver"]
    driver.get(setup["server"].url + "projector")
    wait(driver, lambda d: js(d, "document.getElementById('qr').complete && document.getElementById('qr').naturalWidth") > 0)
    wait(driver, lambda d: js(d, "window.reallabor.chart && window.reallabor.chart.data[0].length") > 20)
    time.sleep(0.3)  # the chart's first frame
    BUILD.mkdir(exist_ok=True)
    shot = BUILD / "live-projector.png"
    driver.save_screenshot(str(shot))
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(shot))]
    assert decoded == [setup["server"].url]
    assert driver.find_element(By.ID, "qr-url").text == setup["server"].url
    assert not driver.find_element(By.ID, "markers").is_displayed()  # no controls on the wall


def test_fleet_view_lists_every_device_problems_first(setup):
    driver = setup["driver"]
    driver.get(setup["server"].url + "fleet")
    wait(driver, lambda d: js(d, "window.reallabor.loads") > 0 and d.find_elements(By.CSS_SELECTOR, "tr[data-device]"))
    rows = driver.find_elements(By.CSS_SELECTOR, "tr[data-device]")
    devices = [r.get_attribute("data-device") for r in rows]
    assert {"werkbank-a", "co2-probe", "spare", "werkbank-will"} <= set(devices)
    by = {r.get_attribute("data-device"): r for r in rows}
    assert "noch nie gesehen" in by["spare"].text
    assert "offline seit" in by["werkbank-will"].text
    assert "nicht im Inventar" in by["werkbank-sleep"].text  # it sends but was never provisioned
    assert by["werkbank-sleep"].get_attribute("class") == "sev-1" and devices[-1] == "werkbank-sleep"  # least: last
    assert by["werkbank-will"].get_attribute("class") == "sev-3"
    assert "Messungen fehlen" in by["co2-probe"].text  # seq 3 -> 101 across the server restart
    assert "alle Sensoren in Ordnung" in by["werkbank-a"].text
