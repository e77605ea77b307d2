// RadiusNeighborsClassifier from scikit-learn (uniform or distance weights,
// minkowski p = 1, 2 or any p, outlier_label).
//
// Parameters (generated; see generator/ctml/neighbors.py): n_features,
// n_samples, n_classes, p, distance_weights, radius (double),
// samples[n_samples][n_features], labels[n_samples], outlier (the index
// returned for a row without neighbours: an index into classes_, n_classes
// for an outlier_label that is not a class (the generator appends it to the
// classes), or -1 for outlier_label=None, where sklearn raises), and for
// sklearn's kd-tree tree_order[n_samples] (the order its query visits
// the samples, which orders the sums of weights).
//
// What sklearn computes (1.2): the samples with reduced distance <= the
// reduced radius (r^2 for p = 2), in the tree's order (training order for
// brute force); per class the count (uniform) or the sum of 1/distance in
// that order (a zero distance: weight 1 for those samples, 0 for the others);
// the probabilities are the sums over their total; predict is their first
// maximum, or outlier_label_ when no sample is within the radius.
//
// f32 policy, p = 1 and 2: integer distances on KNN's compile-time grid with
// error bounds settle membership for the samples far from the radius; the
// others (and every sample for other p, or inputs outside the grid) get
// sklearn's double distance. Distance weights need sklearn's double distance
// of every member. After a stage in a pipeline (its float32 output is
// sklearn's double rounded once) it is a refining predictor: the grid with
// its bound widened for that rounding, else sklearn's arithmetic on the
// stage's double output (try_predict, predict_exact). Caveats, documented in
// docs/svm-neighbors.md: sklearn's
// kd-tree accepts whole nodes whose bounding box lies within the radius
// (identical but for rows within an ulp of the radius). Its brute force with
// p = 2 measures by the GEMM form (neighbors.hpp), which the double path
// computes and the grid's bounds cover.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctml/detail/flash.hpp>
#include <ctml/neighbors/neighbors.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

template <class Params, ValuePolicy Policy = f32>
struct radius_neighbors_classifier {
  static_assert(std::is_same_v<Policy, f32>, "ctml: radius_neighbors_classifier computes with f32");
  using policy = Policy;
  using in_type = float;
  using out_type = int;
  using state_type = no_state;
  static constexpr std::size_t in_extent = Params::n_features;
  static constexpr std::size_t out_extent = 1;
  static constexpr std::size_t n_classes = Params::n_classes;
  template <ValuePolicy P>
    requires std::is_same_v<P, f32>
  using rebind = radius_neighbors_classifier<Params, P>;

 private:
  static constexpr std::size_t n = Params::n_features, m = Params::n_samples, k = Params::n_classes;
  static_assert(m <= 65535, "ctml: more than 65535 training samples");
  using metric = neighbors::metric_kind;
  static constexpr metric kind = neighbors::metric_of<Params>;
  static constexpr bool integer_path = kind != metric::general;
  using g = neighbors::grid<Params>;
  static constexpr bool kd_tree = requires { Params::tree_order[0]; };

  /// A StandardScaler folded in (Params::input_mean, input_scale; the generator
  /// does it): the input is raw; the double path scales it as sklearn's
  /// Pipeline does, the grid path in float, its bounds widened for that
  /// (neighbors::input_scaling, shared with the KNN search).
  using scaling = neighbors::input_scaling<Params>;
  using source = neighbors::source;
  static constexpr bool has_scaler = scaling::has_scaler;

  /// sklearn's reduced radius (_dist_to_rdist).
  static constexpr double reduced_radius = [] {
    if constexpr (kind == metric::euclidean) return Params::radius * Params::radius;
    else if constexpr (kind == metric::manhattan) return Params::radius;
    else return math::exp(Params::p * math::log(Params::radius));
  }();
  // The same on the grid (units of 2^-F, squared for p = 2), widened by a unit
  // either way for the rounding of the conversion.
  static constexpr double grid_radius = kind == metric::euclidean ? reduced_radius * g::scale * g::scale
                                                                  : reduced_radius * g::scale;
  static constexpr std::uint64_t grid_low = grid_radius > 2.0 ? static_cast<std::uint64_t>(grid_radius) - 1 : 0;
  static constexpr std::uint64_t grid_high =
      grid_radius < 0x1p62 ? static_cast<std::uint64_t>(grid_radius) + 2 : std::uint64_t{1} << 62;

  using label_type = std::conditional_t<(k <= 256), std::uint8_t, std::uint16_t>;
  CTML_FLASH static constexpr auto labels = [] {
    std::array<label_type, m> l{};
    for (std::size_t s = 0; s < m; ++s) l[s] = static_cast<label_type>(Params::labels[s]);
    return l;
  }();
  CTML_FLASH static constexpr auto order = [] {
    std::array<std::uint16_t, kd_tree ? m : 0> o{};
    if constexpr (kd_tree)
      for (std::size_t s = 0; s < m; ++s) o[s] = static_cast<std::uint16_t>(Params::tree_order[s]);
    return o;
  }();
  using exact = neighbors::exact_distances<Params>;

  static constexpr std::size_t sample_at(std::size_t j) noexcept {
    if constexpr (kd_tree) return flash_load(&order[j]);
    else return j;
  }
  /// sklearn's reduced distance from x to sample s, |x|^2 taken once when
  /// its GEMM form needs it (brute force, p = 2).
  template <class X>
  struct measure {
    const X& x;
    double xx = -1.0;
    constexpr double operator()(std::size_t s) noexcept {
      if (exact::gemm && xx < 0) xx = exact::row_norm(x);
      return exact::reduced(x, s, xx);
    }
  };

  /// The input on the grid, relative to its centre; false outside its range.
  static constexpr bool to_grid(std::span<const float, n> xf, std::array<std::int32_t, n>& x) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
      std::int32_t v;
      if (!g::to_fixed(xf[i], v)) return false;
      v -= flash_load(&g::centre[i]);
      if (v >= g::limit || v <= -g::limit) return false;
      x[i] = v;
    }
    return true;
  }

  /// The integer grid's verdict for sample s: 1 inside, -1 outside, 0 unsure.
  template <source From>
  static constexpr int on_grid(const std::array<std::int32_t, n>& x, std::size_t s) noexcept {
    // 32 bits: the grid keeps n squared differences below 2^31 (neighbors.hpp)
    std::uint32_t dist = 0, l1 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t t = x[i] - static_cast<std::int32_t>(flash_load(&g::samples[s][i]));
      const auto a = static_cast<std::uint32_t>(t < 0 ? -t : t);
      if constexpr (kind == metric::euclidean) dist += a * a;
      l1 += a;
    }
    // error bounds of the grid distances (neighbors.hpp: 2|t|_1 + 3n units for p = 2, n + 1 for p = 1)
    std::uint32_t e = static_cast<std::uint32_t>(n + 1);
    if constexpr (kind == metric::euclidean) e = 2 * l1 + static_cast<std::uint32_t>(3 * n + 1);
    else dist = l1;
    constexpr neighbors::widening w = exact::widen(scaling::widening_for(From));
    if constexpr (w.mult != 0) {
      using product = std::conditional_t<(g::l1_max * w.mult < (std::uint64_t{1} << 32)), std::uint32_t, std::uint64_t>;
      e += static_cast<std::uint32_t>((product{l1} * w.mult) >> 16);
    }
    e += w.add;
    if (std::uint64_t{dist} + e < grid_low) return 1;
    if (dist > e && dist - e > grid_high) return -1;
    return 0;
  }

  /// Whether the grid decides for inputs from `from`: d up to 1 unit (the
  /// bound fits 32 bits).
  static constexpr bool grid_for(source from) noexcept {
    return integer_path && scaling::widening_for(from).units <= 1.0 && exact::grid_usable;
  }

  /// Per-class sums of sklearn's weights; true if some sample is within the radius.
  template <source From, class Exact>
  static constexpr bool votes(std::span<const float, n> xf, Exact exact, std::array<double, k>& v) noexcept {
    std::array<std::int32_t, n> x{};
    bool grid_ok = false;
    if constexpr (grid_for(From)) grid_ok = to_grid(xf, x);
    bool any = false, zero = false;
    v.fill(0.0);
    // Distance weights: a zero distance anywhere turns the weights into 0/1,
    // so the sums are redone once one is seen.
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t s = sample_at(j);
      int in = 0;
      if constexpr (grid_for(From))
        if (grid_ok) in = on_grid<From>(x, s);
      if (in < 0) continue;
      double rd = 0.0;
      if (in == 0 || Params::distance_weights) {
        rd = exact(s);
        if (!(rd <= reduced_radius)) continue;
      }
      any = true;
      const std::size_t c = flash_load(&labels[s]);
      if constexpr (Params::distance_weights) {
        const double dist = neighbors::to_distance<Params>(rd);
        if (dist == 0.0) {
          if (!zero) v.fill(0.0);
          zero = true;
          v[c] += 1.0;
        } else if (!zero) {
          v[c] += 1.0 / dist;
        }
      } else {
        v[c] += 1.0;
      }
    }
    return any;
  }

  /// sklearn's predict from the per-class sums (`any`: some sample within the radius).
  static constexpr int choose(bool any, const std::array<double, k>& v) noexcept {
    if (!any) return static_cast<int>(Params::outlier);
    // proba = votes / their total (numpy's sum along the row)
    const double total = neighbors::numpy_sum(k, [&](std::size_t c) { return v[c]; });
    const double norm = total == 0.0 ? 1.0 : total;
    std::size_t best = 0;
    double top = v[0] / norm;
    for (std::size_t c = 1; c < k; ++c) {
      const double p = v[c] / norm;
      if (p > top) {
        top = p;
        best = c;
      }
    }
    if (!(top > 0.0)) return static_cast<int>(Params::outlier);  // every probability zero
    return static_cast<int>(best);
  }

  template <source From, class Exact>
  static constexpr int decide(std::span<const float, n> xf, Exact exact) noexcept {
    std::array<double, k> v{};
    const bool any = votes<From>(xf, exact, v);
    return choose(any, v);
  }

  /// The grid's input: the folded scaling in float, as the bounds assume.
  static constexpr std::array<float, n> scaled(std::span<const float, n> xf) noexcept {
    std::array<float, n> xs{};
    for (std::size_t i = 0; i < n; ++i) xs[i] = scaling::scaled(i, xf[i]);
    return xs;
  }

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept {
    return (integer_path ? sizeof(g::samples) + sizeof(g::centre) : 0) + exact::data_bytes() + sizeof(labels) +
           sizeof(order) + scaling::data_bytes();
  }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 700; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return k * 8 + n * 12 + 48; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return m * (3 * n + 4); }

  /// sklearn's class index; Params::outlier for a row without neighbours
  /// (-1 when outlier_label is None: sklearn raises there).
  [[nodiscard]] constexpr int predict(std::span<const float, n> xf) const noexcept {
    static_assert(!neighbors::on_avr<Params>,
                  "ctml: the radius classifier settles the radius in binary64, which AVR lacks at run time");
    if constexpr (has_scaler) {
      const std::array<float, n> xs = scaled(xf);
      std::array<double, n> xd{};
      measure<std::array<double, n>> to{xd};
      bool done = false;
      return decide<source::alone>(std::span<const float, n>(xs), [&](std::size_t s) {
        if (!done) {  // sklearn's scaling, in double, once a sample needs it
          xd = scaling::exact(xf);
          done = true;
        }
        return to(s);
      });
    } else {
      measure<std::span<const float, n>> to{xf};
      return decide<source::alone>(xf, [&](std::size_t s) { return to(s); });
    }
  }
  [[nodiscard]] constexpr int predict(std::span<const float, n> x, no_state&) const noexcept { return predict(x); }
  constexpr void run(std::span<const float, n> x, std::span<int, 1> out, no_state&) const noexcept {
    out[0] = predict(x);
  }

  // After a stage in a pipeline (pipeline.hpp, RefiningPredictor): sklearn's
  // Pipeline hands this stage that stage's double output, the float path gets
  // it rounded once. try_predict decides where the grid, its bound widened for
  // that rounding, settles every sample; predict_exact redoes it from the double.

  /// Sure when the grid settles every sample and the members give the answer
  /// without their distances: uniform weights (counts), or distance weights
  /// with members of one class; no member: the outlier label.
  [[nodiscard]] constexpr decision<int> try_predict(std::span<const float, n> xf) const noexcept {
    static_assert(!neighbors::on_avr<Params>,
                  "ctml: the radius classifier settles the radius in binary64, which AVR lacks at run time");
    if constexpr (!grid_for(source::stage_float)) {
      (void)xf;
      return {0, false};
    } else {
      std::array<std::int32_t, n> x{};
      if (!to_grid(scaled(xf), x)) return {0, false};
      std::array<double, k> v{};  // counts: exact whatever sklearn's order
      bool any = false;
      std::size_t first = 0;
      for (std::size_t s = 0; s < m; ++s) {
        const int in = on_grid<source::stage_float>(x, s);
        if (in == 0) return {0, false};
        if (in < 0) continue;
        const std::size_t c = flash_load(&labels[s]);
        if (Params::distance_weights && any && c != first) return {0, false};
        if (!any) first = c;
        any = true;
        v[c] += 1.0;
      }
      return {choose(any, v), true};
    }
  }
  /// sklearn's prediction for the stage's double output x.
  [[nodiscard]] constexpr int predict_exact(std::span<const double, n> x) const noexcept {
    static_assert(!neighbors::on_avr<Params>,
                  "ctml: the radius classifier settles the radius in binary64, which AVR lacks at run time");
    const std::array<double, n> y = scaling::exact(x);
    std::array<float, n> yf{};
    for (std::size_t i = 0; i < n; ++i) yf[i] = static_cast<float>(y[i]);
    measure<std::array<double, n>> to{y};
    return decide<source::stage_double>(std::span<const float, n>(yf), [&](std::size_t s) { return to(s); });
  }
};

}  // namespace ctml
