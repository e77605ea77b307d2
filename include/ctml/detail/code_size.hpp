// Code-size estimates per instruction set, for the flash_bytes() of stages
// whose code grows with the model (unrolled trees) or is a fixed routine.
// The numbers are the target's (ctml/arch/<family>.hpp; what they count:
// ctml/arch/common.hpp).
#pragma once

#include <ctml/arch.hpp>

namespace ctml::detail {

using code_size = arch::tree_code_size;
inline constexpr const code_size& target_code = arch::tree_code;
/// Boosted trees and Gaussian models (arch::boosting_code_size).
inline constexpr const arch::boosting_code_size& boosting_code = arch::boosting_code;

/// Code of the kernel-SVM and KNN stages (svm/svm.hpp, neighbors/neighbors.hpp)
/// including the float and binary64 library routines their near-tie paths
/// link: firmware minus a baseline minus the tables, of the wine SVC and the
/// iris KNN of `tests/bench/bench.py kernels` (one model each: a rough figure;
/// on Cortex-M0 and RISC-V the SVM adds its integer-distance path; the KNN
/// its settling of open places by label).
struct kernels_code {
  std::size_t svm, knn;
};
inline constexpr kernels_code kernels_target_code = [] {
  switch (arch::target) {
    case arch::family::avr: return kernels_code{0, 3000};  // SVMs do not run there; the integer KNN only
    case arch::family::cortex_m0: return kernels_code{14000, 11100};
    case arch::family::cortex_m: return kernels_code{4500, 6100};
    case arch::family::riscv: return kernels_code{14900, 12000};
    case arch::family::host: break;
  }
  return kernels_code{2900, 5000};
}();

/// What a scaler folded into a KNN stage adds (neighbors.hpp input_scaling):
/// the float scaling (soft float where there is no FPU) and sklearn's double
/// scaling; the linker's difference between Pipeline(StandardScaler, KNN(5))
/// and KNN(5) alone beyond the tables (iris and wine of `bench.py kernels`).
inline constexpr std::size_t knn_scaler_target_code = [] {
  switch (arch::target) {
    case arch::family::avr: return std::size_t{150};  // the integer KNN: the scaler's fixed-point step
    case arch::family::cortex_m0: return std::size_t{2200};
    case arch::family::cortex_m: return std::size_t{arch::has_binary64_unit ? 150 : 620};
    case arch::family::riscv: return std::size_t{2200};
    case arch::family::host: break;
  }
  return std::size_t{150};
}();

/// Code of the linear family's float stages (linear/linear.hpp: one output
/// such as LDA or several such as multinomial LR; bayes/gaussian_nb.hpp),
/// with the float and integer-binary64 routines their near-tie paths link:
/// firmware minus a baseline minus the tables, of `tests/bench/bench.py
/// linear` at -Os (LDA cancer, LR wine, GaussianNB iris; a rough figure).
/// With a double unit (Cortex-M7, hosts) they compute sklearn's double
/// arithmetic directly and have no near-tie path.
struct linear_code {
  std::size_t one_output, outputs, gaussian_nb;
};
inline constexpr linear_code linear_target_code = [] {
  switch (arch::target) {
    case arch::family::avr: return linear_code{5400, 6930, 6810};
    case arch::family::cortex_m0: return linear_code{740, 1120, 1120};
    case arch::family::cortex_m:
      return arch::has_binary64_unit ? linear_code{110, 630, 520} : linear_code{1710, 1900, 1280};
    case arch::family::riscv: return linear_code{1100, 1600, 1550};
    case arch::family::host: break;
  }
  return linear_code{130, 910, 950};
}();

}  // namespace ctml::detail
