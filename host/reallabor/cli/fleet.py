"""reallabor boards, reallabor export: the known boards, and exports from the inventory."""

import json
from pathlib import Path

from reallabor.errors import EXIT_BAD_INPUT, EXIT_MISSING_TOOL, ReallaborError
from reallabor.i18n import msg


def args_boards(p) -> None:
    p.add_argument("name", nargs="?", help=msg("help.boards.name"))


def run_boards(args) -> int:
    from reallabor import boards

    if args.name:
        print(json.dumps(boards.load(args.name).data, indent=2, ensure_ascii=False))
        return 0
    print(msg("boards.header"))
    for name in boards.names():
        b = boards.load(name)
        build = b.build + (f"-{b.variant}" if b.variant else "")
        print(f"{b.name:24} {b.chip:8} {build:28} {b.flash_size >> 20:>3}MB  {b.title}")
    return 0


def site_name(text: str) -> str:
    """A --site option: a site name as the topics have it (not a surrogate, a + or #), or bad input."""
    from reallabor.fleet.sites import check_name

    return check_name(text)


def args_export(p) -> None:
    p.add_argument("what", choices=("mosquitto", "tts", "labels"), help=msg("help.export.what"))
    p.add_argument("--out", type=Path, required=True, help=msg("help.export.out"))
    p.add_argument("--site", type=site_name, help=msg("help.export.site"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_export(args) -> int:
    from reallabor.fleet import exports
    from reallabor.fleet.inventory import Inventory

    if args.what == "labels":
        exports.label_format(args.out)  # an output the labels cannot be written as: bad input, before anything
    inventory = Inventory(args.data)
    records = inventory.select("site = ?", (args.site,)) if args.site else inventory.select()
    if not records:
        raise ReallaborError("export.empty", EXIT_BAD_INPUT)
    changes = inventory.changes(args.what, records, args.site or "")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.what == "mosquitto":
        for path in exports.write_mosquitto(records, args.out, args.data):
            print(msg("export.written", path=path, count=len(records)))
        from reallabor.fleet.datadir import live_password_file

        print(msg("export.live_account", path=live_password_file(args.data)))
    elif args.what == "tts":
        count = exports.write_tts(records, args.out)
        print(msg("export.written", path=args.out, count=count) if count else msg("export.no_lora"))
    else:
        try:
            written = exports.label_sheet(records, args.out)
        except ImportError:
            raise ReallaborError("labels.missing", EXIT_MISSING_TOOL) from None
        print(msg("export.pages", path=args.out, count=len(records), pages=len(written)))
        for path in written[1:]:
            print(msg("export.page_file", path=path))
    inventory.exported(args.what, args.out, records, args.site or "")
    for line in change_lines(changes):
        print(line)
    return 0


def change_lines(changes) -> list[str]:
    """Which devices changed since the last export of this kind (and this site)."""
    if changes.last_time is None:
        return [msg("export.first")]
    lines = []
    for key, ids in (("export.new", changes.new), ("export.changed", changes.changed),
                     ("export.removed", changes.removed)):
        if ids:
            lines.append(msg(key, ids=", ".join(ids), count=len(ids)))
    header = msg("export.since", time=changes.last_time, target=changes.last_target)
    return [header] + lines if lines else [msg("export.unchanged", time=changes.last_time, target=changes.last_target)]


def args_site_new(p) -> None:
    p.add_argument("name", help=msg("help.site.name"))
    p.add_argument("--force", action="store_true", help=msg("help.site.force"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_site_new(args) -> int:
    from reallabor.fleet import sites

    print(msg("site.written", path=sites.create(args.name, args.data, args.force), name=args.name))
    return 0


def args_site_list(p) -> None:
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_site_list(args) -> int:
    from reallabor.fleet import sites

    names = sites.names(args.data)
    if not names:
        print(msg("site.none"))
    for name in names:
        try:
            site = sites.load(name, args.data)
            summary = msg("site.summary", interval=site.interval_s, count=len(site.sensors))
            print(f"{name:16} {site.mqtt['url']:40} {summary}")
        except ReallaborError as e:
            print(f"{name:16} {e.message()}")
            for line in e.detail_lines():
                print(f"{'':16} {line}")
    return 0


def args_site_check(p) -> None:
    p.add_argument("name", help=msg("help.site.name"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_site_check(args) -> int:
    from reallabor.fleet import sites

    site = sites.load(args.name, args.data)
    print(msg("site.valid", path=site.path, name=site.name))
    return 0


def args_inventory_list(p) -> None:
    p.add_argument("--site", type=site_name, help=msg("help.export.site"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_inventory_list(args) -> int:
    from reallabor.boardio.ports import grid
    from reallabor.fleet.inventory import Inventory

    inventory = Inventory(args.data)
    records = inventory.select("site = ?", (args.site,)) if args.site else inventory.select()
    if not records:
        print(msg("inventory.empty"))
        return 0
    head = [msg(k) for k in ("ports.col.id", "ports.col.name", "inventory.col.site", "inventory.col.board",
                             "ports.col.mac", "inventory.col.time")]
    for line in grid(head, [[r.id, r.name, r.site, r.board, r.mac, r.time] for r in records]):
        print(line)
    print(msg("inventory.count", count=len(records)))
    return 0


def _one(inventory, ref: str):
    found = inventory.find(ref)
    if not found:
        raise ReallaborError("inventory.not_found", EXIT_BAD_INPUT, ref=ref)
    if len(found) > 1:
        raise ReallaborError("inventory.ambiguous", EXIT_BAD_INPUT, ref=ref, ids=", ".join(r.id for r in found))
    return found[0]


_EXPORT_STATE = {"same": "inventory.export_same", "old": "inventory.export_old", None: "inventory.export_never"}


def args_inventory_show(p) -> None:
    p.add_argument("device", help=msg("help.inventory.device"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_inventory_show(args) -> int:
    from reallabor.fleet.inventory import Inventory

    inventory = Inventory(args.data)
    r = _one(inventory, args.device)
    when, state = inventory.exported_password(r)
    shown = [("id", r.id), ("name", r.name), ("mac", r.mac), ("board", r.board), ("site", r.site),
             ("topic", f"{r.prefix}/{r.site}/{r.id}/"), ("firmware", r.firmware), ("config", r.config_hash),
             ("time", r.time), ("port", r.port or "-"),
             ("deep_sleep", msg("ports.yes") if r.deep_sleep else msg("ports.no")), ("interval", f"{r.interval_s} s"),
             ("broker_user", r.mqtt_user),
             ("broker_export", msg(_EXPORT_STATE[state], time=when or ""))]
    if r.dev_eui:  # the AppKey is a secret: never shown
        shown += [("dev_eui", r.dev_eui), ("join_eui", r.join_eui), ("frequency_plan", r.frequency_plan)]
    width = max(len(msg("inventory.field." + k)) for k, _ in shown)
    for key, value in shown:
        print(f"{msg('inventory.field.' + key):{width}}  {value}")
    return 0


def args_inventory_remove(p) -> None:
    p.add_argument("device", help=msg("help.inventory.device"))
    p.add_argument("--data", type=Path, help=msg("help.data"))


def run_inventory_remove(args) -> int:
    from reallabor.fleet.datadir import device_config
    from reallabor.fleet.inventory import Inventory

    inventory = Inventory(args.data)
    r = _one(inventory, args.device)
    inventory.remove(r.mac)
    device_config(args.data, r.id).unlink(missing_ok=True)
    print(msg("inventory.removed", id=r.id, name=r.name, mac=r.mac))
    return 0
