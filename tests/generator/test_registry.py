"""The family registry: isinstance matching, lazily registered frameworks,
no import cycles, and facts about a model without reading its header."""

from __future__ import annotations

import os
import subprocess
import sys
import unittest

import numpy as np

from _helpers import GENERATOR, LIBRARY_READY, SKIP_REASON, ctml  # noqa: F401


def _python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=GENERATOR, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


class RegistryTest(unittest.TestCase):
    def test_every_family_module_registers_once(self):
        from ctml import registry

        names = [f.name for f in registry.families()]
        self.assertEqual(len(names), len(set(names)))
        for expected in ("scalers", "trees", "mlp", "torch"):
            self.assertIn(expected, names)
        self.assertIn("RandomForestClassifier", ctml.supported_estimators())
        self.assertIn("StandardScaler", ctml.supported_preprocessors())
        self.assertNotIn("StandardScaler", ctml.supported_estimators())

    def test_registering_a_name_twice_fails(self):
        from ctml import registry

        fam = registry.families()[0]
        with self.assertRaises(ValueError):
            registry.register(fam)

    @unittest.skipUnless(LIBRARY_READY, SKIP_REASON)
    def test_subclasses_convert_through_isinstance(self):
        from sklearn.datasets import load_iris
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.preprocessing import StandardScaler
        from sklearn.pipeline import make_pipeline
        from sklearn.tree import ExtraTreeClassifier

        class MyForest(RandomForestClassifier):
            pass

        class MyScaler(StandardScaler):
            pass

        X, y = load_iris(return_X_y=True)
        for est in (MyForest(n_estimators=3, random_state=0), ExtraTreeClassifier(random_state=0),
                    make_pipeline(MyScaler(), MyForest(n_estimators=2, random_state=1))):
            est.fit(X, y)
            m = ctml.convert(est, name="sub")
            X32 = X.astype(np.float32)
            np.testing.assert_array_equal(m.predict(X32), est.predict(X32.astype(np.float64)))

    def test_facts_come_from_the_stages_not_the_header(self):
        from sklearn.datasets import load_iris
        from sklearn.neural_network import MLPClassifier
        from sklearn.tree import DecisionTreeClassifier

        X, y = load_iris(return_X_y=True)
        tree = ctml.convert(DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y), name="t")
        self.assertEqual(tree.families, ["trees"])
        self.assertFalse(tree.is_network)
        mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(X, y)
        m = ctml.convert(mlp, name="n")
        self.assertTrue(m.is_network)
        self.assertFalse(m.calibrated)
        ctml.calibrate(mlp, X)
        self.assertTrue(ctml.convert(mlp, name="n").calibrated)

    def test_no_import_cycle_and_torch_changes_no_table(self):
        # nn must not import torch_nn (torch_nn builds on nn); importing torch
        # later adds no entries anywhere: the torch family asks sys.modules.
        code = (
            "import sys, ctml, ctml.nn\n"
            "assert 'ctml.torch_nn' not in sys.modules or 'torch' not in sys.modules\n"
            "from ctml import registry\n"
            "before = [(f.name, f.estimators) for f in registry.families()]\n"
            "import ctml.torch_nn\n"
            "assert 'torch' not in sys.modules, 'importing ctml must not import torch'\n"
            "after = [(f.name, f.estimators) for f in registry.families()]\n"
            "assert before == after\n"
            "import re\n"
            "src = open(ctml.nn.__file__).read()\n"
            "assert not re.search(r'import torch_nn|from \\.torch_nn', src), 'nn.py must not import torch_nn'\n"
            "try:\n"
            "    import torch\n"
            "except ImportError:\n"
            "    torch = None\n"
            "assert [(f.name, f.estimators) for f in registry.families()] == before\n"
            "if torch is not None:\n"
            "    fam = registry.is_foreign_model(torch.nn.Sequential(torch.nn.Linear(2, 1)))\n"
            "    assert fam is not None and fam.name == 'torch'\n"
            "print('ok')\n"
        )
        r = _python(code)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "ok")


if __name__ == "__main__":
    unittest.main()
