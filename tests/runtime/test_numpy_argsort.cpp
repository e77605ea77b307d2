// ctml::boosting::numpy_argsort against numpy.argsort's own order
// (make_numpy_argsort_fixture.py): tie-heavy arrays, sizes around numpy's
// insertion-sort cutoff, and arrays on which numpy falls back to heapsort.
#include <array>
#include <cstdint>

#include <catch2/catch.hpp>
#include <ctml/boosting/weighted_median.hpp>

#include "numpy_argsort_fixture.hpp"

TEST_CASE("numpy_argsort leaves ties in numpy's order") {
  namespace fx = numpy_argsort_fixture;
  std::size_t at = 0;
  for (std::size_t k = 0; k < fx::n_arrays; ++k) {
    const std::size_t n = fx::size[k];
    std::array<std::uint8_t, 256> order{};
    ctml::boosting::numpy_argsort<std::uint8_t, 256>{&fx::values[at], order.data(), n}.run();
    std::size_t differ = 0;
    for (std::size_t i = 0; i < n; ++i) differ += order[i] != fx::order[at + i];
    INFO("array " << k << " of size " << n << (k + fx::n_heapsort >= fx::n_arrays ? " (numpy's heapsort)" : ""));
    CHECK(differ == 0);
    at += n;
  }
}
