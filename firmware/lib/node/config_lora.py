# The config's lora section (node/config.py loads this module only for a config that has one).
from node.config import CHOICE, MISSING, TYPE, ConfigError, _bool, _int, _is_hex, _reject_unknown, _require_dict, _text

LORA_REGIONS = ("EU868",)
LORA_PAYLOADS = ("compact", "cayenne")  # FPort 1 (codec/compact.py), FPort 20 (codec/cayenne.py)
_ABP = ("dev_addr", "nwk_s_key", "app_s_key")


def validate(raw):
    # OTAA keys written by `reallabor provision` for boards with a LoRa radio (docs/provisioning.md),
    # or an ABP session (all three of _ABP); how the node sends (docs/lorawan.md).
    _require_dict(raw, "lora")
    _reject_unknown(raw, ("dev_eui", "join_eui", "app_key", "region", "payload", "confirmed", "adr", "dr", "fair_use",
                          "rx1_delay_s", "rx2_dr") + _ABP, "lora.")
    lora = {"region": _text(raw, "region", "lora.", "EU868")}
    if lora["region"] not in LORA_REGIONS:
        raise ConfigError("lora.region", CHOICE, ", ".join(LORA_REGIONS))
    abp = [k for k in _ABP if k in raw]
    if abp and len(abp) < 3:
        raise ConfigError("lora." + [k for k in _ABP if k not in raw][0], MISSING)
    for key, digits in (("dev_eui", 16), ("join_eui", 16), ("app_key", 32), ("dev_addr", 8), ("nwk_s_key", 32),
                        ("app_s_key", 32)):
        value = _text(raw, key, "lora.", None)
        if value is None and (key == "dev_eui" or (key in _ABP) == bool(abp)):
            raise ConfigError("lora." + key, MISSING)
        if value is not None and (len(value) != digits or not _is_hex(value)):
            raise ConfigError("lora." + key, TYPE, "%d hex digits" % digits)
        lora[key] = value and value.upper()
    lora["payload"] = _text(raw, "payload", "lora.", "compact")
    if lora["payload"] not in LORA_PAYLOADS:
        raise ConfigError("lora.payload", CHOICE, ", ".join(LORA_PAYLOADS))
    lora["confirmed"] = _bool(raw, "confirmed", "lora.", False)
    lora["adr"] = _bool(raw, "adr", "lora.", True)
    lora["dr"] = _int(raw, "dr", "lora.", 5, 0, 5)  # the data rate until the network sets one: SF7
    lora["fair_use"] = _bool(raw, "fair_use", "lora.", True)  # The Things Network's 30 s and 10 downlinks a day
    lora["rx1_delay_s"] = _int(raw, "rx1_delay_s", "lora.", 1, 1, 15)  # ABP only (OTAA: from the join-accept)
    lora["rx2_dr"] = _int(raw, "rx2_dr", "lora.", 3, 0, 6)  # ABP only: SF9 as on The Things Network
    return lora
