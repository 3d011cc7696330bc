// Damaged input never crashes the reader: every single-byte change and every truncation of a
// few small files ends in a value or an error (run under ASan and UBSan too).
#include <gtest/gtest.h>

#include "base/file.h"
#include "formats/parquet_image.h"
#include "formats/parquet_reader.h"
#include "formats/tests/parquet_test_util.h"

namespace cleanroom::formats {
namespace {

// Opens, verifies and reads everything; returns the first error.
Status ReadEverything(std::string bytes) {
  CR_ASSIGN_OR_RETURN(auto reader, ParquetReader::OpenBuffer(std::move(bytes), "damaged"));
  CR_RETURN_IF_ERROR(reader->Verify(1));
  for (int g = 0; g < reader->num_row_groups(); ++g)
    CR_RETURN_IF_ERROR(reader->ReadRowGroup(g, {}).status());
  return Status::OK();
}

class CorruptionTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CorruptionTest, EveryByteFlipAndTruncationFailsCleanly) {
  auto original = ReadFileToString(testing::ParquetTestDataDir() + "/data/" + GetParam());
  ASSERT_TRUE(original.ok());
  ASSERT_TRUE(ReadEverything(*original).ok());
  int refused = 0;
  for (size_t i = 0; i < original->size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string damaged = *original;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      Status status = ReadEverything(std::move(damaged));
      if (!status.ok()) {
        ++refused;
        // Damage is reported as corruption or an unsupported feature, never as a crash or a bug.
        EXPECT_TRUE(status.code() == StatusCode::kDataLoss ||
                    status.code() == StatusCode::kUnimplemented ||
                    status.code() == StatusCode::kResourceExhausted)
            << "byte " << i << ": " << status.ToString();
      }
    }
  }
  for (size_t length = 0; length < original->size(); length += 7) {
    EXPECT_FALSE(ReadEverything(original->substr(0, length)).ok()) << length;
  }
  EXPECT_GT(refused, 0);
}

INSTANTIATE_TEST_SUITE_P(SmallFiles, CorruptionTest,
                         ::testing::Values("alltypes_plain.parquet", "datapage_v2.snappy.parquet",
                                           "nested_lists.snappy.parquet",
                                           "rle-dict-snappy-checksum.parquet",
                                           "map_no_value.parquet", "repeated_no_annotation.parquet",
                                           "page_v2_empty_compressed.parquet",
                                           "byte_array_decimal.parquet"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name;
                           for (const char* p = info.param; *p; ++p)
                             name.push_back(std::isalnum(*p) ? *p : '_');
                           return name;
                         });

}  // namespace
}  // namespace cleanroom::formats

namespace cleanroom::formats {
namespace {

// Fuzzer finds, kept as inputs (src/formats/tests/data): each must end in a Status, never in a
// read outside a buffer (the ASan build checks that); a file that opens verifies exactly when
// it reads, and when it verifies its validated image verifies too.
TEST(ParquetFuzzRegressions, VerifyReadAndImageAgree) {
  for (const char* name :
       {"fuzz_mixed_level_encodings.parquet", "fuzz_footer_map_of_booleans.parquet"}) {
    SCOPED_TRACE(name);
    std::string path = std::string(CLEANROOM_SOURCE_DIR) + "/src/formats/tests/data/" + name;
    auto reader = ParquetReader::Open(path);
    if (!reader.ok()) {
      EXPECT_EQ(reader.status().code(), StatusCode::kDataLoss) << reader.status().ToString();
      continue;
    }
    Status verified = (*reader)->Verify(1);
    Status read;
    for (int g = 0; g < (*reader)->num_row_groups() && read.ok(); ++g) {
      read = (*reader)->ReadRowGroup(g, {}).status();
    }
    EXPECT_EQ(verified.code(), read.code()) << verified.ToString() << " / " << read.ToString();
    if (!verified.ok()) continue;
    Bytes image;
    Status written = WriteUncompressedImage(**reader, 1, [&](ByteSpan part) {
      image.assign(part.begin(), part.end());
      return Status::OK();
    });
    if (!written.ok()) {
      EXPECT_EQ(written.code(), StatusCode::kDataLoss) << written.ToString();
      continue;
    }
    auto again = ParquetReader::OpenBuffer(std::string(image.begin(), image.end()), "image");
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE((*again)->Verify(1).ok());
  }
}

}  // namespace
}  // namespace cleanroom::formats
