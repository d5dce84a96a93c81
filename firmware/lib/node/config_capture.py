# The config's capture section, or capture.json (node/config.py loads this module only for one).
from node.config import CHOICE, ConfigError, _int, _reject_unknown, _require_dict

CAPTURE_TO = ("off", "console", "flash")


def validate(raw, p):
    # {"to": "console"} or {"to": "flash", "flash_kb": 256, "chunk_kb": 16} -> that with defaults,
    # or None when capture is off
    _require_dict(raw, p[:-1])
    _reject_unknown(raw, ("to", "flash_kb", "chunk_kb"), p)
    to = raw.get("to", "console")
    if to not in CAPTURE_TO:
        raise ConfigError(p + "to", CHOICE, ", ".join(CAPTURE_TO))
    if to == "off":
        return None
    flash_kb = _int(raw, "flash_kb", p, 256, 16, 4096)
    return {"to": to, "flash_kb": flash_kb, "chunk_kb": _int(raw, "chunk_kb", p, 16, 4, flash_kb // 2)}
