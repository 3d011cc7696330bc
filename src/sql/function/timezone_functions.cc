// Spark's time zone conversions: convert_timezone, from_utc_timestamp, to_utc_timestamp and
// current_timezone. A zone is a string literal: a zone read from a column would put a cell value
// into the engine's "unknown time zone" error, and error text leaves the clean room.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"
#include "sql/time_zone.h"

namespace cleanroom::sql {
namespace {

// args[i] must be a string literal naming a time zone.
Result<ZoneId> NeedZone(const Args& args, size_t i) {
  CR_ASSIGN_OR_RETURN(std::string text, NeedStringLiteral(args, i, "the time zone"));
  Result<ZoneId> zone = ParseZoneId(text);
  if (!zone.ok()) return Status::InvalidArgument("[INVALID_TIMEZONE] " + zone.status().message());
  return zone;
}

// The wall time in the session zone of a timestamp argument (an instant for TIMESTAMP).
std::string SessionWall(const FunctionEmitContext& ctx, const Expression& arg,
                        const std::string& sql) {
  return arg.type.id == TypeId::kTimestamp ? InstantToWallSql(ctx.session_time_zone, sql) : sql;
}

// convert_timezone([sourceTz, ]targetTz, sourceTs): the wall time sourceTs in sourceTz (the
// session zone when omitted) as a wall time in targetTz; a TIMESTAMP_NTZ.
Result<DataType> BindConvertTimezone(const FunctionBindContext&, Args& args) {
  for (size_t i = 0; i + 1 < args.size(); ++i) CR_RETURN_IF_ERROR(NeedZone(args, i).status());
  size_t ts = args.size() - 1;
  CR_RETURN_IF_ERROR(NeedTimestamp(args, ts));
  if (args[ts]->type.id == TypeId::kTimestamp) {
    args[ts] = CastTo(args[ts], DataType::Of(TypeId::kTimestampNtz));
  }
  return DataType::Of(TypeId::kTimestampNtz);
}
std::string EmitConvertTimezone(const FunctionEmitContext& ctx, const Expression& call,
                                const Emitted& args) {
  bool has_source = args.size() == 3;
  ZoneId source = has_source ? *ParseZoneId(call.children[0]->value) : ctx.session_time_zone;
  ZoneId target = *ParseZoneId(call.children[has_source ? 1 : 0]->value);
  return InstantToWallSql(target, WallToInstantSql(source, args.back()));
}

// from_utc_timestamp(ts, tz): the wall time of ts read in UTC, as a wall time in tz;
// to_utc_timestamp(ts, tz): the wall time of ts read in tz, as a wall time in UTC. Both return
// a TIMESTAMP whose wall time in the session zone is the result.
Result<DataType> BindUtcShift(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedTimestamp(args, 0));
  CR_RETURN_IF_ERROR(NeedZone(args, 1).status());
  return kTimestamp;
}
std::string EmitUtcShift(const FunctionEmitContext& ctx, const Expression& call,
                         const Emitted& args) {
  ZoneId zone = *ParseZoneId(call.children[1]->value);
  ZoneId utc;
  bool from_utc = std::string_view(call.function->name) == "from_utc_timestamp";
  const ZoneId& read_in = from_utc ? utc : zone;
  const ZoneId& written_in = from_utc ? zone : utc;
  std::string wall = SessionWall(ctx, *call.children[0], args[0]);
  std::string shifted = InstantToWallSql(written_in, WallToInstantSql(read_in, wall));
  return WallToInstantSql(ctx.session_time_zone, shifted);
}

// current_timezone(): the session time zone's id.
Result<DataType> BindCurrentTimezone(const FunctionBindContext&, Args&) { return kString; }
std::string EmitCurrentTimezone(const FunctionEmitContext& ctx, const Expression&, const Emitted&) {
  return QuoteString(ctx.session_time_zone.Id());
}

constexpr FunctionDef kFunctions[] = {
    {"convert_timezone", FunctionKind::kScalar, 2, 3, BindConvertTimezone, EmitConvertTimezone},
    {"from_utc_timestamp", FunctionKind::kScalar, 2, 2, BindUtcShift, EmitUtcShift},
    {"to_utc_timestamp", FunctionKind::kScalar, 2, 2, BindUtcShift, EmitUtcShift},
    {"current_timezone", FunctionKind::kScalar, 0, 0, BindCurrentTimezone, EmitCurrentTimezone},
};

}  // namespace

FunctionTable TimezoneFunctions() { return {kFunctions, std::size(kFunctions), "datetime"}; }

}  // namespace cleanroom::sql
