// A device that learns new gestures at run time (issue 12's knn_learning):
// a Cortex-M0-class wearable computes 6 int16 features per gesture window
// (per axis: mean and mean absolute deviation of the accelerometer, milli-g),
// ships knowing two gestures (rest, shake) from a few samples, and learns a
// third (circle) from 4 labelled examples the user records, with no retraining
// and no heap: the samples live in a caller-owned ctml::knn_store.
//
// The gestures are synthetic (a deterministic generator below), so the
// program checks itself: it must classify held-out windows of all three
// gestures at least 90% right after learning, and circle windows not at all
// before (the store had no circle class).
#include <array>
#include <cstdint>
#include <cstdio>

#include <ctml/ctml.hpp>

namespace {

constexpr std::size_t n_features = 6, n_classes = 3, capacity = 24, k = 3;
using learner = ctml::knn_learner<ctml::knn_learner_config<n_features, n_classes, capacity, k>>;
using features = std::array<std::int16_t, n_features>;
enum gesture : int { rest = 0, shake = 1, circle = 2 };

// xorshift32: the same windows on every run and every target.
struct noise {
  std::uint32_t s;
  std::int32_t next(std::int32_t spread) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return static_cast<std::int32_t>(s % (2 * static_cast<std::uint32_t>(spread) + 1)) - spread;
  }
};

// Feature windows of each gesture: {mean x, y, z, deviation x, y, z}.
features window(gesture g, noise& n) {
  static constexpr std::int16_t centre[3][n_features] = {
      {0, 0, 1000, 8, 8, 10},         // rest: gravity on z, little motion
      {50, -20, 980, 600, 150, 120},  // shake: strong x motion
      {10, 15, 990, 350, 340, 60},    // circle: x and y alike
  };
  static constexpr std::int16_t spread[3] = {6, 90, 70};
  features f{};
  for (std::size_t i = 0; i < n_features; ++i)
    f[i] = static_cast<std::int16_t>(centre[g][i] + n.next(spread[g]));
  return f;
}

int accuracy_percent(const learner::state_type& store, gesture only, bool all, noise n) {
  int right = 0, total = 0;
  for (int g = rest; g <= circle; ++g) {
    if (!all && g != only) continue;
    for (int i = 0; i < 50; ++i, ++total) {
      auto s = store;  // predict takes the state by reference; a copy keeps this const
      right += learner{}.predict(window(static_cast<gesture>(g), n), s) == g;
    }
  }
  return 100 * right / total;
}

}  // namespace

int main() {
  learner::state_type store{};  // RAM the firmware owns
  noise n{12345};
  for (int i = 0; i < 6; ++i) {  // factory samples: rest and shake
    learner{}.learn(window(rest, n), rest, store);
    learner{}.learn(window(shake, n), shake, store);
  }
  const int before = accuracy_percent(store, circle, false, noise{777});
  for (int i = 0; i < 4; ++i) learner{}.learn(window(circle, n), circle, store);  // the user teaches "circle"
  const int after = accuracy_percent(store, rest, true, noise{999});
  std::printf("knn_learning: %u samples stored (%zu bytes of RAM); circle recognised %d%% before learning it, "
              "all gestures %d%% after\n",
              static_cast<unsigned>(store.size), sizeof(store), before, after);
  return before == 0 && after >= 90 ? 0 : 1;
}
