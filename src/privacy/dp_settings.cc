#include "privacy/dp_settings.h"

#include <functional>
#include <set>

#include "sql/catalog.h"

namespace cleanroom::privacy {
namespace {

using nlohmann::json;

Status SettingError(std::string_view where, const std::string& path, const std::string& what) {
  std::string m(where);
  if (!m.empty()) m += ": ";
  return Status::InvalidArgument(m + "field '" + path + "' " + what);
}

// An exact decimal from a JSON integer, a JSON number (read as the shortest decimal that
// round-trips, which is what the author wrote for up to 15 significant digits) or a string.
Result<SignedRational> Decimal(const json& value, std::string_view where, const std::string& path) {
  if (value.is_string()) return ParseExactDecimal(value.get<std::string>(), where, path);
  if (value.is_number()) return ParseExactDecimal(value.dump(), where, path);
  return SettingError(where, path, "must be a decimal number (e.g. 0.5, 1e-6)");
}

Result<Rational> NonNegativeDecimal(const json& value, std::string_view where,
                                    const std::string& path) {
  CR_ASSIGN_OR_RETURN(SignedRational r, Decimal(value, where, path));
  if (r.negative && r.magnitude.num != 0) return SettingError(where, path, "must not be negative");
  return r.magnitude;
}

Result<int64_t> PositiveCount(const json& value, std::string_view where, const std::string& path) {
  if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 1000000) {
    return SettingError(where, path, "must be an integer from 1 to 1000000");
  }
  return value.get<int64_t>();
}

Status KnownFields(const json& object, const std::set<std::string>& known, std::string_view where,
                   const std::string& path, const std::string& what) {
  if (!object.is_object()) return SettingError(where, path, "must be an object");
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (known.count(it.key()) == 0) {
      return SettingError(where, path + "." + it.key(), "is not " + what);
    }
  }
  return Status::OK();
}

// {"min", "max"} and, for the owner, "resolution".
Result<ClampBounds> ParseBounds(const json& object, bool owner, std::string_view where,
                                const std::string& path) {
  CR_RETURN_IF_ERROR(KnownFields(
      object,
      owner ? std::set<std::string>{"min", "max", "resolution"}
            : std::set<std::string>{"min", "max"},
      where, path, owner ? "a bounds field (min, max, resolution)" : "a bounds field (min, max)"));
  if (!object.contains("min") || !object.contains("max")) {
    return SettingError(where, path, "must state min and max");
  }
  ClampBounds b;
  CR_ASSIGN_OR_RETURN(b.min, Decimal(object["min"], where, path + ".min"));
  CR_ASSIGN_OR_RETURN(b.max, Decimal(object["max"], where, path + ".max"));
  if (!(b.min <= b.max)) return SettingError(where, path, "must have min <= max");
  if (object.contains("resolution")) {
    CR_ASSIGN_OR_RETURN(b.resolution,
                        NonNegativeDecimal(object["resolution"], where, path + ".resolution"));
    if (b.resolution.num == 0) return SettingError(where, path + ".resolution", "must be positive");
  }
  return b;
}

// maxGroupsPerUnit and maxRowsPerUnitPerGroup, each when stated.
Status ParseUnitBounds(const json& object, std::string_view where, const std::string& path,
                       std::optional<int64_t>& groups, std::optional<int64_t>& rows) {
  if (object.contains("maxGroupsPerUnit")) {
    CR_ASSIGN_OR_RETURN(
        groups, PositiveCount(object["maxGroupsPerUnit"], where, path + ".maxGroupsPerUnit"));
  }
  if (object.contains("maxRowsPerUnitPerGroup")) {
    CR_ASSIGN_OR_RETURN(rows, PositiveCount(object["maxRowsPerUnitPerGroup"], where,
                                            path + ".maxRowsPerUnitPerGroup"));
  }
  return Status::OK();
}

// Each entry of a `bounds` object: `add(lower-case key, its field path, its bounds)`.
Status ParseBoundsObject(
    const json& object, bool owner, std::string_view where, const std::string& path,
    const std::function<Status(const std::string&, const std::string&, ClampBounds)>& add) {
  if (!object.contains("bounds")) return Status::OK();
  const json& bounds = object["bounds"];
  if (!bounds.is_object()) return SettingError(where, path + ".bounds", "must be an object");
  for (auto it = bounds.begin(); it != bounds.end(); ++it) {
    const std::string entry_path = path + ".bounds." + it.key();
    CR_ASSIGN_OR_RETURN(ClampBounds parsed, ParseBounds(it.value(), owner, where, entry_path));
    CR_RETURN_IF_ERROR(add(sql::ToLowerAscii(it.key()), entry_path, parsed));
  }
  return Status::OK();
}

// epsilon in (0, 100], delta in [0, 1).
Status CheckEpsilonDelta(const Rational& epsilon, const Rational& delta, std::string_view where,
                         const std::string& path) {
  if (epsilon.num == 0 || Rational{100, 1} < epsilon) {
    return SettingError(where, path + ".epsilon", "must be above 0 and at most 100");
  }
  if (!(delta < Rational{1, 1})) return SettingError(where, path + ".delta", "must be below 1");
  return Status::OK();
}

}  // namespace

std::string_view NoiseMechanismName(NoiseMechanism mechanism) {
  return mechanism == NoiseMechanism::kGaussian ? "gaussian" : "laplace";
}

Result<DatasetDpBounds> ParseDatasetDpBounds(const json& object, std::string_view privacy_unit,
                                             std::string_view where, const std::string& path) {
  CR_RETURN_IF_ERROR(KnownFields(object,
                                 {"maxGroupsPerUnit", "maxRowsPerUnitPerGroup", "bounds", "budget"},
                                 where, path, "a differentialPrivacy field"));
  if (privacy_unit.empty()) {
    return SettingError(where, path, "needs privacyUnit (bounds are per privacy unit)");
  }
  for (const char* required : {"maxGroupsPerUnit", "maxRowsPerUnitPerGroup", "budget"}) {
    if (!object.contains(required)) {
      return SettingError(where, path + "." + required, "is required");
    }
  }
  DatasetDpBounds out;
  std::optional<int64_t> groups, rows;
  CR_RETURN_IF_ERROR(ParseUnitBounds(object, where, path, groups, rows));
  out.max_groups_per_unit = *groups;  // both required above
  out.max_rows_per_unit_per_group = *rows;
  CR_RETURN_IF_ERROR(ParseBoundsObject(
      object, true, where, path,
      [&](const std::string& column, const std::string& entry_path, ClampBounds bounds) {
        if (column == privacy_unit)
          return SettingError(where, entry_path, "names the privacy unit");
        out.columns[column] = bounds;
        return Status::OK();
      }));
  const json& budget = object["budget"];
  CR_RETURN_IF_ERROR(KnownFields(budget, {"epsilon", "delta"}, where, path + ".budget",
                                 "a budget field (epsilon, delta)"));
  if (!budget.contains("epsilon"))
    return SettingError(where, path + ".budget.epsilon", "is required");
  CR_ASSIGN_OR_RETURN(out.budget_epsilon,
                      NonNegativeDecimal(budget["epsilon"], where, path + ".budget.epsilon"));
  if (budget.contains("delta")) {
    CR_ASSIGN_OR_RETURN(out.budget_delta,
                        NonNegativeDecimal(budget["delta"], where, path + ".budget.delta"));
  }
  if (out.budget_epsilon.num == 0 || Rational{1000, 1} < out.budget_epsilon) {
    return SettingError(where, path + ".budget.epsilon", "must be above 0 and at most 1000");
  }
  if (!(out.budget_delta < Rational{1, 1})) {
    return SettingError(where, path + ".budget.delta", "must be below 1");
  }
  return out;
}

namespace {

// `publicGroups`: a non-empty array (at most 10,000) of distinct arrays of strings or numbers, all
// of one length; each value kept as a SQL literal.
Result<std::vector<std::vector<std::string>>> ParsePublicGroups(const json& groups,
                                                                std::string_view where,
                                                                const std::string& path) {
  constexpr size_t kMaxPublicGroups = 10000;
  const std::string shape =
      "must be a non-empty array (at most 10000) of distinct group keys, each an array of strings "
      "or numbers in GROUP BY order, all of one length";
  if (!groups.is_array() || groups.empty() || groups.size() > kMaxPublicGroups) {
    return SettingError(where, path, shape);
  }
  std::vector<std::vector<std::string>> out;
  std::set<std::vector<std::string>> seen;
  for (const json& key : groups) {
    if (!key.is_array() || key.empty() || key.size() != groups[0].size()) {
      return SettingError(where, path, shape);
    }
    std::vector<std::string> literals;
    for (const json& v : key) {
      if (v.is_string()) {
        std::string text = v.get<std::string>();
        std::string quoted = "'";
        for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
        literals.push_back(quoted + "'");
      } else if (v.is_number()) {
        literals.push_back(v.dump());
      } else {
        return SettingError(where, path, shape);
      }
    }
    if (!seen.insert(literals).second) return SettingError(where, path, shape);
    out.push_back(std::move(literals));
  }
  return out;
}

}  // namespace

Result<std::optional<QueryDpSettings>> ParseQueryDpSettings(const json& object,
                                                            std::string_view where,
                                                            const std::string& path) {
  if (object.is_null() || (object.is_object() && object.empty())) {
    return std::optional<QueryDpSettings>();
  }
  CR_RETURN_IF_ERROR(KnownFields(object,
                                 {"epsilon", "delta", "mechanism", "maxGroupsPerUnit",
                                  "maxRowsPerUnitPerGroup", "bounds", "publicGroups"},
                                 where, path, "a query privacy field"));
  if (!object.contains("epsilon")) return SettingError(where, path + ".epsilon", "is required");
  QueryDpSettings s;
  CR_ASSIGN_OR_RETURN(s.epsilon, NonNegativeDecimal(object["epsilon"], where, path + ".epsilon"));
  if (object.contains("delta")) {
    CR_ASSIGN_OR_RETURN(s.delta, NonNegativeDecimal(object["delta"], where, path + ".delta"));
  }
  CR_RETURN_IF_ERROR(CheckEpsilonDelta(s.epsilon, s.delta, where, path));
  if (object.contains("mechanism")) {
    const json& m = object["mechanism"];
    const std::string name = m.is_string() ? sql::ToLowerAscii(m.get<std::string>()) : "";
    if (name == "laplace") {
      s.mechanism = NoiseMechanism::kLaplace;
    } else if (name == "gaussian") {
      s.mechanism = NoiseMechanism::kGaussian;
    } else {
      return SettingError(where, path + ".mechanism", "must be laplace or gaussian");
    }
  }
  if (s.mechanism == NoiseMechanism::kGaussian && s.delta.num == 0) {
    return SettingError(where, path + ".delta", "must be above 0 for the gaussian mechanism");
  }
  CR_RETURN_IF_ERROR(
      ParseUnitBounds(object, where, path, s.max_groups_per_unit, s.max_rows_per_unit_per_group));
  CR_RETURN_IF_ERROR(ParseBoundsObject(
      object, false, where, path,
      [&](const std::string& key, const std::string& entry_path, ClampBounds bounds) {
        const size_t dot = key.find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == key.size() ||
            key.find('.', dot + 1) != std::string::npos) {
          return SettingError(where, entry_path, "must be named dataset.column");
        }
        s.columns[key] = bounds;
        return Status::OK();
      }));
  if (object.contains("publicGroups")) {
    CR_ASSIGN_OR_RETURN(s.public_groups,
                        ParsePublicGroups(object["publicGroups"], where, path + ".publicGroups"));
  }
  return std::optional<QueryDpSettings>(std::move(s));
}

Result<DatasetDpBounds> NarrowBounds(const DatasetDpBounds& owner, const QueryDpSettings& query,
                                     std::string_view dataset) {
  const std::string where = "query privacy settings";
  const std::string name = sql::ToLowerAscii(dataset);
  if (owner.budget_epsilon < query.epsilon) {
    return SettingError(where, "epsilon", "is above dataset " + name + "'s whole budget epsilon");
  }
  if (owner.budget_delta < query.delta) {
    return SettingError(where, "delta", "is above dataset " + name + "'s whole budget delta");
  }
  DatasetDpBounds out = owner;
  if (query.max_groups_per_unit.has_value()) {
    if (*query.max_groups_per_unit > owner.max_groups_per_unit) {
      return SettingError(where, "maxGroupsPerUnit",
                          "widens dataset " + name + "'s bound (an analyst may only narrow)");
    }
    out.max_groups_per_unit = *query.max_groups_per_unit;
  }
  if (query.max_rows_per_unit_per_group.has_value()) {
    if (*query.max_rows_per_unit_per_group > owner.max_rows_per_unit_per_group) {
      return SettingError(where, "maxRowsPerUnitPerGroup",
                          "widens dataset " + name + "'s bound (an analyst may only narrow)");
    }
    out.max_rows_per_unit_per_group = *query.max_rows_per_unit_per_group;
  }
  for (const auto& [key, bounds] : query.columns) {
    const size_t dot = key.find('.');
    if (key.substr(0, dot) != name) continue;
    const std::string column = key.substr(dot + 1);
    auto it = out.columns.find(column);
    if (it == out.columns.end()) {
      return SettingError(where, "bounds." + key, "names a column its owner does not bound");
    }
    if (bounds.min < it->second.min || it->second.max < bounds.max) {
      return SettingError(where, "bounds." + key,
                          "widens the owner's clamping bounds (an analyst may only narrow)");
    }
    it->second.min = bounds.min;
    it->second.max = bounds.max;
  }
  return out;
}

}  // namespace cleanroom::privacy
