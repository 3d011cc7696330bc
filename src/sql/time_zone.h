#pragma once

// Spark's time zone ids (java.time.ZoneId, as Spark reads spark.sql.session.timeZone, a zone
// argument or the zone at the end of a timestamp string) and the DuckDB SQL that moves a
// timestamp between a zone's wall time and the instant. Region ids are resolved by DuckDB's ICU
// time zone database (the engine's), fixed offsets here.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace cleanroom::sql {

struct ZoneId {
  // A fixed offset (Z, UTC, GMT, UT, +08:00, UTC+080000, ...) or a region (Europe/Paris).
  bool fixed = true;
  int32_t offset_seconds = 0;  // fixed: east of UTC
  std::string region;          // not fixed: the tz database name

  bool IsUtc() const { return fixed && offset_seconds == 0; }
  // Spark's id of the zone: the region, "UTC" for a zero offset, else "+08:00" (Java's
  // ZoneOffset id, with ":ss" when the seconds are not zero).
  std::string Id() const;
};

// The zone named by `text`; InvalidArgument (naming what is wrong, not the text) when it is not
// a zone id. Regions are checked for their form here and for existence by the engine.
Result<ZoneId> ParseZoneId(std::string_view text);

// DuckDB SQL: the instant (TIMESTAMPTZ) whose wall time in `zone` is `wall` (a TIMESTAMP).
std::string WallToInstantSql(const ZoneId& zone, const std::string& wall);
// DuckDB SQL: the wall time (TIMESTAMP) in `zone` of `instant` (a TIMESTAMPTZ).
std::string InstantToWallSql(const ZoneId& zone, const std::string& instant);
// DuckDB SQL: the offset of `zone` from UTC, in seconds (a BIGINT), at wall time `wall`.
std::string OffsetSecondsSql(const ZoneId& zone, const std::string& wall);

}  // namespace cleanroom::sql
