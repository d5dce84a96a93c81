# Home Assistant MQTT discovery (docs/mqtt.md): one retained config message per quantity, under
# homeassistant/sensor/<device>/<sensor>_<quantity>/config, with the device and our status topic
# as availability ("sleeping" counts as available). Built one message at a time.
import json

PREFIX = "homeassistant"
# our quantity -> Home Assistant device class
_CLASSES = {"temperature": "temperature", "pressure": "atmospheric_pressure", "humidity": "humidity",
            "co2": "carbon_dioxide", "pm1": "pm1", "pm2_5": "pm25", "pm10": "pm10", "illuminance": "illuminance"}


# The node's own diagnostics (the state message's "node" object): key, unit, device class
_DIAGNOSTICS = (("battery_mv", "mV", "voltage"), ("rssi_dbm", "dBm", "signal_strength"), ("uptime_s", "s", "duration"),
                ("heap_free", "B", "data_size"))


def messages(device, site, topic, sensors, expire_s):
    # yields (topic, payload) for every quantity of every configured sensor, then for the node's
    # diagnostics (Home Assistant shows them apart, as diagnostic entities)
    models = ",".join(sorted(set(s.name for s in sensors)))
    device_info = {"identifiers": ["reallabor_" + device], "name": device, "manufacturer": "reallabor", "model": models,
                   "suggested_area": site}
    availability = [{"topic": topic + "status",
                     "value_template": "{{ 'offline' if value_json.state == 'offline' else 'online' }}"}]
    for key, unit, device_class in _DIAGNOSTICS:
        config = {"name": key, "unique_id": "%s_node_%s" % (device, key), "state_topic": topic + "state",
                  "value_template": "{{ value_json.node.%s if value_json.node is defined else None }}" % key,
                  "unit_of_measurement": unit, "device_class": device_class, "entity_category": "diagnostic",
                  "state_class": "measurement", "expire_after": expire_s, "availability": availability,
                  "device": device_info}
        yield "%s/sensor/%s/node_%s/config" % (PREFIX, device, key), json.dumps(config)
    for s in sensors:
        for q in s.quantities:
            quantity, unit = q[0], q[1]
            reading = "value_json.readings[%s]" % json.dumps(s.name)
            config = {
                "name": "%s %s" % (s.name, quantity),
                "unique_id": "%s_%s_%s" % (device, s.name, quantity),
                "state_topic": topic + "state",
                "value_template": "{{ %s[%s].value if %s is defined else None }}" % (reading, json.dumps(quantity), reading),
                "unit_of_measurement": unit,
                "state_class": "measurement",
                "expire_after": expire_s,
                "availability": availability,
                "device": device_info,
            }
            if quantity in _CLASSES:
                config["device_class"] = _CLASSES[quantity]
            yield "%s/sensor/%s/%s_%s/config" % (PREFIX, device, s.name, quantity), json.dumps(config)
