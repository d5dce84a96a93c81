"""A PNG of a replay: one panel per published quantity over the day, a line per sensor."""

from pathlib import Path

from reallabor.errors import EXIT_MISSING_TOOL, ReallaborError

NAMES = {"temperature": "Temperatur", "humidity": "Luftfeuchte", "pressure": "Luftdruck", "co2": "CO₂",
         "pm1": "PM1", "pm2_5": "PM2,5", "pm4": "PM4", "pm10": "PM10", "illuminance": "Beleuchtungsstärke"}


def plot_states(states, path: Path, title: str) -> Path:
    """states: replay messages with a state payload (t, payload)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ReallaborError("plot.missing", EXIT_MISSING_TOOL)
    # one panel per quantity, one line per sensor that measures it
    panels: dict[tuple[str, str], dict[str, tuple[list, list]]] = {}
    for m in states:
        for sensor, readings in m.payload.get("readings", {}).items():
            for quantity, r in readings.items():
                xs, ys = panels.setdefault((quantity, r["unit"]), {}).setdefault(sensor, ([], []))
                xs.append(m.t / 3_600_000)
                ys.append(float(r["value"]))
    if not panels:
        raise ReallaborError("plot.no_data")
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 2.4 * len(panels)), sharex=True, squeeze=False)
    for ax, ((quantity, unit), lines) in zip(axes[:, 0], panels.items()):
        for sensor, (xs, ys) in lines.items():
            ax.plot(xs, ys, linewidth=1.2, label=sensor)
        ax.set_ylabel(f"{NAMES.get(quantity, quantity)}\n[{unit}]")
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            ax.legend(fontsize=7, loc="upper right")
        else:
            ax.set_title(next(iter(lines)), loc="right", fontsize=8)
    axes[-1, 0].set_xlabel("Stunden seit Start / hours since start")
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
