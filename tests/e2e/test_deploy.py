"""deploy end to end: real mpy-cross, real mpremote, a virtual board as the target."""

import json



def test_first_deploy_copies_everything_second_nothing(virtual_board, cli):
    vb = virtual_board()
    first = cli("deploy", "--port", vb.port, "--board", "esp32-devkitc", "--lang", "en")
    assert first.returncode == 0, first.stderr
    manifest = json.loads((vb.flash / "firmware.json").read_text())
    assert set(manifest["files"]) >= {"main.py", "board.json", "lib/node/app.mpy", "hal/esp32.mpy"}
    assert f"copied {len(manifest['files']) + 1}, removed 0" in first.stdout  # and the manifest itself
    assert (vb.flash / "lib/node/app.mpy").read_bytes()[:2] == b"M\x06"  # bytecode, not source
    assert json.loads((vb.flash / "board.json").read_text())["name"] == "esp32-devkitc"
    second = cli("deploy", "--port", vb.port, "--board", "esp32-devkitc", "--lang", "en")
    assert second.returncode == 0, second.stderr
    assert "copied 0, removed 0" in second.stdout
    assert "  + " not in second.stdout and "  ~ " not in second.stdout


def test_changed_and_stale_files_and_dry_run(virtual_board, cli):
    vb = virtual_board()
    assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
    (vb.flash / "lib/node/log.mpy").write_bytes(b"broken")
    (vb.flash / "lib/node/old.py").write_text("print('left over')\n")  # would shadow nothing, but is stale
    (vb.flash / "lib/other").mkdir()
    (vb.flash / "lib/other/keep.py").write_text("# someone else's library\n")
    dry = cli("deploy", "--port", vb.port, "--board", "esp32-devkitc", "--dry-run", "--lang", "en")
    assert dry.returncode == 0, dry.stderr
    assert "  ~ lib/node/log.mpy" in dry.stdout and "  - lib/node/old.py" in dry.stdout
    assert "To copy: 1, to remove: 1" in dry.stdout
    assert (vb.flash / "lib/node/log.mpy").read_bytes() == b"broken"  # dry run: nothing written
    done = cli("deploy", "--port", vb.port, "--board", "esp32-devkitc", "--lang", "en")
    assert "copied 1, removed 1" in done.stdout, done.stdout + done.stderr
    assert (vb.flash / "lib/node/log.mpy").read_bytes()[:2] == b"M\x06"
    assert not (vb.flash / "lib/node/old.py").exists()
    assert (vb.flash / "lib/other/keep.py").exists()


def test_other_board_changes_only_board_file_and_manifest(virtual_board, cli):
    vb = virtual_board()
    assert cli("deploy", "--port", vb.port, "--board", "esp32-devkitc").returncode == 0
    done = cli("deploy", "--port", vb.port, "--board", "tbeam", "--lang", "en")
    assert "  ~ board.json" in done.stdout and "  ~ firmware.json" in done.stdout
    assert "copied 2," in done.stdout, done.stdout


def test_deploy_errors_say_what_to_do(tmp_path, cli):
    import os
    import pty

    gone = cli("deploy", "--port", tmp_path / "ttyUSB9", "--board", "esp32-devkitc")
    assert gone.returncode == 2 and "gibt es nicht" in gone.stderr and "Traceback" not in gone.stderr
    unknown = cli("deploy", "--port", tmp_path / "x", "--board", "esp32", "--lang", "en")
    assert unknown.returncode == 2 and "Unknown board" in unknown.stderr and "esp32-devkitc" in unknown.stderr
    master, slave = pty.openpty()  # a port where nobody answers
    try:
        silent = cli("deploy", "--port", os.ttyname(slave), "--board", "esp32-devkitc", "--wait", "2", "--lang", "en",
                     timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert silent.returncode == 1 and "Nothing answers on port" in silent.stderr and "within 2 s" in silent.stderr
    assert "press RESET (EN)" in silent.stderr and "--probe-bootloader" in silent.stderr
