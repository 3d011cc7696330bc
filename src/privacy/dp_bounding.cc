// Contribution bounding of a DP aggregate in one pass keyed on (unit, group)
// (docs/differential-privacy.md "Execution", step 3). The rows are aggregated once per unit and
// group into partial aggregates ("pairs"); a pair with more rows than maxRowsPerUnitPerGroup
// (rare) has its partials recomputed over its rows with the smallest keyed hashes; per unit, the
// pairs with the smallest keyed group hashes (at most maxGroupsPerUnit) are kept; the groups'
// exact cells are sums of the kept pairs' partials. Everything after the first aggregate works on
// pairs, not rows, and on integer unit ids, never on the unit's text.
#include "dp_internal.h"
#include "sql/emitter/duckdb_emitter.h"

namespace cleanroom::privacy::internal {
namespace {

std::string Q(const std::string& name) { return sql::QuoteIdentifier(name); }

std::string Joined(const std::vector<std::string>& parts, const std::string& separator = ", ") {
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) out += (k > 0 ? separator : "") + parts[k];
  return out;
}

// Sums saturated to BIGINT (1-Lipschitz, so the sensitivity still holds in any order).
std::string SaturatedSum(const std::string& x) {
  return "CAST(LEAST(GREATEST(coalesce(sum(" + x +
         "), 0), -9223372036854775807), 9223372036854775807) AS BIGINT)";
}

std::string Partial(const char* kind, int value) { return kind + std::to_string(value); }

}  // namespace

DpBoundingSql BoundingSql(const DpBoundingInput& in) {
  DpBoundingSql out;
  std::vector<std::string> groups, units, keys, values;
  groups.reserve(in.groups);
  values.reserve(in.values);
  for (size_t g = 0; g < in.groups; ++g) groups.push_back(Q("__cr_g" + std::to_string(g)));
  for (size_t v = 0; v < in.values; ++v) values.push_back(Q("__cr_v" + std::to_string(v)));
  // The unit's id: an integer unit is its own; any other is the pair of 64-bit hashes of its
  // value under two different starting states (docs: "Unit ids").
  std::string ids;
  if (in.integer_unit) {
    units = {Q("__cr_u1")};
    ids = "CAST(\"__cr_u\" AS BIGINT) AS \"__cr_u1\"";
  } else {
    units = {Q("__cr_u1"), Q("__cr_u2")};
    ids =
        "hash(\"__cr_u\") AS \"__cr_u1\", hash('cleanroom unit:' || CAST(\"__cr_u\" AS VARCHAR)) "
        "AS \"__cr_u2\"";
  }
  keys = groups;
  keys.insert(keys.end(), units.begin(), units.end());
  std::vector<std::string> id_columns = groups;
  id_columns.push_back(ids);
  id_columns.insert(id_columns.end(), values.begin(), values.end());
  const std::string rows = "SELECT " + Joined(id_columns) + " FROM (" + in.rows_sql +
                           ") AS \"__cr_in\"(" + Joined(in.in_columns) +
                           ") WHERE \"__cr_u\" IS NOT NULL" + in.row_filter;

  // Each aggregate's partials per pair: count and sum of its value (and the sum of squares).
  std::vector<std::string> partials, partial_names;
  for (const DpAggregate& a : *in.aggregates) {
    if (a.value < 0) continue;
    const std::string v = values[static_cast<size_t>(a.value)];
    partials.push_back("count(" + v + ")");
    partial_names.push_back(Partial("c", a.value));
    if (a.kind == DpKind::kCountColumn) continue;
    partials.push_back("coalesce(sum(" + v + "), 0)");
    partial_names.push_back(Partial("s", a.value));
    if (a.cells.size() > 2) {
      partials.push_back("coalesce(sum(" + v + " * " + v + "), 0)");
      partial_names.push_back(Partial("q", a.value));
    }
  }
  std::string partial_list;
  for (size_t p = 0; p < partials.size(); ++p) {
    partial_list += ", " + partials[p] + " AS " + Q(partial_names[p]);
  }
  const std::string key_list = Joined(keys);
  out.pairs = "SELECT \"__cr_a\".*, hash(\"__cr_key\".\"__cr_k\", " + key_list +
              ") AS \"__cr_gh\" FROM (SELECT " + key_list + ", count(*) AS \"__cr_n\"" +
              partial_list + " FROM (" + rows + ") AS \"__cr_r\" GROUP BY " + key_list +
              ") AS \"__cr_a\" CROSS JOIN " + Q(in.key_table) + " AS \"__cr_key\"";
  for (size_t g = 0; g < in.groups; ++g) out.pair_names.push_back("__cr_g" + std::to_string(g));
  for (size_t u = 0; u < units.size(); ++u)
    out.pair_names.push_back("__cr_u" + std::to_string(u + 1));
  out.pair_names.push_back("__cr_n");
  out.pair_names.insert(out.pair_names.end(), partial_names.begin(), partial_names.end());
  out.pair_names.push_back("__cr_gh");

  const std::string pairs = Q(in.pairs_table);
  const std::string over = "\"__cr_n\" > " + std::to_string(in.max_rows);
  if (in.bounding && !partials.empty()) {
    // The pairs over the row bound: their rows with the smallest hash(key, unit, group, values).
    std::vector<std::string> match, set, update_match;
    match.reserve(keys.size());
    update_match.reserve(keys.size());
    set.reserve(partial_names.size());
    for (const std::string& k : keys) {
      match.push_back("\"__cr_r\"." + k + " IS NOT DISTINCT FROM \"__cr_o\"." + k);
    }
    for (const std::string& k : keys) {
      update_match.push_back(pairs + "." + k + " IS NOT DISTINCT FROM \"__cr_f\"." + k);
    }
    for (const std::string& p : partial_names) set.push_back(Q(p) + " = \"__cr_f\"." + Q(p));
    std::vector<std::string> row_keys, order;
    row_keys.reserve(keys.size());
    for (const std::string& k : keys) row_keys.push_back("\"__cr_r\"." + k);
    order = row_keys;
    for (const std::string& v : values) order.push_back("\"__cr_r\"." + v);
    out.over_condition = "SELECT count(*) FROM " + pairs + " WHERE " + over;
    out.over_update =
        "UPDATE " + pairs + " SET " + Joined(set) + " FROM (SELECT " + key_list + partial_list +
        " FROM (SELECT \"__cr_r\".*, row_number() OVER (PARTITION BY " + Joined(row_keys) +
        " ORDER BY hash(\"__cr_key\".\"__cr_k\", " + Joined(order) + ")) AS \"__cr_rn\" FROM (" +
        rows + ") AS \"__cr_r\" JOIN (SELECT " + key_list + " FROM " + pairs + " WHERE " + over +
        ") AS \"__cr_o\" ON " + Joined(match, " AND ") + " CROSS JOIN " + Q(in.key_table) +
        " AS \"__cr_key\") AS \"__cr_x\" WHERE \"__cr_rn\" <= " + std::to_string(in.max_rows) +
        " GROUP BY " + key_list + ") AS \"__cr_f\" WHERE " + Joined(update_match, " AND ");
  }

  // Per unit, the pairs with the smallest hash(key, unit, group) (ties: by the group keys).
  std::string bounded = pairs;
  if (in.bounding && in.groups > 0) {
    bounded = "(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY " + Joined(units) +
              " ORDER BY \"__cr_gh\", " + Joined(groups) + ") AS \"__cr_gr\" FROM " + pairs +
              ") AS \"__cr_p\" WHERE \"__cr_gr\" <= " + std::to_string(in.max_groups) + ")";
  }
  std::string select = (in.groups > 0 ? Joined(groups) + ", " : "") + "count(*)";
  const std::string rows_of_pair =
      in.bounding ? "least(\"__cr_n\", " + std::to_string(in.max_rows) + ")" : "\"__cr_n\"";
  for (const DpAggregate& a : *in.aggregates) {
    switch (a.kind) {
      case DpKind::kCountStar:
        select += ", CAST(coalesce(sum(" + rows_of_pair + "), 0) AS BIGINT)";
        break;
      case DpKind::kCountUnits:
        select += ", count(*)";
        break;
      case DpKind::kCountColumn:
        select += ", CAST(coalesce(sum(" + Q(Partial("c", a.value)) + "), 0) AS BIGINT)";
        break;
      default:
        select += ", " + SaturatedSum(Q(Partial("s", a.value)));
        if (a.cells.size() > 1) {
          select += ", CAST(coalesce(sum(" + Q(Partial("c", a.value)) + "), 0) AS BIGINT)";
        }
        if (a.cells.size() > 2) select += ", " + SaturatedSum(Q(Partial("q", a.value)));
        break;
    }
  }
  out.aggregate = "SELECT " + select + " FROM " + bounded + " AS \"__cr_bounded\"" +
                  (in.groups > 0 ? " GROUP BY " + Joined(groups) : "");
  return out;
}

}  // namespace cleanroom::privacy::internal
