// The table layout packs a node in at most 64 bits: 2^62 features do not fit.
#include <array>

#include <ctml/ctml.hpp>

#include "params.hpp"

struct stump_wide : stump3 {
#ifdef CTML_EXPECT_FAIL
  static constexpr std::size_t n_features = std::size_t{1} << 62;
#else
  static constexpr std::size_t n_features = std::size_t{1} << 40;
#endif
};
constexpr auto model = ctml::make_pipeline(ctml::forest_classifier<stump_wide>{}).with(ctml::table_layout{});
constexpr std::size_t bytes = model.flash_bytes();
