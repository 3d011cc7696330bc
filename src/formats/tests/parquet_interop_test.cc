// Interoperability with DuckDB: files DuckDB writes (each codec, each type) read identically
// by our reader, and files our writer writes read identically by DuckDB.
#include <gtest/gtest.h>

#include <filesystem>

#include "formats/parquet_reader.h"
#include "formats/parquet_writer.h"
#include "formats/tests/duckdb_session.h"
#include "formats/tests/parquet_test_util.h"

namespace cleanroom::formats {
namespace {

using testing::DiffTables;
using testing::DuckDbSession;
using testing::ReadAllRendered;
using testing::Table;

// Deterministic rows of every type DuckDB writes, with NULLs, several row groups.
const char* kTypesQuery = R"(
  SELECT (i % 100)::TINYINT AS t8, (i * 3 % 30000)::SMALLINT AS t16, (i * 1000)::INTEGER AS t32,
         (i * 1000000007)::BIGINT AS t64, (i / 3)::FLOAT AS f32, (i / 7)::DOUBLE AS f64,
         (i * 1.25)::DECIMAL(9,2) AS d9, (i * 1.2345)::DECIMAL(18,4) AS d18,
         (i * 12345678901.25)::DECIMAL(38,6) AS d38,
         CASE WHEN i % 7 = 0 THEN NULL ELSE 'text' || (i % 13) END AS s,
         ('bytes' || i)::BLOB AS b, DATE '2020-01-01' + i::INTEGER AS dt,
         TIMESTAMP '2020-01-01 00:00:00' + i * INTERVAL 1001 MILLISECOND AS ts,
         i % 2 = 0 AS flag, (i % 200)::UTINYINT AS u8, (i % 60000)::USMALLINT AS u16,
         (i * 100000)::UINTEGER AS u32, (i * 10000000000)::UBIGINT AS u64,
         CASE WHEN i % 5 = 0 THEN NULL ELSE [i, i + 1, NULL] END AS li,
         {'a': i, 'b': 'x' || (i % 3)} AS st,
         MAP([i, i + 1], ['v' || i, NULL]) AS mp,
         CASE WHEN i % 11 = 0 THEN NULL ELSE [[i], []] END AS nested
  FROM range(0, 3000) r(i))";

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("cleanroom_parquet_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

// Strips the quotes some DuckDB versions put around strings inside nested values.
Table Unquote(Table t) {
  for (auto& row : t) {
    for (auto& cell : row) {
      std::string out;
      for (char c : cell) {
        if (c != '\'' && c != '"') out.push_back(c);
      }
      cell = out;
    }
  }
  return t;
}

class DuckDbWritesTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DuckDbWritesTest, OurReaderReadsWhatDuckDbWrote) {
  DuckDbSession duck;
  std::string path = TempPath(std::string("duck_") + GetParam() + ".parquet");
  std::string error;
  ASSERT_TRUE(duck.Run(std::string("COPY (") + kTypesQuery + ") TO '" + path +
                           "' (FORMAT parquet, COMPRESSION " + GetParam() +
                           ", ROW_GROUP_SIZE 1000)",
                       nullptr, &error))
      << error;
  Table want;
  ASSERT_TRUE(
      duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + path + "')", &want, &error))
      << error;
  auto reader = ParquetReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->Verify(2).ok());
  EXPECT_GE((*reader)->num_row_groups(), 2);
  auto got = ReadAllRendered(path);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(DiffTables(Unquote(*got), Unquote(want)), "");
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Codecs, DuckDbWritesTest,
                         ::testing::Values("uncompressed", "snappy", "gzip", "zstd", "lz4_raw",
                                           "brotli"));

// Projection: one field read alone equals the same field read with all the others.
TEST(DuckDbInterop, ProjectionReadsTheSameValues) {
  DuckDbSession duck;
  std::string path = TempPath("projection.parquet");
  std::string error;
  ASSERT_TRUE(duck.Run(std::string("COPY (") + kTypesQuery + ") TO '" + path + "' (FORMAT parquet)",
                       nullptr, &error))
      << error;
  auto reader = ParquetReader::Open(path);
  ASSERT_TRUE(reader.ok());
  auto all = (*reader)->ReadRowGroup(0, {});
  auto some = (*reader)->ReadRowGroup(0, {18, 9});
  ASSERT_TRUE(all.ok() && some.ok());
  ASSERT_EQ(some->columns.size(), 2u);
  EXPECT_EQ(some->fields[0].name, "li");
  for (size_t r = 0; r < all->num_rows; ++r) {
    EXPECT_EQ(RenderValue(some->columns[0], r), RenderValue(all->columns[18], r));
    EXPECT_EQ(RenderValue(some->columns[1], r), RenderValue(all->columns[9], r));
  }
  std::filesystem::remove(path);
}

class OurWriterTest : public ::testing::TestWithParam<Codec> {};

// Writes the rows of `select` through DuckDB to `source`, copies them with our reader and our
// writer to `ours`, and checks that DuckDB reads `ours` like `source` (values and column
// types) and that our reader verifies it and reads the same values.
void ExpectOurCopyReadsTheSame(DuckDbSession& duck, const std::string& select,
                               const std::string& source, const std::string& ours,
                               const ParquetWriterOptions& options) {
  std::string error;
  ASSERT_TRUE(
      duck.Run("COPY (" + select + ") TO '" + source + "' (FORMAT parquet)", nullptr, &error))
      << error;
  auto reader = ParquetReader::Open(source);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto writer = ParquetWriter::Open(ours, (*reader)->fields(), options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    auto batch = (*reader)->ReadRowGroup(g, {});
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    Status written = (*writer)->Write(*batch);
    ASSERT_TRUE(written.ok()) << written.ToString();
  }
  ASSERT_TRUE((*writer)->Close().ok());

  Table want, got, diff;
  ASSERT_TRUE(
      duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + source + "')", &want, &error))
      << error;
  ASSERT_TRUE(
      duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + ours + "')", &got, &error))
      << error;
  ASSERT_GT(want.size(), 1000u);
  EXPECT_EQ(DiffTables(got, want), "");
  ASSERT_TRUE(duck.Run(
      "SELECT (SELECT list(column_type) FROM (DESCRIBE SELECT * FROM read_parquet('" + ours +
          "'))) = (SELECT list(column_type) FROM (DESCRIBE SELECT * FROM read_parquet('" + source +
          "')))",
      &diff, &error))
      << error;
  EXPECT_EQ(diff[0][0], "true");
  auto back = ParquetReader::Open(ours);
  ASSERT_TRUE(back.ok());
  Status verified = (*back)->Verify(2);
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  auto ours_table = ReadAllRendered(ours);
  ASSERT_TRUE(ours_table.ok()) << ours_table.status().ToString();
  EXPECT_EQ(DiffTables(Unquote(*ours_table), Unquote(want)), "");
}

// Our writer's output, read by DuckDB and by our reader, equals the source rows.
TEST_P(OurWriterTest, DuckDbReadsWhatWeWrote) {
  DuckDbSession duck;
  std::string source = TempPath("writer_source.parquet");
  std::string ours = TempPath(std::string("writer_") + CodecName(GetParam()) + ".parquet");
  // The flat columns; unsigned types become wider signed ones.
  const std::string flat =
      std::string("SELECT t8, t16, t32, t64, f32, f64, d9, d18, d38, s, b, dt, ts, flag FROM (") +
      kTypesQuery + ")";
  ParquetWriterOptions options;
  options.codec = GetParam();
  options.row_group_rows = 1200;
  options.page_rows = 500;
  ExpectOurCopyReadsTheSame(duck, flat, source, ours, options);
  // Statistics written: DuckDB sees the min and max.
  Table stats;
  std::string error;
  ASSERT_TRUE(duck.Run("SELECT stats_min_value, stats_max_value FROM parquet_metadata('" + ours +
                           "') WHERE path_in_schema = 't32' LIMIT 1",
                       &stats, &error))
      << error;
  EXPECT_EQ(stats[0][0], "0");
  std::filesystem::remove(source);
  std::filesystem::remove(ours);
}

INSTANTIATE_TEST_SUITE_P(Codecs, OurWriterTest,
                         ::testing::Values(Codec::kZstd, Codec::kSnappy, Codec::kUncompressed),
                         [](const ::testing::TestParamInfo<Codec>& info) {
                           return std::string(CodecName(info.param));
                         });

// Nested columns (LIST, STRUCT, MAP, nested to three levels, with NULLs and empty lists at
// every level) written by our writer read back identically by DuckDB and by our reader.
TEST_P(OurWriterTest, NestedColumnsRoundTrip) {
  DuckDbSession duck;
  std::string source = TempPath("nested_source.parquet");
  std::string ours = TempPath(std::string("nested_") + CodecName(GetParam()) + ".parquet");
  const std::string nested =
      std::string(
          "SELECT t32, li, st, mp, nested, "
          "CASE WHEN t32 % 4000 = 0 THEN NULL ELSE {'x': [t32, NULL], 'y': {'z': s}} "
          "END AS deep, "
          "CASE WHEN t32 % 6000 = 0 THEN NULL WHEN t32 % 6000 = 1000 THEN [] "
          "ELSE [{'k': t32, 'm': MAP(['a', 'b'], [t64, NULL])}, NULL] END AS lst, "
          "CASE WHEN t32 % 3000 = 0 THEN MAP([], [])::MAP(VARCHAR, VARCHAR[]) "
          "ELSE MAP([coalesce(s, 'none') || '!'], [[s]]) END AS mlist FROM (") +
      kTypesQuery + ") WHERE s IS NOT NULL OR t32 % 2000 = 0";
  ParquetWriterOptions options;
  options.codec = GetParam();
  options.row_group_rows = 1000;
  options.page_rows = 300;
  ExpectOurCopyReadsTheSame(duck, nested, source, ours, options);
  std::filesystem::remove(source);
  std::filesystem::remove(ours);
}

// A NULL map key cannot be written (Parquet map keys are REQUIRED): InvalidArgument.
TEST(OurWriter, NullMapKeyIsRefused) {
  ColumnVector keys{sql::DataType::Of(sql::TypeId::kInt), 1, {0}, Bytes(4, 0), {}, {}};
  ColumnVector values{sql::DataType::Of(sql::TypeId::kInt), 1, {}, Bytes(4, 0), {}, {}};
  sql::DataType map_type = sql::DataType::Map(keys.type, values.type);
  ColumnVector map{map_type, 1, {}, {}, {0, 1}, {keys, values}};
  std::string path = TempPath("null_key.parquet");
  auto writer = ParquetWriter::Open(path, {Field{"m", map_type}});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  RecordBatch batch{1, {Field{"m", map_type}}, {map}};
  Status written = (*writer)->Write(batch);
  EXPECT_EQ(written.code(), StatusCode::kInvalidArgument) << written.ToString();
  EXPECT_FALSE(std::filesystem::exists(path));
}

// DuckDB as an oracle on the parquet-testing files both can read.
TEST(DuckDbInterop, TestFilesReadLikeDuckDbReadsThem) {
  DuckDbSession duck;
  const std::string dir = testing::ParquetTestDataDir() + "/data/";
  int compared = 0;
  for (const char* file :
       {"alltypes_tiny_pages_plain.parquet", "binary.parquet", "binary_truncated_min_max.parquet",
        "byte_stream_split.zstd.parquet", "concatenated_gzip_members.parquet",
        "data_index_bloom_encoding_stats.parquet", "datapage_v1-uncompressed-checksum.parquet",
        "dict-page-offset-zero.parquet", "fixed_length_byte_array.parquet",
        "lz4_raw_compressed.parquet", "nan_in_stats.parquet", "nested_structs.rust.parquet",
        "nonnullable.impala.parquet", "overflow_i16_page_cnt.parquet",
        "rle-dict-snappy-checksum.parquet", "sort_columns.parquet", "unknown-logical-type.parquet",
        "float16_nonzeros_and_nans.parquet", "floating_orders_nan_count.parquet"}) {
    SCOPED_TRACE(file);
    Table want;
    std::string error;
    if (!duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + dir + file + "')", &want,
                  &error))
      continue;
    auto got = ReadAllRendered(dir + file);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(DiffTables(Unquote(*got), Unquote(want)), "");
    ++compared;
  }
  EXPECT_GE(compared, 15);
}

}  // namespace
}  // namespace cleanroom::formats
