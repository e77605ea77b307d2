// Learning on the device: a k-nearest-neighbour classifier whose samples the
// firmware adds at run time, into a caller-owned store of fixed capacity
// (RAM: Capacity x (features + 1 label + a 32-bit age)).
//
//   using learner = ctml::knn_learner<ctml::knn_learner_config<3, 4, 32, 3>>;  // features, classes, capacity, k
//   learner::state_type store{};          // the caller's RAM
//   learner{}.learn(x, label, store);    // add a labelled sample
//   int cls = learner{}.predict(x, store);  // -1 while the store is empty
//
// Replacement rule when full: the incoming sample replaces the oldest sample of the
// class that holds the most samples (on equal counts the smallest class
// index), so a class seen for the first time always gets room and old classes keep their share.
//
// Prediction is sklearn's KNeighborsClassifier(n_neighbors=k,
// algorithm="brute") fitted on the stored samples in slot order: squared
// Euclidean distances in exact integers, sklearn's heap (so its tie rules),
// the most frequent label, the smallest class on equal votes. With fewer
// than k samples stored, all of them vote.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

#include <ctml/neighbors/neighbors.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/stage.hpp>

namespace ctml {

template <std::size_t NFeatures, std::size_t NClasses, std::size_t Capacity, std::size_t K,
          class Sample = std::int16_t>
struct knn_learner_config {
  static constexpr std::size_t n_features = NFeatures, n_classes = NClasses, capacity = Capacity, n_neighbors = K;
  using sample_type = Sample;
  static_assert(K >= 1 && K <= Capacity, "ctml: n_neighbors must be between 1 and the store's capacity");
  static_assert(Capacity <= 65535 && NClasses <= 255, "ctml: at most 65535 samples and 255 classes");
  static_assert(std::is_same_v<Sample, std::int8_t> || std::is_same_v<Sample, std::int16_t>,
                "ctml: the learner stores int8_t or int16_t samples");
};

/// The caller-owned sample store.
template <class Config>
struct knn_store {
  std::array<std::array<typename Config::sample_type, Config::n_features>, Config::capacity> samples{};
  std::array<std::uint8_t, Config::capacity> labels{};
  std::array<std::uint32_t, Config::capacity> age{};  // when each slot was written
  std::uint32_t clock = 0;
  std::uint16_t size = 0;

  /// Adds a labelled sample (see the replacement rule above).
  constexpr void add(std::span<const typename Config::sample_type, Config::n_features> x, std::size_t label) noexcept {
    std::size_t slot = size;
    if (size == Config::capacity) {
      std::array<std::uint16_t, Config::n_classes> count{};
      for (std::size_t s = 0; s < Config::capacity; ++s) ++count[labels[s]];
      std::size_t most = 0;
      for (std::size_t c = 1; c < Config::n_classes; ++c)
        if (count[c] > count[most]) most = c;
      slot = Config::capacity;
      for (std::size_t s = 0; s < Config::capacity; ++s)
        if (labels[s] == most && (slot == Config::capacity || age[s] < age[slot])) slot = s;
    } else {
      ++size;
    }
    for (std::size_t i = 0; i < Config::n_features; ++i) samples[slot][i] = x[i];
    labels[slot] = static_cast<std::uint8_t>(label);
    age[slot] = clock++;
  }
  constexpr void clear() noexcept { *this = knn_store{}; }
};

/// The learner as a stage: its state is the store.
template <class Config, ValuePolicy Policy = q<typename Config::sample_type, 0>>
struct knn_learner {
  using policy = Policy;
  using in_type = typename Config::sample_type;
  static_assert(std::is_same_v<typename Policy::value_type, in_type>,
                "ctml: the learner's policy must store what the store holds (q<int16_t, F> for int16_t samples)");
  using out_type = int;
  using state_type = knn_store<Config>;
  static constexpr std::size_t in_extent = Config::n_features;
  static constexpr std::size_t out_extent = 1;
  template <ValuePolicy P>
    requires std::is_same_v<typename P::value_type, in_type>
  using rebind = knn_learner<Config, P>;

  [[nodiscard]] static constexpr std::size_t flash_bytes() noexcept { return 520; }  // predict + learn, Cortex-M0 -Os
  [[nodiscard]] static constexpr std::size_t ram_bytes() noexcept {
    return sizeof(state_type) + Config::n_neighbors * (sizeof(std::uint32_t) + 2) + Config::n_classes * 2;
  }
  [[nodiscard]] static constexpr std::size_t cost() noexcept { return Config::capacity * (3 * in_extent + 2); }

  constexpr void learn(std::span<const in_type, in_extent> x, std::size_t label, state_type& store) const noexcept {
    store.add(x, label);
  }

  /// The class index, or -1 while the store is empty.
  [[nodiscard]] constexpr int predict(std::span<const in_type, in_extent> x, state_type& store) const noexcept {
    if (store.size == 0) return -1;
    constexpr std::size_t k = Config::n_neighbors;
    neighbors::heap<std::uint64_t, k> h;  // empty places hold the largest value
    for (std::size_t s = 0; s < store.size; ++s) {
      std::uint64_t d = 0;
      for (std::size_t i = 0; i < in_extent; ++i) {
        const std::int32_t t = static_cast<std::int32_t>(x[i]) - store.samples[s][i];
        const auto a = static_cast<std::uint32_t>(t < 0 ? -t : t);
        d += a * a;  // a < 2^16: the square fits 32 bits (no 64-bit multiply on Cortex-M0)
      }
      h.push(d, static_cast<std::uint16_t>(s));
    }
    std::array<std::uint16_t, Config::n_classes> votes{};
    for (std::size_t j = 0; j < k; ++j)
      if (h.value[j] != std::numeric_limits<std::uint64_t>::max()) ++votes[store.labels[h.index[j]]];
    std::size_t best = 0;
    for (std::size_t c = 1; c < Config::n_classes; ++c)
      if (votes[c] > votes[best]) best = c;
    return static_cast<int>(best);
  }
  constexpr void run(std::span<const in_type, in_extent> x, std::span<int, 1> out, state_type& store) const noexcept {
    out[0] = predict(x, store);
  }
};

}  // namespace ctml
