// ctml: compile-time machine-learning pipelines for microcontrollers.
#pragma once

#include <ctml/budget.hpp>
#include <ctml/number/finite.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/number/convert.hpp>
#include <ctml/pipeline.hpp>
#include <ctml/scalers.hpp>
#include <ctml/stage.hpp>
#include <ctml/trees/forest.hpp>
#include <ctml/boosting/additive.hpp>
#include <ctml/anomaly/isolation_forest.hpp>
#include <ctml/nn/layers.hpp>
#include <ctml/nn/network.hpp>
#include <ctml/nn/quant.hpp>
#include <ctml/linear/linear.hpp>
#include <ctml/bayes/gaussian_nb.hpp>
#include <ctml/transforms/projection.hpp>
#include <ctml/transforms/normalizer.hpp>
#include <ctml/transforms/polynomial.hpp>
#include <ctml/transforms/binarizer.hpp>
#include <ctml/svm/svm.hpp>
#include <ctml/neighbors/neighbors.hpp>
#include <ctml/dsp/dsp.hpp>
#include <ctml/discriminant/quadratic.hpp>
