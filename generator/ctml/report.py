"""``python3 -m ctml report MODEL [--port P ...] [--policy ...] [--layout ...] -o DIR``

Builds the model for each chosen port (the emulated ones by default), runs it
on the data's rows and writes DIR/report.md (and/or report.html) with PNG
plots: per stage and in total, flash (ctml's estimate next to the linker's),
RAM (state and scratch estimate, measured stack, static RAM), cost per
prediction (instructions or AVR cycles, and microseconds at the chip's
clock), agreement with the framework and accuracy, for each port x layout x
policy; and the flash-vs-latency trade-off with each chip's flash drawn in.

The measuring is generator/ctml/measure.py, shared with the benchmarks.
"""
from __future__ import annotations

import html
import os
import shutil
import tempfile

import numpy as np

from . import measure

FORMATS = ("md", "html", "both")
POLICIES = ("f32", "int8", "int8_fast")
LAYOUTS = ("unrolled", "table", "automatic")
DEFAULT_ROWS = 16


def add_parser(sub, torch_module_option) -> None:
    r = sub.add_parser(
        "report",
        help="build and run a model on the ports; write a size/cost report with plots",
        description="Builds the model for each port (the emulated ones by default), runs it on the rows of "
        "--data (or on synthetic rows) and writes DIR/report.md (or .html) with PNG plots of flash (estimate "
        "next to the linker), RAM, cost per prediction and agreement, per stage and in total, for every "
        "port x layout x policy. Needs the port toolchains and emulators (scripts/setup-deps); plots need "
        "matplotlib. Progress goes to stderr.",
    )
    r.add_argument("model", help="joblib/pickle file of a fitted estimator or Pipeline, or a torch.save network")
    torch_module_option(r)
    r.add_argument("--port", action="append", default=None, metavar="PORT",
                   help=f"port to build for, repeatable (default: the emulated ones, {', '.join(measure.EMULATED)}; "
                   "also: host)")
    r.add_argument("--policy", action="append", default=None, choices=POLICIES,
                   help="number policy, repeatable (networks: f32 and, when calibrated, int8 and int8_fast; "
                   "trees: f32)")
    r.add_argument("--layout", action="append", default=None, choices=LAYOUTS,
                   help="tree layout, repeatable (default: unrolled and table)")
    r.add_argument("--data", default=None, help="rows to run (.npy/.csv; default: synthetic N(0, 1) rows)")
    r.add_argument("--labels", default=None, help="true labels (.npy) for accuracy (classifiers)")
    r.add_argument("--rows", type=int, default=DEFAULT_ROWS,
                   help=f"rows to run (default {DEFAULT_ROWS}; AVR takes fewer when they do not fit its flash)")
    r.add_argument("--format", choices=FORMATS, default="md", help="report.md, report.html or both (default md)")
    r.add_argument("--build", default=None, help="build folder to keep (default: a temporary one, removed)")
    r.add_argument("-j", "--jobs", type=int, default=2, help="parallel builds and runs (default 2)")
    r.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write (new or empty)")
    r.set_defaults(func=cmd_report)


# ----------------------------------------------------------------------------
# What to build


def _families(stages) -> tuple[bool, bool]:
    """(has a tree ensemble, has a network) from the stages' C++ templates."""
    templates = [s.template for s in stages]
    return (any(t.startswith("ctml::forest_") for t in templates),
            any(t == "ctml::nn::network" for t in templates))


def _calibrated(stages) -> bool:
    """Whether a network stage carries int8 calibration (extra["calibrated"],
    else its `calibrated` parameter)."""
    for s in stages:
        if "calibrated" in s.extra:
            if s.extra["calibrated"]:
                return True
        elif hasattr(s, "param"):
            if s.param("calibrated") is True:
                return True
        elif any(str(m).strip().startswith("static constexpr bool calibrated = true") for m in s.members):
            return True
    return False


def variants(stages, policies, layouts, UsageError) -> list[measure.Variant]:
    trees, network = _families(stages)
    if policies is None:
        policies = ["f32"] + (["int8", "int8_fast"] if network and _calibrated(stages) else [])
    if layouts is None:
        layouts = ["unrolled", "table"] if trees else []
    for p in policies:
        if p != "f32" and not network:
            raise UsageError(f"--policy {p} is for networks; this model takes f32")
        if p != "f32" and not _calibrated(stages):
            raise UsageError(f"--policy {p} needs a calibrated network (ctml.nn.calibrate before saving)")
    if layouts and not trees:
        raise UsageError("--layout is for tree ensembles; this model has none")
    out = []
    for p in dict.fromkeys(policies):
        for lay in (dict.fromkeys(layouts) if layouts else [None]):
            # f32 is every model's own policy: `.with(ctml::f32{})` would change nothing
            with_ = (() if p == "f32" else (f"ctml::{p}",)) + ((f"ctml::{lay}_layout",) if lay else ())
            name = p if lay is None else (lay if len(policies) == 1 and p == "f32" else f"{p}_{lay}")
            out.append(measure.Variant(name, with_, int8=p != "f32"))
    return out


def rows_for(port: str, n_features: int, rows: int) -> int:
    """Rows of parity vectors a port's flash holds beside the model (AVR: 4 KB of rows)."""
    if port.startswith("atmega"):
        return max(1, min(rows, 4096 // (4 * n_features)))
    return rows


# ----------------------------------------------------------------------------
# The document (one structure, rendered as Markdown or HTML)


def _fmt_int(v) -> str:
    return "-" if v is None else f"{v:,.0f}"


def _fmt_us(port: str, count) -> str:
    us = measure.microseconds(port, count)
    if us is None:
        return "-"
    return f"{us:,.1f} µs" if us >= 10 else f"{us:,.2f} µs"


def _pct(v) -> str:
    return "-" if v is None else f"{v:+.0%}"


def summary_rows(results, n_rows_truth) -> list[list[str]]:
    rows = []
    for r in results:
        port = measure.PORTS[r["port"]]
        if "failed" in r:
            rows.append([r["port"], r["variant"]] + ["-"] * 7 + [f"not built: {r['failed']}"])
            continue
        flash_b, ram_b = measure.budget(r["port"])
        unit = port.unit
        cost = f"{_fmt_int(r['cost'])} {unit}"
        if r.get("cost_q"):
            cost += f" ({_fmt_int(r['cost_q'])} from int8)"
        acc = f"{100.0 * r['correct'] / r['rows']:.1f}%" if n_rows_truth else "-"
        fits = "yes" if (r["model_flash"] or 0) <= flash_b and r["ram_estimate"] + r["stack"] <= ram_b else "NO"
        rows.append([
            r["port"], r["variant"],
            f"{_fmt_int(r['model_flash'])} B ({_fmt_int(r['flash_estimate'])} B, {_pct(measure.estimate_error(r))})",
            f"{_fmt_int(r['ram_estimate'])} B",
            "-" if r["port"] == "host" else f"{r['stack']:,} B",
            f"{_fmt_int(r['model_ram_static'])} B",
            cost, _fmt_us(r["port"], r["cost"]),
            f"{r['agree']}/{r['rows']}", acc + f"; fits: {fits}",
        ])
    return rows


def stage_rows(results, sources) -> list[list[str]]:
    rows = []
    for r in results:
        for i, st in enumerate(r.get("stages", [])):
            rows.append([r["port"], r["variant"], f"{i}: {sources[i]}", f"{st['flash']:,.0f} B",
                         f"{st['data']:,.0f} B", f"{st['ram']:,.0f} B ({st['state']:,.0f} B state)",
                         f"{st['ops']:,.0f}", f"{st['cost']:,.0f} {measure.PORTS[r['port']].unit}",
                         _fmt_us(r["port"], st["cost"])])
    return rows


def render_md(blocks) -> str:
    out = []
    for kind, *a in blocks:
        if kind == "h":
            out.append("#" * a[0] + " " + a[1])
        elif kind == "p":
            out.append(a[0])
        elif kind == "ul":
            out.append("\n".join(f"- {x}" for x in a[0]))
        elif kind == "table":
            head, rows = a
            out.append("\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                                 + ["| " + " | ".join(r) + " |" for r in rows]))
        elif kind == "img":
            out.append(f"![{a[1]}]({a[0]})")
    return "\n\n".join(out) + "\n"


def render_html(blocks, title: str) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">", f"<title>{e(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:72em;margin:2em auto}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}td:first-child,td:nth-child(2)"
           "{text-align:left}img{max-width:100%}</style></head><body>"]
    for kind, *a in blocks:
        if kind == "h":
            out.append(f"<h{a[0]}>{e(a[1])}</h{a[0]}>")
        elif kind == "p":
            out.append(f"<p>{e(a[0])}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in a[0]) + "</ul>")
        elif kind == "table":
            head, rows = a
            out.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
                       + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows)
                       + "</table>")
        elif kind == "img":
            out.append(f"<p><img src=\"{e(a[0])}\" alt=\"{e(a[1])}\"></p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------
# Plots


def _matplotlib():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        return plt
    except Exception:  # noqa: BLE001 - any import failure means "no plots"
        return None


def _label(r) -> str:
    return f"{r['port']}\n{r['variant']}"


def plot_flash(plt, ok, sources, path) -> None:
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(ok) + 2), 4.2))
    x = np.arange(len(ok))
    ax.bar(x - 0.2, [r["model_flash"] or 0 for r in ok], 0.4, label="linker (firmware - baseline)", color="#4472c4")
    bottom = np.zeros(len(ok))
    n_stages = max((len(r.get("stages", [])) for r in ok), default=0)
    colors = ["#ed7d31", "#a5a5a5", "#ffc000", "#70ad47", "#5b9bd5", "#9e480e", "#636363", "#997300"]
    if n_stages > 1:
        for i in range(n_stages):
            vals = np.array([r["stages"][i]["flash"] if i < len(r.get("stages", [])) else 0 for r in ok], float)
            ax.bar(x + 0.2, vals, 0.4, bottom=bottom, label=f"estimate: {sources[i]}", color=colors[i % 8])
            bottom += vals
    else:
        ax.bar(x + 0.2, [r["flash_estimate"] for r in ok], 0.4, label="ctml estimate", color=colors[0])
    ax.set_xticks(x, [_label(r) for r in ok], fontsize=8)
    ax.set_ylabel("flash of the model (bytes)")
    ax.set_title("Flash per port: linker and ctml's estimate (per stage)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_ram(plt, ok, path) -> None:
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(ok) + 2), 4.2))
    x = np.arange(len(ok))
    ax.bar(x - 0.2, [r["ram_estimate"] for r in ok], 0.4, label="estimate (state + scratch)", color="#ed7d31")
    ax.bar(x + 0.2, [r["stack"] for r in ok], 0.4, label="measured peak stack of predict", color="#4472c4")
    ax.set_xticks(x, [_label(r) for r in ok], fontsize=8)
    ax.set_ylabel("bytes")
    ax.set_title("RAM per prediction (host: stack not measured)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_cost(plt, ok, sources, path) -> None:
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(ok) + 2), 4.2))
    x = np.arange(len(ok))
    n_stages = max((len(r.get("stages", [])) for r in ok), default=0)
    colors = ["#ed7d31", "#a5a5a5", "#ffc000", "#70ad47", "#5b9bd5", "#9e480e", "#636363", "#997300"]
    ax.bar(x - 0.2, [r["cost"] for r in ok], 0.4, label="whole model", color="#4472c4")
    if n_stages > 1:
        bottom = np.zeros(len(ok))
        for i in range(n_stages):
            vals = np.array([r["stages"][i]["cost"] if i < len(r.get("stages", [])) else 0 for r in ok], float)
            ax.bar(x + 0.2, vals, 0.4, bottom=bottom, label=f"stage {i}: {sources[i]}", color=colors[i % 8])
            bottom += vals
    ax.set_yscale("log")
    ax.set_xticks(x, [_label(r) for r in ok], fontsize=8)
    ax.set_ylabel("per prediction: instructions (AVR: cycles)")
    ax.set_title("Cost per prediction" + (" (stages measured one by one)" if n_stages > 1 else ""))
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_tradeoff(plt, ok, path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.8))
    ports = list(dict.fromkeys(r["port"] for r in ok if measure.PORTS[r["port"]].clock_hz))
    variants_ = list(dict.fromkeys(r["variant"] for r in ok))
    markers = "osD^v<>ph*"
    cmap = plt.get_cmap("tab10")
    for pi, port in enumerate(ports):
        c = cmap(pi % 10)
        pts = [r for r in ok if r["port"] == port]
        for r in pts:
            ax.scatter(r["model_flash"] or r["flash_estimate"], measure.microseconds(port, r["cost"]), color=c,
                       marker=markers[variants_.index(r["variant"]) % len(markers)], s=45, zorder=3)
        ax.axvline(measure.budget(port)[0], color=c, linestyle="--", linewidth=1)
        ax.scatter([], [], color=c, marker="s", label=f"{port} (dashed: its {measure.budget(port)[0] // 1024} KB flash)")
    for vi, v in enumerate(variants_):
        ax.scatter([], [], color="black", marker=markers[vi % len(markers)], label=v)
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain = plt.FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plt.FuncFormatter(lambda v, _: ""))
    ax.set_xlabel("flash of the model (bytes, linker)")
    ax.set_ylabel("latency per prediction (µs at the chip's clock)")
    ax.set_title("Flash vs latency")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# ----------------------------------------------------------------------------
# The command


def _check_output_dir(path: str, UsageError) -> None:
    if not path:
        raise UsageError("-o needs a folder name")
    if os.path.lexists(path) and not os.path.isdir(path):
        raise UsageError(f"output {path} exists and is not a folder")
    if os.path.isdir(path) and os.listdir(path):
        raise UsageError(f"output folder {path} is not empty")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UsageError(f"output's parent folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"output's parent folder {parent} is not writable")


def cmd_report(args, warn) -> int:
    from . import build_stages, cli

    UsageError = cli.UsageError
    _check_output_dir(args.output, UsageError)
    ports = []
    for p in args.port or list(measure.EMULATED):
        for name in p.split(","):
            if name not in measure.PORTS:
                raise UsageError(f"unknown port {name!r} (ports: {', '.join(measure.PORTS)})")
            ports.append(name)
    ports = list(dict.fromkeys(ports))
    if args.rows <= 0:
        raise UsageError("--rows must be positive")
    if args.jobs <= 0:
        raise UsageError("--jobs must be positive")
    if args.labels is not None and args.data is None:
        raise UsageError("--labels needs --data")
    est, ws = cli.load_model(args.model)
    warn.extend(ws)
    est = cli._network_from_state_dict(est, args)
    stages = build_stages(est)
    sources = [s.source for s in stages]
    is_classifier = stages[-1].classes is not None
    kind = stages[-1].describe()
    if not stages[-1].is_model:
        raise UsageError("report needs a model with a predictor as its last step (a classifier or regressor)")
    vs = variants(stages, args.policy, args.layout, UsageError)
    n_features = stages[0].n_features_in
    if args.data is not None:
        X = cli.load_data(args.data, n_features)[: args.rows]
        data_note = f"{X.shape[0]} rows of {os.path.basename(args.data)}"
    else:
        X = np.random.default_rng(0).standard_normal((args.rows, n_features)).astype(np.float32)
        data_note = f"{X.shape[0]} synthetic rows (standard normal, seed 0): give --data for the model's own inputs"
    if not np.all(np.isfinite(X)):
        raise UsageError("the data holds NaN or inf (after the cast to float32)")
    y = None
    if args.labels is not None:
        if not is_classifier:
            raise UsageError("--labels is for classifiers")
        try:
            y = np.load(args.labels, allow_pickle=False).ravel()
        except Exception as e:  # noqa: BLE001
            raise UsageError(f"cannot load labels file {args.labels}: {cli._one_line(e)}") from None
        if y.shape[0] < X.shape[0]:
            raise UsageError(f"labels file {args.labels} has fewer rows than the data")
        y = y[: X.shape[0]]
        if not np.all(np.isin(y, stages[-1].classes)):
            raise UsageError("--labels holds a label that is not in the model's classes_")

    plt = _matplotlib()
    parent = os.path.dirname(os.path.abspath(args.output))
    build_root = os.path.abspath(args.build) if args.build else tempfile.mkdtemp(prefix="ctml-report-build-")
    stage_dir = tempfile.mkdtemp(prefix=".ctml-report-", dir=parent)
    try:
        os.makedirs(build_root, exist_ok=True)
        data_dir = os.path.join(build_root, "data")
        os.makedirs(data_dir, exist_ok=True)
        results = []
        for port in ports:
            rows = rows_for(port, n_features, X.shape[0])
            model_dir = os.path.join(build_root, "models", f"rows-{rows}")
            if not os.path.exists(os.path.join(model_dir, "model_vectors.hpp")):
                measure.log(f"[ctml] converting the model and writing {rows} rows of parity vectors")
                np.save(os.path.join(data_dir, f"X-{rows}.npy"), X[:rows])
                labels = None
                if y is not None:
                    labels = os.path.join(data_dir, f"y-{rows}.npy")
                    np.save(labels, y[:rows])
                measure.write_model(args.model, os.path.join(data_dir, f"X-{rows}.npy"), model_dir, None, labels,
                                    args.torch_module)
            model = measure.Model("model", model_dir, vs, truth=y is not None, per_stage=len(stages) > 1)
            results += measure.bench_port(port, [model], build_root, repeat=1, jobs=args.jobs, strict=False)
        blocks = document(args, results, sources, kind, data_note, y is not None, plt is not None, ports)
        if plt is not None:
            ok = [r for r in results if "failed" not in r]
            if ok:
                measure.log("[ctml] plotting")
                plot_flash(plt, ok, sources, os.path.join(stage_dir, "flash.png"))
                plot_ram(plt, ok, os.path.join(stage_dir, "ram.png"))
                plot_cost(plt, ok, sources, os.path.join(stage_dir, "cost.png"))
                if any(measure.PORTS[r["port"]].clock_hz for r in ok):
                    plot_tradeoff(plt, ok, os.path.join(stage_dir, "tradeoff.png"))
            blocks = [b for b in blocks if b[0] != "img" or os.path.exists(os.path.join(stage_dir, b[1]))]
        if args.format in ("md", "both"):
            with open(os.path.join(stage_dir, "report.md"), "w") as f:
                f.write(render_md(blocks))
        if args.format in ("html", "both"):
            with open(os.path.join(stage_dir, "report.html"), "w") as f:
                f.write(render_html(blocks, f"ctml report: {os.path.basename(args.model)}"))
        os.chmod(stage_dir, 0o755)
        if os.path.isdir(args.output):
            os.rmdir(args.output)  # checked empty above
        os.rename(stage_dir, args.output)
    except measure.MeasureError as e:
        raise UsageError(f"report: {cli._one_line(str(e).splitlines()[0])}") from None
    finally:
        shutil.rmtree(stage_dir, ignore_errors=True)
        if not args.build:
            shutil.rmtree(build_root, ignore_errors=True)
    for r in results:
        if "failed" in r:
            warn.append(f"{r['port']} {r['variant']}: {r['failed']}")
        elif r.get("model_flash") is None:
            warn.append(f"{r['port']} {r['variant']}: the baseline firmware did not build, flash not measured")
        elif r["variant"].startswith("f32") and r["agree"] != r["rows"]:
            warn.append(f"{r['port']} {r['variant']}: agrees with the framework on {r['agree']} of {r['rows']} rows")
    if plt is None:
        warn.append("matplotlib is not importable: the report has tables and no plots (Debian: python3-matplotlib)")
    measure.log(f"[ctml] report written to {os.path.join(args.output, 'report.' + ('html' if args.format == 'html' else 'md'))}")
    return 0


def document(args, results, sources, kind, data_note, has_truth, plots, ports) -> list:
    ok = [r for r in results if "failed" not in r]
    blocks = [("h", 1, f"ctml report: {os.path.basename(args.model)}"),
              ("p", f"Model: {' >> '.join(sources)} ({kind}). Run on {data_note}. Ports: {', '.join(ports)}.")]
    blocks.append(("h", 2, "Per port, layout and policy"))
    head = ["port", "variant", "flash: linker (estimate, error)", "RAM estimate (state + scratch)", "stack (measured)",
            "static RAM", "cost / prediction", "at the chip's clock", "agrees with framework",
            "accuracy; fits the chip"]
    blocks.append(("table", head, summary_rows(results, has_truth)))
    srows = stage_rows(ok, sources)
    if srows:
        blocks.append(("h", 2, "Per stage"))
        blocks.append(("p", "Each stage built and measured on its own (a separate firmware); flash and RAM are "
                            "ctml's estimates per stage, `ops` is the stage's cost() (comparisons or "
                            "multiply-accumulates)."))
        blocks.append(("table", ["port", "variant", "stage", "flash estimate", "tables", "RAM estimate", "ops",
                                 "cost / prediction", "at the chip's clock"], srows))
    blocks.append(("h", 2, "Chips"))
    blocks.append(("table", ["port", "chip", "flash", "RAM", "clock", "cost counts"],
                   [[p, measure.PORTS[p].chip, f"{measure.budget(p)[0]:,} B", f"{measure.budget(p)[1]:,} B",
                     "-" if not measure.PORTS[p].clock_hz else f"{measure.PORTS[p].clock_hz / 1e6:g} MHz",
                     {"instr": "instructions (QEMU -icount; host: callgrind)",
                      "cycles": "cycles (simavr)"}[measure.PORTS[p].unit]] for p in ports]))
    if plots and ok:
        blocks.append(("h", 2, "Plots"))
        for f, alt in (("tradeoff.png", "flash vs latency"), ("flash.png", "flash per port"),
                       ("ram.png", "RAM per port"), ("cost.png", "cost per prediction")):
            blocks.append(("img", f, alt))
    elif not plots:
        blocks.append(("p", "No plots: matplotlib is not importable here (Debian: python3-matplotlib)."))
    blocks.append(("h", 2, "How it was measured"))
    blocks.append(("ul", [
        "flash: the firmware's text + data minus a baseline firmware with the same harness and no model; "
        "the estimate is the library's compile-time `flash_bytes()` for that port",
        "RAM: `ram_bytes()` (state + scratch, estimate); stack: painted stack after one prediction; static RAM: "
        "data + bss against the baseline",
        "cost: exact instruction counts (QEMU -icount on Cortex-M and RISC-V, callgrind on the host) or cycles "
        "(simavr on AVR), per prediction averaged over the rows; microseconds take one instruction a cycle on "
        "Cortex-M and RISC-V (a lower bound: wait states and multi-cycle instructions add to it)",
        "agreement: the firmware's predictions against the framework's on the same float32 rows "
        "(`ctml vectors`); int8 policies are expected to differ on some rows",
    ]))
    return blocks
