"""Node tables of additive tree ensembles (boosting, isolation forests).

Not a family: the boosting, XGBoost and anomaly modules describe each tree
with plain arrays and this module packs them, in pre-order, into the tables
that ``include/ctml/boosting/additive.hpp`` reads.
"""

from __future__ import annotations

import struct

import numpy as np

from .emit import ConversionError, check_finite, double_tokens, int_tokens, member_array, member_scalar

_INT32_MAX = 2**31 - 1


def _preorder(left: np.ndarray, right: np.ndarray):
    n = left.size
    order, stack = [], [0]
    seen = np.zeros(n, dtype=bool)
    while stack:
        i = stack.pop()
        if i < 0 or i >= n or seen[i]:
            return None
        seen[i] = True
        order.append(i)
        if left[i] >= 0:
            stack.append(int(right[i]))
            stack.append(int(left[i]))
    return np.asarray(order, dtype=np.int64) if len(order) == n else None


class Tree:
    """One tree: per node left/right child (-1 at leaves), feature, threshold,
    leaf value, and optionally where NaN goes (default_left) and a categorical
    set index (-1 for numeric nodes)."""

    def __init__(self, left, right, feature, threshold, value, default_left=None, categorical=None):
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.feature = np.asarray(feature, dtype=np.int64)
        self.threshold = np.asarray(threshold, dtype=np.float64)
        self.value = np.asarray(value, dtype=np.float64)
        self.default_left = None if default_left is None else np.asarray(default_left, dtype=bool)
        self.categorical = None if categorical is None else np.asarray(categorical, dtype=np.int64)


def pack(name: str, trees: list[Tree], n_features: int) -> dict:
    """Concatenated pre-order tables with de-duplicated leaf values."""
    if not trees:
        raise ConversionError(f"{name} has no fitted trees")
    missing = any(t.default_left is not None for t in trees)
    cats = any(t.categorical is not None for t in trees)
    cols = {k: [] for k in ("left", "right", "feature", "threshold", "value", "default_left", "categorical", "leaf")}
    roots, offset = [], 0
    for i, t in enumerate(trees):
        n = t.left.size
        if n == 0 or np.any((t.right == -1) != (t.left == -1)):
            raise ConversionError(f"{name} tree {i} has a node with only one child")
        order = _preorder(t.left, t.right)
        if order is None:
            raise ConversionError(f"{name} tree {i} is not a tree (a node is reached twice or never)")
        new_id = np.empty(n, dtype=np.int64)
        new_id[order] = np.arange(n)
        is_leaf = t.left[order] < 0
        left = np.where(is_leaf, -1, new_id[np.maximum(t.left[order], 0)] + offset)
        right = np.where(is_leaf, -1, new_id[np.maximum(t.right[order], 0)] + offset)
        feature = np.where(is_leaf, -1, t.feature[order])
        if np.any(feature[~is_leaf] < 0) or np.any(feature[~is_leaf] >= n_features):
            raise ConversionError(f"{name} tree {i} splits on a feature outside 0..{n_features - 1}")
        threshold = np.where(is_leaf, 0.0, t.threshold[order])
        check_finite(f"{name} tree {i} threshold", threshold)
        value = t.value[order][is_leaf]
        check_finite(f"{name} tree {i} leaf values", value)
        cols["left"].append(left)
        cols["right"].append(right)
        cols["feature"].append(feature)
        cols["threshold"].append(threshold)
        cols["value"].append(value)
        cols["leaf"].append(is_leaf)
        dl = t.default_left[order] if t.default_left is not None else np.zeros(n, dtype=bool)
        cols["default_left"].append(np.where(is_leaf, False, dl))
        cat = t.categorical[order] if t.categorical is not None else np.full(n, -1, dtype=np.int64)
        cols["categorical"].append(np.where(is_leaf, -1, cat))
        roots.append(offset)
        offset += n
    if offset > _INT32_MAX:
        raise ConversionError(f"{name} has {offset} nodes; at most {_INT32_MAX} fit the int32 tables")
    is_leaf = np.concatenate(cols["leaf"])
    leaf_values = np.concatenate(cols["value"])
    # De-duplicate by exact bits, first-seen order.
    bits = leaf_values.view(np.int64)
    _, first, inverse = np.unique(bits, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    values = leaf_values[first[order]]
    leaf = np.full(offset, -1, dtype=np.int64)
    leaf[is_leaf] = rank[inverse.ravel()]
    return {
        "n_features": n_features,
        "n_trees": len(roots),
        "n_nodes": offset,
        "n_values": values.size,
        "root": np.asarray(roots, dtype=np.int64),
        "left": np.concatenate(cols["left"]),
        "right": np.concatenate(cols["right"]),
        "feature": np.concatenate(cols["feature"]),
        "threshold": np.concatenate(cols["threshold"]),
        "leaf": leaf,
        "values": values,
        "default_left": np.concatenate(cols["default_left"]) if missing else None,
        "categorical": np.concatenate(cols["categorical"]) if cats else None,
    }


def members(t: dict, *, n_classes: int, n_outputs: int, init, scale: float, sum_bits: int, strict: bool,
            decision: int, decision_threshold: float = 0.0) -> list[str]:
    """The params struct body for ``ctml::boosted_*`` (see additive.hpp)."""
    i32 = "std::int32_t"
    init = np.asarray(init, dtype=np.float64).ravel()
    if init.size != n_outputs:
        raise ConversionError(f"init has {init.size} values for {n_outputs} outputs")
    check_finite("init", init)
    check_finite("decision threshold", [decision_threshold, scale])
    out = [
        member_scalar("std::size_t", "n_features", str(t["n_features"])),
        member_scalar("std::size_t", "n_classes", str(n_classes)),
        member_scalar("std::size_t", "n_outputs", str(n_outputs)),
        member_scalar("std::size_t", "n_trees", str(t["n_trees"])),
        member_scalar("std::size_t", "n_nodes", str(t["n_nodes"])),
        member_scalar("std::size_t", "n_values", str(t["n_values"])),
        member_scalar("int", "sum_bits", str(sum_bits)),
        member_scalar("bool", "strict", "true" if strict else "false"),
        member_scalar("int", "decision", str(decision)),
        member_scalar("double", "decision_threshold", repr(float(decision_threshold))),
        member_scalar("double", "scale", repr(float(scale))),
        member_array("double", "init", ["n_outputs"], double_tokens(init)),
        member_array(i32, "root", ["n_trees"], int_tokens(t["root"])),
        member_array(i32, "left", ["n_nodes"], int_tokens(t["left"])),
        member_array(i32, "right", ["n_nodes"], int_tokens(t["right"])),
        member_array(i32, "feature", ["n_nodes"], int_tokens(t["feature"])),
        member_array("double", "threshold", ["n_nodes"], double_tokens(t["threshold"])),
        member_array(i32, "leaf", ["n_nodes"], int_tokens(t["leaf"])),
        member_array("double", "values", ["n_values"], double_tokens(t["values"])),
    ]
    if t["default_left"] is not None:
        out.append(member_array("std::uint8_t", "default_left", ["n_nodes"], int_tokens(t["default_left"].astype(int))))
    return out


def largest_false(pred, lo: float, hi: float) -> float:
    """The largest double x in [lo, hi] with pred(x) false, for a predicate
    that is false at lo, true at hi and monotone between (bisection on the
    ordered bit patterns of the doubles)."""

    def key(x: float) -> int:
        b = struct.unpack("<q", struct.pack("<d", x))[0]
        return b if b >= 0 else -(b & (2**63 - 1))

    def unkey(k: int) -> float:
        return struct.unpack("<d", struct.pack("<Q", k if k >= 0 else (-k) | (1 << 63)))[0]

    a, b = key(lo), key(hi)
    assert not pred(unkey(a)) and pred(unkey(b))
    while b - a > 1:
        m = (a + b) // 2
        if pred(unkey(m)):
            b = m
        else:
            a = m
    return unkey(a)
