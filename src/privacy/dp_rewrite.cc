// The differential-privacy rewrite (docs/differential-privacy.md "Execution"): the aggregate over
// a DP dataset's rows is computed by the engine on bounded rows (contribution bounding per unit
// by a keyed hash, clamping, fixed-point integers) into a temp table of exact integers; a
// kDpRelease step selects groups and adds noise in C++; the aggregate is replaced in the plan by
// a scan of the released groups, so nothing above it sees an exact value.
#include <cstdio>

#include "checker_internal.h"
#include "dp_internal.h"
#include "privacy/dp_test_faults.h"
#include "sql/emitter/duckdb_emitter.h"
#include "sql/emitter/program_statements.h"
#include "sql/function/function_registry.h"

namespace cleanroom::privacy::internal {
namespace {

using sql::PlanKind;
using Int128 = __int128;

Status DpUnsupported(const std::string& what) {
  return Status::Unimplemented("differential privacy: " + what +
                               " is not supported in a differentially private query");
}

// A value clamped and converted to fixed point: round(x / resolution) clamped to [lo, hi], as a
// BIGINT. Invalid casts give NULL (safe arithmetic), never an error. `call.value` holds
// "lo hi den num" (x / resolution = x * den / num).
std::string EmitFixedPoint(const sql::FunctionEmitContext&, const sql::Expression& call,
                           const std::vector<std::string>& args) {
  long long lo = 0, hi = 0, den = 1, num = 1;
  std::sscanf(call.value.c_str(), "%lld %lld %lld %lld", &lo, &hi, &den, &num);
  const std::string l = std::to_string(lo), h = std::to_string(hi);
  return "CAST(LEAST(GREATEST(CAST(LEAST(GREATEST(round(TRY_CAST(" + args[0] + " AS DOUBLE) * " +
         std::to_string(den) + ".0 / " + std::to_string(num) + ".0), " + l + "), " + h +
         ") AS BIGINT), " + l + "), " + h + ") AS BIGINT)";
}
const sql::FunctionDef kFixedPoint{"__cr_dp_fixed", sql::FunctionKind::kScalar, 1, 1, nullptr,
                                   EmitFixedPoint};

// ceil (round_up) or floor of a / b for b > 0.
Int128 DivideRounding(Int128 a, Int128 b, bool round_up) {
  Int128 q = a / b;
  if (a % b != 0 && ((a > 0) == round_up)) q += round_up ? 1 : -1;
  return q;
}

// The bound in units of the resolution: ceil(min / res) or floor(max / res).
Int128 InUnits(const SignedRational& bound, const Rational& resolution, bool round_up) {
  Int128 a = static_cast<Int128>(bound.magnitude.num) * resolution.den;
  if (bound.negative) a = -a;
  return DivideRounding(a, static_cast<Int128>(bound.magnitude.den) * resolution.num, round_up);
}

std::string Q(const std::string& name) { return sql::QuoteIdentifier(name); }

// The classification of one aggregate call over the DP dataset's rows.
Result<DpAggregate> Classify(CheckContext& ctx, const sql::Expression& e,
                             const std::string& dataset, const std::string& unit,
                             const DatasetDpBounds& bounds) {
  if (e.kind != sql::ExprKind::kAggregate || e.function == nullptr) {
    return DpUnsupported("an aggregate other than a plain call");
  }
  const std::string name = e.function->name;
  if (e.filter != nullptr) return DpUnsupported("an aggregate FILTER clause");
  if (name == "count" && e.children.empty()) return DpAggregate{DpKind::kCountStar};
  // A column, or a cast of one (the binder's coercion: VARIANCE of an integer column).
  const sql::Expression* arg = e.children.size() == 1 ? e.children[0].get() : nullptr;
  while (arg != nullptr && arg->kind == sql::ExprKind::kCast && arg->children.size() == 1) {
    arg = arg->children[0].get();
  }
  if (arg == nullptr || arg->kind != sql::ExprKind::kColumnRef || arg->depth != 0) {
    return DpUnsupported("an aggregate of a computed argument (" + name + ")");
  }
  Trace t = ctx.lineage.OfBinding(arg->binding);
  const bool own_column =
      t.identity && t.origins.size() == 1 && t.origins.begin()->dataset == dataset;
  const std::string column = own_column ? t.origins.begin()->column : "";
  if (name == "count") {
    if (e.distinct) {
      if (column != unit)
        return DpUnsupported("COUNT(DISTINCT ...) of a column other than the unit");
      return DpAggregate{DpKind::kCountUnits};
    }
    return DpAggregate{DpKind::kCountColumn};
  }
  DpAggregate a;
  if (name == "sum") {
    a.kind = DpKind::kSum;
  } else if (name == "avg" || name == "mean") {
    a.kind = DpKind::kAvg;
  } else if (name == "variance" || name == "var_pop") {
    a.kind = DpKind::kVariance;
    a.sample = name == "variance";
  } else if (name == "stddev" || name == "stddev_pop") {
    a.kind = DpKind::kStddev;
    a.sample = name == "stddev";
  } else {
    return DpUnsupported("the aggregate " + name);
  }
  if (e.distinct) return DpUnsupported("an aggregate of DISTINCT values other than the unit");
  auto b = bounds.columns.find(column);
  if (column.empty() || b == bounds.columns.end()) {
    return Status::InvalidArgument(
        "differential privacy: " + name +
        " needs clamping bounds on its column (its owner's differentialPrivacy.bounds, for a "
        "column of dataset " +
        dataset + ")");
  }
  a.bounds = b->second;
  const Int128 lo = InUnits(a.bounds.min, a.bounds.resolution, true);
  const Int128 hi = InUnits(a.bounds.max, a.bounds.resolution, false);
  constexpr Int128 kLimit = Int128{1} << 40;
  if (lo > hi || lo < -kLimit || hi > kLimit) {
    return Status::InvalidArgument("differential privacy: the bounds of column " + column +
                                   " of dataset " + dataset +
                                   " span no value, or more than 2^40 units of its resolution");
  }
  a.lo = static_cast<int64_t>(lo);
  a.hi = static_cast<int64_t>(hi);
  constexpr int64_t kSquareLimit = int64_t{1} << 20;  // squares summed within the samplers' 2^40
  if ((a.kind == DpKind::kVariance || a.kind == DpKind::kStddev) &&
      (a.lo < -kSquareLimit || a.hi > kSquareLimit)) {
    return Status::InvalidArgument("differential privacy: " + name + " of column " + column +
                                   " of dataset " + dataset +
                                   " needs bounds within 2^20 units of its resolution (a coarser "
                                   "resolution or narrower bounds)");
  }
  return a;
}

}  // namespace

Status RewriteDifferentialPrivacy(CheckContext& ctx, const sql::Catalog& catalog,
                                  sql::LogicalPlan& plan, sql::PlanPtr& node) {
  for (auto& child : node->children) {
    CR_RETURN_IF_ERROR(RewriteDifferentialPrivacy(ctx, catalog, plan, child));
  }
  if (node->kind != PlanKind::kAggregate) return Status::OK();
  std::vector<RowPath> paths;
  std::vector<sql::PlanNode*> stack;
  FindRowPaths(ctx, node->children[0].get(), stack, paths);
  const RowPath* dp_path = nullptr;
  for (const RowPath& path : paths) {
    const DatasetPolicy* p = ctx.PolicyOf(path.dataset);
    if (p == nullptr) continue;
    if (!p->differential_privacy.has_value()) {
      if (MergeFloors(*p, ctx.policies->query, path.dataset).min_group_units > 0) {
        return DpUnsupported("joining dataset " + path.dataset +
                             " (minGroupUnits without differentialPrivacy)");
      }
      continue;
    }
    if (dp_path != nullptr) {
      return DpUnsupported(
          "a join of several differentially private datasets (or of one with "
          "itself)");
    }
    dp_path = &path;
  }
  if (dp_path == nullptr) return Status::OK();
  if (ctx.dp.has_value()) return DpUnsupported("more than one aggregate over the rows");
  if (dp_path->nodes.back()->is_view) return DpUnsupported("a temp view over the dataset's rows");
  if (!node->grouping_sets.empty()) return DpUnsupported("GROUPING SETS, ROLLUP or CUBE");
  const std::string& dataset = dp_path->dataset;
  const DatasetPolicy& policy = *ctx.PolicyOf(dataset);
  const QueryDpSettings& query = *ctx.policies->privacy;
  if (query.mechanism != NoiseMechanism::kLaplace) {
    return DpUnsupported("the gaussian mechanism (use laplace)");
  }
  CR_ASSIGN_OR_RETURN(DatasetDpBounds bounds,
                      NarrowBounds(*policy.differential_privacy, query, dataset));
  const int64_t floor = MergeFloors(policy, ctx.policies->query, dataset).min_group_units;
  CR_ASSIGN_OR_RETURN(sql::ColumnInfo unit, Expose(ctx, catalog, *dp_path, 0, policy.privacy_unit));

  // The rows as the aggregate sees them: group keys, the unit, each aggregate's input.
  std::vector<DpAggregate> aggregates;
  auto project = std::make_shared<sql::PlanNode>();
  project->kind = PlanKind::kProject;
  project->id = plan.NewNodeId();
  project->children.push_back(node->children[0]);
  auto add = [&](const sql::ExprPtr& e) {
    size_t k = project->expressions.size();
    project->expressions.push_back(e);
    project->columns.push_back(sql::ColumnInfo{"x" + std::to_string(k), e->type,
                                               sql::ColumnBinding{project->id, static_cast<int>(k)},
                                               "", ""});
  };
  for (const auto& g : node->groups) add(g);
  add(sql::MakeColumnRef(unit));
  const size_t groups = node->groups.size();
  size_t values = 0;
  size_t cell_count = 0;
  for (const auto& e : node->expressions) {
    CR_ASSIGN_OR_RETURN(DpAggregate a, Classify(ctx, *e, dataset, policy.privacy_unit, bounds));
    if (a.kind == DpKind::kCountColumn) {
      a.value = static_cast<int>(values++);
      add(e->children[0]);
    } else if (a.kind != DpKind::kCountStar && a.kind != DpKind::kCountUnits) {
      a.value = static_cast<int>(values++);
      sql::ExprPtr fixed =
          sql::MakeBoundCall(sql::ExprKind::kFunction, &kFixedPoint,
                             sql::DataType::Of(sql::TypeId::kBigInt), {e->children[0]});
      fixed->value = std::to_string(a.lo) + " " + std::to_string(a.hi) + " " +
                     std::to_string(a.bounds.resolution.den) + " " +
                     std::to_string(a.bounds.resolution.num);
      add(fixed);
    }
    a.cells.push_back(cell_count++);
    if (a.kind == DpKind::kAvg || a.kind == DpKind::kVariance || a.kind == DpKind::kStddev) {
      a.cells.push_back(cell_count++);
    }
    if (a.kind == DpKind::kVariance || a.kind == DpKind::kStddev) a.cells.push_back(cell_count++);
    aggregates.push_back(a);
  }
  ctx.lineage.Reset();
  CR_ASSIGN_OR_RETURN(std::string rows_sql, EmitTree(ctx, plan, project));

  // Contribution bounding: per unit and group, the rows with the smallest keyed hashes (at most
  // maxRowsPerUnitPerGroup); per unit, the groups with the smallest keyed hashes (at most
  // maxGroupsPerUnit). The key is drawn per run (kDpKey), so the choice is not predictable.
  const int n = ctx.temp_counter + 1;
  ctx.temp_counter = n;
  auto release = std::make_shared<DpRelease>();
  release->key_table = ctx.temp_prefix + "dp_key_" + std::to_string(n);
  release->noisy_table = ctx.temp_prefix + "dp_noisy_" + std::to_string(n);
  const std::string exact_table = ctx.temp_prefix + "dp_exact_" + std::to_string(n);
  const std::string released_table = ctx.temp_prefix + "dp_released_" + std::to_string(n);
  std::vector<std::string> in_names;
  std::string group_list, group_hash, value_hash;
  for (size_t g = 0; g < groups; ++g) {
    in_names.push_back("__cr_g" + std::to_string(g));
    group_list += (g > 0 ? ", " : "") + Q(in_names.back());
  }
  in_names.push_back("__cr_u");
  for (size_t v = 0; v < values; ++v) {
    in_names.push_back("__cr_v" + std::to_string(v));
    value_hash += ", " + Q(in_names.back());
  }
  std::string in_columns;
  for (size_t k = 0; k < in_names.size(); ++k) in_columns += (k > 0 ? ", " : "") + Q(in_names[k]);
  const bool bounding = !CurrentDpTestFaults().no_bounding;
  const std::string g_sep = groups > 0 ? ", " + group_list : "";
  std::string bounded = "SELECT * FROM (" + rows_sql + ") AS \"__cr_in\"(" + in_columns +
                        ") CROSS JOIN " + Q(release->key_table) + " WHERE \"__cr_u\" IS NOT NULL";
  // Public groups: the declared keys, typed as the group keys; rows of other groups are dropped
  // before bounding (a per-row rule), and every declared key is released (zeros included).
  const bool public_groups = !query.public_groups.empty();
  std::string public_keys, public_names;
  if (public_groups) {
    if (groups == 0) {
      return Status::InvalidArgument(
          "query privacy settings: field 'privacy.publicGroups' needs a GROUP BY");
    }
    for (size_t g = 0; g < groups; ++g) {
      public_names += (g > 0 ? ", " : "") + Q("k" + std::to_string(g));
    }
    for (const std::vector<std::string>& key : query.public_groups) {
      if (key.size() != groups) {
        return Status::InvalidArgument(
            "query privacy settings: field 'privacy.publicGroups' has keys of " +
            std::to_string(key.size()) + " values; the query groups by " + std::to_string(groups));
      }
      std::string tuple;
      for (size_t g = 0; g < groups; ++g) {
        tuple += (g > 0 ? ", " : "") + std::string("TRY_CAST(") + key[g] + " AS " +
                 node->groups[g]->type.ToDuckDb() + ")";
      }
      public_keys += (public_keys.empty() ? "(" : ", (") + tuple + ")";
    }
    public_keys = "(VALUES " + public_keys + ") AS \"__cr_pk\"(" + public_names + ")";
    std::string match;
    for (size_t g = 0; g < groups; ++g) {
      match += (g > 0 ? " AND " : "") + std::string("\"__cr_pk\".") + Q("k" + std::to_string(g)) +
               " IS NOT DISTINCT FROM " + Q(in_names[g]);
    }
    bounded += " AND EXISTS (SELECT 1 FROM " + public_keys + " WHERE " + match + ")";
  }
  if (bounding) {
    bounded = "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY \"__cr_u\"" + g_sep +
              " ORDER BY hash(\"__cr_k\", \"__cr_u\"" + g_sep + value_hash +
              ")) AS \"__cr_rn\" FROM (" + bounded + ") AS \"__cr_r\") AS \"__cr_r2\" WHERE " +
              "\"__cr_rn\" <= " + std::to_string(bounds.max_rows_per_unit_per_group);
    if (groups > 0) {
      bounded =
          "SELECT * FROM (SELECT *, dense_rank() OVER (PARTITION BY \"__cr_u\" ORDER BY "
          "hash(\"__cr_k\", \"__cr_u\"" +
          g_sep + ")" + g_sep + ") AS \"__cr_gr\" FROM (" + bounded +
          ") AS \"__cr_b\") AS \"__cr_b2\" WHERE \"__cr_gr\" <= " +
          std::to_string(bounds.max_groups_per_unit);
    }
  }
  std::string select = (groups > 0 ? group_list + ", " : "") + "count(DISTINCT \"__cr_u\")";
  for (const DpAggregate& a : aggregates) {
    const std::string v = a.value >= 0 ? Q("__cr_v" + std::to_string(a.value)) : "";
    switch (a.kind) {
      case DpKind::kCountStar:
        select += ", count(*)";
        break;
      case DpKind::kCountColumn:
        select += ", count(" + v + ")";
        break;
      case DpKind::kCountUnits:
        select += ", count(DISTINCT \"__cr_u\")";
        break;
      default: {
        // Sums saturated to BIGINT (1-Lipschitz, so the sensitivity still holds).
        auto sum = [](const std::string& x) {
          return ", CAST(LEAST(GREATEST(coalesce(sum(" + x +
                 "), 0), -9223372036854775807), 9223372036854775807) AS BIGINT)";
        };
        select += sum(v);
        if (a.cells.size() > 1) select += ", count(" + v + ")";
        if (a.cells.size() > 2) select += sum(v + " * " + v);
        break;
      }
    }
  }
  std::string aggregate_sql = "SELECT " + select + " FROM (" + bounded + ") AS \"__cr_bounded\"" +
                              (groups > 0 ? " GROUP BY " + group_list : "");
  if (public_groups) {
    std::string names, cells, on;
    for (size_t g = 0; g < groups; ++g) {
      names += Q("a" + std::to_string(g)) + ", ";
      on += (g > 0 ? " AND " : "") + std::string("\"__cr_pk\".") + Q("k" + std::to_string(g)) +
            " IS NOT DISTINCT FROM \"__cr_a\"." + Q("a" + std::to_string(g));
    }
    names += "\"units\"";
    cells = "coalesce(\"__cr_a\".\"units\", 0)";
    for (size_t c = 0; c < cell_count; ++c) {
      names += ", " + Q("c" + std::to_string(c));
      cells += ", coalesce(\"__cr_a\"." + Q("c" + std::to_string(c)) + ", 0)";
    }
    aggregate_sql = "SELECT " + public_names + ", " + cells + " FROM " + public_keys +
                    " LEFT JOIN (" + aggregate_sql + ") AS \"__cr_a\"(" + names + ") ON " + on;
  }
  std::vector<std::string> exact_names{"gid"};
  for (size_t g = 0; g < groups; ++g) exact_names.push_back("g" + std::to_string(g));
  exact_names.push_back("units");
  for (size_t c = 0; c < cell_count; ++c) exact_names.push_back("c" + std::to_string(c));

  // Noise: the query's epsilon split evenly over the cells and partition selection.
  const int64_t l0 = bounds.max_groups_per_unit;
  const int64_t linf = bounds.max_rows_per_unit_per_group;
  release->partition_selection = !public_groups && (groups > 0 || floor > 0);
  if (public_groups && floor > 0) {
    return Status::InvalidArgument(
        "query privacy settings: field 'privacy.publicGroups' cannot be used with dataset " +
        dataset +
        "'s minGroupUnits (its floor applies to a noisy unit count: partition selection)");
  }
  const int64_t shares = static_cast<int64_t>(cell_count) + (release->partition_selection ? 1 : 0);
  Rational share{query.epsilon.num, query.epsilon.den * shares};
  const int64_t gcd = static_cast<int64_t>(GreatestCommonDivisor(
      static_cast<unsigned __int128>(share.num), static_cast<unsigned __int128>(share.den)));
  share = Rational{share.num / gcd, share.den / gcd};
  CheckContext::DpRewritten out;
  out.node_id = node->id;
  out.group_count = groups;
  out.mechanism = "laplace";
  if (release->partition_selection) {
    CR_ASSIGN_OR_RETURN(release->partition_noise, LaplaceFor(share, static_cast<uint64_t>(l0)));
    CR_ASSIGN_OR_RETURN(release->threshold, PartitionThreshold(share, query.delta, l0, floor));
    out.groups =
        "partition selection: a group is released when its noisy count of distinct "
        "units (epsilon " +
        share.ToString() + ") reaches " + std::to_string(release->threshold);
  } else if (public_groups) {
    out.groups = "the " + std::to_string(query.public_groups.size()) +
                 " public groups the query declares, each released (zeros included)";
  } else {
    out.groups = "one group (no GROUP BY): always released";
  }
  for (DpAggregate& a : aggregates) {
    const Int128 m = std::max(std::abs(a.lo), std::abs(a.hi));
    const bool sums = a.kind != DpKind::kCountStar && a.kind != DpKind::kCountColumn &&
                      a.kind != DpKind::kCountUnits;
    for (size_t c = 0; c < a.cells.size(); ++c) {
      // One unit's most in one group: its rows (a count), times the largest |value| (a sum) or
      // its square (a sum of squares); one for the distinct unit count. Times L0 groups.
      Int128 l1 = a.kind == DpKind::kCountUnits ? 1 : linf;
      if (sums && c == 0) l1 *= m;
      if (sums && c == 2) l1 *= m * m;
      l1 = std::max<Int128>(l1, 1) * l0;
      if (l1 > (Int128{1} << 40)) {
        return Status::InvalidArgument(
            "differential privacy: the sensitivity of " + std::string(DpKindName(a.kind)) +
            " exceeds 2^40 (narrow its bounds, coarsen the resolution, or lower "
            "maxGroupsPerUnit / maxRowsPerUnitPerGroup)");
      }
      DpRelease::Cell cell;
      CR_ASSIGN_OR_RETURN(cell.noise, LaplaceFor(share, static_cast<uint64_t>(l1)));
      cell.non_negative = !(sums && c == 0);
      release->cells.push_back(cell);
    }
  }

  // The released groups, as the aggregate's columns (cast to its types) and the intervals.
  std::string released = "SELECT ";
  std::vector<std::string> released_names;
  std::vector<std::string> ci;
  for (size_t g = 0; g < groups; ++g) {
    released += "\"e\"." + Q("g" + std::to_string(g)) + ", ";
  }
  std::vector<int64_t> k;
  for (const DpRelease::Cell& c : release->cells) k.push_back(NoiseInterval95(c.noise));
  for (size_t j = 0; j < aggregates.size(); ++j) {
    const DpAggregate& a = aggregates[j];
    DpCellSql cell = ReleasedCellSql(a, node->columns[groups + j].type.ToDuckDb(), k);
    released += cell.value + ", ";
    ci.push_back(cell.low);
    ci.push_back(cell.high);
    out.aggregates.push_back(CheckContext::DpAggregateOutput{
        DpKindName(a.kind),
        (a.cells.size() > 1 ? std::to_string(a.cells.size()) + " x " : "") + share.ToString(),
        cell.interval, groups + aggregates.size() + 2 * j});
  }
  for (size_t k = 0; k < ci.size(); ++k) released += ci[k] + (k + 1 < ci.size() ? ", " : "");
  if (ci.empty()) released.resize(released.size() - 2);
  released += " FROM " + Q(exact_table) + " AS \"e\" JOIN " + Q(release->noisy_table) +
              " AS \"n\" ON \"e\".\"gid\" = \"n\".\"gid\"";
  out.columns = node->columns;
  for (size_t j = 0; j < aggregates.size(); ++j) {
    for (const char* side : {"_ci_low", "_ci_high"}) {
      const size_t index = out.columns.size();
      out.columns.push_back(sql::ColumnInfo{
          node->columns[groups + j].name + side,
          sql::DataType::Of(aggregates[j].cells.size() > 1 || aggregates[j].kind == DpKind::kSum
                                ? sql::TypeId::kDouble
                                : sql::TypeId::kBigInt),
          sql::ColumnBinding{node->id, static_cast<int>(index)}, "", ""});
    }
  }
  for (size_t k = 0; k < out.columns.size(); ++k) released_names.push_back("r" + std::to_string(k));

  ProgramStep key{ProgramStep::Kind::kDpKey, "", "", 0, {}, {}};
  key.dp = release;
  ctx.steps.push_back(key);
  ctx.steps.push_back(ProgramStep{
      ProgramStep::Kind::kExecute,
      ctx.statements->CreateTempTableAs(
          exact_table,
          "SELECT row_number() OVER () AS gid, * FROM (" + aggregate_sql + ") AS \"__cr_agg\"",
          exact_names),
      "",
      0,
      {},
      {}});
  std::string exact_select = "SELECT \"gid\", \"units\"";
  for (size_t c = 0; c < cell_count; ++c) exact_select += ", " + Q("c" + std::to_string(c));
  ProgramStep noise{
      ProgramStep::Kind::kDpRelease, exact_select + " FROM " + Q(exact_table), "", 0, {}, {}};
  noise.dp = release;
  ctx.steps.push_back(noise);
  ctx.steps.push_back(
      ProgramStep{ProgramStep::Kind::kExecute,
                  ctx.statements->CreateTempTableAs(released_table, released, released_names),
                  "",
                  0,
                  {},
                  {}});
  ctx.explain += "differential privacy: " + exact_table + " bounds dataset " + dataset +
                 " (maxGroupsPerUnit " + std::to_string(l0) + ", maxRowsPerUnitPerGroup " +
                 std::to_string(linf) + "); " + out.groups + "\n";

  auto get = std::make_shared<sql::PlanNode>();
  get->kind = PlanKind::kGet;
  get->id = node->id;
  get->table_name = released_table;
  get->table_columns.assign(released_names.begin(),
                            released_names.begin() + static_cast<long>(node->columns.size()));
  get->columns = node->columns;  // the interval columns are added where the result uses them
  ctx.dp = std::move(out);
  node = get;
  return Status::OK();
}

}  // namespace cleanroom::privacy::internal
