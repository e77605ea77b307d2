// AdaBoostRegressor's prediction: the weighted median of its trees'
// predictions, as scikit-learn's _get_median_predict computes it:
//   order   = numpy.argsort(predictions)          (numpy's default introsort)
//   cdf     = cumsum(weights[order])               (float64, left to right)
//   i       = first index with cdf[i] >= 0.5 * cdf[-1]
//   predict = predictions[order[i]]
// The introsort is not stable: trees predicting the same value are visited
// in the order numpy's argsort leaves them, and that order changes how the
// cumulative sum rounds. So the sort below makes numpy's moves (median of
// three partitions above 16 elements, insertion sort below, heapsort past
// 2 * floor(log2 n) partitions), and the sums run in its order.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include <ctml/detail/flash.hpp>

namespace ctml::boosting {

/// numpy's argsort (kind="quicksort") of n <= MaxN doubles without NaN: a[]
/// ends as numpy leaves its index array.
template <class Index, std::size_t MaxN>
struct numpy_argsort {
  static_assert(MaxN >= 1 && MaxN <= 0x7fff && MaxN - 1 <= std::numeric_limits<Index>::max(),
                "ctml: argsort of 1 to 32767 values, indices that hold them");
  using pos = int;  // positions in a[] (numpy's pointers)
  static constexpr pos small = 15;  // numpy's SMALL_QUICKSORT: partitions while pr - pl > 15

  const double* v;
  Index* a;
  std::size_t count;

  constexpr bool less(pos i, pos j) const noexcept { return v[a[i]] < v[a[j]]; }
  constexpr void swap(pos i, pos j) const noexcept { std::swap(a[i], a[j]); }

  /// numpy's aheapsort_ of the n entries from base (1-based heap indices).
  constexpr void heapsort(pos base, pos n) const noexcept {
    auto at = [&](pos k) -> Index& { return a[static_cast<std::size_t>(base + k - 1)]; };
    auto sift = [&](pos i, pos last) {
      const Index tmp = at(i);
      for (pos j = i << 1; j <= last;) {
        if (j < last && v[at(j)] < v[at(j + 1)]) ++j;
        if (!(v[tmp] < v[at(j)])) break;
        at(i) = at(j);
        i = j;
        j += j;
      }
      at(i) = tmp;
    };
    for (pos l = n >> 1; l > 0; --l) sift(l, n);
    for (; n > 1;) {
      const Index tmp = at(n);
      at(n) = at(1);
      n -= 1;
      at(1) = tmp;  // sift(1) takes its value from at(1)
      sift(1, n);
    }
  }

  constexpr void insertion(pos pl, pos pr) const noexcept {
    for (pos pi = pl + 1; pi <= pr; ++pi) {
      const Index vi = a[pi];
      const double vp = v[vi];
      pos pj = pi;
      while (pj > pl && vp < v[a[pj - 1]]) {
        a[pj] = a[pj - 1];
        --pj;
      }
      a[pj] = vi;
    }
  }

  constexpr void run() const noexcept {
    for (std::size_t i = 0; i < count; ++i) a[i] = static_cast<Index>(i);
    struct frame { pos pl, pr; int depth; };
    // Pending parts: each is at least as large as all that follow it together.
    std::array<frame, std::bit_width(MaxN) + 1> stack{};
    std::size_t sp = 0;
    pos pl = 0, pr = static_cast<pos>(count) - 1;
    int cdepth = 2 * (static_cast<int>(std::bit_width(count)) - 1);  // 2 * npy_get_msb(count)
    for (;;) {
      if (cdepth < 0) {
        heapsort(pl, pr - pl + 1);
      } else {
        while (pr - pl > small) {
          const pos pm = pl + ((pr - pl) >> 1);
          if (less(pm, pl)) swap(pm, pl);
          if (less(pr, pm)) swap(pr, pm);
          if (less(pm, pl)) swap(pm, pl);
          const double vp = v[a[pm]];
          pos pi = pl, pj = pr - 1;
          swap(pm, pj);
          for (;;) {
            do ++pi; while (v[a[pi]] < vp);
            do --pj; while (vp < v[a[pj]]);
            if (pi >= pj) break;
            swap(pi, pj);
          }
          swap(pi, pr - 1);
          --cdepth;
          if (pi - pl < pr - pi) {
            stack[sp++] = {pi + 1, pr, cdepth};
            pr = pi - 1;
          } else {
            stack[sp++] = {pl, pi - 1, cdepth};
            pl = pi + 1;
          }
        }
        insertion(pl, pr);
      }
      if (sp == 0) break;
      --sp;
      pl = stack[sp].pl;
      pr = stack[sp].pr;
      cdepth = stack[sp].depth;
    }
  }
};

/// The weighted median of N predictions with the weights in Weights::values
/// (a flash table), as scikit-learn picks it.
template <class Weights, std::size_t N>
[[nodiscard]] constexpr double weighted_median(const std::array<double, N>& predictions) noexcept {
  using index = std::conditional_t<(N <= 0xff), std::uint8_t, std::uint16_t>;
  std::array<index, N> order{};
  numpy_argsort<index, N>{predictions.data(), order.data(), N}.run();
  // The cumulative sum twice (the same additions both times): its end, then
  // the first entry reaching half of it.
  double total = 0.0;
  for (std::size_t i = 0; i < N; ++i) total += flash_load(&Weights::values[order[i]]);
  const double half = 0.5 * total;
  double cdf = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    cdf += flash_load(&Weights::values[order[i]]);
    if (cdf >= half) return predictions[order[i]];
  }
  return predictions[order[N - 1]];  // not reached: cdf ends at total >= half
}

}  // namespace ctml::boosting
