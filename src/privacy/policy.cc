#include "privacy/policy.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/file.h"

namespace cleanroom::privacy {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

Status FieldError(std::string_view where, const std::string& path, const std::string& what) {
  std::string m(where);
  if (!m.empty()) m += ": ";
  m += "field '" + path + "' " + what;
  return Status::InvalidArgument(std::move(m));
}

Result<json> ParseJson(std::string_view text, std::string_view where) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Status::InvalidArgument(std::string(where) + ": not valid JSON");
  }
  return doc;
}

// Differential-privacy settings named where they do not belong: refused with where they go
// (an owner's bounds in `differentialPrivacy`, a query's settings in its `privacy` object),
// rather than as an unknown field.
Status RefuseMisplacedDifferentialPrivacy(std::string_view where, const std::string& path,
                                          const std::string& key, const char* place) {
  static const std::set<std::string> kDpFields = {"epsilon",
                                                  "delta",
                                                  "differentialPrivacy",
                                                  "dp",
                                                  "noise",
                                                  "noiseMechanism",
                                                  "mechanism",
                                                  "privacyBudget",
                                                  "budget",
                                                  "contributionBound",
                                                  "maxContributions",
                                                  "sensitivity",
                                                  "maxGroupsPerUnit",
                                                  "maxRowsPerUnitPerGroup",
                                                  "bounds"};
  if (kDpFields.count(key) == 0) return Status::OK();
  std::string m(where);
  if (!m.empty()) m += ": ";
  return Status::InvalidArgument(m + "field '" + path +
                                 "': differential-privacy settings belong in " + place +
                                 " (docs/differential-privacy.md)");
}

Result<int64_t> NonNegativeInt(const json& v, std::string_view where, const std::string& path) {
  if (!v.is_number_integer() || v.get<int64_t>() < 0) {
    return FieldError(where, path, "must be a non-negative integer");
  }
  return v.get<int64_t>();
}

Result<std::string> String(const json& v, std::string_view where, const std::string& path) {
  if (!v.is_string()) return FieldError(where, path, "must be a string");
  return v.get<std::string>();
}

Result<DatasetPolicy> DatasetPolicyFromJson(const json& doc, std::string_view where,
                                            const std::string& prefix) {
  if (!doc.is_object())
    return FieldError(where, prefix.empty() ? "(root)" : prefix, "must be an object");
  auto path = [&prefix](const std::string& f) { return prefix.empty() ? f : prefix + "." + f; };
  static const std::set<std::string> kKnown = {
      "allowedFields", "columns",       "privacyUnit",         "output",
      "minRowCount",   "minGroupUnits", "differentialPrivacy", "machineLearning",
      "unitIndex"};
  DatasetPolicy p;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (kKnown.count(it.key()) == 0) {
      CR_RETURN_IF_ERROR(RefuseMisplacedDifferentialPrivacy(
          where, path(it.key()), it.key(), "the policy's differentialPrivacy object"));
    }
    if (kKnown.count(it.key()) == 0)
      return FieldError(where, path(it.key()), "is not a policy field");
  }
  if (doc.contains("allowedFields")) {
    const json& a = doc["allowedFields"];
    if (!a.is_array()) return FieldError(where, path("allowedFields"), "must be an array of names");
    std::set<std::string> seen;
    for (size_t i = 0; i < a.size(); ++i) {
      std::string p_i = path("allowedFields") + "[" + std::to_string(i) + "]";
      CR_ASSIGN_OR_RETURN(std::string name, String(a[i], where, p_i));
      if (name.empty()) return FieldError(where, p_i, "must not be empty");
      if (!seen.insert(Lower(name)).second) return FieldError(where, p_i, "is listed twice");
      p.allowed_fields.push_back(name);
    }
  }
  auto allowed = [&p](const std::string& lower) {
    if (p.allowed_fields.empty()) return true;
    return std::any_of(p.allowed_fields.begin(), p.allowed_fields.end(),
                       [&lower](const std::string& f) { return Lower(f) == lower; });
  };
  if (doc.contains("columns")) {
    const json& cols = doc["columns"];
    if (!cols.is_object()) return FieldError(where, path("columns"), "must be an object");
    for (auto it = cols.begin(); it != cols.end(); ++it) {
      std::string cpath = path("columns") + "." + it.key();
      std::string lower = Lower(it.key());
      if (!allowed(lower)) return FieldError(where, cpath, "names a column not in allowedFields");
      if (!it.value().is_object()) return FieldError(where, cpath, "must be an object");
      ColumnPolicy cp;
      for (auto f = it.value().begin(); f != it.value().end(); ++f) {
        if (f.key() == "role") {
          CR_ASSIGN_OR_RETURN(std::string role, String(f.value(), where, cpath + ".role"));
          CR_ASSIGN_OR_RETURN(cp.role, ParseColumnRole(role, where, cpath + ".role"));
        } else if (f.key() == "functions") {
          if (!f.value().is_array() || f.value().empty()) {
            return FieldError(where, cpath + ".functions", "must be a non-empty array of names");
          }
          cp.functions.clear();
          for (size_t i = 0; i < f.value().size(); ++i) {
            CR_ASSIGN_OR_RETURN(
                std::string fn,
                String(f.value()[i], where, cpath + ".functions[" + std::to_string(i) + "]"));
            std::string up = Upper(fn);
            static const std::set<std::string> kAggregates = {
                "SUM",      "AVG",      "COUNT",       "MIN",
                "MAX",      "STDDEV",   "STDDEV_SAMP", "STDDEV_POP",
                "VARIANCE", "VAR_SAMP", "VAR_POP",     "APPROX_COUNT_DISTINCT"};
            if (kAggregates.count(up) == 0) {
              return FieldError(where, cpath + ".functions[" + std::to_string(i) + "]",
                                "is not an aggregate function this engine allows");
            }
            cp.functions.insert(up);
          }
        } else {
          return FieldError(where, cpath + "." + f.key(), "is not a column policy field");
        }
      }
      p.columns[lower] = std::move(cp);
    }
  }
  if (doc.contains("privacyUnit")) {
    CR_ASSIGN_OR_RETURN(std::string pu, String(doc["privacyUnit"], where, path("privacyUnit")));
    p.privacy_unit = Lower(pu);
    if (p.privacy_unit.empty() || !allowed(p.privacy_unit)) {
      return FieldError(where, path("privacyUnit"), "must name a column in allowedFields");
    }
    auto it = p.columns.find(p.privacy_unit);
    if (it == p.columns.end()) {
      p.columns[p.privacy_unit].role = ColumnRole::kPrivacyUnit;
    } else if (it->second.role != ColumnRole::kPrivacyUnit) {
      return FieldError(where, path("columns." + p.privacy_unit + ".role"),
                        "must be privacy_unit for the column named by privacyUnit");
    }
  }
  for (const auto& [name, cp] : p.columns) {
    if (cp.role == ColumnRole::kPrivacyUnit && name != p.privacy_unit) {
      return FieldError(where, path("columns." + name + ".role"),
                        "is privacy_unit but privacyUnit names another column (one per dataset)");
    }
  }
  if (doc.contains("unitIndex")) {
    CR_ASSIGN_OR_RETURN(std::string index, String(doc["unitIndex"], where, path("unitIndex")));
    p.unit_index = Lower(index);
    if (p.privacy_unit.empty()) {
      return FieldError(where, path("unitIndex"), "needs privacyUnit to be set");
    }
    // The index identifies people as the unit does: it must exist for no query.
    if (p.unit_index.empty() || p.allowed_fields.empty() || allowed(p.unit_index)) {
      return FieldError(where, path("unitIndex"),
                        "must name a column outside a non-empty allowedFields");
    }
  }
  if (doc.contains("output")) {
    CR_ASSIGN_OR_RETURN(std::string out, String(doc["output"], where, path("output")));
    std::string o = Lower(out);
    if (o == "aggregate") {
      p.output = OutputMode::kAggregate;
    } else if (o == "list") {
      p.output = OutputMode::kList;
    } else {
      return FieldError(where, path("output"), "must be aggregate or list");
    }
  }
  if (doc.contains("minRowCount")) {
    CR_ASSIGN_OR_RETURN(p.min_row_count,
                        NonNegativeInt(doc["minRowCount"], where, path("minRowCount")));
  }
  if (doc.contains("minGroupUnits")) {
    CR_ASSIGN_OR_RETURN(p.min_group_units,
                        NonNegativeInt(doc["minGroupUnits"], where, path("minGroupUnits")));
    if (p.min_group_units > 0 && p.privacy_unit.empty()) {
      return FieldError(where, path("minGroupUnits"), "needs privacyUnit to be set");
    }
  }
  if (doc.contains("differentialPrivacy")) {
    CR_ASSIGN_OR_RETURN(p.differential_privacy,
                        ParseDatasetDpBounds(doc["differentialPrivacy"], p.privacy_unit, where,
                                             path("differentialPrivacy")));
    for (const auto& [column, bounds] : p.differential_privacy->columns) {
      if (!allowed(column)) {
        return FieldError(where, path("differentialPrivacy.bounds." + column),
                          "names a column not in allowedFields");
      }
    }
  }
  if (doc.contains("machineLearning")) {
    CR_ASSIGN_OR_RETURN(p.machine_learning,
                        ParseMlDatasetPolicy(doc["machineLearning"], where, path("machineLearning"),
                                             allowed, p.privacy_unit));
  }
  return p;
}

Result<QueryGuards> QueryGuardsFromJson(const json& doc, std::string_view where,
                                        const std::string& prefix) {
  auto path = [&prefix](const std::string& f) { return prefix.empty() ? f : prefix + "." + f; };
  if (!doc.is_object())
    return FieldError(where, prefix.empty() ? "(root)" : prefix, "must be an object");
  QueryGuards g;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    if (key == "preConditions") {
      if (!it.value().is_array()) return FieldError(where, path(key), "must be an array");
      for (size_t i = 0; i < it.value().size(); ++i) {
        const json& c = it.value()[i];
        std::string cpath = path(key) + "[" + std::to_string(i) + "]";
        if (!c.is_object() || !c.contains("dataset") || !c.contains("minRowCount")) {
          return FieldError(where, cpath, "must be an object with dataset and minRowCount");
        }
        PreCondition pc;
        CR_ASSIGN_OR_RETURN(std::string ds, String(c["dataset"], where, cpath + ".dataset"));
        pc.dataset = Lower(ds);
        CR_ASSIGN_OR_RETURN(pc.min_row_count,
                            NonNegativeInt(c["minRowCount"], where, cpath + ".minRowCount"));
        g.pre_conditions.push_back(std::move(pc));
      }
    } else if (key == "postFilters") {
      if (!it.value().is_array()) return FieldError(where, path(key), "must be an array");
      for (size_t i = 0; i < it.value().size(); ++i) {
        const json& c = it.value()[i];
        std::string cpath = path(key) + "[" + std::to_string(i) + "]";
        if (!c.is_object() || !c.contains("column") || !c.contains("min")) {
          return FieldError(where, cpath, "must be an object with column and min");
        }
        PostFilter pf;
        CR_ASSIGN_OR_RETURN(std::string col, String(c["column"], where, cpath + ".column"));
        pf.column = Lower(col);
        CR_ASSIGN_OR_RETURN(pf.min, NonNegativeInt(c["min"], where, cpath + ".min"));
        g.post_filters.push_back(std::move(pf));
      }
    } else if (key == "minGroupUnits") {
      CR_ASSIGN_OR_RETURN(g.min_group_units, NonNegativeInt(it.value(), where, path(key)));
    } else {
      CR_RETURN_IF_ERROR(
          RefuseMisplacedDifferentialPrivacy(where, path(key), key, "the query's privacy object"));
      return FieldError(where, path(key), "is not a query guard field");
    }
  }
  return g;
}

}  // namespace

Result<ColumnRole> ParseColumnRole(const std::string& s, std::string_view where,
                                   const std::string& path) {
  std::string r = Lower(s);
  if (r == "dimension") return ColumnRole::kDimension;
  if (r == "join") return ColumnRole::kJoin;
  if (r == "aggregate") return ColumnRole::kAggregate;
  if (r == "privacy_unit") return ColumnRole::kPrivacyUnit;
  return FieldError(where, path, "must be one of dimension, join, aggregate, privacy_unit");
}

std::string_view ColumnRoleName(ColumnRole role) {
  switch (role) {
    case ColumnRole::kDimension:
      return "dimension";
    case ColumnRole::kJoin:
      return "join";
    case ColumnRole::kAggregate:
      return "aggregate";
    case ColumnRole::kPrivacyUnit:
      return "privacy_unit";
  }
  return "dimension";
}

const ColumnPolicy* DatasetPolicy::Find(std::string_view column) const {
  auto it = columns.find(Lower(column));
  return it == columns.end() ? nullptr : &it->second;
}

ColumnRole DatasetPolicy::RoleOf(std::string_view column) const {
  const ColumnPolicy* p = Find(column);
  return p == nullptr ? ColumnRole::kDimension : p->role;
}

Result<DatasetPolicy> ParseDatasetPolicy(std::string_view json_text, std::string_view where) {
  CR_ASSIGN_OR_RETURN(json doc, ParseJson(json_text, where));
  return DatasetPolicyFromJson(doc, where, "");
}

Result<QueryGuards> ParseQueryGuards(std::string_view json_text, std::string_view where) {
  CR_ASSIGN_OR_RETURN(json doc, ParseJson(json_text, where));
  return QueryGuardsFromJson(doc, where, "");
}

Result<PolicyFile> ParsePolicyFile(std::string_view json_text, std::string_view where) {
  CR_ASSIGN_OR_RETURN(json doc, ParseJson(json_text, where));
  if (!doc.is_object()) return FieldError(where, "(root)", "must be an object");
  PolicyFile file;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() == "datasets") {
      if (!it.value().is_object()) return FieldError(where, "datasets", "must be an object");
      for (auto d = it.value().begin(); d != it.value().end(); ++d) {
        CR_ASSIGN_OR_RETURN(DatasetPolicy p,
                            DatasetPolicyFromJson(d.value(), where, "datasets." + d.key()));
        file.datasets[Lower(d.key())] = std::move(p);
      }
    } else if (it.key() == "query") {
      CR_ASSIGN_OR_RETURN(file.query, QueryGuardsFromJson(it.value(), where, "query"));
    } else if (it.key() == "privacy") {
      CR_ASSIGN_OR_RETURN(file.privacy, ParseQueryDpSettings(it.value(), where, "privacy"));
    } else {
      return FieldError(where, it.key(), "is not a policy file field (datasets, query, privacy)");
    }
  }
  for (const PreCondition& pc : file.query.pre_conditions) {
    if (file.datasets.count(pc.dataset) == 0) {
      return FieldError(where, "query.preConditions",
                        "names a dataset without a policy: " + pc.dataset);
    }
  }
  return file;
}

Result<PolicyFile> LoadPolicyFile(const std::string& path) {
  CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParsePolicyFile(text, path);
}

EffectiveFloors MergeFloors(const DatasetPolicy& owner, const QueryGuards& query,
                            std::string_view dataset) {
  EffectiveFloors f;
  f.min_row_count = owner.min_row_count;
  std::string ds = Lower(dataset);
  for (const PreCondition& pc : query.pre_conditions) {
    if (pc.dataset == ds) f.min_row_count = std::max(f.min_row_count, pc.min_row_count);
  }
  f.min_group_units =
      owner.privacy_unit.empty() ? 0 : std::max(owner.min_group_units, query.min_group_units);
  return f;
}

std::string UnitHashColumnOf(const PolicyFile& policies, std::string_view dataset) {
  auto it = policies.datasets.find(Lower(dataset));
  if (it == policies.datasets.end() || it->second.privacy_unit.empty()) return "";
  if (it->second.min_group_units <= 0 && policies.query.min_group_units <= 0) return "";
  return it->second.privacy_unit;
}

}  // namespace cleanroom::privacy
