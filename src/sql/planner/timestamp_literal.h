#pragma once

// TIMESTAMP 'yyyy-mm-dd hh:mm:ss[.f][zone]' literals: the wall time, and the zone it was
// written in (Spark reads the zone, converts the instant to the session time zone and keeps the
// wall time there).

#include <string>

#include "base/status.h"
#include "sql/plan.h"
#include "sql/time_zone.h"

namespace cleanroom::sql {

// The literal's value: a TIMESTAMP_NTZ literal when `text` names no zone (or the session's),
// else convert_timezone(zone, session zone, the wall time). InvalidArgument for a zone that is
// not a zone id (the message names what is wrong, not the text).
Result<ExprPtr> BindTimestampLiteral(const std::string& text, const ZoneId& session);

}  // namespace cleanroom::sql
