"""A PNG of a replay: one panel per published quantity over the day, a line per sensor, the clock
time (the node's, UTC as in the trace) along the x-axis."""

from datetime import datetime, timezone
from pathlib import Path

from reallabor.errors import EXIT_MISSING_TOOL, ReallaborError

NAMES = {"temperature": "Temperatur", "humidity": "Luftfeuchte", "pressure": "Luftdruck", "co2": "CO₂",
         "pm1": "PM1", "pm2_5": "PM2,5", "pm4": "PM4", "pm10": "PM10", "illuminance": "Beleuchtungsstärke"}


def plot_states(states, path: Path, title: str, start_s: int | None = None) -> Path:
    """states: replay messages with a state payload (t, payload); start_s: wall time at t = 0, for
    messages without a time of their own (a node without wall time)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
    except ImportError:
        raise ReallaborError("plot.missing", EXIT_MISSING_TOOL)
    # one panel per quantity, one line per sensor that measures it
    panels: dict[tuple[str, str], dict[str, tuple[list, list]]] = {}
    for m in states:
        when = m.payload.get("time") or ((start_s or 0) + m.t // 1000)
        x = datetime.fromtimestamp(int(when), timezone.utc)
        for sensor, readings in m.payload.get("readings", {}).items():
            for quantity, r in readings.items():
                xs, ys = panels.setdefault((quantity, r["unit"]), {}).setdefault(sensor, ([], []))
                xs.append(x)
                ys.append(float(r["value"]))
    if not panels:
        raise ReallaborError("plot.no_data")
    # constrained layout keeps the figure title clear of the first panel (tight_layout ignores it)
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 2.4 * len(panels) + 0.6), sharex=True, squeeze=False,
                             layout="constrained")
    for ax, ((quantity, unit), lines) in zip(axes[:, 0], panels.items()):
        for sensor, (xs, ys) in lines.items():
            ax.plot(xs, ys, linewidth=1.2, label=sensor)
        ax.set_ylabel(f"{NAMES.get(quantity, quantity)}\n[{unit}]")
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            ax.legend(fontsize=7, loc="upper right")
        else:
            ax.set_title(next(iter(lines)), loc="right", fontsize=8)
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=timezone.utc))
    axes[-1, 0].set_xlabel("Uhrzeit (UTC) / time of day (UTC)")
    fig.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
