// ctml: compile-time machine-learning pipelines for microcontrollers.
#pragma once

#include <ctml/budget.hpp>
#include <ctml/number/math.hpp>
#include <ctml/number/policy.hpp>
#include <ctml/pipeline.hpp>
#include <ctml/scalers.hpp>
#include <ctml/stage.hpp>
#include <ctml/trees/forest.hpp>
#include <ctml/boosting/additive.hpp>
#include <ctml/anomaly/gaussian.hpp>
#include <ctml/anomaly/isolation_forest.hpp>
#include <ctml/nn/layers.hpp>
#include <ctml/nn/network.hpp>
#include <ctml/nn/quant.hpp>
