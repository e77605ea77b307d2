"""The CLI never harms the user's files and always says one line (issue 10, section 2)."""

import os
import shutil
import stat
import subprocess
import tempfile
import unittest

import numpy as np

import _helpers as h
from _helpers import ctml

from test_errors import ERROR_LINE

INCLUDE = os.path.join(h.REPO, "include")


def compile_and_run(sources: dict, cxx: str, std: str = "-std=gnu++20", opt: str = "-O0") -> subprocess.CompletedProcess:
    """Builds the given files (name -> text; .cpp files are compiled) and runs the program."""
    with tempfile.TemporaryDirectory(prefix="ctml-hard-") as d:
        for name, text in sources.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        cpps = [os.path.join(d, n) for n in sources if n.endswith(".cpp")]
        exe = os.path.join(d, "a.out")
        r = subprocess.run([cxx, std, opt, "-Wall", "-Wextra", "-Werror", "-I", INCLUDE, "-I", d, *cpps, "-o", exe],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return r
        return subprocess.run([exe], capture_output=True, text=True)


class OutputSafetyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from sklearn.tree import DecisionTreeClassifier

        cls.dir = tempfile.mkdtemp(prefix="ctml-hard-")
        X, y = h.iris_str()
        cls.X = X
        cls.model = h.dump(DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y),
                           os.path.join(cls.dir, "m.joblib"))
        cls.data = os.path.join(cls.dir, "X.npy")
        np.save(cls.data, X[:10])
        with open(cls.model, "rb") as f:
            cls.model_bytes = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def refused(self, out, *contains, argv=None):
        argv = argv or ["convert", self.model, "--name", "m", "-o", out]
        rc, stdout, stderr = h.run_cli(*argv)
        self.assertEqual(rc, 2, stderr)
        self.assertRegex(stderr, ERROR_LINE)
        self.assertEqual(stdout, "")
        for c in contains:
            self.assertIn(c, stderr)
        self.assertNotIn(".tmp", stderr)
        return stderr

    def no_temp_files(self, d):
        self.assertEqual([f for f in os.listdir(d) if f.startswith(".")], [])

    def test_fifo_is_refused(self):
        with tempfile.TemporaryDirectory(dir=self.dir) as d:
            fifo = os.path.join(d, "pipe.hpp")
            os.mkfifo(fifo)
            self.refused(fifo, "not a regular file", fifo)
            self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
            self.no_temp_files(d)

    def test_device_is_refused(self):
        # Refused before anything is written (as root the old code replaced the node).
        self.refused("/dev/null", "not a regular file", "/dev/null")
        self.assertTrue(stat.S_ISCHR(os.lstat("/dev/null").st_mode))

    def test_symlink_is_refused(self):
        with tempfile.TemporaryDirectory(dir=self.dir) as d:
            target = os.path.join(d, "real.hpp")
            with open(target, "w") as f:
                f.write("keep\n")
            link = os.path.join(d, "link.hpp")
            os.symlink(target, link)
            self.refused(link, "symbolic link", link)
            self.assertTrue(os.path.islink(link))
            with open(target) as f:
                self.assertEqual(f.read(), "keep\n")

    def test_read_only_file_is_refused(self):
        with tempfile.TemporaryDirectory(dir=self.dir) as d:
            ro = os.path.join(d, "ro.hpp")
            with open(ro, "w") as f:
                f.write("keep\n")
            os.chmod(ro, 0o444)
            self.refused(ro, "read-only", ro)
            with open(ro) as f:
                self.assertEqual(f.read(), "keep\n")

    def test_input_is_never_the_output(self):
        self.refused(self.model, "is the input file")
        with open(self.model, "rb") as f:
            self.assertEqual(f.read(), self.model_bytes)
        self.refused(self.data, "is the input file",
                     argv=["vectors", self.model, "--data", self.data, "--name", "v", "-o", self.data])
        self.refused(self.data, "is the input file",
                     argv=["convert", self.model, "--name", "m", "--data", self.data, "-o", self.data])
        # a hard link to the model is the model too
        with tempfile.TemporaryDirectory(dir=self.dir) as d:
            hard = os.path.join(d, "same.hpp")
            os.link(self.model, hard)
            self.refused(hard, "is the input file")
        with open(self.model, "rb") as f:
            self.assertEqual(f.read(), self.model_bytes)

    def test_empty_and_folder_names_name_the_users_path(self):
        self.refused("", "output path is empty")
        with tempfile.TemporaryDirectory(dir=self.dir) as d:
            self.refused(d + "/", d + "/")
            self.refused(os.path.join(d, "new") + "/", "names a folder")
            self.no_temp_files(d)

    def test_long_file_name(self):
        with tempfile.TemporaryDirectory(dir=self.dir) as d:
            out = os.path.join(d, "m" * 246 + ".hpp")  # 250 characters: a valid name
            rc, _, err = h.run_cli("convert", self.model, "--name", "m", "-o", out)
            self.assertEqual((rc, err), (0, ""))
            self.assertTrue(os.path.isfile(out))
            self.no_temp_files(d)

    def test_regular_file_is_replaced_atomically(self):
        with tempfile.TemporaryDirectory(dir=self.dir) as d:
            out = os.path.join(d, "m.hpp")
            with open(out, "w") as f:
                f.write("old\n")
            ino = os.stat(out).st_ino
            rc, _, err = h.run_cli("convert", self.model, "--name", "m", "-o", out)
            self.assertEqual((rc, err), (0, ""))
            self.assertNotEqual(os.stat(out).st_ino, ino)  # renamed over, not rewritten in place
            self.no_temp_files(d)


class DataAndOptionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from sklearn.tree import DecisionTreeClassifier

        cls.dir = tempfile.mkdtemp(prefix="ctml-hard-")
        X, y = h.iris_str()
        cls.model = h.dump(DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y),
                           os.path.join(cls.dir, "m.joblib"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def one_line(self, argv, *contains):
        r = h.run_cli_process(*argv)  # a real process: numpy warnings would show on its stderr
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertRegex(r.stderr, ERROR_LINE)
        self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
        for c in contains:
            self.assertIn(c, r.stderr)

    def write(self, name, text):
        p = os.path.join(self.dir, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def verify(self, data, *more):
        return ["verify", self.model, "--data", data, *more]

    def test_huge_values(self):
        big = os.path.join(self.dir, "big.npy")
        np.save(big, np.array([[1e300, 1.0, 1.0, 1.0]]))
        self.one_line(self.verify(big), "1e+300", "float32")
        self.one_line(self.verify(self.write("big.csv", "1,2,3,1e300\n")), "1e+300")
        nan = os.path.join(self.dir, "nan.npy")
        np.save(nan, np.array([[np.nan, 1.0, 1.0, 1.0]]))
        self.one_line(self.verify(nan), "nan")

    def test_empty_csv(self):
        self.one_line(self.verify(self.write("empty.csv", "")), "no rows")
        self.one_line(self.verify(self.write("header_only.csv", "a,b,c,d\n")), "no rows")

    def test_non_number_in_a_data_row(self):
        self.one_line(self.verify(self.write("typo.csv", "5.1,3.5,x1.4,0.2\n4.9,3.0,1.4,0.2\n")),
                      "line 1 column 3", "'x1.4'")
        self.one_line(self.verify(self.write("typo2.csv", "a,b,c,d\n5.1,3.5,1.4,0.2\n4.9,oops,1.4,0.2\n")),
                      "line 3 column 2")

    def test_header_line_is_still_accepted(self):
        p = self.write("ok.csv", "a,b,c,d\n5.1,3.5,1.4,0.2\n")
        r = h.run_cli_process(*self.verify(p))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("agree: 1/1", r.stdout)

    def test_bad_option_values(self):
        data = self.write("one.csv", "5.1,3.5,1.4,0.2\n")
        for tol in ("nan", "-1", "inf", "x"):
            self.one_line(self.verify(data, "--tolerance", tol), "--tolerance")
        for show in ("-1", "1.5"):
            self.one_line(self.verify(data, "--show", show), "--show")
        self.one_line(["vectors", self.model, "--data", data, "--name", "v", "--rows", "0", "-o",
                       os.path.join(self.dir, "v.hpp")], "--rows")


class NamesAndLabelsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from sklearn.tree import DecisionTreeClassifier

        cls.dir = tempfile.mkdtemp(prefix="ctml-hard-")
        X, y = h.iris_str()
        cls.tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
        cls.model = h.dump(cls.tree, os.path.join(cls.dir, "m.joblib"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_names_that_break_headers_are_refused(self):
        for name in ("size_t", "int8_t", "uint32_t", "ptrdiff_t", "NULL", "INT8_MAX", "SIZE_MAX", "EOF",
                     "linux", "unix", "errno", "stdin", "printf", "abs"):
            out = os.path.join(self.dir, "n.hpp")
            rc, _, err = h.run_cli("convert", self.model, "--name", name, "-o", out)
            self.assertEqual(rc, 2, name)
            self.assertRegex(err, ERROR_LINE)
            self.assertIn(repr(name), err)
            self.assertFalse(os.path.exists(out))

    def test_accepted_names_compile_in_gnu_mode(self):
        # gnu++20 is what CMake's cxx_std_20 gives; both compilers, one TU each.
        want = int(np.searchsorted(self.tree.classes_, self.tree.predict(np.zeros((1, 4)))[0]))
        for name in ("iris", "model_1", "gesture", "Digits", "x"):
            header = ctml.convert(self.tree, name=name).header
            main = ('#include <cstdio>\n#include <cstdlib>\n#include <cstring>\n#include "m.hpp"\n'
                    f"int main() {{ std::array<float, {name}::n_features> x{{}}; "
                    f"return {name}::model.predict(x) == {want} ? 0 : 1; }}\n")
            for cxx in ("g++-12", "clang++-14"):
                r = compile_and_run({"m.hpp": header, "main.cpp": main}, cxx)
                self.assertEqual(r.returncode, 0, (name, cxx, r.stderr[-2000:]))

    def test_int64_min_label_with_clang(self):
        from sklearn.tree import DecisionTreeClassifier

        X, _ = h.iris_str()
        lo, hi = -(2**63), 2**63 - 1
        y = np.array([lo, 0, hi], dtype=np.int64)[np.arange(len(X)) * 3 // len(X)]
        t = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
        m = ctml.convert(t, name="extreme")
        self.assertIn("(-9223372036854775807LL - 1)", m.header)
        for cxx in ("clang++-14", "g++-12"):
            old = os.environ.get("CTML_CXX")
            os.environ["CTML_CXX"] = cxx
            try:
                got = m.predict(X)
            finally:
                if old is None:
                    del os.environ["CTML_CXX"]
                else:
                    os.environ["CTML_CXX"] = old
            np.testing.assert_array_equal(got, t.predict(X.astype(np.float32)))
            main = ('#include "m.hpp"\nstatic_assert(extreme::labels[0] == -9223372036854775807LL - 1);\n'
                    "static_assert(extreme::labels[2] == 9223372036854775807LL);\nint main() {}\n")
            r = compile_and_run({"m.hpp": m.header, "main.cpp": main}, cxx)
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])


class TreeEdgeCasesTest(unittest.TestCase):
    def test_negative_sample_weight_is_one_clear_error(self):
        from sklearn.tree import DecisionTreeClassifier

        rng = np.random.default_rng(0)
        X = rng.normal(size=(300, 3))
        y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
        w = np.where(rng.random(300) < 0.3, -1.0, 1.0)
        t = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=w)
        self.assertLess(t.tree_.value.min(), 0)  # the case: a leaf with a negative class weight
        with tempfile.TemporaryDirectory() as d:
            rc, _, err = h.run_cli("convert", h.dump(t, os.path.join(d, "neg.joblib")), "--name", "neg",
                                   "-o", os.path.join(d, "neg.hpp"))
            self.assertEqual(rc, 2)
            self.assertRegex(err, ERROR_LINE)
            self.assertIn("negative sample_weight", err)
            self.assertEqual(os.listdir(d), ["neg.joblib"])

    def test_single_leaf_tree_with_table_layout(self):
        from sklearn.tree import DecisionTreeClassifier

        t = DecisionTreeClassifier().fit(np.zeros((10, 2)), np.arange(10) % 2)  # no split possible
        self.assertEqual(t.tree_.node_count, 1)
        want = int(np.searchsorted(t.classes_, t.predict(np.zeros((1, 2)))[0]))
        header = ctml.convert(t, name="one").header
        main = ('#include "m.hpp"\n#include <array>\n'
                "int main() { constexpr auto m = one::model.with(ctml::table_layout{});\n"
                "  std::array<float, 2> x{}; return m.predict(x) == %d && one::model.predict(x) == %d ? 0 : 1; }\n"
                % (want, want))
        for cxx in ("g++-12", "clang++-14"):
            r = compile_and_run({"m.hpp": header, "main.cpp": main}, cxx)
            self.assertEqual(r.returncode, 0, (cxx, r.stderr[-2000:]))

    def test_deep_chain_takes_the_table_automatically(self):
        from sklearn.tree import DecisionTreeClassifier

        depth = 1000
        t = chain_tree(depth)
        X = np.arange(-2, depth + 2, dtype=np.float64).reshape(-1, 1) + 0.25
        self.assertEqual(t.get_depth(), depth)
        m = ctml.convert(t, name="chain")
        np.testing.assert_array_equal(m.predict(X), t.predict(X.astype(np.float32)))  # g++, default flags
        old = os.environ.get("CTML_CXX")
        os.environ["CTML_CXX"] = "clang++-14"
        try:
            np.testing.assert_array_equal(m.predict(X), t.predict(X.astype(np.float32)))
        finally:
            if old is None:
                del os.environ["CTML_CXX"]
            else:
                os.environ["CTML_CXX"] = old
        self.assertIsInstance(t, DecisionTreeClassifier)


class OdrAndHelpTest(unittest.TestCase):
    def test_same_name_in_two_translation_units(self):
        """Two different models converted with the same NAME, one per TU: each
        TU must use its own model (a content-hash inline namespace)."""
        from sklearn.tree import DecisionTreeClassifier

        X, y = h.iris_str()
        a = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
        b = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
        X32 = X.astype(np.float32)
        ia = np.searchsorted(a.classes_, a.predict(X32))
        ib = np.searchsorted(b.classes_, b.predict(X32))
        rows = np.flatnonzero(ia != ib)[:5]
        self.assertGreater(len(rows), 0)
        tu = ('#include <array>\n#include "{h}"\n'
              "int predict_{n}(const std::array<float, 4>& x) {{ return m::model.predict(x); }}\n")
        checks = "".join(
            "  if (predict_a({{{x}}}) != {a} || predict_b({{{x}}}) != {b}) return 1;\n".format(
                x=", ".join(f"{v!r}f" for v in X32[r].tolist()), a=ia[r], b=ib[r]) for r in rows)
        main = ("#include <array>\nint predict_a(const std::array<float, 4>&);\n"
                "int predict_b(const std::array<float, 4>&);\nint main() {\n" + checks + "  return 0;\n}\n")
        sources = {"a.hpp": ctml.convert(a, name="m").header, "b.hpp": ctml.convert(b, name="m").header,
                   "a.cpp": tu.format(h="a.hpp", n="a"), "b.cpp": tu.format(h="b.hpp", n="b"), "main.cpp": main}
        for cxx in ("g++-12", "clang++-14"):
            r = compile_and_run(sources, cxx, opt="-O0")  # -O0: nothing inlined, the linker picks
            self.assertEqual(r.returncode, 0, (cxx, r.stderr[-2000:]))

    def test_pickle_warning_in_help_and_readme(self):
        r = h.run_cli_process("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("runs code", " ".join(r.stdout.split()))
        r = h.run_cli_process("convert", "--help")
        self.assertIn("runs code", " ".join(r.stdout.split()))
        with open(os.path.join(h.REPO, "README.md")) as f:
            self.assertIn("runs code", " ".join(f.read().split()))


class CalibrationPathTest(unittest.TestCase):
    """One calibration path: ctml.nn.calibrate and --calibrate of convert,
    verify and vectors give the same ranges (from the float32 rows)."""

    @classmethod
    def setUpClass(cls):
        from sklearn.neural_network import MLPClassifier

        cls.dir = tempfile.mkdtemp(prefix="ctml-cal-")
        rng = np.random.default_rng(1)
        X = rng.normal(size=(200, 6)) * 3.3  # values that float32 rounds
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls.m = MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0).fit(X, y)
        cls.X = X
        cls.model = h.dump(cls.m, os.path.join(cls.dir, "mlp.joblib"))
        cls.data = os.path.join(cls.dir, "X.npy")
        np.save(cls.data, X)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_python_and_cli_calibration_agree(self):
        import copy

        m = copy.deepcopy(self.m)
        ctml.nn.calibrate(m, self.X)
        out = os.path.join(self.dir, "cal.hpp")
        rc, _, err = h.run_cli("convert", self.model, "--name", "mlp", "--calibrate", self.data, "-o", out)
        self.assertEqual((rc, err), (0, ""))
        with open(out) as f:
            self.assertEqual(f.read(), ctml.convert(m, name="mlp").header)

    def test_verify_and_vectors_take_calibrate(self):
        r = h.run_cli_process("verify", self.model, "--data", self.data, "--policy", "int8")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--calibrate", r.stderr)
        r = h.run_cli_process("verify", self.model, "--data", self.data, "--policy", "int8", "--calibrate", self.data)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        self.assertRegex(r.stdout, r"agree: \d+/200")
        agree = int(r.stdout.split("agree: ")[1].split("/")[0])
        self.assertGreater(agree, 180)  # int8 of a small MLP: close to the float model
        out = os.path.join(self.dir, "v.hpp")
        r = h.run_cli_process("vectors", self.model, "--data", self.data, "--name", "v", "--rows", "20",
                              "--policy", "int8", "--calibrate", self.data, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        # the expected classes are the int8 build's, as verify --policy computes them
        import copy

        m = copy.deepcopy(self.m)
        ctml.nn.calibrate(m, self.X)
        want = ctml.convert(m, name="v").predict_index(self.X[:20], "int8")
        with open(out) as f:
            np.testing.assert_array_equal(h.ints(f.read(), "expected"), want)


def chain_tree(depth: int):
    """A fitted DecisionTreeClassifier whose tree is a chain: node 2k tests
    x0 <= k + 0.5, its left child is a leaf of class k % 2, its right child the
    next test (sklearn's own Tree, rebuilt through its pickle state)."""
    from sklearn.tree import DecisionTreeClassifier

    t = DecisionTreeClassifier(max_depth=1).fit(np.array([[0.0], [1.0]]), np.array([0, 1]))
    state = t.tree_.__getstate__()
    n = 2 * depth + 1
    nodes = np.zeros(n, dtype=state["nodes"].dtype)
    values = np.zeros((n, 1, 2))
    tests = np.arange(depth) * 2
    leaves = np.append(tests + 1, n - 1)
    nodes["left_child"][tests], nodes["right_child"][tests] = tests + 1, tests + 2
    nodes["threshold"][tests] = np.arange(depth) + 0.5
    nodes["feature"][tests] = 0
    nodes["left_child"][leaves] = nodes["right_child"][leaves] = -1
    nodes["feature"][leaves], nodes["threshold"][leaves] = -2, -2.0
    nodes["n_node_samples"] = 1
    nodes["weighted_n_node_samples"] = 1.0
    values[leaves, 0, np.arange(depth + 1) % 2] = 1.0
    values[tests, 0] = 1.0
    state.update(nodes=nodes, values=values, node_count=n, max_depth=depth)
    from sklearn.tree._tree import Tree

    tree = Tree(1, np.array([2], dtype=np.intp), 1)  # a fresh Tree: __setstate__ allocates its nodes
    tree.__setstate__(state)
    t.tree_ = tree
    return t


if __name__ == "__main__":
    unittest.main()
