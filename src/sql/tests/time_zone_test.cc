// Time zone ids (Spark's java.time forms) and the session time zone in the front end.
#include "sql/time_zone.h"

#include <gtest/gtest.h>

#include "sql/frontend.h"

namespace cleanroom::sql {
namespace {

TEST(TimeZoneTest, FixedOffsetsInJavaForms) {
  struct Case {
    const char* text;
    int32_t offset;
  };
  for (const Case& c :
       {Case{"Z", 0}, Case{"UTC", 0}, Case{"GMT", 0}, Case{"+8", 28800}, Case{"+08", 28800},
        Case{"-08:00", -28800}, Case{"+0530", 19800}, Case{"UTC+080000", 28800},
        Case{"GMT-07:52:58", -28378}, Case{"UT+01", 3600}}) {
    Result<ZoneId> zone = ParseZoneId(c.text);
    ASSERT_TRUE(zone.ok()) << c.text << ": " << zone.status().ToString();
    EXPECT_TRUE(zone->fixed) << c.text;
    EXPECT_EQ(zone->offset_seconds, c.offset) << c.text;
  }
  EXPECT_EQ(ParseZoneId("GMT-07:52:58")->Id(), "-07:52:58");
  EXPECT_EQ(ParseZoneId("+0530")->Id(), "+05:30");
  EXPECT_EQ(ParseZoneId("Z")->Id(), "UTC");
}

TEST(TimeZoneTest, RegionsAndRefusals) {
  Result<ZoneId> paris = ParseZoneId("Europe/Paris");
  ASSERT_TRUE(paris.ok());
  EXPECT_FALSE(paris->fixed);
  EXPECT_EQ(paris->Id(), "Europe/Paris");
  // Not zone ids: an offset over 18 hours, minutes over 59, quotes (no SQL through a zone), an
  // empty id, a digit first, an id of unbounded length.
  for (const char* bad : {"+19:00", "+08:60", "Europe/Par'is", "", "1Europe", "+8:0:0:0", "UTC+",
                          std::string(65, 'A').c_str()}) {
    Result<ZoneId> zone = ParseZoneId(bad);
    EXPECT_FALSE(zone.ok()) << bad;
    if (!zone.ok() && std::string(bad).size() > 2) {
      // The message names the rule, never the text (error text leaves the clean room).
      EXPECT_EQ(zone.status().message().find(bad), std::string::npos) << bad;
    }
  }
}

Result<CompiledStatement> CompileIn(const std::string& sql, const std::string& zone) {
  Catalog catalog;
  catalog.PutTable(TableDef{"t",
                            {{"ts", DataType::Of(TypeId::kTimestamp)},
                             {"ntz", DataType::Of(TypeId::kTimestampNtz)},
                             {"zone", DataType::Of(TypeId::kString)}},
                            false});
  CompileOptions options;
  CR_ASSIGN_OR_RETURN(options.session_time_zone, ParseZoneId(zone));
  CR_ASSIGN_OR_RETURN(auto statements, CompileScript(sql, catalog, options));
  return statements.back();
}

TEST(TimeZoneTest, ZonedLiteralIsTheWallTimeInTheSessionZone) {
  auto la = CompileIn("SELECT TIMESTAMP '1970-01-01 00:00:00Europe/Paris'", "America/Los_Angeles");
  ASSERT_TRUE(la.ok()) << la.status().ToString();
  EXPECT_EQ(la->output[0].type.id, TypeId::kTimestampNtz);
  EXPECT_NE(la->duckdb_sql.find("timezone('America/Los_Angeles', timezone('Europe/Paris'"),
            std::string::npos)
      << la->duckdb_sql;
  // A literal in the session's own zone is the wall time as written.
  auto utc = CompileIn("SELECT TIMESTAMP '2018-11-17 13:33:33.123Z'", "UTC");
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(utc->duckdb_sql.find("timezone"), std::string::npos) << utc->duckdb_sql;
  EXPECT_FALSE(CompileIn("SELECT TIMESTAMP '2018-11-17 13:33:33+25:00'", "UTC").ok());
}

TEST(TimeZoneTest, InstantsAreRefusedOutsideUtc) {
  // The engine writes an instant's wall time in UTC: under another zone it would be wrong, so
  // it is an error, not a different answer.
  for (const char* sql : {"SELECT ts FROM t", "SELECT CAST(ntz AS TIMESTAMP) FROM t",
                          "SELECT 1 FROM t WHERE ts IS NOT NULL", "SELECT (SELECT max(ts) FROM t)",
                          "SELECT array(ts) FROM t"}) {
    auto r = CompileIn(sql, "America/Los_Angeles");
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented) << sql;
    EXPECT_TRUE(CompileIn(sql, "UTC").ok()) << sql;
  }
  EXPECT_TRUE(CompileIn("SELECT date_format(ntz, 'yyyy XXX') FROM t", "America/Los_Angeles").ok());
}

TEST(TimeZoneTest, ZoneArgumentsMustBeLiterals) {
  // A zone read from a column would put a cell value into the engine's unknown-zone error.
  auto column = CompileIn("SELECT from_utc_timestamp(ntz, zone) FROM t", "UTC");
  ASSERT_FALSE(column.ok());
  EXPECT_NE(column.status().message().find("string literal"), std::string::npos);
  EXPECT_FALSE(CompileIn("SELECT convert_timezone(zone, 'UTC', ntz) FROM t", "UTC").ok());
  EXPECT_FALSE(CompileIn("SELECT convert_timezone('Mars/Base''x', ntz) FROM t", "UTC").ok());
  EXPECT_TRUE(CompileIn("SELECT convert_timezone('+08:00', 'UTC', ntz) FROM t", "UTC").ok());
}

TEST(TimeZoneTest, ZoneNamesOnlyWhereKnown) {
  EXPECT_TRUE(CompileIn("SELECT date_format(ntz, 'z zzzz') FROM t", "UTC").ok());
  auto la = CompileIn("SELECT date_format(ntz, 'z') FROM t", "America/Los_Angeles");
  ASSERT_FALSE(la.ok());
  EXPECT_NE(la.status().message().find("pattern letter z"), std::string::npos);
}

}  // namespace
}  // namespace cleanroom::sql
