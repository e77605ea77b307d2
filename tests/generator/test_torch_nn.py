"""PyTorch networks (ctml/torch_nn.py): torch.nn.Sequential saved whole with
torch.save, converted by `python3 -m ctml convert`, run on the host; every
unsupported layer or shape is one `ctml: error: ... is not supported` line,
exit 2 and no output file. Skipped when torch is not importable."""

from __future__ import annotations

import os
import tempfile
import unittest

import numpy as np

from _helpers import LIBRARY_READY, SKIP_REASON, ctml, run_cli

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
