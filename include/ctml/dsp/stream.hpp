// Streaming front end: samples in (one at a time from an ISR, or blocks from
// a DMA half-buffer), frames of N values out every Hop values, identical to
// framing the whole stream offline:
//   numpy.lib.stride_tricks.sliding_window_view(x, N)[::Hop]
// The ring buffer lives in the caller's state (RAM: ram_bytes()). For
// interleaved multi-channel streams N and Hop count values, so both are
// multiples of the channel count.
#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace ctml::dsp {

template <std::size_t N, std::size_t Hop, class T = float>
struct framer {
  static_assert(N >= 1 && Hop >= 1, "ctml: framer needs a frame of N >= 1 values and a hop >= 1");
  static constexpr std::size_t frame_size = N, hop = Hop;

  /// The caller-owned state: the last N values and where the next frame stands.
  struct state_type {
    std::array<T, N> ring{};
    std::size_t next = 0;     // ring index of the oldest value once full (next write)
    std::size_t filled = 0;   // values seen, up to N
    std::size_t since = 0;    // values since the last frame
  };
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept { return sizeof(state_type); }

  /// Adds one value; true when another frame is complete (read it with `frame`).
  static constexpr bool push(state_type& s, T x) noexcept {
    s.ring[s.next] = x;
    s.next = s.next + 1 == N ? 0 : s.next + 1;
    if (s.filled < N) {
      if (++s.filled < N) return false;
      s.since = 0;
      return true;  // the first frame: values 0 .. N-1
    }
    if (++s.since < Hop) return false;
    s.since = 0;
    return true;
  }

  /// The latest N values, oldest first.
  static constexpr void frame(const state_type& s, std::span<T, N> out) noexcept {
    std::size_t j = s.next;
    for (std::size_t i = 0; i < N; ++i) {
      out[i] = s.ring[j];
      j = j + 1 == N ? 0 : j + 1;
    }
  }

  /// Adds a block; calls on_frame(std::span<const T, N>) for every frame it completes, in order.
  template <class OnFrame>
  static constexpr void push(state_type& s, std::span<const T> block, OnFrame&& on_frame) {
    for (const T x : block) {
      if (push(s, x)) {
        std::array<T, N> f;
        frame(s, f);
        on_frame(std::span<const T, N>(f));
      }
    }
  }
};

}  // namespace ctml::dsp
