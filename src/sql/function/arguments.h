#pragma once

// Argument coercion and call spelling shared by the function families (function/*.cc).

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sql/emitter/duckdb_emitter.h"  // QuoteString
#include "sql/plan.h"

namespace cleanroom::sql {

// The arguments of a call as bound, and as emitted.
using Args = std::vector<ExprPtr>;
using Emitted = std::vector<std::string>;

// The types the function families name most.
inline const DataType kBoolean = DataType::Of(TypeId::kBoolean);
inline const DataType kInt = DataType::Of(TypeId::kInt);
inline const DataType kBigInt = DataType::Of(TypeId::kBigInt);
inline const DataType kDouble = DataType::Of(TypeId::kDouble);
inline const DataType kString = DataType::Of(TypeId::kString);
inline const DataType kBinary = DataType::Of(TypeId::kBinary);
inline const DataType kDate = DataType::Of(TypeId::kDate);
inline const DataType kTimestamp = DataType::Of(TypeId::kTimestamp);

// Casts args[from..] to `type` (InvalidArgument naming the argument when no cast exists).
Status CastAll(std::vector<ExprPtr>& args, const DataType& type, size_t from = 0);
// args[i] must be a number: NULL becomes int, a string double (Spark's implicit cast).
Status NeedNumeric(std::vector<ExprPtr>& args, size_t i);
// args[i] must be an integer (or NULL); it is cast to `type`.
Status NeedIntegral(std::vector<ExprPtr>& args, size_t i, const DataType& type);
// args[i] must be an array.
Status NeedArray(const std::vector<ExprPtr>& args, size_t i);
// args[i] must be a timestamp: a TIMESTAMP or TIMESTAMP_NTZ keeps its kind; a date or a string
// is read as TIMESTAMP_NTZ (a wall time in the session time zone).
Status NeedTimestamp(std::vector<ExprPtr>& args, size_t i);
// args[i] must be a literal string (a format, a unit); returns its text.
Result<std::string> NeedStringLiteral(const std::vector<ExprPtr>& args, size_t i,
                                      std::string_view what);
// "a, b, c" (or with another separator).
std::string JoinArguments(const std::vector<std::string>& args, const char* separator = ", ");
// "name(a, b)".
std::string NamedCall(std::string_view name, const std::vector<std::string>& args);
// "CASE WHEN a IS NULL OR b IS NULL ... THEN NULL ELSE <sql> END": NULL when any argument is.
std::string NullIfAnyNull(const std::vector<std::string>& args, const std::string& sql);

}  // namespace cleanroom::sql

namespace cleanroom::sql {

// An ANSI interval argument of a statistics function (median, percentiles) read as a double:
// months for a year-month interval, seconds for a day-time one. Returns the interval's type, or
// the null type when args[i] is not an ANSI interval (then args[i] is unchanged).
DataType IntervalAsNumber(std::vector<ExprPtr>& args, size_t i);
// A statistic `sql` computed in those units, back as an interval of `type` (rounded half up to
// whole months or microseconds).
std::string NumberAsInterval(const DataType& type, const std::string& sql);

}  // namespace cleanroom::sql
