#include "ml/training_params.h"

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

namespace cleanroom::ml {
namespace {

using nlohmann::json;

Status KeyError(std::string_view where, const std::string& key, const std::string& what) {
  return Status::InvalidArgument(std::string(where) + "." + key + ": " + what);
}

// A numeric parameter's allowed range; `integer` ones must be whole numbers.
struct Range {
  double low;
  double high;
  bool low_open;
  bool integer;
};

const std::map<std::string, Range>& NumericParams() {
  static const std::map<std::string, Range> kParams = {
      {"eta", {0, 1, true, false}},
      {"learning_rate", {0, 1, true, false}},
      {"gamma", {0, 1e12, false, false}},
      {"max_depth", {0, 32, false, true}},
      {"min_child_weight", {0, 1e12, false, false}},
      {"max_delta_step", {0, 1e12, false, false}},
      {"subsample", {0, 1, true, false}},
      {"colsample_bytree", {0, 1, true, false}},
      {"colsample_bylevel", {0, 1, true, false}},
      {"colsample_bynode", {0, 1, true, false}},
      {"lambda", {0, 1e12, false, false}},
      {"reg_lambda", {0, 1e12, false, false}},
      {"alpha", {0, 1e12, false, false}},
      {"reg_alpha", {0, 1e12, false, false}},
      {"scale_pos_weight", {0, 1e12, true, false}},
      {"max_leaves", {0, 1 << 20, false, true}},
      {"max_bin", {2, 4096, false, true}},
      {"num_class", {2, 10000, false, true}},
      {"seed", {0, 2147483647, false, true}},
      {"base_score", {-1e12, 1e12, false, false}},
      {"tweedie_variance_power", {1, 2, true, false}},
  };
  return kParams;
}

const std::map<std::string, std::set<std::string>>& ChoiceParams() {
  static const std::map<std::string, std::set<std::string>> kParams = {
      {"objective",
       {"reg:squarederror", "reg:squaredlogerror", "reg:logistic", "reg:pseudohubererror",
        "reg:absoluteerror", "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
        "reg:gamma", "reg:tweedie", "multi:softmax", "multi:softprob"}},
      {"tree_method", {"hist", "approx", "exact", "auto"}},
      {"grow_policy", {"depthwise", "lossguide"}},
      {"booster", {"gbtree"}},
      {"eval_metric",
       {"rmse", "mae", "logloss", "error", "auc", "aucpr", "merror", "mlogloss", "poisson-nloglik",
        "gamma-nloglik", "tweedie-nloglik"}},
  };
  return kParams;
}

Result<std::string> NumericValue(const json& value, const std::string& key, const Range& range,
                                 std::string_view where) {
  double v = 0;
  if (value.is_number()) {
    v = value.get<double>();
  } else {
    return KeyError(where, key, "must be a number");
  }
  bool low_ok = range.low_open ? v > range.low : v >= range.low;
  if (!std::isfinite(v) || !low_ok || v > range.high) {
    return KeyError(where, key, "is out of its range");
  }
  if (range.integer) {
    if (v != std::floor(v)) return KeyError(where, key, "must be a whole number");
    return std::to_string(static_cast<int64_t>(v));
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return std::string(buffer);
}

}  // namespace

Result<TrainingParams> ParseTrainingParams(const json& job, std::string_view where) {
  if (!job.is_object()) return Status::InvalidArgument(std::string(where) + ": must be an object");
  TrainingParams out;
  for (auto it = job.begin(); it != job.end(); ++it) {
    if (it.key() != "rounds" && it.key() != "params") {
      return KeyError(where, it.key(), "is not a training field (rounds, params)");
    }
  }
  if (!job.contains("rounds") || !job["rounds"].is_number_integer() ||
      job["rounds"].get<int64_t>() < 1 || job["rounds"].get<int64_t>() > kMaxRounds) {
    return KeyError(where, "rounds",
                    "must be a whole number from 1 to " + std::to_string(kMaxRounds));
  }
  out.rounds = static_cast<int>(job["rounds"].get<int64_t>());
  const json params = job.value("params", json::object());
  if (!params.is_object()) return KeyError(where, "params", "must be an object");
  const std::string params_where = std::string(where) + ".params";
  for (auto it = params.begin(); it != params.end(); ++it) {
    const std::string& key = it.key();
    if (auto numeric = NumericParams().find(key); numeric != NumericParams().end()) {
      CR_ASSIGN_OR_RETURN(out.xgboost[key],
                          NumericValue(it.value(), key, numeric->second, params_where));
    } else if (auto choice = ChoiceParams().find(key); choice != ChoiceParams().end()) {
      if (!it.value().is_string() || !choice->second.count(it.value().get<std::string>())) {
        return KeyError(params_where, key, "is not one of the values a clean room job may use");
      }
      out.xgboost[key] = it.value().get<std::string>();
    } else {
      return KeyError(params_where, key,
                      "is not a parameter a clean room job may set (docs/ml.md lists them)");
    }
  }
  if (out.xgboost.count("eta") && out.xgboost.count("learning_rate")) {
    return KeyError(params_where, "learning_rate", "repeats eta");
  }
  const std::string objective = out.xgboost.count("objective") ? out.xgboost["objective"] : "";
  bool multi = objective.rfind("multi:", 0) == 0;
  if (multi != (out.xgboost.count("num_class") > 0)) {
    return KeyError(params_where, "num_class", "is needed by, and only by, multi: objectives");
  }
  return out;
}

}  // namespace cleanroom::ml
