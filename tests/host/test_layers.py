"""The host package's layers (README, "Layout"): every import, at module level or inside a
function, goes from a higher layer to a lower one or stays inside its own subpackage; nothing
imports the CLI or the benchmarks; the simulator does not reach into flashing or the fleet; and
there is no import cycle anywhere."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Bottom to top; a module may import anything in its own layer or a lower one (within a layer the
# cycle check keeps the order).
LAYERS = [
    ("reallabor", "reallabor.errors", "reallabor.i18n", "reallabor.messages", "reallabor.env", "reallabor.chips",
     "reallabor.userfile"),
    ("reallabor.boards", "reallabor.espimage", "reallabor.mqtt"),
    ("reallabor.firmware",),
    ("reallabor.traces",),
    ("reallabor.fleet",),
    ("reallabor.flashing",),
    ("reallabor.boardio",),
    ("reallabor.sim",),
    ("reallabor.monitor",),
    ("reallabor.cli",),
    ("bench",),
]
FORBIDDEN = {"reallabor.sim": ("reallabor.flashing", "reallabor.fleet")}


def module_files() -> dict[str, Path]:
    files = {}
    for top in (ROOT / "host" / "reallabor", ROOT / "bench"):
        for path in top.rglob("*.py"):
            if path.name == "virtualboard_boot.py" or "baseline" in path.parts:
                continue  # MicroPython files, run by the unix port
            rel = path.relative_to(top.parent).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            files[".".join(parts)] = path
    return files


def imports(path: Path, modules) -> set[str]:
    """Our modules that a file imports anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                     for a in node.names]
        else:
            continue
        found.update(n for n in names if n in modules)
    return found


def layer(module: str) -> tuple[int, str]:
    """(rank, the entry of LAYERS the module belongs to)"""
    best = None
    for rank, entries in enumerate(LAYERS):
        for entry in entries:
            if (module == entry or module.startswith(entry + ".")) and (best is None or len(entry) > len(best[1])):
                best = (rank, entry)
    assert best, f"{module} is in no layer: add it to LAYERS"
    return best


def graph() -> dict[str, set[str]]:
    files = module_files()
    return {m: imports(p, files) for m, p in files.items()}


def test_every_import_goes_down_the_layers():
    wrong = []
    for module, targets in graph().items():
        rank, home = layer(module)
        for target in targets:
            if layer(target)[0] > rank:
                wrong.append(f"{module} -> {target}")
            for banned in FORBIDDEN.get(home, ()):
                if target == banned or target.startswith(banned + "."):
                    wrong.append(f"{module} -> {target} (forbidden)")
    assert not wrong, "\n".join(sorted(wrong))


def test_nothing_imports_the_cli_or_the_benchmarks():
    for module, targets in graph().items():
        for target in targets:
            if target.startswith(("reallabor.cli", "bench")):
                assert module.startswith(target.split(".")[0] if target.startswith("bench") else "reallabor.cli"), \
                    f"{module} imports {target}"


def test_no_import_cycles():
    g = graph()
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for t in sorted(g.get(m, ())):
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(t):] + [t]))
            if t not in state:
                visit(t)
        path.pop()
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m)


def test_the_check_sees_function_level_imports(tmp_path):
    """The walk must not miss an import hidden inside a function (the old replay <-> faults pair)."""
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from reallabor.sim import replay\n    import reallabor.cli.main\n")
    assert imports(source, {"reallabor.sim.replay", "reallabor.cli.main", "reallabor.sim"}) == \
        {"reallabor.sim.replay", "reallabor.cli.main"}
