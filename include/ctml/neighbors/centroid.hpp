// NearestCentroid from scikit-learn (metric "euclidean" or "manhattan",
// shrink_threshold folded into centroids_ by sklearn's fit): the index of the
// nearest centroid, the first one on ties.
//
// Params (generated): n_features, n_classes, p (2 or 1), centroids[n_classes][n_features]
// (sklearn's centroids_), norms[n_classes] (euclidean: sklearn's squared row
// norms of centroids_).
//
// What sklearn computes (1.2, pairwise_distances_argmin): euclidean through
// its GEMM "dot trick", argmin_k ((|x|^2 - 2 x.c_k) + |c_k|^2); manhattan the sum of
// |x_i - c_ki| in index order; ties go to the first centroid.
// f32 policy: float distances with a proven error bound decide when the
// nearest beats every other by the bounds (the bound holds for the exact
// distances, and sklearn's double rounding is 2^29 times smaller); otherwise
// sklearn's arithmetic in double. BLAS sums x.c_k in an order ctml cannot see;
// ctml sums in index order (as BLAS does for short rows here: 0 of 3,060
// iris rows differ, boundary rows and rows near 1e16 included, where the
// rounding of |x|^2 makes ties).
// q<int16_t, F> policy: raw fixed-point input (x = raw 2^-F); centroids are
// rounded to the finer grid 2^-(F + G), G extra bits (up to 8, as many as
// keep |c| 2^(F+G) below 2^30), and distances are exact integers in 64 bits.
// Decisions equal sklearn's whenever the centroids lie on that grid (e.g.
// medians of integer data), otherwise except for rows whose two nearest
// centroids' squared distances differ by less than the rounding (about
// 2^-(F+G) |x - c|_1); agreement measured in docs/svm-neighbors.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctml/detail/flash.hpp>
#include <ctml/detail/rounded.hpp>
#include <ctml/linear/exact.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

namespace neighbors {
template <class Params, class P>
inline constexpr bool centroid_supports = std::is_same_v<P, f32>;
template <class Params, class S, int F>
inline constexpr bool centroid_supports<Params, q<S, F>> = sizeof(S) <= 2 && std::is_signed_v<S>;
}  // namespace neighbors

template <class Params, ValuePolicy Policy = f32>
struct nearest_centroid {
  static_assert(neighbors::centroid_supports<Params, Policy>,
                "ctml: nearest_centroid computes with f32, or with q<int8_t/int16_t, F> on raw fixed-point input");
  static_assert(Params::p == 1.0 || Params::p == 2.0, "ctml: nearest_centroid takes the euclidean or manhattan metric");
  using policy = Policy;
  using in_type = typename Policy::value_type;
  using out_type = int;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  static constexpr std::size_t n_classes = Params::n_classes;
  template <ValuePolicy P>
    requires neighbors::centroid_supports<Params, P>
  using rebind = nearest_centroid<Params, P>;

 private:
  static constexpr std::size_t d = Params::n_features, k = Params::n_classes;
  static constexpr bool euclidean = Params::p == 2.0;
  static constexpr bool is_float = std::is_same_v<Policy, f32>;
  static constexpr double u = 0x1p-24;
  static constexpr double abs(double v) noexcept { return v < 0 ? -v : v; }

  // f32 tables: float centroids; the error terms that depend on the centroid.
  CTML_FLASH static constexpr auto centroids_f = [] {
    std::array<std::array<float, is_float ? d : 0>, is_float ? k : 0> c{};
    if constexpr (is_float)
      for (std::size_t j = 0; j < k; ++j)
        for (std::size_t i = 0; i < d; ++i) c[j][i] = static_cast<float>(Params::centroids[j][i]);
    return c;
  }();
  // euclidean: |D_float - D| <= (d + 8) u (2.5 D_float + 0.5 |c|^2) (1.1 slack):
  // t_i = x_i - c_i rounds once and is off by u|c_i| more from c's rounding
  // (and u|x_i| from a float input of a previous stage), squares and sums add
  // (d + 2) roundings; sum |t| |c| <= (D + |c|^2) / 2, sum |t| |x| <= D + sum |t| |c|.
  // manhattan: (d + 8) u (2 L + |c|_1).
  CTML_FLASH static constexpr auto offset_f = [] {
    std::array<float, is_float ? k : 0> o{};
    if constexpr (is_float)
      for (std::size_t j = 0; j < k; ++j) {
        double s = 0.0;
        for (std::size_t i = 0; i < d; ++i)
          s += euclidean ? Params::centroids[j][i] * Params::centroids[j][i] : abs(Params::centroids[j][i]);
        o[j] = static_cast<float>((euclidean ? 0.5 : 1.0) * s * 1.001 + 1e-30);
      }
    return o;
  }();
  static constexpr float factor = static_cast<float>((d + 8) * u * 1.1 * (euclidean ? 2.5 : 2.0));
  static constexpr float offset_factor = static_cast<float>((d + 8) * u * 1.1);

  // Double tables of the exact path.
  CTML_FLASH static constexpr auto centroids_d = [] {
    std::array<std::array<double, is_float ? d : 0>, is_float ? k : 0> c{};
    if constexpr (is_float)
      for (std::size_t j = 0; j < k; ++j)
        for (std::size_t i = 0; i < d; ++i) c[j][i] = Params::centroids[j][i];
    return c;
  }();
  CTML_FLASH static constexpr auto norms_d = [] {
    std::array<double, is_float && euclidean ? k : 0> c{};
    if constexpr (is_float && euclidean)
      for (std::size_t j = 0; j < k; ++j) c[j] = Params::norms[j];
    return c;
  }();

  // q<S, F>: centroids on the 2^-(F + G) grid.
  static constexpr int frac = [] {
    if constexpr (is_float) return 0;
    else return Policy::frac_bits;
  }();
  static constexpr double most = [] {
    double r = 1.0;
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t i = 0; i < d; ++i) r = abs(Params::centroids[j][i]) > r ? abs(Params::centroids[j][i]) : r;
    return r;
  }();
  static constexpr int extra = [] {
    // |t| < 2^(15 + g) + most 2^(F + g); d such terms squared stay below 2^62.
    int g = 8;
    const auto fits = [](int e) {
      const double t = detail::pow2(15 + e) + most * detail::pow2(frac + e);
      return (euclidean ? t * t : t) * static_cast<double>(d) < 0x1p62 && most * detail::pow2(frac + e) < 0x1p30;
    };
    while (g > 0 && !fits(g)) --g;
    return g;
  }();
  static_assert(is_float || (most * detail::pow2(frac) < 0x1p30 &&
                             (detail::pow2(15) + most * detail::pow2(frac)) * (detail::pow2(15) + most * detail::pow2(frac)) *
                                     static_cast<double>(d) < 0x1p62),
                "ctml: the centroids do not fit this fixed-point format; use fewer fraction bits");
  CTML_FLASH static constexpr auto centroids_q = [] {
    std::array<std::array<std::int32_t, is_float ? 0 : d>, is_float ? 0 : k> c{};
    if constexpr (!is_float)
      for (std::size_t j = 0; j < k; ++j)
        for (std::size_t i = 0; i < d; ++i)
          c[j][i] = detail::round_sat<std::int32_t>(Params::centroids[j][i] * detail::pow2(frac + extra));
    return c;
  }();

  static constexpr float distance_f(std::span<const float, d> x, std::size_t j) noexcept {
    float s = 0.0f;
    for (std::size_t i = 0; i < d; ++i) {
      const float t = x[i] - flash_load(&centroids_f[j][i]);
      if constexpr (euclidean) s = detail::mul_add(t, t, s);
      else s += detail::abs_f(t);
    }
    return s;
  }

  /// sklearn's double score: (|x|^2 - 2 x.c) + |c|^2 (euclidean), or sum |x - c| (manhattan).
  CTML_NO_FP_CONTRACT static constexpr double score_d(std::span<const double, d> x, double xx, std::size_t j) noexcept {
    double s = 0.0;
    if constexpr (euclidean) {
      for (std::size_t i = 0; i < d; ++i) s += detail::rounded_product(x[i], flash_load(&centroids_d[j][i]));
      return (xx + -2.0 * s) + flash_load(&norms_d[j]);
    } else {
      for (std::size_t i = 0; i < d; ++i) s += abs(x[i] - flash_load(&centroids_d[j][i]));
      return s;
    }
  }

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    return sizeof(centroids_f) + sizeof(offset_f) + sizeof(centroids_d) + sizeof(norms_d) + sizeof(centroids_q);
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 260; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return 2 * k * 4 + d * 8 + 16; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return k * (3 * d + 4); }

  [[nodiscard]] constexpr decision<int> try_predict(std::span<const float, d> x) const noexcept
    requires is_float
  {
    std::array<float, k> dist{}, bound{};
    for (std::size_t j = 0; j < k; ++j) {
      dist[j] = distance_f(x, j);
      bound[j] = dist[j] * factor + flash_load(&offset_f[j]) * offset_factor + detail::affine_error_floor;
    }
    std::size_t best = 0;
    for (std::size_t j = 1; j < k; ++j)
      if (dist[j] < dist[best]) best = j;
    bool sure = bound[best] < 1.0e38f;
    for (std::size_t j = 0; j < k; ++j)
      if (j != best) sure = sure && dist[j] - dist[best] > bound[best] + bound[j];
    return {static_cast<int>(best), sure};
  }

  [[nodiscard]] constexpr int predict_exact(std::span<const double, d> x) const noexcept
    requires is_float
  {
    double xx = 0.0;  // sklearn adds |x|^2 before |c|^2: it matters for huge x
    if constexpr (euclidean)
      for (std::size_t i = 0; i < d; ++i) xx += detail::rounded_product(x[i], x[i]);
    int best = 0;
    double top = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      const double s = score_d(x, xx, j);
      if (j == 0 || s < top) {
        top = s;
        best = static_cast<int>(j);
      }
    }
    return best;
  }

  [[nodiscard]] constexpr int predict(std::span<const in_type, d> in) const noexcept {
    if constexpr (is_float) {
      static_assert(detail::binary64_links || sizeof(Params) == 0,
                    "ctml: on AVR the f32 nearest_centroid needs binary64 arithmetic that avr-libc lacks; use "
                    "model.with(ctml::q<std::int16_t, F>{})");
      const auto fast = try_predict(in);
      if (fast.sure) return fast.value;
      return refine(in);
    } else {
      int best = 0;
      std::uint64_t top = 0;
      for (std::size_t j = 0; j < k; ++j) {
        std::uint64_t s = 0;
        for (std::size_t i = 0; i < d; ++i) {
          const std::int64_t t = static_cast<std::int64_t>(in[i]) * (std::int64_t{1} << extra) -
                                 flash_load(&centroids_q[j][i]);
          const auto a = static_cast<std::uint64_t>(t < 0 ? -t : t);
          s += euclidean ? a * a : a;
        }
        if (j == 0 || s < top) {
          top = s;
          best = static_cast<int>(j);
        }
      }
      return best;
    }
  }
  [[nodiscard]] constexpr int predict(std::span<const in_type, d> in, no_state&) const noexcept { return predict(in); }
  constexpr void run(std::span<const in_type, d> in, std::span<int, 1> out, no_state&) const noexcept {
    out[0] = predict(in);
  }

 private:
  [[gnu::noinline]] constexpr int refine(std::span<const float, d> in) const noexcept {
    std::array<double, d> x{};
    for (std::size_t i = 0; i < d; ++i) x[i] = static_cast<double>(in[i]);
    return predict_exact(x);
  }
};

}  // namespace ctml
