// Emission of plan nodes as nested SELECT blocks. A node is emitted into its child's block
// when SQL allows it (a projection over a sort keeps ORDER BY in the same SELECT, a limit
// joins the block it limits); otherwise the child becomes a subquery in FROM.
#include "sql/emitter/emitter_internal.h"

namespace cleanroom::sql {

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteString(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string DuckDbEmitter::ColumnName(ColumnBinding binding) const {
  return Quote("_c" + std::to_string(binding.node_id) + "_" + std::to_string(binding.index));
}

std::vector<DuckDbEmitter::Item> DuckDbEmitter::PassThrough(
    const std::vector<ColumnInfo>& columns) const {
  std::vector<Item> items;
  items.reserve(columns.size());
  for (const auto& c : columns) {
    std::string name = ColumnName(c.binding);
    items.push_back(Item{name, name});
  }
  return items;
}

std::string DuckDbEmitter::Render(const Block& block) const {
  std::string out = block.distinct ? "SELECT DISTINCT " : "SELECT ";
  if (block.items.empty()) out += "NULL";
  for (size_t i = 0; i < block.items.size(); ++i) {
    if (i > 0) out += ", ";
    out += block.items[i].sql;
    if (block.items[i].alias != block.items[i].sql) out += " AS " + block.items[i].alias;
  }
  if (!block.from.empty()) out += " FROM " + block.from;
  if (!block.where.empty()) out += " WHERE " + block.where;
  if (!block.group_by.empty()) out += " GROUP BY " + block.group_by;
  if (!block.having.empty()) out += " HAVING " + block.having;
  if (!block.order_by.empty()) out += " ORDER BY " + block.order_by;
  if (block.limit >= 0) out += " LIMIT " + std::to_string(block.limit);
  if (block.offset > 0) out += " OFFSET " + std::to_string(block.offset);
  return out;
}

std::string DuckDbEmitter::Wrap(const Block& block) {
  return "(" + Render(block) + ") AS " + Quote("q" + std::to_string(alias_counter_++));
}

const char* DuckDbEmitter::JoinKeyword(JoinType type) const {
  switch (type) {
    case JoinType::kInner:
      return "JOIN";
    case JoinType::kLeft:
      return "LEFT JOIN";
    case JoinType::kRight:
      return "RIGHT JOIN";
    case JoinType::kFull:
      return "FULL OUTER JOIN";
    case JoinType::kCross:
      return "CROSS JOIN";
    case JoinType::kSemi:
      return "SEMI JOIN";
    case JoinType::kAnti:
      return "ANTI JOIN";
  }
  return "JOIN";
}

std::string DuckDbEmitter::ValuesFrom(const std::string& rows, const std::string& alias,
                                      const std::string& columns) const {
  return "(VALUES " + rows + ") AS " + alias + "(" + columns + ")";
}

Result<std::string> DuckDbEmitter::EmitSortKeys(const std::vector<SortKey>& keys) {
  std::string out;
  for (size_t i = 0; i < keys.size(); ++i) {
    CR_ASSIGN_OR_RETURN(std::string key, EmitExpr(*keys[i].expr));
    if (i > 0) out += ", ";
    out += key + (keys[i].descending ? " DESC" : " ASC") +
           (keys[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
  }
  return out;
}

Result<DuckDbEmitter::Block> DuckDbEmitter::EmitNode(const PlanNode& node) {
  Block block;
  switch (node.kind) {
    case PlanKind::kGet: {
      for (size_t i = 0; i < node.columns.size(); ++i) {
        block.items.push_back(
            Item{Quote(node.table_columns[i]), ColumnName(node.columns[i].binding)});
      }
      block.from = Quote(node.table_name);
      return block;
    }
    case PlanKind::kValues: {
      if (node.columns.empty()) return block;  // the single empty row of a SELECT without FROM
      std::string values;
      for (size_t r = 0; r < node.rows.size(); ++r) {
        values += r > 0 ? ", (" : "(";
        for (size_t c = 0; c < node.rows[r].size(); ++c) {
          CR_ASSIGN_OR_RETURN(std::string v, EmitExpr(*node.rows[r][c]));
          values += (c > 0 ? ", " : "") + v;
        }
        values += ")";
      }
      std::string columns;
      for (size_t c = 0; c < node.columns.size(); ++c) {
        columns += (c > 0 ? ", " : "") + ColumnName(node.columns[c].binding);
      }
      block.from = ValuesFrom(values, Quote("q" + std::to_string(alias_counter_++)), columns);
      block.items = PassThrough(node.columns);
      block.passthrough = true;
      return block;
    }
    case PlanKind::kFilter: {
      CR_ASSIGN_OR_RETURN(Block child, EmitNode(*node.children[0]));
      CR_ASSIGN_OR_RETURN(block.where, EmitExpr(*node.condition));
      if (child.items.empty() && child.from.empty()) {
        block.items = PassThrough(node.columns);
        return block;
      }
      block.from = Wrap(child);
      block.items = PassThrough(node.columns);
      block.passthrough = true;
      return block;
    }
    case PlanKind::kProject: {
      CR_ASSIGN_OR_RETURN(Block child, EmitNode(*node.children[0]));
      std::vector<Item> items;
      for (size_t i = 0; i < node.expressions.size(); ++i) {
        CR_ASSIGN_OR_RETURN(std::string sql, EmitExpr(*node.expressions[i]));
        items.push_back(Item{sql, ColumnName(node.columns[i].binding)});
      }
      bool empty_child = child.items.empty() && child.from.empty();
      if (empty_child || (child.passthrough && !child.distinct && child.group_by.empty())) {
        // Project into the child's SELECT: its FROM / WHERE / ORDER BY / LIMIT still apply.
        // (For an empty child with a WHERE, the WHERE filters the single row.)
        child.items = std::move(items);
        child.passthrough = false;
        return child;
      }
      block.from = Wrap(child);
      block.items = std::move(items);
      return block;
    }
    case PlanKind::kAggregate:
      return EmitAggregate(node);
    case PlanKind::kJoin:
      return EmitJoin(node);
    case PlanKind::kWindow: {
      CR_ASSIGN_OR_RETURN(Block child, EmitNode(*node.children[0]));
      block.from = Wrap(child);
      size_t passed = node.columns.size() - node.expressions.size();
      block.items = PassThrough(std::vector<ColumnInfo>(
          node.columns.begin(), node.columns.begin() + static_cast<long>(passed)));
      for (size_t i = 0; i < node.expressions.size(); ++i) {
        CR_ASSIGN_OR_RETURN(std::string sql, EmitExpr(*node.expressions[i]));
        block.items.push_back(Item{sql, ColumnName(node.columns[passed + i].binding)});
      }
      return block;
    }
    case PlanKind::kSort: {
      CR_ASSIGN_OR_RETURN(Block child, EmitNode(*node.children[0]));
      block.from = Wrap(child);
      block.items = PassThrough(node.columns);
      block.passthrough = true;
      CR_ASSIGN_OR_RETURN(block.order_by, EmitSortKeys(node.sort_keys));
      return block;
    }
    case PlanKind::kLimit: {
      CR_ASSIGN_OR_RETURN(Block child, EmitNode(*node.children[0]));
      if (child.limit < 0 && child.offset == 0 && !(child.items.empty() && child.from.empty())) {
        child.limit = node.limit;
        child.offset = node.offset;
        return child;
      }
      block.from = Wrap(child);
      block.items = PassThrough(node.columns);
      block.passthrough = true;
      block.limit = node.limit;
      block.offset = node.offset;
      return block;
    }
    case PlanKind::kDistinct: {
      CR_ASSIGN_OR_RETURN(Block child, EmitNode(*node.children[0]));
      block.from = Wrap(child);
      block.items = PassThrough(node.columns);
      block.distinct = true;
      block.passthrough = true;
      return block;
    }
    case PlanKind::kSetOperation:
      return EmitSetOperation(node);
  }
  return Status::Internal("unknown plan node");
}

Result<DuckDbEmitter::Block> DuckDbEmitter::EmitAggregate(const PlanNode& node) {
  Block block;
  CR_ASSIGN_OR_RETURN(Block child, EmitNode(*node.children[0]));
  block.from = Wrap(child);
  std::vector<std::string> groups;
  // A grouping expression in no grouping set (Hive's GROUP BY a, b GROUPING SETS (a)) is NULL
  // in every row; DuckDB refuses to read a column that no set groups by.
  std::vector<bool> in_a_set(node.groups.size(), node.grouping_sets.empty());
  for (const auto& set : node.grouping_sets) {
    for (int k : set) in_a_set[static_cast<size_t>(k)] = true;
  }
  for (size_t i = 0; i < node.groups.size(); ++i) {
    CR_ASSIGN_OR_RETURN(std::string sql, EmitExpr(*node.groups[i]));
    groups.push_back(sql);
    std::string item = in_a_set[i] ? sql : "CAST(NULL AS " + node.groups[i]->type.ToDuckDb() + ")";
    block.items.push_back(Item{item, ColumnName(node.columns[i].binding)});
  }
  for (size_t i = 0; i < node.expressions.size(); ++i) {
    CR_ASSIGN_OR_RETURN(std::string sql, EmitExpr(*node.expressions[i]));
    block.items.push_back(Item{sql, ColumnName(node.columns[node.groups.size() + i].binding)});
  }
  if (!node.grouping_sets.empty()) {
    block.group_by = "GROUPING SETS (";
    for (size_t s = 0; s < node.grouping_sets.size(); ++s) {
      block.group_by += s > 0 ? ", (" : "(";
      for (size_t k = 0; k < node.grouping_sets[s].size(); ++k) {
        block.group_by +=
            (k > 0 ? ", " : "") + groups[static_cast<size_t>(node.grouping_sets[s][k])];
      }
      block.group_by += ")";
    }
    block.group_by += ")";
  } else if (groups.empty() && node.expressions.empty()) {
    // An aggregation with neither groups nor aggregate calls (SELECT 1 FROM t HAVING true) is
    // still one group: one row.
    block.group_by = "GROUPING SETS (())";
  } else {
    for (size_t i = 0; i < groups.size(); ++i) block.group_by += (i > 0 ? ", " : "") + groups[i];
  }
  return block;
}

Result<DuckDbEmitter::Block> DuckDbEmitter::EmitJoin(const PlanNode& node) {
  Block block;
  CR_ASSIGN_OR_RETURN(Block left, EmitNode(*node.children[0]));
  CR_ASSIGN_OR_RETURN(Block right, EmitNode(*node.children[1]));
  std::string condition;
  for (const auto& [l, r] : node.equi_keys) {
    CR_ASSIGN_OR_RETURN(std::string a, EmitExpr(*l));
    CR_ASSIGN_OR_RETURN(std::string b, EmitExpr(*r));
    condition += (condition.empty() ? "" : " AND ") + std::string("(") + a + " = " + b + ")";
  }
  if (node.condition) {
    CR_ASSIGN_OR_RETURN(std::string residual, EmitExpr(*node.condition));
    condition += (condition.empty() ? "" : " AND ") + residual;
  }
  const char* keyword = JoinKeyword(node.join_type);
  // A chain of joins stays one FROM clause (t1 JOIN t2 ON .. JOIN t3 ON ..), so DuckDB's join
  // order optimizer sees every relation at once.
  auto flat = [](const PlanNode& child, const Block& b) {
    return child.kind == PlanKind::kJoin && b.passthrough && b.where.empty() &&
           b.group_by.empty() && b.order_by.empty() && b.limit < 0 && b.offset == 0 && !b.distinct;
  };
  std::string left_sql = flat(*node.children[0], left) ? left.from : Wrap(left);
  std::string right_sql = flat(*node.children[1], right) ? "(" + right.from + ")" : Wrap(right);
  block.from = left_sql + " " + keyword + " " + right_sql;
  if (node.join_type != JoinType::kCross)
    block.from += " ON " + (condition.empty() ? "TRUE" : condition);
  block.items = PassThrough(node.columns);
  block.passthrough = true;
  return block;
}

Result<DuckDbEmitter::Block> DuckDbEmitter::EmitSetOperation(const PlanNode& node) {
  Block block;
  CR_ASSIGN_OR_RETURN(Block left, EmitNode(*node.children[0]));
  CR_ASSIGN_OR_RETURN(Block right, EmitNode(*node.children[1]));
  // The left side names the result columns; both sides are positional.
  Block named;
  named.from = Wrap(left);
  for (size_t i = 0; i < node.columns.size(); ++i) {
    named.items.push_back(Item{ColumnName(node.children[0]->columns[i].binding),
                               ColumnName(node.columns[i].binding)});
  }
  const char* op = node.set_op == SetOpType::kUnion       ? " UNION "
                   : node.set_op == SetOpType::kIntersect ? " INTERSECT "
                                                          : " EXCEPT ";
  block.from = "((" + Render(named) + ")" + op + (node.set_all ? "ALL " : "") + "(" +
               Render(right) + ")) AS " + Quote("q" + std::to_string(alias_counter_++));
  block.items = PassThrough(node.columns);
  block.passthrough = true;
  return block;
}

Result<std::string> DuckDbEmitter::EmitSubplan(const LogicalPlan& plan) {
  CR_ASSIGN_OR_RETURN(Block block, EmitNode(*plan.root));
  if (block.items.empty() && block.from.empty()) return std::string("SELECT NULL");
  block.items.resize(plan.output_count);
  return Render(block);
}

Result<std::string> DuckDbEmitter::EmitStatement(const LogicalPlan& plan) {
  if (!plan.root) return Status::Internal("empty plan");
  CR_ASSIGN_OR_RETURN(Block block, EmitNode(*plan.root));
  if (block.items.size() < plan.output_count) return Status::Internal("plan output mismatch");
  block.items.resize(plan.output_count);
  for (size_t i = 0; i < plan.output_count; ++i) {
    // DuckDB has no empty identifier; Spark names a column `` (SELECT ''): it is called _c<i>.
    const std::string& name = plan.root->columns[i].name;
    block.items[i].alias = Quote(name.empty() ? "_c" + std::to_string(i) : name);
  }
  return Render(block);
}

Result<std::string> EmitDuckDbSql(const LogicalPlan& plan, const EmitOptions& options) {
  DuckDbEmitter emitter(options);
  return emitter.EmitStatement(plan);
}

}  // namespace cleanroom::sql
