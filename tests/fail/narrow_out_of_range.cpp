// q<>::narrow<Frac> with a fraction count outside the wide type's bits
// (e.g. INT_MIN, which used to be undefined behaviour) is a compile error.
#include <climits>
#include <cstdint>

#include <ctml/number/policy.hpp>

#ifdef CTML_EXPECT_FAIL
constexpr int frac = INT_MIN;
#else
constexpr int frac = 30;
#endif
std::int16_t narrow_it(std::int32_t v) { return ctml::q15::narrow<frac>(v); }
