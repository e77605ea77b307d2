"""PyTorch networks (ctml/torch_nn.py): torch.nn.Sequential saved whole with
torch.save (or a state dict with --torch-module), converted by `python3 -m
ctml convert`, run on the host; `verify` and `vectors` against PyTorch's own
predictions; every unsupported layer or shape is one `ctml: error: ... is not
supported` line, exit 2 and no output file. Skipped when torch is not
importable."""

from __future__ import annotations

import copy
import os
import re
import tempfile
import unittest
from unittest import mock

import numpy as np

from _helpers import LIBRARY_READY, SKIP_REASON, array_tokens, cli, ctml, doubles, ints, run_cli

try:
    import torch

    HAVE_TORCH = True
except Exception:  # noqa: BLE001
    HAVE_TORCH = False

import ctml.torch_nn  # noqa: E402


def _save(model, d, name="m.pt") -> str:
    path = os.path.join(d, name)
    torch.save(model, path)
    return path


def _torch_predict(model, X: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model.eval()(torch.from_numpy(X)).argmax(dim=1).numpy()


def _random_bn(bn, gen):
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(bn.num_features, generator=gen) * 0.2)
        bn.running_var.copy_(torch.rand(bn.num_features, generator=gen) + 0.5)
        bn.weight.copy_(torch.rand(bn.num_features, generator=gen) + 0.5)
        bn.bias.copy_(torch.randn(bn.num_features, generator=gen) * 0.1)
    return bn


@unittest.skipUnless(HAVE_TORCH, "torch is not importable")
@unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
class TorchConvertTests(unittest.TestCase):
    def test_cnn2d_with_batchnorm_depthwise_and_pools_agrees_with_torch(self):
        nn = torch.nn
        torch.manual_seed(0)
        gen = torch.Generator().manual_seed(1)
        m = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), _random_bn(nn.BatchNorm2d(4), gen), nn.ReLU(),
                          nn.Conv2d(4, 8, 3, stride=(1, 2), groups=4), nn.Tanh(), nn.MaxPool2d(2),
                          nn.AvgPool2d((1, 1)), nn.Flatten(), nn.Dropout(0.1), nn.Linear(8 * 2 * 1, 16),
                          _random_bn(nn.BatchNorm1d(16), gen), nn.Sigmoid(), nn.Linear(16, 5), nn.Softmax(dim=1))
        m.eval()
        m.ctml_input_shape = (2, 6, 5)
        X = torch.randn(300, 2, 6, 5, generator=gen).numpy()
        with tempfile.TemporaryDirectory() as d:
            conv = ctml.convert(ctml.torch_nn.load(_save(m, d)), name="cnn2")
        self.assertIn("ctml::nn::depthwise_conv2d<conv1>", conv.header)
        self.assertIn("ctml::nn::max_pool2d<2, 2, 2, 2>", conv.header)
        self.assertIn("PyTorch", conv.header)
        got = conv.predict_index(X.reshape(len(X), -1))
        self.assertEqual(int((got == _torch_predict(m, X)).sum()), len(X))

    def test_cnn1d_int8_calibrated_and_binary_head(self):
        nn = torch.nn
        torch.manual_seed(0)
        m = nn.Sequential(nn.Conv1d(3, 6, 5, padding=2), nn.BatchNorm1d(6), nn.ReLU(), nn.MaxPool1d(2),
                          nn.Conv1d(6, 4, 3, stride=2), nn.ReLU(), nn.AvgPool1d(2), nn.Flatten(), nn.Linear(8, 1),
                          nn.Sigmoid())
        m.eval()
        X = torch.randn(200, 3, 20).numpy()
        ctml.torch_nn.calibrate(m, X)
        with tempfile.TemporaryDirectory() as d:
            path = _save(m, d)
            out = os.path.join(d, "net.hpp")
            rc, _, err = run_cli("convert", path, "--name", "net1d", "-o", out)
            self.assertEqual((rc, err), (0, ""))
            with open(out, encoding="utf-8") as f:
                header = f.read()
        self.assertIn("ctml::nn::conv1d<conv0>", header)
        self.assertIn("ctml::nn::head::logistic", header)
        self.assertIn("static constexpr bool calibrated = true;", header)
        conv = ctml.convert(m, name="net1d")
        with torch.no_grad():
            ref = (m(torch.from_numpy(X))[:, 0] > 0.5).numpy().astype(int)
        self.assertGreaterEqual(int((conv.predict_index(X.reshape(len(X), -1)) == ref).sum()), len(X) - 1)

    def test_linear_only_needs_no_input_shape(self):
        nn = torch.nn
        torch.manual_seed(0)
        m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        conv = ctml.convert(m, name="reg")
        self.assertIsNone(conv.classes_)
        X = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
        with torch.no_grad():
            ref = m(torch.from_numpy(X))[:, 0].numpy()
        np.testing.assert_allclose(conv.predict(X), ref, rtol=1e-5, atol=1e-5)


@unittest.skipUnless(HAVE_TORCH, "torch is not importable")
class TorchStateDictTests(unittest.TestCase):
    """A state dict plus the Sequential that defines the network."""

    MODULE = (
        "import torch\n"
        "def build():\n"
        "    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))\n"
        "net = build()\n"
    )

    def setUp(self):
        torch.manual_seed(0)
        self.model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).eval()
        self.dir = tempfile.TemporaryDirectory()
        self.state = os.path.join(self.dir.name, "weights.pt")
        torch.save(self.model.state_dict(), self.state)
        self.module = os.path.join(self.dir.name, "net.py")
        with open(self.module, "w") as f:
            f.write(self.MODULE)

    def tearDown(self):
        self.dir.cleanup()

    def convert(self, *extra):
        out = os.path.join(self.dir.name, "out.hpp")
        rc, _, err = run_cli("convert", self.state, "--name", "sd", "-o", out, *extra)
        return rc, err, out

    def test_state_dict_with_function_or_module_gives_the_whole_models_header(self):
        whole = ctml.convert(self.model, name="sd").header
        for spec in (f"{self.module}:build", f"{self.module}:net"):
            rc, err, out = self.convert("--torch-module", spec)
            self.assertEqual((rc, err), (0, ""))
            with open(out) as f:
                self.assertEqual(f.read(), whole)

    def test_state_dict_errors(self):
        cases = [((), "holds a state dict: name the network with --torch-module"),
                 (("--torch-module", "net.py"), "must be FILE.py:NAME"),
                 (("--torch-module", f"{self.module}:nothing"), "defines no nothing"),
                 (("--torch-module", os.path.join(self.dir.name, "missing.py") + ":net"), "does not exist")]
        for extra, what in cases:
            rc, err, out = self.convert(*extra)
            self.assertEqual(rc, 2, extra)
            self.assertEqual(err.count("\n"), 1, err)
            self.assertIn(what, err)
            self.assertFalse(os.path.exists(out))
        # weights that do not fit the network
        with open(self.module, "w") as f:
            f.write("import torch\nnet = torch.nn.Sequential(torch.nn.Linear(4, 2))\n")
        rc, err, out = self.convert("--torch-module", f"{self.module}:net")
        self.assertEqual(rc, 2)
        self.assertIn("the state dict does not fit", err)
        self.assertFalse(os.path.exists(out))


def _center_last_bias(net, x) -> None:
    """Shifts the last Linear layer's bias so that its outputs average 0 over
    x: a random network then predicts every class for some rows."""
    net = net.eval()
    with torch.no_grad():
        net[-1].bias.sub_(net(x).mean(dim=0))


def _verify_counts(stdout: str) -> tuple[int, int]:
    m = re.search(r"^agree: (\d+)/(\d+) \(", stdout, re.M)
    if not m:
        raise AssertionError(f"no agree line in {stdout!r}")
    return int(m.group(1)), int(m.group(2))


def _mismatches(stdout: str, reference: str = "torch") -> dict[int, tuple[int, int]]:
    """row -> (reference's class, ctml's class) from verify's mismatch lines."""
    pat = r"^mismatch row (\d+): " + reference + r"=(?:np\.int64\()?(\d+)\)? ctml=(?:np\.int64\()?(\d+)\)? x="
    return {int(r): (int(a), int(b)) for r, a, b in re.findall(pat, stdout, re.M)}


@unittest.skipUnless(HAVE_TORCH, "torch is not importable")
class TorchVerifyVectorsTests(unittest.TestCase):
    """`verify` and `vectors` on PyTorch networks: the reference is PyTorch's
    own argmax on the float32 rows, in eval mode (the networks are saved in
    train mode, with Dropout and BatchNorm that would change the outputs
    otherwise); here recomputed independently with torch."""

    SHAPE = (1, 6, 6)
    MODULE = (
        "import torch\n"
        "def build():\n"
        "    nn = torch.nn\n"
        "    m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),\n"
        "                      nn.Flatten(), nn.Dropout(0.5), nn.Linear(36, 5))\n"
        "    m.ctml_input_shape = (1, 6, 6)\n"
        "    return m\n"
    )

    @classmethod
    def setUpClass(cls):
        nn = torch.nn
        torch.manual_seed(3)
        gen = torch.Generator().manual_seed(4)
        cls.net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), _random_bn(nn.BatchNorm2d(4), gen), nn.ReLU(),
                                nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(36, 5))
        cls.net.ctml_input_shape = cls.SHAPE
        cls.X = np.random.default_rng(5).normal(size=(120, 36)).astype(np.float32)
        _center_last_bias(cls.net, torch.from_numpy(cls.X.reshape((-1,) + cls.SHAPE)))
        cls.net.train()  # as saved right after training: verify must switch to eval mode itself
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "cnn.pt")
        torch.save(cls.net, cls.path)
        cls.state = os.path.join(cls.dir.name, "cnn_state.pt")
        torch.save(cls.net.state_dict(), cls.state)
        cls.module = os.path.join(cls.dir.name, "cnn_module.py")
        with open(cls.module, "w") as f:
            f.write(cls.MODULE)
        cls.data = os.path.join(cls.dir.name, "X.npy")
        np.save(cls.data, cls.X)
        cls.y = np.random.default_rng(6).integers(0, 5, size=120)
        cls.labels = os.path.join(cls.dir.name, "y.npy")
        np.save(cls.labels, cls.y)
        cls.ref = cls.torch_argmax(cls.net, cls.X)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    @classmethod
    def torch_argmax(cls, net, X):
        net = copy.deepcopy(net).eval()
        with torch.no_grad():
            return net(torch.from_numpy(X.reshape((-1,) + cls.SHAPE))).argmax(dim=1).numpy()

    def out(self, name):
        return os.path.join(self.dir.name, name)

    # -- verify

    @unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
    def test_verify_whole_module_and_state_dict_agree(self):
        self.assertTrue(self.net.training)
        self.assertEqual(len(set(self.ref.tolist())), 5)  # a network that predicts every class
        for argv in (("verify", self.path), ("verify", self.state, "--torch-module", f"{self.module}:build")):
            rc, stdout, err = run_cli(*argv, "--data", self.data, "--name", "tcnn")
            self.assertEqual((rc, err), (0, ""), stdout)
            self.assertIn("(Sequential) on", stdout)
            self.assertIn("120 rows, 36 features", stdout)
            self.assertEqual(_verify_counts(stdout), (120, 120))
            self.assertNotIn("mismatch", stdout)

    @unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
    def test_verify_detects_a_header_of_another_model(self):
        """The header comes from a network whose classes 0 and 1 are swapped:
        exactly the rows PyTorch puts in class 0 or 1 must be reported, with
        PyTorch's class and the other one."""
        swapped = copy.deepcopy(self.net)
        with torch.no_grad():
            swapped[-1].weight[[0, 1]] = swapped[-1].weight[[1, 0]].clone()
            swapped[-1].bias[[0, 1]] = swapped[-1].bias[[1, 0]].clone()
        real = ctml.convert
        with mock.patch.object(cli, "convert", lambda est, name="model": real(swapped, name=name)):
            rc, stdout, err = run_cli("verify", self.path, "--data", self.data, "--name", "tswap", "--show", 1000)
        self.assertEqual((rc, err), (1, ""))
        want = {int(i): (int(self.ref[i]), 1 - int(self.ref[i])) for i in np.flatnonzero(self.ref <= 1)}
        self.assertGreater(len(want), 0)
        self.assertEqual(_verify_counts(stdout), (120 - len(want), 120))
        self.assertEqual(_mismatches(stdout), want)

    @unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
    def test_verify_detects_a_corrupted_header(self):
        """The last layer's bias of class 0 raised to 1000 in the header text:
        the C++ then says 0 everywhere, PyTorch does not."""
        good = ctml.convert(self.net, name="tbad")
        head, sep, tail = good.header.rpartition("static constexpr double bias[n_out] = {")
        tail = re.sub(r"^(\s*)[-0-9.e]+", r"\g<1>1000.0", tail, count=1)
        bad = copy.copy(good)
        bad.header = head + sep + tail
        self.assertNotEqual(bad.header, good.header)
        with mock.patch.object(cli, "convert", lambda est, name="model": bad):
            rc, stdout, err = run_cli("verify", self.path, "--data", self.data, "--name", "tbad", "--show", 3)
        self.assertEqual((rc, err), (1, ""))
        n_bad = int((self.ref != 0).sum())
        self.assertEqual(_verify_counts(stdout), (120 - n_bad, 120))
        shown = _mismatches(stdout)
        self.assertEqual(len(shown), 3)
        for i, (t, c) in shown.items():
            self.assertEqual((t, c), (int(self.ref[i]), 0))
        self.assertIn(f"... and {n_bad - 3} more mismatches", stdout)

    @unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
    def test_verify_regressor_within_tolerance(self):
        nn = torch.nn
        torch.manual_seed(7)
        net = nn.Sequential(nn.Linear(36, 8), nn.Tanh(), nn.Linear(8, 1))
        path = os.path.join(self.dir.name, "reg.pt")
        torch.save(net, path)
        rc, stdout, err = run_cli("verify", path, "--data", self.data, "--name", "treg", "--tolerance", 1e-5)
        self.assertEqual((rc, err), (0, ""), stdout)
        self.assertEqual(_verify_counts(stdout), (120, 120))
        # the same comparison, computed here
        with torch.no_grad():
            ref = net(torch.from_numpy(self.X))[:, 0].numpy().astype(np.float64)
        got = ctml.convert(net, name="treg").predict(self.X)
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-5)

    # -- vectors

    def test_vectors_expected_is_torchs_argmax(self):
        for i, argv in enumerate(((self.path,), (self.state, "--torch-module", f"{self.module}:build"))):
            out = self.out(f"v{i}.hpp")
            rc, stdout, err = run_cli("vectors", *argv, "--data", self.data, "--name", "tv", "--rows", 50,
                                      "--labels", self.labels, "-o", out)
            self.assertEqual((rc, stdout, err), (0, "", ""))
            with open(out) as f:
                text = f.read()
            self.assertIn("expected = PyTorch ", text)
            self.assertIn("argmax of Sequential", text)
            self.assertIn("CTML_FLASH inline constexpr int expected[n_rows] = {", text)
            x = np.array([np.float32(t[:-1]) for t in array_tokens(text, "x")], dtype=np.float32).reshape(50, 36)
            np.testing.assert_array_equal(x, self.X[:50])
            np.testing.assert_array_equal(ints(text, "expected"), self.ref[:50])
            np.testing.assert_array_equal(ints(text, "truth"), self.y[:50])

    def test_vectors_binary_and_regressor_heads(self):
        nn = torch.nn
        torch.manual_seed(8)
        X = self.X[:, :6]
        data = self.out("X6.npy")
        np.save(data, X)
        binary = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid())
        regressor = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 1))
        _center_last_bias(binary[:3], torch.from_numpy(X))
        with torch.no_grad():
            want_binary = (binary(torch.from_numpy(X))[:, 0] > 0.5).numpy().astype(int)
            want_value = regressor(torch.from_numpy(X))[:, 0].numpy().astype(np.float64)
        self.assertTrue(0 < want_binary.sum() < len(X))
        for net, name in ((binary, "bin"), (regressor, "reg")):
            path, out = self.out(f"{name}.pt"), self.out(f"{name}_vectors.hpp")
            torch.save(net, path)
            rc, _, err = run_cli("vectors", path, "--data", data, "--name", name, "-o", out)
            self.assertEqual((rc, err), (0, ""))
            with open(out) as f:
                text = f.read()
            if net is binary:
                self.assertRegex(text, r"expected = PyTorch \S+ output > 0\.5 of Sequential")
                np.testing.assert_array_equal(ints(text, "expected"), want_binary)
            else:
                self.assertRegex(text, r"expected = PyTorch \S+ output of Sequential")
                self.assertIn("CTML_FLASH inline constexpr double expected[n_rows] = {", text)
                np.testing.assert_array_equal(doubles(text, "expected"), want_value)

    def test_predict_restores_the_training_mode(self):
        net = copy.deepcopy(self.net).train()
        got = ctml.torch_nn.predict(net, self.X)
        self.assertTrue(net.training)
        np.testing.assert_array_equal(got, self.ref)

    # -- errors: one line, exit 2, nothing written

    def test_errors(self):
        bad_cols = self.out("X35.npy")
        np.save(bad_cols, self.X[:, :35])
        cases = [
            (("vectors", self.state), "holds a state dict: name the network with --torch-module"),
            (("verify", self.state), "holds a state dict: name the network with --torch-module"),
            (("vectors", self.path, "--torch-module", f"{self.module}:build"), "needs a PyTorch state dict"),
            (("vectors", self.state, "--torch-module", f"{self.module}:missing"), "defines no missing"),
            (("vectors", self.path, "--data", bad_cols), "has 35 columns; the model expects 36 features"),
            (("verify", self.path, "--data", bad_cols), "has 35 columns; the model expects 36 features"),
        ]
        for argv, what in cases:
            out = self.out("err.hpp")
            extra = [] if "--data" in argv else ["--data", self.data]
            extra += ["--name", "e"] + (["-o", out] if argv[0] == "vectors" else [])
            rc, stdout, err = run_cli(*argv, *extra)
            self.assertEqual((rc, stdout), (2, ""), argv)
            self.assertEqual(err.count("\n"), 1, err)
            self.assertTrue(err.startswith("ctml: error: "), err)
            self.assertIn(what, err)
            self.assertFalse(os.path.exists(out))

    def test_convert_calibrate_takes_the_flattened_rows(self):
        out = self.out("cal.hpp")
        rc, _, err = run_cli("convert", self.path, "--name", "cal", "-o", out, "--calibrate", self.data)
        self.assertEqual((rc, err), (0, ""))
        with open(out) as f:
            text = f.read()
        self.assertIn("static constexpr bool calibrated = true;", text)
        self.assertIn("// activation ranges from 120 calibration rows", text)
        np.testing.assert_array_equal(doubles(text, "input_range"), [float(self.X.min()), float(self.X.max())])
        # the first range is the conv layer's output (BatchNorm folded) in eval mode
        net = copy.deepcopy(self.net).eval()
        with torch.no_grad():
            y = net[1](net[0](torch.from_numpy(self.X.reshape((-1,) + self.SHAPE)))).numpy()
        np.testing.assert_allclose(doubles(text, "ranges")[:2], [y.min(), y.max()], rtol=1e-5, atol=1e-6)


@unittest.skipUnless(HAVE_TORCH, "torch is not importable")
class TorchErrorTests(unittest.TestCase):
    def _fails(self, model, what: str, input_shape=None):
        if input_shape is not None:
            model.ctml_input_shape = input_shape
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.hpp")
            rc, stdout, err = run_cli("convert", _save(model, d), "--name", "bad", "-o", out)
            self.assertEqual(rc, 2)
            self.assertEqual(stdout, "")
            self.assertEqual(err.count("\n"), 1, err)
            self.assertTrue(err.startswith("ctml: error: "), err)
            self.assertIn(what, err)
            self.assertIn("is not supported (supported: Linear, Conv1d, Conv2d", err)
            self.assertFalse(os.path.exists(out))

    def test_unsupported_layer(self):
        self._fails(torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LSTM(4, 4)), "layer LSTM")

    def test_unsupported_activation(self):
        self._fails(torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LeakyReLU(), torch.nn.Linear(4, 2)),
                    "layer LeakyReLU")

    def test_not_a_sequential(self):
        self._fails(torch.nn.Linear(4, 2), "a Linear module (not a torch.nn.Sequential)")

    def test_linear_shape_mismatch(self):
        self._fails(torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Linear(5, 2)), "Linear(in_features=5) on 6")

    def test_conv_on_flat_input(self):
        self._fails(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(2, 2)),
                    "Conv2d on a tensor of shape (64,)", input_shape=(64,))

    def test_window_larger_than_input(self):
        nn = torch.nn
        self._fails(nn.Sequential(nn.Conv2d(1, 2, 5), nn.Flatten(), nn.Linear(2, 2)), "a window of 5 on an input of 3",
                    input_shape=(1, 3, 3))

    def test_missing_flatten(self):
        nn = torch.nn
        self._fails(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(2, 2)), "Linear on a tensor of shape (2, 1, 1)",
                    input_shape=(1, 3, 3))

    def test_grouped_conv(self):
        nn = torch.nn
        self._fails(nn.Sequential(nn.Conv2d(4, 4, 3, groups=2), nn.Flatten(), nn.Linear(4, 2)), "groups=2",
                    input_shape=(4, 3, 3))

    def test_dilated_conv(self):
        nn = torch.nn
        self._fails(nn.Sequential(nn.Conv1d(1, 1, 3, dilation=2), nn.Flatten(), nn.Linear(2, 2)), "dilation",
                    input_shape=(1, 6))

    def test_pool_padding(self):
        nn = torch.nn
        self._fails(nn.Sequential(nn.MaxPool2d(2, padding=1), nn.Flatten(), nn.Linear(4, 2)), "MaxPool2d with padding",
                    input_shape=(1, 3, 3))

    def test_batchnorm_not_after_a_layer(self):
        nn = torch.nn
        self._fails(nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2)),
                    "BatchNorm1d not right after")

    def test_softmax_over_other_dim(self):
        self._fails(torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Softmax(dim=0)), "Softmax(dim=0)")

    def test_output_not_linear(self):
        nn = torch.nn
        self._fails(nn.Sequential(nn.Linear(4, 4), nn.ReLU()), "relu after the last Linear layer")


if __name__ == "__main__":
    unittest.main()
