#include "engine/duckdb_error.h"

#include <gtest/gtest.h>

namespace cleanroom::engine {
namespace {

TEST(SanitizeDuckDbErrorTest, ReportsTheTemplateNotTheMessage) {
  EXPECT_EQ(SanitizeDuckDbError("Conversion Error: Could not convert string 'alice' to INT32"),
            "Conversion Error: a string could not be converted to the target type");
  EXPECT_EQ(SanitizeDuckDbError(
                "Out of Range Error: Overflow in multiplication of INT32 (2147483647 * 2)!"),
            "Out of Range Error: numeric overflow");
  EXPECT_EQ(
      SanitizeDuckDbError("Conversion Error: Type INT64 with value -5 can't be cast to INT32"),
      "Conversion Error: a value could not be cast to the target type");
  // The emitter's own Spark error classes keep their class.
  EXPECT_EQ(SanitizeDuckDbError("Invalid Input Error: [DIVIDE_BY_ZERO] Division by zero"),
            "Invalid Input Error: [DIVIDE_BY_ZERO] Division by zero");
}

// An attacker controls a cell and maybe the start of a message: whatever DuckDB says, only our
// fixed words come out.
TEST(SanitizeDuckDbErrorTest, NothingOfAnUnknownMessageEscapes) {
  const char* secrets[] = {"o'brien", "secret-42", "x\"y", "LINE 1: alice"};
  for (const char* secret : secrets) {
    std::string message =
        std::string("Invalid Input Error: something about ") + secret + " we have no template for";
    std::string out = SanitizeDuckDbError(message);
    EXPECT_EQ(out, "Invalid Input Error (details withheld)") << out;
    out = SanitizeDuckDbError(std::string(secret) + ": Could not convert string");
    EXPECT_EQ(out.find(secret), std::string::npos) << out;
  }
  // A message that does not start with a known kind is an "Error".
  EXPECT_EQ(SanitizeDuckDbError("alice: Overflow"), "Error (details withheld)");
  EXPECT_EQ(SanitizeDuckDbError(""), "Error (details withheld)");
}

TEST(SanitizeDuckDbErrorTest, KeepsOnlyThePositionOfTheEmittedSql) {
  std::string message =
      "Conversion Error: Could not convert string 'abc' to INT32\n\n"
      "LINE 1: select 'abc'::int\n"
      "                    ^";
  EXPECT_EQ(SanitizeDuckDbError(message),
            "Conversion Error: a string could not be converted to the target type (at line 1, "
            "column 13 of the emitted SQL)");
  std::string csv =
      "Invalid Input Error: CSV Error on Line: 3\nOriginal Line: alice,42\nExpected 2 columns";
  EXPECT_EQ(SanitizeDuckDbError(csv),
            "Invalid Input Error: an input row does not match the declared schema");
}

TEST(SanitizeDuckDbErrorTest, MapsErrorKindsToCodes) {
  EXPECT_EQ(DuckDbErrorStatus(34, "Permission Error: no", "q").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(DuckDbErrorStatus(2, "Conversion Error: 'x'", "q").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DuckDbErrorStatus(2, "Conversion Error: 'x'", "q").message(),
            "q: Conversion Error (details withheld)");
}

}  // namespace
}  // namespace cleanroom::engine
