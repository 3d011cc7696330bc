// The validated, uncompressed image of a Parquet file (formats/parquet_image.h): every test file
// either fails exactly as verification does, or gives an image that our reader and DuckDB read
// with the original's contents.
#include "formats/parquet_image.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/bytes.h"
#include "base/file.h"
#include "formats/parquet_reader.h"
#include "formats/parquet_writer.h"
#include "formats/tests/duckdb_session.h"
#include "formats/tests/parquet_test_util.h"

namespace cleanroom::formats {
namespace {

using testing::DiffTables;
using testing::DuckDbSession;
using testing::Table;

// DuckDB quotes strings inside nested values; our renderer does not.
Table Unquote(Table t) {
  for (auto& row : t) {
    for (auto& cell : row) {
      cell.erase(
          std::remove_if(cell.begin(), cell.end(), [](char c) { return c == '\'' || c == '"'; }),
          cell.end());
    }
  }
  return t;
}

Result<Bytes> Image(const ParquetReader& reader, size_t threads) {
  Bytes out;
  CR_RETURN_IF_ERROR(WriteUncompressedImage(reader, threads, [&](ByteSpan part) {
    out.insert(out.end(), part.begin(), part.end());
    return Status::OK();
  }));
  return out;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("cleanroom_image_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::vector<std::string> ParquetFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".parquet") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Every file of parquet-testing's data/: the image fails where verification fails, with the
// same code; otherwise it is UNCOMPRESSED throughout, verifies, and reads back the original's
// rows through our reader and through DuckDB (which also reads images of files whose codec it
// refuses, such as Hadoop-framed LZ4).
TEST(ParquetImage, EveryTestFileReadsAsTheOriginal) {
  DuckDbSession duck;
  int imaged = 0, duckdb_compared = 0, duckdb_only_on_image = 0;
  for (const std::string& path : ParquetFiles(testing::ParquetTestDataDir() + "/data")) {
    std::string file = std::filesystem::path(path).filename().string();
    SCOPED_TRACE(file);
    auto reader = ParquetReader::Open(path);
    if (!reader.ok()) continue;  // the footer is refused: nothing to image
    Status verified = (*reader)->Verify(2);
    Result<Bytes> image = Image(**reader, 2);
    if (!verified.ok()) {
      ASSERT_FALSE(image.ok());
      EXPECT_EQ(image.status().code(), verified.code()) << image.status().ToString();
      continue;
    }
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    ++imaged;
    std::string image_path = TempPath(file);
    ASSERT_TRUE(WriteFileAtomic(image_path, AsStringView(*image)).ok());
    auto reread = ParquetReader::Open(image_path);
    ASSERT_TRUE(reread.ok()) << reread.status().ToString();
    ASSERT_TRUE((*reread)->Verify(1).ok());
    for (const RowGroup& group : (*reread)->metadata().row_groups) {
      for (const ColumnChunk& chunk : group.columns) {
        ASSERT_TRUE(chunk.meta_data.has_value());
        EXPECT_EQ(chunk.meta_data->codec, Codec::kUncompressed);
      }
    }
    auto want = testing::ReadAllRendered(path);
    auto got = testing::ReadAllRendered(image_path);
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_EQ(DiffTables(*got, *want), "");

    Table duck_original, duck_image;
    std::string error;
    bool original_read = duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + path + "')",
                                  &duck_original, &error);
    bool image_read = duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + image_path + "')",
                               &duck_image, &error);
    if (original_read) {
      EXPECT_TRUE(image_read) << error;
      EXPECT_EQ(DiffTables(duck_image, duck_original), "");
      ++duckdb_compared;
    } else if (image_read) {
      EXPECT_EQ(DiffTables(Unquote(*want), Unquote(duck_image)), "");
      ++duckdb_only_on_image;
    }
    std::filesystem::remove(image_path);
  }
  std::printf("imaged %d files; DuckDB read %d originals and their images, %d images only\n",
              imaged, duckdb_compared, duckdb_only_on_image);
  EXPECT_GE(imaged, 35);
  EXPECT_GE(duckdb_compared, 30);
  EXPECT_GE(duckdb_only_on_image, 2);  // the LZ4 files
}

// BYTE_STREAM_SPLIT on every type that allows it (DuckDB refuses it on integers and
// FIXED_LEN_BYTE_ARRAY): the image holds the values PLAIN, and DuckDB reads it with our rows.
TEST(ParquetImage, ByteStreamSplitBecomesPlain) {
  DuckDbSession duck;
  std::string plain = TempPath("bss_source.parquet"), split = TempPath("bss.parquet");
  std::string error;
  ASSERT_TRUE(
      duck.Run("COPY (SELECT i::INTEGER AS a, i * 1000003 AS b, (i * 7)::DECIMAL(12,2) AS d, "
               "CASE WHEN i % 9 = 0 THEN NULL ELSE i * 0.25 END AS e, (i / 3)::FLOAT AS f, "
               "(i * 11)::DECIMAL(30,3) AS g FROM range(7000) r(i)) TO '" +
                   plain + "' (FORMAT parquet, ROW_GROUP_SIZE 3000)",
               nullptr, &error))
      << error;
  {
    auto reader = ParquetReader::Open(plain);
    ASSERT_TRUE(reader.ok());
    ParquetWriterOptions options;
    options.dictionary = false;
    options.byte_stream_split = true;
    options.page_rows = 1000;
    auto writer = ParquetWriter::Open(split, (*reader)->fields(), options);
    ASSERT_TRUE(writer.ok());
    for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
      auto batch = (*reader)->ReadRowGroup(g, {});
      ASSERT_TRUE(batch.ok());
      ASSERT_TRUE((*writer)->Write(*batch).ok());
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }
  Table refused;
  EXPECT_FALSE(duck.Run("SELECT * FROM read_parquet('" + split + "')", &refused, &error));
  auto reader = ParquetReader::Open(split);
  ASSERT_TRUE(reader.ok());
  int split_chunks = 0;
  for (const ColumnChunk& chunk : (*reader)->metadata().row_groups[0].columns) {
    for (Encoding e : chunk.meta_data->encodings) split_chunks += e == Encoding::kByteStreamSplit;
  }
  ASSERT_GE(split_chunks, 5);
  auto image = Image(**reader, 2);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  std::string image_path = TempPath("bss_image.parquet");
  ASSERT_TRUE(WriteFileAtomic(image_path, AsStringView(*image)).ok());
  auto reread = ParquetReader::Open(image_path);
  ASSERT_TRUE(reread.ok());
  for (const RowGroup& group : (*reread)->metadata().row_groups) {
    for (const ColumnChunk& chunk : group.columns) {
      for (Encoding e : chunk.meta_data->encodings) EXPECT_NE(e, Encoding::kByteStreamSplit);
    }
  }
  Table want, got;
  ASSERT_TRUE(duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + plain + "') ORDER BY a",
                       &want, &error))
      << error;
  ASSERT_TRUE(
      duck.Run("SELECT COLUMNS(*)::VARCHAR FROM read_parquet('" + image_path + "') ORDER BY a",
               &got, &error))
      << error;
  EXPECT_EQ(DiffTables(got, want), "");
  auto ours = testing::ReadAllRendered(split);
  auto ours_image = testing::ReadAllRendered(image_path);
  ASSERT_TRUE(ours.ok() && ours_image.ok());
  EXPECT_EQ(DiffTables(*ours_image, *ours), "");
  for (const std::string& p : {plain, split, image_path}) std::filesystem::remove(p);
}

// Files that are malformed or corrupt give no image: the same DataLoss as verification, and
// nothing is written after the failure.
TEST(ParquetImage, BadFilesGiveNoImage) {
  int refused = 0;
  for (const std::string& path : ParquetFiles(testing::ParquetTestDataDir() + "/bad_data")) {
    SCOPED_TRACE(path);
    auto reader = ParquetReader::Open(path);
    if (!reader.ok()) {
      ++refused;
      continue;
    }
    Status verified = (*reader)->Verify(1);
    if (verified.ok()) continue;
    Result<Bytes> image = Image(**reader, 1);
    ASSERT_FALSE(image.ok());
    EXPECT_EQ(image.status().ToString(), verified.ToString());
    ++refused;
  }
  EXPECT_GE(refused, 3);
}

// A flipped byte inside a page of a file with page CRCs: the image fails naming the page and
// none of it is handed out.
TEST(ParquetImage, CorruptPageStopsTheImage) {
  auto corrupt = testing::CorruptChecksumFile();
  ASSERT_TRUE(corrupt.ok()) << corrupt.status().ToString();
  std::string bytes = *corrupt;
  auto reader = ParquetReader::OpenBuffer(bytes, "corrupt.parquet");
  ASSERT_TRUE(reader.ok());
  size_t written = 0;
  bool footer_written = false;
  Status status = WriteUncompressedImage(**reader, 2, [&](ByteSpan part) {
    written += part.size();
    footer_written =
        footer_written || (part.size() == 8 && std::memcmp(part.data() + 4, "PAR1", 4) == 0);
    return Status::OK();
  });
  ASSERT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
  EXPECT_NE(status.message().find("row group 0"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("page"), std::string::npos) << status.ToString();
  EXPECT_EQ(written, 0u);  // nothing of an image that failed
  EXPECT_FALSE(footer_written);
}

// A write failure ends the image with that failure.
TEST(ParquetImage, WriteFailureIsReturned) {
  auto reader = ParquetReader::Open(testing::ParquetTestDataDir() + "/data/alltypes_plain.parquet");
  ASSERT_TRUE(reader.ok());
  int calls = 0;
  Status status = WriteUncompressedImage(**reader, 1, [&](ByteSpan) {
    ++calls;
    return Status::ResourceExhausted("disk full");
  });
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace cleanroom::formats
