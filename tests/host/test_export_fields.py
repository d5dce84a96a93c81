"""No injection through names: a value with a line break, a topic wildcard, NUL or another control
character never reaches an exported file (ACL, password file, TTS CSV, labels). It is refused where
it enters (provision --name, site profiles, the inventory) and again by every export, which then
writes nothing and says which device, which field and what to do."""

import csv
import io
import sqlite3
from xml.etree import ElementTree
from dataclasses import asdict, replace

import pytest

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError
from reallabor.fleet import exports, fields, sites
from reallabor.fleet.inventory import Inventory, Record

BAD = {"newline": "\n", "hash": "#", "plus": "+", "nul": "\x00", "escape": "\x1b", "cr": "\r", "line_sep": "\u2028",
       "tab": "\t"}
INJECTED = "x\nuser rl-000002\ntopic readwrite #"  # the name that once gave a device all of the broker


def record(n=1, **kw):
    base = dict(mac=f"24:6f:28:00:00:{n:02x}", id=f"rl-0000{n:02x}", name=f"Hof {n}", board="heltec-wifi-lora32-v3",
                site="hof", prefix="reallabor/v1", firmware="f" * 16, config_hash="c" * 16,
                time="2026-05-14T00:00:00Z", mqtt_user=f"rl-0000{n:02x}", mqtt_hash=exports.mosquitto_hash(f"pw{n}"),
                dev_eui=f"246F28FFFE0000{n:02X}", join_eui="70B3D57ED0000000", app_key=f"{n:032X}",
                frequency_plan="EU_863_870_TTN")
    base.update(kw)
    return Record(**base)


def export_all(records, tmp_path) -> None:
    exports.mosquitto_passwd(records)
    exports.mosquitto_acl(records)
    exports.tts_csv(records)
    exports.label_sheet(records, tmp_path / "labels.svg")


def spoiled(field, bad):
    """The record with bad inside the field: at its end for text, in the middle for the rest."""
    good = getattr(record(), field)
    return replace(record(), **{field: good[:3] + bad + good[3:]})


# a name may hold # and +: it is text, never a topic (test_a_name_is_text_in_every_export)
@pytest.mark.parametrize("field,kind", [(f, k) for f in fields.CHECKED for k in BAD
                                        if not (f == "name" and k in ("hash", "plus"))])
def test_every_export_refuses_each_field_with_a_control_character_or_wildcard(field, kind, tmp_path):
    bad = spoiled(field, BAD[kind])
    for write in (exports.mosquitto_passwd, exports.mosquitto_acl, exports.tts_csv,
                  lambda rs: exports.label_sheet(rs, tmp_path / "labels.svg")):
        with pytest.raises(ReallaborError) as e:
            write([record(2), bad])
        assert e.value.exit_code == EXIT_BAD_INPUT
        assert e.value.key in ("fields.bad_record", "fields.bad_name_record")
        text = e.value.message()
        assert ("rl-000001" in text or "24:6f:28:00:00:01" in text) and (field == "name" or f" {field} " in text)
        assert BAD[kind] not in text or kind in ("hash", "plus")  # shown escaped
        if field in fields.SECRET:
            assert getattr(bad, field) not in text
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_name_is_text_in_every_export(tmp_path):
    name = 'Werkbank #3 + "Süd"; <b>'
    records = [record(1, name=name), record(2)]
    export_all(records, tmp_path)
    acl = exports.mosquitto_acl(records).splitlines()
    # every line is a comment, empty, or one of our rules: the name stands only in a comment
    assert all(line == "" or line.startswith(("# ", "user ", "topic ")) for line in acl)
    assert [line for line in acl if name in line] == [f"# {name} (24:6f:28:00:00:01, heltec-wifi-lora32-v3)"]
    assert [line for line in acl if line.startswith("topic ") and ("#" in line.split("/", 1)[0] or "+" in line)] == [
        "topic read v3/+/devices/+/up"]
    texts = [t.text for t in ElementTree.parse(tmp_path / "labels.svg").iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("Werkbank #3 + ") for t in texts), texts  # well-formed XML, the name as text
    (row, _) = csv.DictReader(io.StringIO(exports.tts_csv(records)), delimiter=";")
    assert row["name"] == name


@pytest.mark.parametrize("name", ["x\nuser rl-000002\ntopic readwrite #", "a\x00b", "tab\there", "\x1b[2J",
                                  "zwei\u2028Zeilen", "x" * 65, " vorn", "hinten ", "", "   "])
def test_names_that_cannot_be_are_named(name):
    why = fields.name_problem(name)
    assert why in ("fields.name_control", "fields.name_long", "fields.name_space", "fields.name_empty")
    assert fields.refused("name", name)
    shown = fields.shown(name)
    assert not any(ord(c) < 32 or c == "\u2028" for c in shown)


def test_printable_names_are_fine():
    for name in ("Werkbank #3 + Süd", "hof-01", "Ø 3", "x" * 64, "Café ☕", "Hof\u00a01"):
        assert fields.name_problem(name) is None, name


def test_the_inventory_refuses_what_no_export_may_write(data_dir):
    inventory = Inventory(data_dir)
    for field, value in (("name", INJECTED), ("prefix", "reallabor/#"), ("id", "rl-0000+1"), ("site", "hof\n")):
        with pytest.raises(ReallaborError) as e:
            inventory.save(replace(record(), **{field: value}))
        assert e.value.exit_code == EXIT_BAD_INPUT
    assert inventory.select() == []


def raw_save(data_dir, r: Record) -> None:
    """A row as an older reallabor (or a hand edit) left it: past Inventory.save's check."""
    Inventory(data_dir)
    row = asdict(r)
    with sqlite3.connect(data_dir / "inventory.sqlite") as db:
        db.execute(f"INSERT INTO devices ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))


@pytest.mark.parametrize("what,out", [("mosquitto", "mosquitto.passwd"), ("tts", "tts.csv"), ("labels", "labels.pdf")])
def test_export_of_an_old_inventory_with_an_injected_name_writes_nothing(what, out, data_dir, tmp_path, cli):
    raw_save(data_dir, record(1, name=INJECTED))
    raw_save(data_dir, record(2))
    target = tmp_path / "out" / out
    done = cli("export", what, "--out", target, "--lang", "en")
    assert done.returncode == 2, done.stdout + done.stderr
    assert 'Device rl-000001 (24:6f:28:00:00:01) has the name "x\\nuser rl-000002\\ntopic readwrite #"' in done.stderr
    assert "reallabor inventory remove 24:6f:28:00:00:01" in done.stderr
    assert "topic readwrite #\n" not in done.stdout + done.stderr
    assert not target.parent.exists() or not list(target.parent.iterdir())
    german = cli("export", what, "--out", target)
    assert german.returncode == 2 and "hat den Namen" in german.stderr


def test_provision_refuses_such_a_name_before_any_port(data_dir, cli, site_profile):
    site_profile(data_dir)
    for name in (INJECTED, "tab\there", "\x1b[2J", "zwei\u2028Zeilen", "x" * 65):
        done = cli("provision", "--port", "/dev/ttyNONE", "--board", "esp32-devkitc", "--site", "hof", "--name", name,
                   "--lang", "en")
        assert done.returncode == 2, done.stdout + done.stderr
        assert "Device name" in done.stderr and "is not allowed" in done.stderr and "/dev/ttyNONE" not in done.stderr
        assert not any(ord(c) < 32 and c != "\n" or c == "\u2028" for c in done.stderr)
    assert not (data_dir / "inventory.sqlite").exists()


@pytest.mark.parametrize("section,key,value", [
    ("mqtt", "prefix", "reallabor\nuser rl-000002"), ("mqtt", "prefix", "real labor"), ("mqtt", "prefix", "a//b"),
    ("mqtt", "prefix", "reallabor/#"), ("mqtt", "prefix", "+"), ("mqtt", "prefix", "a\x00b"),
    ("lora", "frequency_plan", "EU_863_870_TTN\nx;y"), ("lora", "frequency_plan", "EU 868"),
    ("lora", "frequency_plan", ""),
])
def test_site_profiles_refuse_what_would_reach_an_export(section, key, value, data_dir, site_profile):
    path = site_profile(data_dir, lora={"join_eui": "70B3D57ED0000000"})
    import json

    raw = json.loads(path.read_text())
    raw[section][key] = value
    problem = sites.check(raw)
    assert problem is not None and problem.field == f"{section}.{key}", problem
    path.write_text(json.dumps(raw))
    with pytest.raises(ReallaborError) as e:
        sites.load("hof", data_dir)
    assert e.value.exit_code == EXIT_BAD_INPUT and e.value.details[0].field == f"{section}.{key}"
