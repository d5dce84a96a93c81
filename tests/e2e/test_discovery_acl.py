"""Home Assistant discovery that the broker denies is not reported as fine: a board whose config
turns discovery on after the last broker export is named by provision and by the next export, and
verify against a real Mosquitto that still runs the older ACL says that this export lets the device
write no discovery configs (and what to do); after the export and a reload it passes."""

import json

from tests.e2e.test_verify_delivery import BOARD, TRACE, acl_broker, ready, verify  # noqa: F401 (fixture)


def test_discovery_turned_on_after_the_export(virtual_board, data_dir, cli, site_profile, acl_broker):
    vb = virtual_board(mac="02:00:00:00:77:01", env={"RL_TRACE": str(TRACE)})
    broker = acl_broker()
    ready(cli, site_profile, data_dir, broker, [vb])  # discovery off
    broker.export()
    broker.start()
    profile = data_dir / "sites" / "hof.json"
    raw = json.loads(profile.read_text())
    raw["mqtt"]["discovery"] = True
    profile.write_text(json.dumps(raw))
    again = cli("provision", "--port", vb.port, "--board", BOARD, "--site", "hof", "--lang", "en")
    assert again.returncode == 0, again.stderr
    assert "rl-007701 sends Home Assistant discovery now: run reallabor export mosquitto" in again.stdout

    denied = verify(cli, vb.port, broker=broker, seconds=15)
    assert denied.returncode == 1, denied.stdout
    assert "[!!] delivery     the state arrived, but" in denied.stdout
    assert "the broker export of" in denied.stdout and "lets rl-007701 write no discovery configs" in denied.stdout
    assert "run reallabor export mosquitto --out FILE and reload the broker" in denied.stdout

    export = cli("export", "mosquitto", "--out", broker.passwd, "--lang", "en")
    assert export.returncode == 0 and "  changed: rl-007701" in export.stdout, export.stdout
    broker.export()  # the same export, with the test's reader account added
    broker.reload()
    fine = verify(cli, vb.port, broker=broker)
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "and 6 discovery configs" in fine.stdout
