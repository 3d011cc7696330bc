// The checker's driver: allowed fields, role and output rules on every statement, then the
// threshold and post-filter rewrites, emitted as a program of DuckDB statements.
#include <algorithm>
#include <atomic>
#include <memory>

#include "checker_internal.h"
#include "sql/catalog.h"
#include "sql/emitter/program_statements.h"

namespace cleanroom::privacy {

namespace internal {

const DatasetPolicy* CheckContext::PolicyOf(const std::string& dataset) const {
  auto it = policies->datasets.find(dataset);
  return it == policies->datasets.end() ? nullptr : &it->second;
}

Status Denied(const std::string& rule, const Origin& origin, ColumnRole role,
              const std::string& what) {
  return Status::PermissionDenied(rule + ": column " + origin.column + " of dataset " +
                                  origin.dataset + " (role " + std::string(ColumnRoleName(role)) +
                                  ") " + what);
}

}  // namespace internal

Status ApplyAllowedFields(const PolicyFile& policies, sql::Catalog& catalog) {
  for (const std::string& name : catalog.TableNames()) {
    const sql::TableDef* table = catalog.FindTable(name);
    if (table == nullptr || table->is_view) continue;
    auto it = policies.datasets.find(sql::ToLowerAscii(name));
    if (it == policies.datasets.end()) {
      return Status::InvalidArgument("table " + name +
                                     " has no policy: every input of a checked query needs one");
    }
    const DatasetPolicy& p = it->second;
    sql::TableDef restricted = *table;
    if (!p.allowed_fields.empty()) {
      restricted.columns.clear();
      for (const std::string& field : p.allowed_fields) {
        auto col =
            std::find_if(table->columns.begin(), table->columns.end(), [&](const sql::Column& c) {
              return sql::ToLowerAscii(c.name) == sql::ToLowerAscii(field);
            });
        if (col == table->columns.end()) {
          return Status::InvalidArgument("policy of dataset " + name + ": allowedFields names " +
                                         field + ", which the data does not have");
        }
        restricted.columns.push_back(*col);
      }
    }
    for (const auto& entry : p.columns) {
      // A named reference, not a structured binding: clang before 16 cannot capture those.
      const std::string& column = entry.first;
      bool present =
          std::any_of(restricted.columns.begin(), restricted.columns.end(),
                      [&](const sql::Column& c) { return sql::ToLowerAscii(c.name) == column; });
      if (!present) {
        return Status::InvalidArgument("policy of dataset " + name + ": columns." + column +
                                       " names a column the data does not have");
      }
    }
    catalog.PutTable(std::move(restricted));
  }
  return Status::OK();
}

Result<CheckedProgram> CheckScript(const std::vector<sql::CompiledStatement>& statements,
                                   const PolicyFile& policies, const sql::Catalog& catalog,
                                   const sql::Catalog* physical, const CheckOptions& options) {
  static std::atomic<uint64_t> program_counter{0};
  internal::CheckContext ctx;
  ctx.policies = &policies;
  ctx.physical = physical;
  ctx.statements = &sql::ProgramStatements::For(options.target);
  const sql::ProgramStatements& emit = *ctx.statements;
  ctx.temp_prefix = "__cr" + std::to_string(++program_counter) + "_";
  CheckedProgram program;

  // Every dataset read anywhere, for the pre-conditions; a dataset without a policy is
  // refused (fail closed).
  std::set<std::string> read;
  for (const auto& st : statements) {
    if (!st.plan || !st.plan->root) return Status::Internal("statement without a bound plan");
    ctx.lineage.AddPlan(*st.plan);
    auto r = ctx.lineage.ReadDatasets(*st.plan->root);
    read.insert(r.begin(), r.end());
  }
  // A floor that would count nobody is refused, never accepted and ignored.
  if (policies.query.min_group_units > 0 &&
      std::none_of(read.begin(), read.end(), [&ctx](const std::string& ds) {
        const DatasetPolicy* p = ctx.PolicyOf(ds);
        return p != nullptr && !p->privacy_unit.empty();
      })) {
    return Status::InvalidArgument(
        "query guard minGroupUnits: no dataset the query reads has a privacy unit, so there are "
        "no people to count");
  }
  for (const std::string& ds : read) {
    const DatasetPolicy* p = ctx.PolicyOf(ds);
    if (p == nullptr) {
      return Status::InvalidArgument("table " + ds +
                                     " has no policy: every input of a checked query needs one");
    }
    EffectiveFloors floors = MergeFloors(*p, policies.query, ds);
    if (floors.min_row_count > 0) {
      ctx.steps.push_back(ProgramStep{
          ProgramStep::Kind::kPreCondition, emit.CountRows(ds), ds, floors.min_row_count, {}, {}});
    }
  }

  CR_RETURN_IF_ERROR(internal::CheckDifferentialPrivacy(policies, read));

  // Rules first, on the plans as bound.
  for (size_t i = 0; i < statements.size(); ++i) {
    const auto& st = statements[i];
    CR_RETURN_IF_ERROR(internal::CheckRoles(ctx, *st.plan->root));
    if (st.kind == sql::CompiledStatement::Kind::kQuery) {
      if (i + 1 != statements.size()) {
        return Status::InvalidArgument("a checked script has one query, and it comes last");
      }
      if (policies.ml.has_value()) {
        CR_ASSIGN_OR_RETURN(program.ml, internal::CheckMlFeatures(ctx, *st.plan, read));
      } else {
        CR_RETURN_IF_ERROR(internal::CheckOutput(ctx, *st.plan));
      }
      CR_RETURN_IF_ERROR(internal::CheckSubtotals(ctx, *st.plan));
    }
  }

  // Then the rewrites, statement by statement, in order.
  // The rewrites work on copies of the plans: the bound plans stay as the lineage indexed them,
  // so that a later statement traces through a rewritten view to the original aggregate.
  CheckSummary dp_summary;
  for (const auto& st : statements) {
    sql::LogicalPlan plan = *st.plan;
    plan.root = sql::CopyPlanTree(*st.plan->root);
    if (policies.privacy.has_value() && ctx.statements->target() != sql::SqlTarget::kDuckDb) {
      return Status::Unimplemented(
          "differential privacy: a differentially private query runs on the embedded engine only, "
          "not on Spark yet");
    }
    if (policies.privacy.has_value()) {
      // Differential privacy: the DP aggregate first (thresholds of its dataset then apply to its
      // noisy unit count), on the final query only.
      if (st.kind != sql::CompiledStatement::Kind::kQuery) {
        for (const std::string& ds : ctx.lineage.ReadDatasets(*st.plan->root)) {
          const DatasetPolicy* p = ctx.PolicyOf(ds);
          if (p != nullptr && p->differential_privacy.has_value()) {
            return Status::Unimplemented(
                "differential privacy: a temp view reading dataset " + ds +
                " is not supported in a differentially private query (aggregate it in the query)");
          }
        }
      } else {
        CR_RETURN_IF_ERROR(internal::RewriteDifferentialPrivacy(ctx, catalog, plan, plan.root));
        CR_RETURN_IF_ERROR(internal::FinishDifferentialPrivacy(ctx, plan, dp_summary));
      }
    }
    CR_RETURN_IF_ERROR(internal::RewriteThresholds(ctx, catalog, plan, plan.root));
    CR_ASSIGN_OR_RETURN(std::string sql, emit.EmitQuery(plan));
    if (st.kind == sql::CompiledStatement::Kind::kCreateView) {
      ctx.steps.push_back(ProgramStep{
          ProgramStep::Kind::kExecute, emit.CreateTempView(st.view_name, sql), "", 0, {}, {}});
      ctx.explain += "view " + st.view_name + ":\n" + plan.ToString();
    } else {
      auto output = plan.Output();
      CR_ASSIGN_OR_RETURN(std::string final_sql, internal::ApplyPostFilters(ctx, sql, output));
      ctx.steps.push_back(ProgramStep{ProgramStep::Kind::kResult, final_sql, "", 0, {}, {}});
      ctx.explain += "query:\n" + plan.ToString();
      program.output.clear();
      for (const auto& c : output) program.output.push_back(sql::Column{c.name, c.type});
    }
  }
  for (const auto& st : statements) {
    if (st.kind == sql::CompiledStatement::Kind::kQuery) {
      program.summary = internal::Summarize(ctx, *st.plan, read, ctx.steps);
      program.summary.dp = dp_summary.dp;
      program.summary.dp_groups = dp_summary.dp_groups;
    }
  }
  if (policies.privacy.has_value()) {
    for (const std::string& ds : read) {
      const DatasetPolicy* p = ctx.PolicyOf(ds);
      if (p != nullptr && p->differential_privacy.has_value()) program.dp_datasets.push_back(ds);
    }
  }
  program.steps = std::move(ctx.steps);
  program.explain = std::move(ctx.explain);
  program.unit_hash_wanted.assign(ctx.unit_hash_wanted.begin(), ctx.unit_hash_wanted.end());
  for (const auto& step : program.steps) {
    if (step.kind != ProgramStep::Kind::kPreCondition && step.kind != ProgramStep::Kind::kDpKey)
      program.explain += "emitted: " + step.sql + "\n";
  }
  return program;
}

Result<std::vector<SuppressionNote>> RunPreparation(const CheckedProgram& program,
                                                    ProgramRunner& runner, RandomBits* random) {
  std::vector<SuppressionNote> notes;
  std::unique_ptr<KernelRandomBits> kernel;
  auto source = [&]() -> RandomBits& {
    if (random != nullptr) return *random;
    if (kernel == nullptr) kernel = std::make_unique<KernelRandomBits>();
    return *kernel;
  };
  for (const auto& step : program.steps) {
    switch (step.kind) {
      case ProgramStep::Kind::kPreCondition: {
        CR_ASSIGN_OR_RETURN(std::vector<int64_t> counts, runner.QueryCounts(step.sql));
        if (counts.size() != 1)
          return Status::Internal("pre-condition count query returned no count");
        if (counts[0] < step.min_rows) {
          return Status::FailedPrecondition("pre-condition: dataset " + step.dataset +
                                            " has fewer rows than the required minimum of " +
                                            std::to_string(step.min_rows));
        }
        break;
      }
      case ProgramStep::Kind::kExecute: {
        if (!step.condition.empty()) {
          CR_ASSIGN_OR_RETURN(std::vector<int64_t> counts, runner.QueryCounts(step.condition));
          if (counts.size() != 1) return Status::Internal("a step's condition returned no count");
          if (counts[0] <= 0) break;
        }
        CR_RETURN_IF_ERROR(runner.Execute(step.sql));
        break;
      }
      case ProgramStep::Kind::kSuppressionCount: {
        CR_ASSIGN_OR_RETURN(std::vector<int64_t> counts, runner.QueryCounts(step.sql));
        if (counts.size() != step.rules.size())
          return Status::Internal("suppression count mismatch");
        for (size_t i = 0; i < counts.size(); ++i)
          notes.push_back(SuppressionNote{step.rules[i], counts[i]});
        break;
      }
      case ProgramStep::Kind::kDpKey:
        CR_RETURN_IF_ERROR(internal::RunDpKey(*step.dp, runner, source()));
        break;
      case ProgramStep::Kind::kDpRelease:
        CR_RETURN_IF_ERROR(internal::RunDpRelease(step, runner, source()));
        break;
      case ProgramStep::Kind::kResult:
        break;
    }
  }
  return notes;
}

}  // namespace cleanroom::privacy
