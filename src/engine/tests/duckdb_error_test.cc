#include "engine/duckdb_error.h"

#include <gtest/gtest.h>

namespace cleanroom::engine {
namespace {

TEST(SanitizeDuckDbErrorTest, DropsQuotedValuesAndNumbersKeepsKind) {
  EXPECT_EQ(SanitizeDuckDbError("Conversion Error: Could not convert string 'alice' to INT32"),
            "Conversion Error: Could not convert string <redacted> to INT32");
  EXPECT_EQ(SanitizeDuckDbError(
                "Out of Range Error: Overflow in multiplication of INT32 (2147483647 * 2)!"),
            "Out of Range Error: Overflow in multiplication of INT32 (<n> * <n>)!");
  std::string quoted = SanitizeDuckDbError(
      "Conversion Error: Error when converting column \"age\". Could not convert string "
      "\"o'brien\" to 'INTEGER'");
  EXPECT_EQ(quoted.find("brien"), std::string::npos) << quoted;
  EXPECT_EQ(SanitizeDuckDbError("x 'it''s secret' y"), "x <redacted> y");
  EXPECT_EQ(SanitizeDuckDbError("unterminated 'secret"), "unterminated <redacted>");
  // A value with a quote inside (DuckDB does not escape it) is redacted whole: nothing of it
  // escapes between its quotes.
  EXPECT_EQ(SanitizeDuckDbError("Could not convert string 'O'Brien' to INT32"),
            "Could not convert string <redacted> to INT32");
  EXPECT_EQ(SanitizeDuckDbError("string 'it's a secret' to INT32"), "string <redacted> to INT32");
  // The message's own apostrophes are words, not quotes.
  EXPECT_EQ(SanitizeDuckDbError("Type INT64 with value -5 can't be cast to INT32"),
            "Type INT64 with value -<n> can't be cast to INT32");
  EXPECT_EQ(SanitizeDuckDbError("value -1.5e+10 and 3."), "value -<n> and <n>.");
}

TEST(SanitizeDuckDbErrorTest, KeepsOnlyTheFirstLineAndThePosition) {
  std::string message =
      "Conversion Error: Could not convert string 'abc' to INT32\n\n"
      "LINE 1: select 'abc'::int\n"
      "                    ^";
  EXPECT_EQ(SanitizeDuckDbError(message),
            "Conversion Error: Could not convert string <redacted> to INT32 (at line 1, column 13 "
            "of the emitted SQL)");
  std::string csv =
      "Invalid Input Error: CSV Error on Line: 3\nOriginal Line: alice,42\nExpected 2 columns";
  std::string sanitized = SanitizeDuckDbError(csv);
  EXPECT_EQ(sanitized, "Invalid Input Error: CSV Error on Line: 3");
}

TEST(SanitizeDuckDbErrorTest, MapsErrorKindsToCodes) {
  EXPECT_EQ(DuckDbErrorStatus(34, "Permission Error: no", "q").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(DuckDbErrorStatus(2, "Conversion Error: 'x'", "q").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DuckDbErrorStatus(2, "Conversion Error: 'x'", "q").message(),
            "q: Conversion Error: <redacted>");
}

}  // namespace
}  // namespace cleanroom::engine
