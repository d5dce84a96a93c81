"""The inventory as the technician meets it: list, show and remove; a re-provision that renames a
device, moves it to another site or gives it another board says so; deploy keeps to the
inventory's board file unless forced; one MAC on two ports, or a second board claiming a known
device id, is refused before anything is written; exports say which devices changed since the
last one."""

import json
import sqlite3

BOARD = "esp32-devkitc"


def provision(cli, vb, *extra, board=BOARD, site="hof"):
    return cli("provision", "--port", vb.port, "--board", board, "--site", site, *extra, "--lang", "en")


def test_list_show_remove_and_what_a_reprovision_changed(virtual_board, data_dir, cli, site_profile):
    vb = virtual_board(mac="24:6f:28:a1:b2:c3")
    site_profile(data_dir)
    site_profile(data_dir, name="wald")
    assert cli("deploy", "--port", vb.port, "--board", BOARD).returncode == 0
    assert provision(cli, vb, "--name", "Hof 1").returncode == 0
    listed = cli("inventory", "list", "--lang", "en")
    assert listed.stdout.splitlines()[1].split()[:6] == ["rl-a1b2c3", "Hof", "1", "hof", BOARD, "24:6f:28:a1:b2:c3"]
    assert "One device." in listed.stdout

    again = provision(cli, vb, "--name", "Wald 3", site="wald")
    assert again.returncode == 0, again.stderr
    assert "rl-a1b2c3 renamed: Hof 1 -> Wald 3" in again.stdout
    assert "rl-a1b2c3 moved to another site: hof -> wald" in again.stdout

    refused = cli("deploy", "--port", vb.port, "--board", "tbeam", "--lang", "en")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "is rl-a1b2c3 (MAC 24:6f:28:a1:b2:c3) in the inventory, as esp32-devkitc, not tbeam" in refused.stderr
    assert json.loads((vb.flash / "board.json").read_text())["name"] == BOARD  # nothing written
    forced = cli("deploy", "--port", vb.port, "--board", "tbeam", "--force", "--lang", "en")
    assert forced.returncode == 0, forced.stderr
    reboarded = provision(cli, vb, board="tbeam", site="wald")
    assert "rl-a1b2c3 now has another board file: esp32-devkitc -> tbeam" in reboarded.stdout

    for ref in ("rl-a1b2c3", "24:6F:28:A1:B2:C3", "Wald 3"):
        shown = cli("inventory", "show", ref, "--lang", "en")
        assert shown.returncode == 0 and "rl-a1b2c3" in shown.stdout and "reallabor/wald/rl-a1b2c3/" in shown.stdout
    config = json.loads((vb.flash / "config.json").read_text())
    assert config["mqtt"]["password"] not in shown.stdout and config["lora"]["app_key"] not in shown.stdout
    assert "in no export yet" in shown.stdout
    missing = cli("inventory", "show", "rl-ffffff", "--lang", "en")
    assert missing.returncode == 2 and "No device \"rl-ffffff\"" in missing.stderr

    removed = cli("inventory", "remove", "rl-a1b2c3", "--lang", "en")
    assert removed.returncode == 0 and "removed from the inventory" in removed.stdout
    assert "The inventory is empty." in cli("inventory", "list", "--lang", "en").stdout
    assert not (data_dir / "devices" / "rl-a1b2c3" / "config.json").exists()


def test_one_mac_on_two_ports_and_a_second_board_with_a_known_id(virtual_board, data_dir, cli, site_profile):
    site_profile(data_dir)
    twins = [virtual_board(mac="02:00:00:00:33:01"), virtual_board(mac="02:00:00:00:33:01")]
    ports = [a for vb in twins for a in ("--port", vb.port)]
    assert cli("deploy", *ports, "--board", BOARD).returncode == 1  # deploy refuses the second one too
    for vb in twins:
        cli("deploy", "--port", vb.port, "--board", BOARD)
    done = cli("provision", *ports, "--board", BOARD, "--site", "hof", "--lang", "en")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MAC 02:00:00:00:33:01 was reported by" in done.stdout and "1 succeeded, 1 failed." in done.stdout
    assert sum((vb.flash / "config.json").exists() for vb in twins) == 1  # the second got nothing

    other = virtual_board(mac="24:0a:c4:00:33:01")  # another MAC, the same last three bytes: rl-003301
    assert cli("deploy", "--port", other.port, "--board", BOARD).returncode == 0
    taken = provision(cli, other)
    assert taken.returncode == 1 and "Device id rl-003301 (MAC 24:0a:c4:00:33:01) already belongs" in taken.stderr
    assert not (other.flash / "config.json").exists()
    with sqlite3.connect(data_dir / "inventory.sqlite") as db:
        assert db.execute("SELECT mac FROM devices").fetchall() == [("02:00:00:00:33:01",)]
    db.close()


def test_exports_say_what_changed_since_the_last_one(virtual_board, data_dir, cli, site_profile, tmp_path):
    site_profile(data_dir)
    a, b = virtual_board(), virtual_board()
    for vb in (a, b):
        assert cli("deploy", "--port", vb.port, "--board", BOARD).returncode == 0
        assert provision(cli, vb).returncode == 0
    out = tmp_path / "broker" / "passwd"
    first = cli("export", "mosquitto", "--out", out, "--lang", "en")
    assert "First export of this kind" in first.stdout
    same = cli("export", "mosquitto", "--out", out, "--lang", "en")
    assert "No device changed since the last export" in same.stdout
    assert provision(cli, a, "--new-secrets").returncode == 0
    assert provision(cli, b, "--name", "Hof Süd").returncode == 0  # a name is not in the password file
    c = virtual_board()
    assert cli("deploy", "--port", c.port, "--board", BOARD).returncode == 0
    assert provision(cli, c).returncode == 0
    changed = cli("export", "mosquitto", "--out", out, "--lang", "en")
    assert "  new: rl-001003" in changed.stdout and "  changed: rl-001001" in changed.stdout
    assert "rl-001002" not in changed.stdout.split("Since the last export", 1)[1]
    labels = cli("export", "labels", "--out", tmp_path / "labels.svg", "--lang", "en")
    assert labels.returncode == 0 and "First export of this kind" in labels.stdout
    assert (tmp_path / "labels.svg").read_text().count("<title>reallabor:hof/rl-0010") == 3
    wrong = cli("export", "labels", "--out", tmp_path / "labels.docx", "--lang", "en")
    assert wrong.returncode == 2 and 'Labels cannot be written as ".docx"' in wrong.stderr
    assert not (tmp_path / "labels.docx").exists()
    assert provision(cli, b, "--name", "Hof Nord").returncode == 0
    relabel = cli("export", "labels", "--out", tmp_path / "labels.pdf", "--lang", "en")
    assert "  changed: rl-001002" in relabel.stdout
    assert cli("inventory", "remove", "rl-001003").returncode == 0
    gone = cli("export", "mosquitto", "--out", out, "--lang", "en")
    assert "  no longer in it: rl-001003" in gone.stdout
    assert "rl-001003" not in out.read_text()
