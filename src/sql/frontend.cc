#include "sql/frontend.h"

#include <algorithm>
#include <functional>
#include <map>

#include "sql/emitter/duckdb_emitter.h"
#include "sql/parser/parser.h"
#include "sql/planner/binder.h"

namespace cleanroom::sql {

namespace {

ParserOptions ParserOptionsFor(const CompileOptions& options) {
  ParserOptions parser;
  parser.optional_join_condition = options.dialect == Dialect::kSpark;
  parser.subscripts = options.dialect == Dialect::kSpark;
  if (options.dialect == Dialect::kSqlite) {
    parser.lexer.double_quote_is_identifier = true;
    parser.sqlite_precedence = true;
  }
  return parser;
}

bool HoldsTimestamp(const DataType& type) {
  if (type.id == TypeId::kTimestamp) return true;
  for (const DataType& child : type.children) {
    if (HoldsTimestamp(child)) return true;
  }
  return false;
}

// Whether a TIMESTAMP (an instant, TIMESTAMPTZ in the engine) is read, computed or output
// anywhere in the plan, its subqueries included. A table's column that is never read is not.
bool PlanHoldsTimestamp(const LogicalPlan& plan) {
  bool found = false;
  for (const ColumnInfo& c : plan.Output()) {
    if (HoldsTimestamp(c.type)) found = true;
  }
  std::function<void(const Expression&)> expression = [&](const Expression& e) {
    if (HoldsTimestamp(e.type)) found = true;
    if (e.kind == ExprKind::kSubquery && e.subquery != nullptr && PlanHoldsTimestamp(*e.subquery))
      found = true;
  };
  VisitPlan(*plan.root, [&](const PlanNode& node) {
    for (const ColumnInfo& c : node.columns) {
      if (node.kind != PlanKind::kGet && HoldsTimestamp(c.type)) found = true;
    }
    VisitNodeExpressions(node, [&](const Expression& root) { VisitExpression(root, expression); });
  });
  return found;
}

}  // namespace

std::string CompiledStatement::ExplainText() const {
  std::string out = "== plan ==\n";
  if (plan) out += plan->ToString();
  out += "== DuckDB SQL ==\n" + duckdb_sql + "\n";
  return out;
}

Result<std::vector<CompiledStatement>> CompileScript(std::string_view text, Catalog& catalog,
                                                     const CompileOptions& options) {
  CR_ASSIGN_OR_RETURN(std::vector<ast::Statement> statements,
                      ParseScript(text, ParserOptionsFor(options)));
  if (statements.empty()) return Status::InvalidArgument("the SQL text holds no statement");
  auto id_counter = std::make_shared<int>(0);
  std::map<std::string, std::shared_ptr<const LogicalPlan>> view_plans;
  EmitOptions emit_options{options.dialect, options.safe_arithmetic, options.session_time_zone};
  std::vector<CompiledStatement> compiled;
  for (const ast::Statement& statement : statements) {
    Binder binder(text, catalog, options, id_counter, &view_plans);
    CR_ASSIGN_OR_RETURN(std::shared_ptr<LogicalPlan> plan, binder.BindQuery(*statement.query));
    // The engine reads and writes an instant's wall time in UTC; under another session zone
    // only wall times (TIMESTAMP_NTZ, dates, zoned literals, date_format) follow the zone.
    if (!options.session_time_zone.IsUtc() && PlanHoldsTimestamp(*plan)) {
      return Status::Unimplemented(
          "a TIMESTAMP value (with local time zone) under a session time zone other than UTC is "
          "not supported yet; use TIMESTAMP_NTZ");
    }
    CompiledStatement out;
    if (statement.kind == ast::Statement::Kind::kCreateView) {
      if (statement.view_columns.size() > plan->output_count) {
        return SqlError(text, statement.view_name_pos, "more view column names than columns");
      }
      for (size_t i = 0; i < statement.view_columns.size(); ++i) {
        plan->root->columns[i].name = statement.view_columns[i];
      }
    }
    CR_ASSIGN_OR_RETURN(std::string sql, EmitDuckDbSql(*plan, emit_options));
    for (const ColumnInfo& c : plan->Output()) out.output.push_back(Column{c.name, c.type});
    if (statement.kind == ast::Statement::Kind::kCreateView) {
      const TableDef* existing = catalog.FindTable(statement.view_name);
      if (existing != nullptr && (!statement.or_replace || !existing->is_view)) {
        return SqlErrorWithCode(StatusCode::kAlreadyExists, text, statement.view_name_pos,
                                "table or view already exists: " + statement.view_name);
      }
      out.kind = CompiledStatement::Kind::kCreateView;
      out.view_name = statement.view_name;
      out.duckdb_sql =
          "CREATE OR REPLACE TEMP VIEW " + QuoteIdentifier(statement.view_name) + " AS " + sql;
      catalog.PutTable(TableDef{statement.view_name, out.output, true});
      view_plans[ToLowerAscii(statement.view_name)] = plan;
    } else {
      out.duckdb_sql = std::move(sql);
    }
    out.plan = plan;
    compiled.push_back(std::move(out));
  }
  return compiled;
}

Result<std::vector<std::string>> ReferencedTables(std::string_view text, const Catalog& catalog,
                                                  const CompileOptions& options) {
  Catalog scratch = catalog;
  Result<std::vector<CompiledStatement>> compiled = CompileScript(text, scratch, options);
  if (!compiled.ok()) {
    const Status& s = compiled.status();
    if (s.message().rfind("table or view not found", 0) == 0) {
      return Status::NotFound(s.message());
    }
    return s;
  }
  std::vector<std::string> tables;
  for (const CompiledStatement& statement : *compiled) {
    if (!statement.plan || !statement.plan->root) continue;
    std::function<void(const PlanNode&)> visit = [&](const PlanNode& node) {
      if (node.kind == PlanKind::kGet && !node.is_view)
        tables.push_back(ToLowerAscii(node.table_name));
      VisitNodeExpressions(node, [&](const Expression& root) {
        VisitExpression(root, [&](const Expression& e) {
          if (e.kind == ExprKind::kSubquery && e.subquery && e.subquery->root) {
            VisitPlan(*e.subquery->root, visit);
          }
        });
      });
    };
    VisitPlan(*statement.plan->root, visit);
  }
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  return tables;
}

}  // namespace cleanroom::sql
