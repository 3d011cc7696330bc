// Feature rows read straight from DuckDB's vectors (engine/numeric_cells.h).
#include "engine/numeric_cells.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/engine.h"

namespace cleanroom::engine {
namespace {

TEST(NumericCellsTest, ReadsEveryNumericTypeAsFloatsWithNaNForNull) {
  auto engine = Engine::Open();
  ASSERT_TRUE(engine.ok());
  auto result = (*engine)->QueryRaw(
      "SELECT * FROM (VALUES (true, -3::TINYINT, 300::SMALLINT, 70000, 5000000000::BIGINT, "
      "2.5::FLOAT, -0.125::DOUBLE, 12.34::DECIMAL(6,2), 1234567.891::DECIMAL(18,3), "
      "-7.5::DECIMAL(30,1), 9::UBIGINT, 'x'), (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL)) t");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_TRUE(*(*result)->Next());
  const Chunk& chunk = (*result)->chunk();
  ASSERT_EQ(chunk.size(), 2u);
  const std::vector<float> expected = {
      1, -3, 300, 70000, 5000000000.0f, 2.5f, -0.125f, 12.34f, 1234567.891f, -7.5f, 9};
  // Two rows per column, written with a stride as the runtime writes a row-major matrix.
  std::vector<float> out(2 * expected.size(), 42);
  for (size_t c = 0; c < expected.size(); ++c) {
    Status read = ReadFloats(chunk, c, (*result)->duckdb_type(c), &out[c], expected.size());
    ASSERT_TRUE(read.ok()) << c << ": " << read.ToString();
    EXPECT_EQ(out[c], expected[c]) << "column " << c;
    EXPECT_TRUE(std::isnan(out[expected.size() + c])) << "column " << c;
  }
  // A string column is refused, naming the column's index, never a value.
  Status text = ReadFloats(chunk, 11, (*result)->duckdb_type(11), out.data(), 1);
  EXPECT_EQ(text.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(text.message().find('x'), std::string::npos);
}

}  // namespace
}  // namespace cleanroom::engine
