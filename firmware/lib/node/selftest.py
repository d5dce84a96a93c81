# The device's self-test for `reallabor verify`: load the config, ask every configured sensor for
# one measurement, print one JSON line:
#   {"selftest": 1, "device": "rl-a1b2c3", "mac": "...", "config": "ok", "sensors": {"bme": "ok"}}
# "config" holds the ConfigError text instead of "ok" when the config is missing or invalid.
import asyncio
import json

from node import app, config, ident


async def _sensors(board, cfg):
    node = app.Node(board, cfg, False)
    await node.sample_until(node.started)  # the same path a normal cycle takes
    return {c.name: c.health for c in node.channels}


def run(board):
    board.setup()
    report = {"selftest": 1, "device": board.device_id(), "mac": ident.mac_text(board.mac()), "sensors": {}}
    try:
        cfg = config.load()
    except config.ConfigError as e:
        report["config"] = str(e)
    else:
        report["config"] = "ok"
        report["device"] = cfg["device"] or report["device"]
        report["sensors"] = asyncio.run(_sensors(board, cfg))
    print(json.dumps(report))
