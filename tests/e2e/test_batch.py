"""Batch: deploy and provision 8 virtual boards at once, one worker per port; a bad port fails
alone and the others finish."""

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

    bad = str(tmp_path / "ttyUSB42")
    done = cli("provision", *ports, "--port", bad, "--board", "esp32-devkitc", "--site", "hof",
                     "--name", "hof-{n:02}", "--lang", "en", timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    table = done.stdout.splitlines()
    assert table[0].split() == ["port", "result", "MAC", "id", "name"]
    for i, vb in enumerate(boards):
        row = next(line for line in table if line.startswith(vb.port + " "))
        assert row.split() == [vb.port, "ok", vb.mac, "rl-0010%02x" % (i + 1), "hof-%02d" % (i + 1)]
    assert any(line.startswith(bad) and "FAILED" in line for line in table)
    assert f"{bad}: Port {bad} does not exist" in done.stdout
    assert f"{N} succeeded, 1 failed." in done.stdout
    for vb in boards:  # the live progress went to stderr, one line per change and port
        assert re.search(rf"^{re.escape(vb.port)} +ok$", done.stderr, re.MULTILINE), done.stderr
    with sqlite3.connect(data_dir / "inventory.sqlite") as db:
        assert db.execute("SELECT count(*) FROM devices").fetchone()[0] == N
    db.close()


def test_name_pattern_is_required_for_several_ports(virtual_board, data_dir, cli, site_profile):
    a, b = virtual_board(), virtual_board()
    site_profile(data_dir)
    done = cli("provision", "--port", a.port, "--port", b.port, "--board", "esp32-devkitc", "--site", "hof",
                     "--name", "same")
    assert done.returncode == 2 and "{n}" in done.stderr
