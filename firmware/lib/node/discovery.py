# Home Assistant MQTT discovery (docs/mqtt.md): one retained config message per quantity, under
# homeassistant/sensor/<device>/<sensor>_<quantity>/config, with the device and our status topic
# as availability ("sleeping" counts as available). Built one message at a time.
import json

PREFIX = "homeassistant"
# our quantity -> Home Assistant device class
_CLASSES = {"temperature": "temperature", "pressure": "atmospheric_pressure", "humidity": "humidity",
            "co2": "carbon_dioxide", "pm1": "pm1", "pm2_5": "pm25", "pm10": "pm10", "illuminance": "illuminance"}


def messages(device, site, topic, sensors, expire_s):
    # yields (topic, payload) for every quantity of every configured sensor
    models = ",".join(sorted(set(s.name for s in sensors)))
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
                "availability": [{"topic": topic + "status",
                                  "value_template": "{{ 'offline' if value_json.state == 'offline' else 'online' }}"}],
                "device": {"identifiers": ["reallabor_" + device], "name": device, "manufacturer": "reallabor",
                           "model": models, "suggested_area": site},
            }
            if quantity in _CLASSES:
                config["device_class"] = _CLASSES[quantity]
            yield "%s/sensor/%s/%s_%s/config" % (PREFIX, device, s.name, quantity), json.dumps(config)
