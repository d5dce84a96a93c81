"""The uplink decoder decoders/reallabor.js, run by node the way a network server runs it (its source
alone in a fresh context, tests/oracle/decoder.js), against the shared vectors
tests/vectors/compact-payload.json (whose bytes the firmware test makes with the encoders) and the
examples of decoders/reallabor-codec.yaml."""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DECODER = ROOT / "decoders" / "reallabor.js"
CODEC = ROOT / "decoders" / "reallabor-codec.yaml"
VECTORS = json.loads((ROOT / "tests" / "vectors" / "compact-payload.json").read_text())
RUNNER = ROOT / "tests" / "oracle" / "decoder.js"


@pytest.fixture(scope="module")
def node():
    found = shutil.which("node")
    if not found:
        pytest.skip("node not found: install Node.js to run the uplink decoder tests")
    return found


@pytest.fixture(scope="module")
def decode(node):
    def run(inputs):
        done = subprocess.run([node, str(RUNNER), str(DECODER)], input="".join(json.dumps(i) + "\n" for i in inputs),
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        out = [json.loads(line) for line in done.stdout.splitlines()]
        assert len(out) == len(inputs), done.stderr
        return out

    return run


def _input(fport, hex_bytes):
    return {"fPort": fport, "bytes": list(bytes.fromhex(hex_bytes))}


def test_decoder_is_plain_es5_and_small(node):
    if not (ROOT / "node_modules" / "acorn").is_dir():
        pytest.fail("npm acorn is not installed: run `npm ci` in the repository root")
    done = subprocess.run([node, str(RUNNER), "--check-es5", str(DECODER)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == {"es5": True}
    assert DECODER.stat().st_size < 16 * 1024  # The Things Stack allows 40 KB
    source = DECODER.read_text()
    assert "require(" not in source and "module.exports" not in source and "export " not in source


def test_es5_check_refuses_newer_syntax(node, tmp_path):
    newer = tmp_path / "newer.js"
    newer.write_text("function decodeUplink(input) { let x = (a) => a; return {data: {}}; }\n")
    done = subprocess.run([node, str(RUNNER), "--check-es5", str(newer)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["es5"] is False


def test_encoded_vectors_decode_to_their_data(decode):
    vectors = VECTORS["encode"]
    results = decode([_input(v["fport"], v["bytes"]) for v in vectors])
    for v, got in zip(vectors, results):
        assert got == {"data": v["data"], "warnings": v["warnings"], "errors": []}, v["description"]


def test_malformed_payloads_give_warnings_or_errors(decode):
    vectors = VECTORS["decode"]
    results = decode([_input(v["fport"], v["bytes"]) for v in vectors])
    for v, got in zip(vectors, results):
        assert got == {"data": v["data"], "warnings": v["warnings"], "errors": v["errors"]}, v["description"]


def test_codec_yaml_examples(decode):
    yaml = pytest.importorskip("yaml")
    codec = yaml.safe_load(CODEC.read_text())["uplinkDecoder"]
    assert (CODEC.parent / codec["fileName"]).resolve() == DECODER
    examples = codec["examples"]
    assert len(examples) >= 4
    results = decode([e["input"] for e in examples])
    known = {(v["fport"], v["bytes"]): v for v in VECTORS["encode"] + VECTORS["decode"]}
    for e, got in zip(examples, results):
        want = e["output"]
        if "data" in want:
            assert got["data"] == want["data"], e["description"]
        assert got["warnings"] == want.get("warnings", []), e["description"]
        assert got["errors"] == want.get("errors", []), e["description"]
        # every example is one of the shared vectors, so the YAML cannot drift from the firmware
        vector = known[(e["input"]["fPort"], bytes(e["input"]["bytes"]).hex())]
        assert vector["data"] == got["data"], e["description"]


def test_random_bytes_never_throw(decode):
    rng = random.Random(40)
    inputs = [{"fPort": rng.choice((1, 20)), "bytes": list(rng.randbytes(rng.randrange(0, 40)))} for _ in range(500)]
    for got in decode(inputs):
        assert set(got) == {"data", "warnings", "errors"}
        assert got["errors"] or {"v", "seq", "readings", "health"} <= set(got["data"])
