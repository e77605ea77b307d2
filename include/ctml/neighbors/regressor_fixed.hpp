// KNeighborsRegressor with q<int8_t/int16_t, F> (uniform weights, p = 1 or 2):
// raw fixed-point input, sklearn's KD-tree walk (or brute-force order) and heap
// in exact integers (neighbors::search_fixed), then sklearn's sort of the k
// distances and numpy's mean of their targets in that order.
//
// Exact against sklearn when the training data lie on the 2^-F grid (integer
// data and F = 0, say): every distance is sklearn's double times 2^2F (2^F for
// p = 1), so the heap, the sort and the order of the sum are sklearn's, and
// where binary64 runs (every port but AVR) the mean is sklearn's double, bit
// for bit. On AVR the mean is summed in float32: within (k + 1) 2^-24 of
// sum |targets| / k.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctml/neighbors/neighbors.hpp>

namespace ctml {

namespace neighbors {
/// Policies of the integer regressor: q<int8/int16, F> for uniform weights, p = 1 or 2.
template <class Params, class P>
inline constexpr bool regressor_fixed = false;
template <class Params, class S, int F>
inline constexpr bool regressor_fixed<Params, q<S, F>> = supports<Params, q<S, F>>;
}  // namespace neighbors

template <class Params, class S, int F>
  requires neighbors::regressor_fixed<Params, q<S, F>>
struct knn_regressor<Params, q<S, F>> {
  using policy = q<S, F>;
  using in_type = S;
  using out_type = std::conditional_t<arch::has_runtime_binary64, double, float>;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  template <ValuePolicy P>
    requires(std::is_same_v<P, f32> || neighbors::regressor_fixed<Params, P>)
  using rebind = knn_regressor<Params, P>;

 private:
  using search = neighbors::search_fixed<Params, S, F>;
  using base = typename search::base;
  static constexpr std::size_t n = Params::n_features, k = Params::n_neighbors;
  CTML_FLASH static constexpr auto targets = [] {
    std::array<out_type, Params::n_samples> t{};
    for (std::size_t s = 0; s < Params::n_samples; ++s) t[s] = static_cast<out_type>(Params::targets[s]);
    return t;
  }();

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return search::data_bytes() + sizeof(targets); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept {
    return data_bytes() + ctml::detail::kernels_target_code.knn +
           (neighbors::input_scaling<Params>::has_scaler ? ctml::detail::knn_scaler_target_code : 0);
  }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return k * 18 + in_extent * 4 + 32; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return Params::n_samples * (in_extent * 3 + 2); }

  [[nodiscard]] constexpr out_type predict(std::span<const S, in_extent> x) const noexcept {
    return search::with_input(x, [](std::span<const S, in_extent> y) { return predict_scaled(y); });
  }
  [[nodiscard]] constexpr out_type predict(std::span<const S, in_extent> x, no_state&) const noexcept { return predict(x); }
  constexpr void run(std::span<const S, in_extent> x, std::span<out_type, 1> out, no_state&) const noexcept {
    out[0] = predict(x);
  }

 private:
  /// After the folded scaler, if any.
  static constexpr out_type predict_scaled(std::span<const S, in_extent> x) noexcept {
    neighbors::heap<typename search::dist_type, k> h;
    base::traverse(h, [&](std::size_t node) { return search::node_bound(x, node); },
                   [&](std::size_t s) { return search::reduced(x, s); });
    // sklearn sorts the k (distance, index) pairs with its quicksort: the same
    // comparisons on the exact integers.
    sort_fixed(h.value.data(), h.index.data(), k);
    // numpy's mean: its pairwise sum in neighbour order, then / k
    const out_type sum = numpy_sum(k, [&](std::size_t j) { return flash_load(&targets[h.index[j]]); });
    return sum / static_cast<out_type>(k);
  }

  /// neighbors::numpy_sum in out_type (float on AVR).
  template <class Get>
  static constexpr out_type numpy_sum(std::size_t count, Get get) noexcept {
    if (count < 8) {
      out_type s = 0;
      for (std::size_t i = 0; i < count; ++i) s += get(i);
      return s;
    }
    out_type r[8];
    for (std::size_t j = 0; j < 8; ++j) r[j] = get(j);
    std::size_t i = 8;
    for (; i + 8 <= count; i += 8)
      for (std::size_t j = 0; j < 8; ++j) r[j] += get(i + j);
    out_type s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < count; ++i) s += get(i);
    return s;
  }

  /// neighbors::simultaneous_sort on integer distances (the same steps).
  template <class D>
  static constexpr void sort_fixed(D* d, std::uint16_t* idx, std::size_t size) noexcept {
    auto swap = [&](std::size_t a, std::size_t b) {
      const D t = d[a]; d[a] = d[b]; d[b] = t;
      const std::uint16_t u = idx[a]; idx[a] = idx[b]; idx[b] = u;
    };
    if (size <= 1) return;
    if (size == 2) {
      if (d[0] > d[1]) swap(0, 1);
      return;
    }
    if (size == 3) {
      if (d[0] > d[1]) swap(0, 1);
      if (d[1] > d[2]) {
        swap(1, 2);
        if (d[0] > d[1]) swap(0, 1);
      }
      return;
    }
    const std::size_t mid = size / 2;
    if (d[0] > d[size - 1]) swap(0, size - 1);
    if (d[size - 1] > d[mid]) {
      swap(size - 1, mid);
      if (d[0] > d[size - 1]) swap(0, size - 1);
    }
    const D pivot = d[size - 1];
    std::size_t store = 0;
    for (std::size_t i = 0; i + 1 < size; ++i)
      if (d[i] < pivot) swap(i, store++);
    swap(store, size - 1);
    if (store > 1) sort_fixed(d, idx, store);
    if (store + 2 < size) sort_fixed(d + store + 1, idx + store + 1, size - store - 1);
  }
};

}  // namespace ctml
