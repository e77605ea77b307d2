// Per-channel int8 quantisation of one dense or conv layer (TFLite's
// scheme, nn/quant.hpp), shared by both: weights symmetric per output
// channel (scale = max |w| / 127), bias in int32 at input scale x weight
// scale, one requantisation multiplier per output, and the per-output
// constants the kernels read from flash.
//
// A layer describes itself by a `Source` type with static members:
//   n_out, taps                     outputs and weights per output
//   weight(o, k), bias(o)           the float parameters (double)
//   in_q                            the input tensor's quant::params
//   is_head, out_scale              the head is not requantised to a tensor:
//                                   its outputs are only compared, on a common
//                                   scale; others requantise to out_scale
//   mbits                           the multipliers' significant bits
//   offset                          added to every accumulator start c (the
//                                   target's per-tap offsets, folded in)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <ctml/arch.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/nn/plan.hpp>
#include <ctml/nn/quant.hpp>
#include <ctml/number/policy.hpp>

namespace ctml::nn::detail {

/// The exact requantisation's per-output constants (TFLite's multiplier).
struct exact_entry {
  std::int32_t c;
  std::int32_t m0;
  std::int8_t shift;
};

template <class Source>
struct per_channel {
  static constexpr std::size_t n_out = Source::n_out, taps = Source::taps;
  static constexpr quant::params in_q = Source::in_q;
  static constexpr std::int32_t zu_in = in_q.zero_point + 128;  // the input's zero point as a stored byte

  static constexpr std::array<double, n_out> make_scales() noexcept {
    std::array<double, n_out> s{};
    for (std::size_t o = 0; o < n_out; ++o) {
      double m = 0;
      for (std::size_t k = 0; k < taps; ++k) {
        const double v = abs_d(Source::weight(o, k));
        m = v > m ? v : m;
      }
      s[o] = m > 0 ? m / 127.0 : 1.0;
    }
    return s;
  }
  /// Weight scale per output channel.
  static constexpr std::array<double, n_out> scales = make_scales();

  static constexpr std::array<std::int8_t, n_out * taps> make_q() noexcept {
    std::array<std::int8_t, n_out * taps> q{};
    for (std::size_t o = 0; o < n_out; ++o)
      for (std::size_t k = 0; k < taps; ++k)
        q[o * taps + k] = ctml::detail::round_sat<std::int8_t>(Source::weight(o, k) / scales[o]);
    return q;
  }
  /// Quantised weights w_q[o * taps + k] in [-127, 127] (compile time only:
  /// the kernels store them in their own layout).
  static constexpr std::array<std::int8_t, n_out * taps> wq = make_q();

  static constexpr std::array<std::int32_t, n_out> make_bq() noexcept {
    std::array<std::int32_t, n_out> t{};
    for (std::size_t o = 0; o < n_out; ++o)
      t[o] = ctml::detail::round_sat<std::int32_t>(Source::bias(o) / (in_q.scale * scales[o]));
    return t;
  }
  /// Bias b_q at input scale x weight scale.
  static constexpr std::array<std::int32_t, n_out> bq = make_bq();

  static constexpr std::array<std::int32_t, n_out> make_c() noexcept {
    std::array<std::int32_t, n_out> t{};
    for (std::size_t o = 0; o < n_out; ++o) {
      std::int32_t sum_w = 0;
      for (std::size_t k = 0; k < taps; ++k) sum_w += wq[o * taps + k];
      t[o] = bq[o] - zu_in * sum_w + Source::offset;
    }
    return t;
  }
  /// The accumulator's start: acc = c + sum u * w_q (u = q + 128, the stored
  /// byte) is b_q + sum (q - zero point) * w_q, TFLite's accumulator.
  static constexpr std::array<std::int32_t, n_out> c = make_c();

  static constexpr std::array<quant::multiplier, n_out> make_m() noexcept {
    std::array<quant::multiplier, n_out> t{};
    double max_scale = 0;
    for (std::size_t o = 0; o < n_out; ++o) max_scale = scales[o] > max_scale ? scales[o] : max_scale;
    for (std::size_t o = 0; o < n_out; ++o) {
      double m;
      if constexpr (Source::is_head) m = 0.5 * scales[o] / max_scale;
      else m = in_q.scale * scales[o] / Source::out_scale;
      t[o] = quant::quantize_multiplier(m, Source::mbits);
    }
    return t;
  }
  /// The real multiplier of each output.
  static constexpr std::array<quant::multiplier, n_out> mult = make_m();

  // 16-bit multipliers, |b_q + sum (q - zero point) w_q| < 2^23 and moderate
  // shifts: the fast requantisation (quant::requantize_fast) gives TFLite's
  // result exactly.
  static constexpr bool fast_ok() noexcept {
    if (Source::mbits > 15) return false;
    for (std::size_t o = 0; o < n_out; ++o) {
      std::int64_t bound = bq[o] < 0 ? -std::int64_t{bq[o]} : bq[o];
      for (std::size_t k = 0; k < taps; ++k) bound += 255 * (wq[o * taps + k] < 0 ? -wq[o * taps + k] : wq[o * taps + k]);
      if (bound >= (std::int64_t{1} << 23) || mult[o].shift > 0 || mult[o].shift < -23) return false;
    }
    return true;
  }
  static constexpr bool fast = fast_ok();

  /// The per-output constants: the target's fast entry, or the exact one.
  using entry = std::conditional_t<fast, arch::fast_entry, exact_entry>;
  static constexpr std::array<entry, n_out> make_e() noexcept {
    std::array<entry, n_out> t{};
    for (std::size_t o = 0; o < n_out; ++o) {
      if constexpr (fast) {
        const auto f = quant::make_fast(mult[o]);
        t[o] = arch::make_fast_entry(c[o], f.m, f.s);
      } else {
        t[o] = {c[o], mult[o].m0, static_cast<std::int8_t>(mult[o].shift)};
      }
    }
    return t;
  }
  CTML_FLASH static constexpr std::array<entry, n_out> e = make_e();

  /// The requantised value (before the output zero point) of accumulator
  /// acc for output o, whose constants are at en; with AddBias, acc does not
  /// hold c yet (the entry's is added).
  template <bool AddBias>
  static std::int32_t requantize(std::int32_t acc, const entry* en) noexcept {
    if constexpr (fast) return arch::requantize_entry<AddBias>(acc, en);
    else return quant::requantize((AddBias ? flash_load(&en->c) : 0) + acc, {flash_load(&en->m0), flash_load(&en->shift)});
  }
};

}  // namespace ctml::nn::detail
