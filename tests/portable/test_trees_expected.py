"""Prints scikit-learn's predictions for the `wide_rows` forest of
tests/portable/test_trees.cpp: 130 stumps on one feature, stump k splitting at
k + 0.5, its left leaf (row 2k) holding counts {2k + 3, 2} and its right leaf
(row 2k + 1) {k + 2, 1} for k < 64, {1, k + 2} from 64 on. The forest is
built as a real RandomForestClassifier (its trees' state set directly) and
`predict` is sklearn's own. It also shows what the table layout computed on
AVR before the fix: right leaf rows cut to 7 bits, row 2k + 1 read as
row (2k + 1) mod 128.
Run: /usr/bin/python3 tests/portable/test_trees_expected.py"""

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.tree._tree import Tree

N = 130
XS = [-1.0, 100.0, 126.0, 127.0, 128.0, 1000.0]


def rows() -> np.ndarray:
    r = np.zeros((2 * N, 2))
    for k in range(N):
        r[2 * k] = (2 * k + 3, 2)
        r[2 * k + 1] = (k + 2, 1) if k < 64 else (1, k + 2)
    return r


def forest(values: np.ndarray) -> RandomForestClassifier:
    dtype = DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0]], [0, 1]).tree_.__getstate__()["nodes"].dtype
    trees = []
    for k in range(N):
        nodes = np.zeros(3, dtype=dtype)
        nodes[0] = (1, 2, 0, k + 0.5, 0.5, 2, 2.0)
        for i in (1, 2):
            nodes[i] = (-1, -1, -2, -2.0, 0.0, 1, 1.0)
        tree = Tree(1, np.array([2], dtype=np.intp), 1)
        left, right = values[2 * k], values[2 * k + 1]
        tree.__setstate__({"max_depth": 1, "node_count": 3, "nodes": nodes,
                           "values": np.stack([left + right, left, right]).reshape(3, 1, 2)})
        est = DecisionTreeClassifier(max_depth=1)
        est.tree_, est.n_outputs_, est.n_classes_, est.classes_ = tree, 1, 2, np.array([0, 1])
        est.n_features_in_, est.max_features_ = 1, 1
        trees.append(est)
    rf = RandomForestClassifier(n_estimators=N)
    rf.estimators_, rf.n_outputs_, rf.n_classes_, rf.classes_, rf.n_features_in_ = trees, 1, 2, np.array([0, 1]), 1
    return rf


def main() -> None:
    values = rows()
    assert len({tuple(v / v.sum()) for v in values}) == 2 * N  # distinct rows, as the generator writes them
    X = np.array(XS, dtype=np.float32).reshape(-1, 1)
    fixed = forest(values)
    cut = values.copy()
    for k in range(64, N):
        cut[2 * k + 1] = values[(2 * k + 1) % 128]
    buggy = forest(cut)
    for x, p, q, b in zip(XS, fixed.predict(X), fixed.predict_proba(X), buggy.predict(X)):
        print(f"x = {x:7}: sklearn predicts {p} (proba {q[0]:.4f} {q[1]:.4f}); rows cut to 7 bits: {b}")


if __name__ == "__main__":
    main()
