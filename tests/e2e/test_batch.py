"""Batch: deploy and provision 8 virtual boards at once, one worker per port; a board that does not
answer fails alone and the others finish; a port that does not exist, or one given twice (also
through a symlink), stops the command before any board is touched."""

import os
import pty
import re
import sqlite3


N = 8


def test_eight_boards_in_parallel_and_one_bad_port(virtual_board, data_dir, tmp_path, cli, site_profile):
    boards = [virtual_board() for _ in range(N)]
    site_profile(data_dir)
    ports = [a for vb in boards for a in ("--port", vb.port)]
    deployed = cli("deploy", *ports, "--board", "esp32-devkitc", "--lang", "en", timeout=300)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert f"{N} succeeded, 0 failed." in deployed.stdout
    assert all((vb.flash / "firmware.json").exists() for vb in boards)

    gone = str(tmp_path / "ttyUSB42")
    refused = cli("provision", *ports, "--port", gone, "--board", "esp32-devkitc", "--site", "hof", "--lang", "en")
    assert refused.returncode == 2 and f"Port {gone} does not exist; nothing was started" in refused.stderr
    assert "reallabor ports" in refused.stderr and not (data_dir / "inventory.sqlite").exists()
    master, slave = pty.openpty()  # a port where nobody answers
    bad = os.ttyname(slave)
    try:
        done = cli("provision", *ports, "--port", bad, "--board", "esp32-devkitc", "--site", "hof",
                   "--name", "hof-{n:02}", "--wait", "2", "--lang", "en", timeout=300)
    finally:
        os.close(master)
        os.close(slave)
    assert done.returncode == 1, done.stdout + done.stderr
    table = done.stdout.splitlines()
    assert table[0].split() == ["port", "result", "MAC", "id", "name"]
    for i, vb in enumerate(boards):
        row = next(line for line in table if line.startswith(vb.port + " "))
        assert row.split() == [vb.port, "ok", vb.mac, "rl-0010%02x" % (i + 1), "hof-%02d" % (i + 1)]
    assert any(line.startswith(bad + " ") and "FAILED" in line for line in table)
    assert f"{bad}: Nothing answers on port {bad} within 2 s" in done.stdout
    assert f"{N} succeeded, 1 failed." in done.stdout
    assert "New broker passwords for " + ", ".join("rl-0010%02x" % (i + 1) for i in range(N)) in done.stdout
    for vb in boards:  # the live progress went to stderr, one line per change and port
        assert re.search(rf"^{re.escape(vb.port)} +ok$", done.stderr, re.MULTILINE), done.stderr
    with sqlite3.connect(data_dir / "inventory.sqlite") as db:
        assert db.execute("SELECT count(*) FROM devices").fetchone()[0] == N
    db.close()


def test_the_same_port_twice_is_refused_everywhere(virtual_board, data_dir, tmp_path, cli, site_profile):
    vb = virtual_board()
    site_profile(data_dir)
    link = tmp_path / "by-path-usb-0"
    link.symlink_to(vb.port)
    from reallabor import espimage

    (tmp_path / "none.bin").write_bytes(espimage.synthetic_firmware("esp32", 64 * 1024))
    for command in (("deploy", "--board", "esp32-devkitc"), ("provision", "--board", "esp32-devkitc", "--site", "hof"),
                    ("verify",), ("flash", "--board", "esp32-devkitc", "--image", tmp_path / "none.bin")):
        for twice in ((vb.port, vb.port), (vb.port, str(link))):
            done = cli(*command[:1], "--port", twice[0], "--port", twice[1], *command[1:], "--lang", "en")
            assert done.returncode == 2, (command, done.stderr)
            assert f"Port {twice[1]} is given twice (also as {twice[0]})" in done.stderr, done.stderr
    assert not (vb.flash / "firmware.json").exists()


def test_a_missing_port_is_exit_2_and_points_to_ports_in_every_command(virtual_board, data_dir, tmp_path, cli,
                                                                       site_profile):
    from reallabor import espimage

    vb = virtual_board()
    site_profile(data_dir)
    image = tmp_path / "fw.bin"
    image.write_bytes(espimage.synthetic_firmware("esp32", 64 * 1024))
    gone = str(tmp_path / "ttyACM7")
    for command in (("deploy", "--board", "esp32-devkitc"), ("provision", "--board", "esp32-devkitc", "--site", "hof"),
                    ("verify",), ("flash", "--board", "esp32-devkitc", "--image", image)):
        for ports in ((gone,), (vb.port, gone)):
            done = cli(*command[:1], *[a for p in ports for a in ("--port", p)], *command[1:], "--lang", "en")
            assert done.returncode == 2, (command, done.stderr)
            assert f"Port {gone} does not exist; nothing was started" in done.stderr
            assert "reallabor ports lists them all" in done.stderr


def test_name_pattern_is_required_for_several_ports(virtual_board, data_dir, cli, site_profile):
    a, b = virtual_board(), virtual_board()
    site_profile(data_dir)
    done = cli("provision", "--port", a.port, "--port", b.port, "--board", "esp32-devkitc", "--site", "hof",
                     "--name", "same")
    assert done.returncode == 2 and "{n}" in done.stderr
