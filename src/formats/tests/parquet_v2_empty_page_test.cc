// A DataPageV2 whose values are all NULL may carry an empty compressed section (some writers
// emit no codec frame for nothing): it is valid, reads as NULLs and is not decompressed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/bytes.h"
#include "base/file.h"
#include "formats/parquet_image.h"
#include "formats/parquet_reader.h"
#include "formats/tests/duckdb_session.h"
#include "formats/thrift_compact.h"

namespace cleanroom::formats {
namespace {

constexpr int32_t kRows = 10;

// A file of one optional INT32 column `x`: one DataPageV2 of kRows NULLs, compressed with
// `codec`, whose value section is empty (the page body is its definition levels alone) unless
// `claimed_values` says the uncompressed values take that many bytes.
std::string AllNullV2File(Codec codec, int32_t claimed_values = 0) {
  const Bytes levels = {static_cast<uint8_t>(kRows << 1), 0x00};  // RLE: kRows zeros, width 1
  ThriftWriter page;
  page.BeginStruct();
  page.FieldI32(1, 3);  // DATA_PAGE_V2
  page.FieldI32(2, static_cast<int32_t>(levels.size()) + claimed_values);
  page.FieldI32(3, static_cast<int32_t>(levels.size()));
  page.FieldHeader(8, ThriftType::kStruct);
  page.BeginStruct();
  page.FieldI32(1, kRows);  // num_values
  page.FieldI32(2, kRows);  // num_nulls
  page.FieldI32(3, kRows);  // num_rows
  page.FieldI32(4, 0);      // PLAIN
  page.FieldI32(5, static_cast<int32_t>(levels.size()));
  page.FieldI32(6, 0);
  page.FieldBool(7, true);  // is_compressed
  page.EndStruct();
  page.EndStruct();
  Bytes chunk = page.bytes();
  chunk.insert(chunk.end(), levels.begin(), levels.end());
  const auto chunk_size = static_cast<int64_t>(chunk.size());

  ThriftWriter footer;
  footer.BeginStruct();
  footer.FieldI32(1, 2);
  footer.FieldHeader(2, ThriftType::kList);
  footer.ListHeader(ThriftType::kStruct, 2);
  footer.BeginStruct();
  footer.FieldBinary(4, "schema");
  footer.FieldI32(5, 1);
  footer.EndStruct();
  footer.BeginStruct();
  footer.FieldI32(1, 1);  // INT32
  footer.FieldI32(3, 1);  // OPTIONAL
  footer.FieldBinary(4, "x");
  footer.EndStruct();
  footer.FieldI64(3, kRows);
  footer.FieldHeader(4, ThriftType::kList);
  footer.ListHeader(ThriftType::kStruct, 1);
  footer.BeginStruct();  // the row group
  footer.FieldHeader(1, ThriftType::kList);
  footer.ListHeader(ThriftType::kStruct, 1);
  footer.BeginStruct();  // the column chunk
  footer.FieldI64(2, 4);
  footer.FieldHeader(3, ThriftType::kStruct);
  footer.BeginStruct();
  footer.FieldI32(1, 1);
  footer.FieldHeader(2, ThriftType::kList);
  footer.ListHeader(ThriftType::kI32, 2);
  footer.WriteI32(0);  // PLAIN
  footer.WriteI32(3);  // RLE
  footer.FieldHeader(3, ThriftType::kList);
  footer.ListHeader(ThriftType::kBinary, 1);
  footer.WriteBinary("x");
  footer.FieldI32(4, static_cast<int32_t>(codec));
  footer.FieldI64(5, kRows);
  footer.FieldI64(6, chunk_size + claimed_values);
  footer.FieldI64(7, chunk_size);
  footer.FieldI64(9, 4);
  footer.EndStruct();
  footer.EndStruct();
  footer.FieldI64(2, chunk_size + claimed_values);
  footer.FieldI64(3, kRows);
  footer.EndStruct();
  footer.EndStruct();

  std::string file = "PAR1";
  file.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  file.append(reinterpret_cast<const char*>(footer.bytes().data()), footer.bytes().size());
  uint8_t length[4];
  PutU32LE(length, static_cast<uint32_t>(footer.bytes().size()));
  file.append(reinterpret_cast<const char*>(length), 4);
  return file + "PAR1";
}

class AllNullV2Page : public ::testing::TestWithParam<Codec> {};

TEST_P(AllNullV2Page, ReadsAsNullsAndImages) {
  auto reader = ParquetReader::OpenBuffer(AllNullV2File(GetParam()), "v2_nulls.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Status verified = (*reader)->Verify(1);
  ASSERT_TRUE(verified.ok()) << verified.ToString();
  auto batch = (*reader)->ReadRowGroup(0, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->columns.size(), 1u);
  ASSERT_EQ(batch->columns[0].length, static_cast<size_t>(kRows));
  for (size_t row = 0; row < static_cast<size_t>(kRows); ++row) {
    EXPECT_TRUE(batch->columns[0].IsNull(row));
  }
  // The image DuckDB reads: the page uncompressed, ten NULLs.
  Bytes image;
  ASSERT_TRUE(WriteUncompressedImage(**reader, 1, [&](ByteSpan bytes) {
                image.assign(bytes.begin(), bytes.end());
                return Status::OK();
              }).ok());
  std::string path = (std::filesystem::temp_directory_path() /
                      ("cleanroom_v2_nulls_" + std::to_string(::getpid()) + ".parquet"))
                         .string();
  ASSERT_TRUE(WriteFileAtomic(path, AsStringView(image)).ok());
  testing::DuckDbSession duck;
  testing::Table rows;
  std::string error;
  ASSERT_TRUE(
      duck.Run("SELECT count(*), count(x) FROM read_parquet('" + path + "')", &rows, &error))
      << error;
  EXPECT_EQ(rows, (testing::Table{{"10", "0"}}));
  std::filesystem::remove(path);
}

// An empty compressed section where the header says values follow is still refused.
TEST_P(AllNullV2Page, EmptySectionClaimingValuesIsRefused) {
  auto reader = ParquetReader::OpenBuffer(AllNullV2File(GetParam(), 4), "v2_claims.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_FALSE((*reader)->Verify(1).ok());
}

INSTANTIATE_TEST_SUITE_P(Codecs, AllNullV2Page,
                         ::testing::Values(Codec::kSnappy, Codec::kGzip, Codec::kZstd,
                                           Codec::kLz4Raw));

}  // namespace
}  // namespace cleanroom::formats
