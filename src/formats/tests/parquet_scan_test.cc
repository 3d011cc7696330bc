// The DuckDB table function over our reader (src/engine/parquet_scan.cc).
#include <gtest/gtest.h>

#include <filesystem>

#include "base/bytes.h"
#include "base/file.h"
#include "formats/parquet_reader.h"
#include "formats/parquet_writer.h"
#include "formats/tests/duckdb_session.h"
#include "formats/tests/parquet_test_util.h"

namespace cleanroom::engine {
Status RegisterParquetScan(duckdb_connection connection);
Status VerifyParquetInput(const std::string& path_or_glob, size_t threads);
Status VerifyParquetBytes(ByteSpan data, const std::string& name, size_t threads);
}  // namespace cleanroom::engine

namespace cleanroom::formats {
namespace {

using testing::DiffTables;
using testing::DuckDbSession;
using testing::Table;

std::string Data(const std::string& file) {
  return testing::ParquetTestDataDir() + "/data/" + file;
}

TEST(ParquetScan, ReadsAFileDuckDbRefuses) {
  DuckDbSession duck;
  ASSERT_TRUE(engine::RegisterParquetScan(duck.connection()).ok());
  Table rows;
  std::string error;
  EXPECT_FALSE(duck.Run("SELECT * FROM read_parquet('" + Data("map_no_value.parquet") + "')", &rows,
                        &error));
  ASSERT_TRUE(duck.Run("SELECT COLUMNS(*)::VARCHAR FROM cleanroom_parquet_scan('" +
                           Data("map_no_value.parquet") + "')",
                       &rows, &error))
      << error;
  auto ours = testing::ReadAllRendered(Data("map_no_value.parquet"));
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(DiffTables(rows, *ours), "");
  ASSERT_TRUE(duck.Run("SELECT sum(list_sum(my_list)) FROM cleanroom_parquet_scan('" +
                           Data("map_no_value.parquet") + "')",
                       &rows, &error))
      << error;
  EXPECT_EQ(rows[0][0], "45");
}

TEST(ParquetScan, MatchesDuckDbsOwnReaderWithProjection) {
  DuckDbSession duck;
  ASSERT_TRUE(engine::RegisterParquetScan(duck.connection()).ok());
  std::string path = (std::filesystem::temp_directory_path() /
                      ("cleanroom_scan_" + std::to_string(::getpid()) + ".parquet"))
                         .string();
  std::string error;
  ASSERT_TRUE(duck.Run(
      "COPY (SELECT i AS id, 'k' || (i % 17) AS key, (i * 0.5)::DECIMAL(12,1) AS amount, "
      "CASE WHEN i % 3 = 0 THEN NULL ELSE [i, i * 2] END AS li, {'a': i % 5, 'b': 'x'} AS st, "
      "DATE '2024-01-01' + (i % 365)::INTEGER AS day, TIMESTAMP '2024-01-01' + i * INTERVAL 1 "
      "SECOND AS ts "
      "FROM range(100000) r(i)) TO '" +
          path + "' (FORMAT parquet, ROW_GROUP_SIZE 20000)",
      nullptr, &error))
      << error;
  for (const char* select :
       {"COLUMNS(*)::VARCHAR", "key, sum(amount)::VARCHAR, count(li)",
        "st::VARCHAR, li::VARCHAR, id", "count(*)", "max(day)::VARCHAR, min(ts)::VARCHAR"}) {
    SCOPED_TRACE(select);
    bool grouped = std::string(select).find("sum(") != std::string::npos;
    std::string tail =
        grouped ? " GROUP BY key ORDER BY key"
                : (std::string(select).find("id") != std::string::npos ? " ORDER BY id" : "");
    if (std::string(select) == "COLUMNS(*)::VARCHAR") tail = " ORDER BY id::BIGINT";
    Table want, got;
    ASSERT_TRUE(
        duck.Run(std::string("SELECT ") + select + " FROM read_parquet('" + path + "')" + tail,
                 &want, &error))
        << error;
    ASSERT_TRUE(duck.Run(
        std::string("SELECT ") + select + " FROM cleanroom_parquet_scan('" + path + "')" + tail,
        &got, &error))
        << error;
    EXPECT_EQ(DiffTables(got, want), "");
  }
  std::filesystem::remove(path);
}

TEST(ParquetScan, CorruptFileFailsTheQueryWithDataLoss) {
  DuckDbSession duck;
  ASSERT_TRUE(engine::RegisterParquetScan(duck.connection()).ok());
  Table rows;
  std::string error;
  EXPECT_FALSE(duck.Run("SELECT count(*) FROM cleanroom_parquet_scan('" +
                            Data("datapage_v1-corrupt-checksum.parquet") + "')",
                        &rows, &error));
  EXPECT_NE(error.find("DataLoss"), std::string::npos) << error;
  EXPECT_NE(error.find("CRC"), std::string::npos) << error;
}

TEST(ParquetScan, VerifyInputCoversGlobsAndBytes) {
  EXPECT_TRUE(engine::VerifyParquetInput(Data("alltypes_*.parquet"), 2).ok());
  Status bad = engine::VerifyParquetInput(Data("datapage_v1-*-checksum.parquet"), 2);
  EXPECT_EQ(bad.code(), StatusCode::kDataLoss) << bad.ToString();
  EXPECT_EQ(engine::VerifyParquetInput(Data("no_such_*.parquet"), 2).code(), StatusCode::kNotFound);
  auto bytes = ReadFileToString(Data("datapage_v1-corrupt-checksum.parquet"));
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(engine::VerifyParquetBytes(AsBytes(*bytes), "memory", 2).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cleanroom::formats

namespace cleanroom::formats {
namespace {

// BYTE_STREAM_SPLIT on integers (written by our writer): DuckDB refuses it, the table function
// reads it identically to the PLAIN twin DuckDB reads itself.
TEST(ParquetScan, ByteStreamSplitIntegersOnlyWeRead) {
  DuckDbSession duck;
  ASSERT_TRUE(engine::RegisterParquetScan(duck.connection()).ok());
  std::string base =
      (std::filesystem::temp_directory_path() / ("cleanroom_bss_" + std::to_string(::getpid())))
          .string();
  std::string source = base + "_src.parquet", split = base + "_split.parquet";
  std::string error;
  ASSERT_TRUE(duck.Run(
      "COPY (SELECT i::INTEGER AS a, i * 1000003 AS b, i / 3 AS c, (i * 7)::DECIMAL(12,2) AS d, "
      "CASE WHEN i % 9 = 0 THEN NULL ELSE i END AS e FROM range(5000) r(i)) TO '" +
          source + "' (FORMAT parquet)",
      nullptr, &error))
      << error;
  auto reader = ParquetReader::Open(source);
  ASSERT_TRUE(reader.ok());
  ParquetWriterOptions options;
  options.dictionary = false;
  options.byte_stream_split = true;
  auto writer = ParquetWriter::Open(split, (*reader)->fields(), options);
  ASSERT_TRUE(writer.ok());
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    auto batch = (*reader)->ReadRowGroup(g, {});
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*writer)->Write(*batch).ok());
  }
  ASSERT_TRUE((*writer)->Close().ok());
  Table want, got;
  EXPECT_FALSE(duck.Run("SELECT sum(b) FROM read_parquet('" + split + "')", &got, &error));
  ASSERT_TRUE(duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + source + "') ORDER BY a",
                       &want, &error))
      << error;
  ASSERT_TRUE(
      duck.Run("SELECT COLUMNS(*)::VARCHAR FROM cleanroom_parquet_scan('" + split + "') ORDER BY a",
               &got, &error))
      << error;
  EXPECT_EQ(DiffTables(got, want), "");
  std::filesystem::remove(source);
  std::filesystem::remove(split);
}

}  // namespace
}  // namespace cleanroom::formats
