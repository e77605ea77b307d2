"""`python3 -m ctml report`: a small forest and a small scaler >> MLP on three
ports each; the report's plots are valid PNGs and its numbers are the
linker's, the framework's and the emulator's (checked here independently:
`size` of the kept firmware, sklearn's accuracy on the same rows). Bad input:
one line, exit 2, no output folder."""

import os
import shutil
import struct
import subprocess
import tempfile
import unittest
import warnings

import numpy as np

import _helpers as h

TOOLS = {"cortex-m0": "arm-none-eabi-g++", "cortex-m4f": "arm-none-eabi-g++", "atmega328p": "clang++-14"}
EMULATORS = {"cortex-m0": "qemu-system-arm", "cortex-m4f": "qemu-system-arm", "atmega328p": "simavr"}


def available(port: str) -> bool:
    return port == "host" or (shutil.which(TOOLS[port]) is not None and shutil.which(EMULATORS[port]) is not None)


def png_size(path: str) -> tuple[int, int]:
    """Width and height from a PNG's IHDR (raises if it is not a PNG)."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def table(md: str, heading: str) -> list[list[str]]:
    """Rows of the first Markdown table after `heading`."""
    part = md.split(heading, 1)[1]
    rows = [ln for ln in part.splitlines() if ln.startswith("|")]
    out = []
    for ln in rows[2:]:
        out.append([c.strip() for c in ln.strip("|").split("|")])
        if part.split(ln, 1)[1].startswith("\n\n"):
            break
    return out


def has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from sklearn.datasets import load_iris
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        cls.dir = tempfile.mkdtemp(prefix="ctml-report-")
        X, y = load_iris(return_X_y=True)
        cls.forest = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlp = MLPClassifier(hidden_layer_sizes=(6,), max_iter=200, random_state=0)
            cls.mlp = make_pipeline(StandardScaler(), mlp).fit(X, y)
        import ctml.nn

        ctml.nn.calibrate(cls.mlp, X)
        cls.forest_path = h.dump(cls.forest, os.path.join(cls.dir, "forest.joblib"))
        cls.mlp_path = h.dump(cls.mlp, os.path.join(cls.dir, "mlp.joblib"))
        rows = np.random.default_rng(1).choice(len(X), 8, replace=False)  # few rows: CI time
        cls.X, cls.y = X[rows], y[rows]
        cls.data = os.path.join(cls.dir, "X.npy")
        cls.labels = os.path.join(cls.dir, "y.npy")
        np.save(cls.data, cls.X)
        np.save(cls.labels, cls.y)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def report(self, model, ports, *extra):
        ports = [p for p in ports if available(p)]
        out = os.path.join(self.dir, "out-" + os.path.basename(model) + "-" + "-".join(extra).replace("-", ""))
        build = out + ".build"
        args = ["report", model, "--data", self.data, "--labels", self.labels, "-o", out, "--build", build]
        for p in ports:
            args += ["--port", p]
        r = h.run_cli_process(*args, *extra, timeout=900)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("[ctml] ", r.stderr)  # progress on stderr
        self.assertNotIn("ctml: error", r.stderr)
        return out, build, ports, r

    def check_common(self, out, ports, variants, est):
        with open(os.path.join(out, "report.md")) as f:
            md = f.read()
        rows = table(md, "## Per port, layout and policy")
        self.assertEqual([(r[0], r[1]) for r in rows], [(p, v) for p in ports for v in variants])
        # accuracy and agreement, against sklearn on the same float32 rows
        X32 = self.X.astype(np.float32)
        want_acc = f"{100.0 * np.mean(est.predict(X32.astype(np.float64)) == self.y):.1f}%"
        for r in rows:
            self.assertTrue(r[9].startswith(want_acc + ";"), r)
            if r[1] in ("unrolled", "table", "f32"):
                self.assertEqual(r[8], f"{len(self.X)}/{len(self.X)}", r)
        if has_matplotlib():
            for png in ("flash.png", "ram.png", "cost.png", "tradeoff.png"):
                w, hgt = png_size(os.path.join(out, png))
                self.assertGreater(w * hgt, 100 * 100)
                self.assertIn(f"]({png})", md)
        else:
            self.assertFalse([f for f in os.listdir(out) if f.endswith(".png")])
        return md, rows

    def check_flash(self, rows, build, port, variant):
        """The report's linker flash is `size` of the firmware minus the baseline's."""
        if port == "host":
            return
        tool = "avr-size" if port.startswith("atmega") else "arm-none-eabi-size"

        def flash(target):
            out = subprocess.run([tool, "-B", os.path.join(build, f"port-{port}", target + ".elf")],
                                 capture_output=True, text=True, check=True).stdout
            text, data = out.splitlines()[1].split()[:2]
            return int(text) + int(data)

        want = flash(f"bench_model_{variant}") - flash("bench_model_baseline")
        row = next(r for r in rows if r[0] == port and r[1] == variant)
        self.assertTrue(row[2].startswith(f"{want:,} B ("), (row, want))

    def test_forest_three_ports(self):
        out, build, ports, _ = self.report(self.forest_path, ["host", "cortex-m0", "atmega328p"])
        md, rows = self.check_common(out, ports, ["unrolled", "table"], self.forest)
        for p in ports:
            self.check_flash(rows, build, p, "table")
        for r in rows:  # cost: instructions or cycles, a positive count
            self.assertRegex(r[6], r"^[1-9][0-9,]* (instr|cycles)$")
        if "atmega328p" in ports:
            self.assertRegex(next(r for r in rows if r[0] == "atmega328p")[7], r" µs$")
        self.assertNotIn("## Per stage", md)

    def test_network_pipeline_three_ports_with_stages(self):
        out, build, ports, _ = self.report(self.mlp_path, ["host", "cortex-m0", "cortex-m4f"],
                                           "--policy", "f32", "--policy", "int8", "--format", "both")
        md, rows = self.check_common(out, ports, ["f32", "int8"], self.mlp)
        for p in ports:
            self.check_flash(rows, build, p, "f32")
        self.assertTrue(os.path.exists(os.path.join(out, "report.html")))
        stages = table(md, "## Per stage")
        self.assertEqual(len(stages), 2 * 2 * len(ports))
        self.assertEqual({r[2] for r in stages}, {"0: StandardScaler", "1: MLPClassifier"})
        # each stage's measured cost is a positive count
        for r in stages:
            self.assertRegex(r[7], r"^[1-9][0-9,]* instr$")

    def test_bad_input_one_line_and_nothing_written(self):
        out = os.path.join(self.dir, "never")
        not_empty = os.path.join(self.dir, "full")
        os.makedirs(not_empty, exist_ok=True)
        with open(os.path.join(not_empty, "x"), "w") as f:
            f.write("x")
        cases = [
            ["--policy", "int8"],  # a forest takes f32 only
            ["--port", "pdp11"],
            ["--rows", "0"],
            ["--labels", self.labels],  # without --data
        ]
        for extra in cases:
            r = h.run_cli_process("report", self.forest_path, "-o", out, *extra)
            self.assertEqual(r.returncode, 2, (extra, r.stderr))
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, (extra, r.stderr))
            self.assertRegex(r.stderr, r"^ctml: error: ")
            self.assertFalse(os.path.exists(out), extra)
        r = h.run_cli_process("report", self.forest_path, "--port", "host", "-o", not_empty)
        self.assertEqual(r.returncode, 2)
        self.assertIn("not empty", r.stderr)
        self.assertEqual(os.listdir(not_empty), ["x"])
        r = h.run_cli_process("report", self.forest_path, "--port", "host", "--layout", "table",
                              "--data", os.path.join(self.dir, "missing.npy"), "-o", out)
        self.assertEqual(r.returncode, 2)
        self.assertFalse(os.path.exists(out))
        self.assertEqual([f for f in os.listdir(self.dir) if f.startswith(".ctml-report")], [])


if __name__ == "__main__":
    unittest.main()
