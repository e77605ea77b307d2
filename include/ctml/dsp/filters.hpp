// IIR (scipy second-order sections) and FIR filters along each channel of
// interleaved frames (channel last).
//
//   sos_filter: scipy.signal.sosfilt(sos, x) in its transposed direct form II,
//     per sample and section:  y = b0 x + z0;  z0 = (b1 x - a1 y) + z1;  z1 = b2 x - a2 y
//   fir_filter: scipy.signal.lfilter(taps, [1.0], x):  y[i] = sum_k taps[k] x[i - k], k = 0, 1, ...
// Coefficients are rounded to float once; each product is rounded on its own.
// By default every frame starts from zero state (what ctml.dsp computes);
// with the `streaming` option the memories live in the caller's state_type and
// carry over from call to call.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

#include <ctml/dsp/common.hpp>

namespace ctml::dsp {

namespace detail {
template <class Params>
struct sos_table {
  static constexpr std::size_t n_sections = Params::n_sections;
  struct section { float b0, b1, b2, a1, a2; };
  static constexpr std::array<section, n_sections> make() noexcept {
    std::array<section, n_sections> t{};
    for (std::size_t s = 0; s < n_sections; ++s)
      t[s] = {static_cast<float>(Params::sos[s][0]), static_cast<float>(Params::sos[s][1]),
              static_cast<float>(Params::sos[s][2]), static_cast<float>(Params::sos[s][4]),
              static_cast<float>(Params::sos[s][5])};
    return t;
  }
  CTML_FLASH static constexpr std::array<section, n_sections> table = make();
};
template <class Params>
struct fir_table {
  static constexpr std::array<float, Params::n_taps> make() noexcept {
    std::array<float, Params::n_taps> t{};
    for (std::size_t k = 0; k < Params::n_taps; ++k) t[k] = static_cast<float>(Params::taps[k]);
    return t;
  }
  CTML_FLASH static constexpr std::array<float, Params::n_taps> table = make();
};
}  // namespace detail

/// Params: `n` (values per frame), `n_channels`, `n_sections`, `sos[n_sections][6]` (scipy's, a0 = 1).
template <class Params, ValuePolicy Policy = f32, bool Streaming = false>
struct sos_filter {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::sos_filter supports the f32 policy");
  static_assert(Params::n % Params::n_channels == 0, "ctml: sos_filter: n must be a multiple of n_channels");
  static constexpr std::size_t n_channels = Params::n_channels, n_sections = Params::n_sections;
  struct memory { std::array<float, 2 * n_sections * n_channels> z{}; };
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = std::conditional_t<Streaming, memory, no_state>;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n;
  template <ValuePolicy P>
    requires DspPolicy<P>
  using rebind = sos_filter<Params, P, Streaming>;
  template <class Option>
    requires std::same_as<Option, streaming>
  using rebind_layout = sos_filter<Params, Policy, true>;

 private:
  using table = detail::sos_table<Params>;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(table::table); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 2 * detail::loop_code_bytes; }
  /// The filter memories: the caller's state when streaming, scratch otherwise.
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return sizeof(memory); }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 9 * n_sections * in_extent; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, state_type& state) const noexcept {
    if constexpr (Streaming) {
      filter(in, out, state);
    } else {
      memory m{};
      filter(in, out, m);
    }
  }

 private:
  static constexpr void filter(std::span<const float, in_extent> in, std::span<float, out_extent> out, memory& m) noexcept {
    using detail::product;
    for (std::size_t i = 0; i < in_extent; i += n_channels) {
      for (std::size_t ch = 0; ch < n_channels; ++ch) {
        float x = in[i + ch];
        float* z = m.z.data() + 2 * n_sections * ch;
        for (std::size_t s = 0; s < n_sections; ++s, z += 2) {
          const auto c = flash_load(&table::table[s]);
          const float y = product(c.b0, x) + z[0];
          z[0] = (product(c.b1, x) - product(c.a1, y)) + z[1];
          z[1] = product(c.b2, x) - product(c.a2, y);
          x = y;
        }
        out[i + ch] = x;
      }
    }
  }
};

/// Params: `n` (values per frame), `n_channels`, `n_taps`, `taps[n_taps]`.
template <class Params, ValuePolicy Policy = f32, bool Streaming = false>
struct fir_filter {
  static_assert(DspPolicy<Policy>, "ctml: ctml::dsp::fir_filter supports the f32 policy");
  static_assert(Params::n % Params::n_channels == 0, "ctml: fir_filter: n must be a multiple of n_channels");
  static constexpr std::size_t n_channels = Params::n_channels, n_taps = Params::n_taps;
  static constexpr std::size_t n_samples = Params::n / n_channels;
  /// The last n_taps - 1 inputs of every channel (oldest first).
  struct memory { std::array<float, (n_taps > 1 ? n_taps - 1 : 1) * n_channels> past{}; };
  using policy = Policy;
  using in_type = float;
  using out_type = float;
  using state_type = std::conditional_t<Streaming, memory, no_state>;
  static constexpr std::size_t in_extent = Params::n;
  static constexpr std::size_t out_extent = Params::n;
  template <ValuePolicy P>
    requires DspPolicy<P>
  using rebind = fir_filter<Params, P, Streaming>;
  template <class Option>
    requires std::same_as<Option, streaming>
  using rebind_layout = fir_filter<Params, Policy, true>;

 private:
  using table = detail::fir_table<Params>;
  static constexpr std::size_t hist = n_taps - 1;

 public:
  [[nodiscard]] static constexpr std::size_t data_bytes() noexcept { return sizeof(table::table); }
  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return data_bytes() + 2 * detail::loop_code_bytes; }
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return Streaming ? sizeof(memory) : 0; }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return 2 * n_taps * in_extent; }

  constexpr void run(std::span<const float, in_extent> in, std::span<float, out_extent> out, state_type& state) const noexcept {
    using detail::product;
    for (std::size_t ch = 0; ch < n_channels; ++ch) {
      for (std::size_t i = 0; i < n_samples; ++i) {
        float acc = 0.0f;
        for (std::size_t k = 0; k < n_taps; ++k) {
          float x;
          if (k <= i) x = in[(i - k) * n_channels + ch];
          else if constexpr (Streaming) x = state.past[ch * hist + hist + i - k];
          else break;
          acc += product(flash_load(&table::table[k]), x);
        }
        out[i * n_channels + ch] = acc;
      }
      if constexpr (Streaming) {
        if constexpr (hist > 0) {
          // Shift the history: keep the newest hist inputs of past + this frame.
          float* p = state.past.data() + ch * hist;
          for (std::size_t j = 0; j < hist; ++j) {
            const std::size_t t = n_samples + j;  // position in (past ++ frame) of the new p[j], counting past from 0
            p[j] = t < hist ? p[t] : in[(t - hist) * n_channels + ch];
          }
        }
      }
    }
  }
};

}  // namespace ctml::dsp
