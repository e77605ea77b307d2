"""The table and the issue targets shared by the model lists of one-variant
families (boosting.py, linear.py, kernels.py; not a family itself): a row per
(model, port, variant), then each target with met/MISSED.

A target is TARGETS[(model, port)] = {"cost": limit, "flash": limit in bytes};
every row must also agree with the framework on every row (checks).
ANCHORS[(model, port)] is what the issue measured for the best peer on the same
model, printed beside the target.
"""
from __future__ import annotations

from ctml import measure


def off(r: dict) -> str:
    """The estimate's distance from the linker, when more than 10%."""
    d = measure.estimate_error(r) or 0.0
    return f", {d:+.0%}" if abs(d) > 0.10 else ""


def table(results: list[dict], ports: list[str], labels: dict, targets: dict, anchors: dict) -> list[str]:
    order = {p: i for i, p in enumerate(ports)}
    names = list(labels)
    results = sorted(results, key=lambda r: (names.index(r["model"]) if r["model"] in names else len(names),
                                             order.get(r["port"], 0)))
    lines = ["| model | target | variant | agreement | cost / prediction (worst row) | flash: model (estimate) | stack |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        unit = measure.PORTS[r["port"]].unit
        worst = f" ({r['cost_worst']:,})" if r["port"] != "host" else ""  # host: callgrind's total only
        lines.append(f"| {r['model']} | {r['port']} | {r['variant']} | {r['agree']}/{r['rows']} | "
                     f"{r['cost']:,.0f}{worst} {unit} | "
                     f"{r['model_flash']:,} B ({r['flash_estimate']:,} B{off(r)}) | "
                     f"{r['stack'] if r['port'] != 'host' else '-'} |")
    lines.append("")
    lines += [f"- {name}: {what}" for name, what in labels.items()]
    ok = lambda v, lim: "met" if v <= lim else "MISSED"  # noqa: E731
    for (model, port), limits in targets.items():
        for r in results:
            if r["model"] != model or r["port"] != port:
                continue
            unit = measure.PORTS[port].unit
            parts = [f"{r['agree']}/{r['rows']} rows agree ({ok(r['rows'] - r['agree'], 0)})"]
            if "cost" in limits:
                parts.append(f"<= {limits['cost']:,} {unit}: {r['cost']:,.0f} ({ok(r['cost'], limits['cost'])})")
            if "flash" in limits:
                parts.append(f"<= {limits['flash']:,} B flash: {r['model_flash']:,} B "
                             f"({ok(r['model_flash'], limits['flash'])})")
            if (model, port) in anchors:
                parts.append(f"best peer: {anchors[model, port]}")
            lines.append(f"- target {model} {r['variant']} on {port}: " + "; ".join(parts))
    untested = sorted({f"{m} on {p}" for (m, p) in targets if p not in ports})
    if untested:
        lines.append(f"- targets not measured in this run (port not asked for): {', '.join(untested)}")
    return lines


def checks(results: list[dict]) -> list[str]:
    """Agreement with the framework on every row (the targets are reported, not enforced)."""
    return [f"{r['model']} {r['port']} {r['variant']}: agrees on {r['agree']} of {r['rows']} rows"
            for r in results if r["agree"] != r["rows"]]
