// Images of some top-level fields (formats/parquet_image.h): the image holds those fields alone
// (its footer describes no other column), the pages of exactly those fields are validated, and
// the schema-only image describes the file with no rows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/bytes.h"
#include "base/file.h"
#include "formats/parquet_image.h"
#include "formats/parquet_reader.h"
#include "formats/tests/duckdb_session.h"
#include "formats/tests/parquet_test_util.h"

namespace cleanroom::formats {
namespace {

using testing::DuckDbSession;
using testing::Table;

Result<Bytes> ImageOf(const ParquetReader& reader, const std::vector<int>& fields) {
  CR_ASSIGN_OR_RETURN(ImagePlan plan, PlanUncompressedImage(reader, 0, fields));
  Bytes out(plan.size());
  CR_RETURN_IF_ERROR(FillUncompressedImage(reader, plan, 2, out));
  return out;
}

// The leaves of `fields`, flagged (for ParquetReader::Verify).
std::vector<bool> LeavesOf(const ParquetReader& reader, const std::vector<int>& fields) {
  std::vector<bool> leaves(reader.schema().leaves().size(), false);
  for (int f : fields) {
    for (int leaf : reader.schema().FieldLeaves(static_cast<size_t>(f))) leaves[leaf] = true;
  }
  return leaves;
}

// Every value of the given fields, row group by row group, rendered.
std::vector<std::string> Rendered(const ParquetReader& reader, const std::vector<int>& fields) {
  std::vector<std::string> cells;
  for (int g = 0; g < reader.num_row_groups(); ++g) {
    auto batch = reader.ReadRowGroup(g, fields);
    if (!batch.ok()) return {batch.status().ToString()};
    for (const ColumnVector& column : batch->columns) {
      for (size_t row = 0; row < column.length; ++row) cells.push_back(RenderValue(column, row));
    }
  }
  return cells;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("cleanroom_projection_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::vector<std::string> DataFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::ParquetTestDataDir() + "/data")) {
    if (entry.path().extension() == ".parquet") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Every valid test file of more than one field, imaged with its first field, its last, and
// both: the image's footer has those fields alone (schema, columns of every row group), it
// verifies, its values are the original's, and DuckDB sees exactly those columns.
TEST(ParquetImageProjection, HoldsOnlyItsFields) {
  DuckDbSession duck;
  int files = 0, duckdb_read = 0;
  for (const std::string& path : DataFiles()) {
    SCOPED_TRACE(path);
    auto reader = ParquetReader::Open(path);
    if (!reader.ok() || !(*reader)->Verify(1).ok() || (*reader)->fields().size() < 2) continue;
    const int last = static_cast<int>((*reader)->fields().size()) - 1;
    for (const std::vector<int>& fields : {std::vector<int>{0}, {last}, {0, last}}) {
      auto image = ImageOf(**reader, fields);
      ASSERT_TRUE(image.ok()) << image.status().ToString();
      auto reread = ParquetReader::OpenBuffer(std::string(AsStringView(*image)), "image");
      ASSERT_TRUE(reread.ok()) << reread.status().ToString();
      ASSERT_EQ((*reread)->fields().size(), fields.size());
      size_t leaves = 0;
      for (size_t i = 0; i < fields.size(); ++i) {
        EXPECT_EQ((*reread)->fields()[i].name, (*reader)->fields()[fields[i]].name);
        leaves += (*reader)->schema().FieldLeaves(static_cast<size_t>(fields[i])).size();
      }
      for (const RowGroup& group : (*reread)->metadata().row_groups) {
        EXPECT_EQ(group.columns.size(), leaves);
      }
      EXPECT_TRUE((*reread)->Verify(1).ok());
      EXPECT_EQ(Rendered(**reread, {}), Rendered(**reader, fields));
      std::string image_path = TempPath(std::filesystem::path(path).filename().string());
      ASSERT_TRUE(WriteFileAtomic(image_path, AsStringView(*image)).ok());
      Table columns;
      std::string error;
      if (duck.Run(
              "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('" + image_path + "'))",
              &columns, &error)) {
        EXPECT_EQ(columns.size(), fields.size());
        ++duckdb_read;
      }
      std::filesystem::remove(image_path);
    }
    ++files;
  }
  EXPECT_GE(files, 20);
  EXPECT_GE(duckdb_read, 60);
}

// What an image holds is what is validated: a corrupt page of a field left out does not stop
// the image of another, and one of a field it holds stops it exactly as verification of that
// field does (the fuzzer's property, per field).
TEST(ParquetImageProjection, ValidatesExactlyWhatItHolds) {
  auto contents =
      ReadFileToString(testing::ParquetTestDataDir() + "/data/rle-dict-snappy-checksum.parquet");
  ASSERT_TRUE(contents.ok());
  std::string bytes = *contents;
  auto clean = ParquetReader::OpenBuffer(bytes, "clean");
  ASSERT_TRUE(clean.ok());
  ASSERT_EQ((*clean)->fields().size(), 2u);
  const ColumnMetaData& meta = *(*clean)->metadata().row_groups[0].columns[0].meta_data;
  // The middle of the chunk, which begins at its dictionary page when it has one.
  int64_t start = meta.dictionary_page_offset.value_or(meta.data_page_offset);
  size_t inside = static_cast<size_t>(start + meta.total_compressed_size / 2);
  bytes[inside] = static_cast<char>(bytes[inside] ^ 0x5a);
  auto reader = ParquetReader::OpenBuffer(bytes, "corrupt.parquet");
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->Verify(1).code(), StatusCode::kDataLoss);

  std::vector<bool> second = LeavesOf(**reader, {1});
  Status second_verified = (*reader)->Verify(1, &second);
  EXPECT_TRUE(second_verified.ok()) << second_verified.ToString();
  auto image = ImageOf(**reader, {1});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(Rendered(**reader, {1}), Rendered(**clean, {1}));

  std::vector<bool> first = LeavesOf(**reader, {0});
  Status verified = (*reader)->Verify(1, &first);
  ASSERT_EQ(verified.code(), StatusCode::kDataLoss);
  for (const std::vector<int>& fields : {std::vector<int>{0}, std::vector<int>{0, 1}}) {
    auto refused = ImageOf(**reader, fields);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().ToString(), verified.ToString());
  }
  EXPECT_EQ(PlanUncompressedImage(**reader, 0, {1, 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanUncompressedImage(**reader, 0, {2}).status().code(), StatusCode::kInvalidArgument);
}

// The schema-only image: the columns and types DuckDB reads from the file, and no row.
TEST(ParquetImageProjection, SchemaOnlyImageHasTheColumnsAndNoRows) {
  DuckDbSession duck;
  int compared = 0;
  for (const std::string& path : DataFiles()) {
    SCOPED_TRACE(path);
    auto reader = ParquetReader::Open(path);
    if (!reader.ok()) continue;
    auto schema = SchemaOnlyImage(**reader);
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    auto reread = ParquetReader::OpenBuffer(std::string(AsStringView(*schema)), "schema");
    ASSERT_TRUE(reread.ok()) << reread.status().ToString();
    EXPECT_EQ((*reread)->num_row_groups(), 0);
    EXPECT_EQ((*reread)->num_rows(), 0);
    ASSERT_EQ((*reread)->fields().size(), (*reader)->fields().size());
    std::string schema_path = TempPath("schema_" + std::filesystem::path(path).filename().string());
    ASSERT_TRUE(WriteFileAtomic(schema_path, AsStringView(*schema)).ok());
    Table want, got, rows;
    std::string error;
    auto describe = [](const std::string& p) {
      return "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('" + p +
             "'))";
    };
    if (duck.Run(describe(path), &want, &error)) {
      ASSERT_TRUE(duck.Run(describe(schema_path), &got, &error)) << error;
      EXPECT_EQ(got, want);
      ASSERT_TRUE(
          duck.Run("SELECT count(*) FROM read_parquet('" + schema_path + "')", &rows, &error));
      EXPECT_EQ(rows, (Table{{"0"}}));
      ++compared;
    }
    std::filesystem::remove(schema_path);
  }
  EXPECT_GE(compared, 35);
}

}  // namespace
}  // namespace cleanroom::formats
