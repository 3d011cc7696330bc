#include "sql/planner/timestamp_literal.h"

#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Where the zone begins: after the date (digits and '-'), a ' ' or 'T', and the time (digits,
// ':' and '.'); spaces before the zone are skipped. text.size() when there is none.
size_t ZoneStart(const std::string& text, size_t* wall_end) {
  size_t i = 0;
  while (i < text.size() && (IsDigit(text[i]) || text[i] == '-')) ++i;
  if (i < text.size() && (text[i] == ' ' || text[i] == 'T')) {
    ++i;
    while (i < text.size() && (IsDigit(text[i]) || text[i] == ':' || text[i] == '.')) ++i;
  }
  *wall_end = i;
  while (i < text.size() && text[i] == ' ') ++i;
  return i;
}

}  // namespace

Result<ExprPtr> BindTimestampLiteral(const std::string& text, const ZoneId& session) {
  size_t wall_end = 0;
  size_t zone_start = ZoneStart(text, &wall_end);
  const DataType ntz = DataType::Of(TypeId::kTimestampNtz);
  if (zone_start == text.size()) return MakeLiteral(ntz, text.substr(0, wall_end));
  Result<ZoneId> zone = ParseZoneId(std::string_view(text).substr(zone_start));
  if (!zone.ok()) {
    return Status::InvalidArgument("invalid TIMESTAMP literal: " + zone.status().message());
  }
  ExprPtr wall = MakeLiteral(ntz, text.substr(0, wall_end));
  if (zone->Id() == session.Id()) return wall;
  const DataType string_type = DataType::Of(TypeId::kString);
  auto call = std::make_shared<Expression>();
  call->kind = ExprKind::kFunction;
  call->function = LookupFunction("convert_timezone");
  if (call->function == nullptr) return Status::Internal("convert_timezone is not registered");
  call->type = ntz;
  call->children = {MakeLiteral(string_type, zone->Id()), MakeLiteral(string_type, session.Id()),
                    wall};
  return ExprPtr(call);
}

}  // namespace cleanroom::sql
