// In-place images (formats/parquet_image.h, PlanInPlaceImage): the compressed pages of the held
// fields at their file offsets, under a footer describing those fields alone. The image is
// validated as a Parquet file of its own: it must verify exactly when the original's held
// fields do, read in DuckDB as the original does, and hold no byte of a field it leaves out.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "base/bytes.h"
#include "base/file.h"
#include "formats/parquet_image.h"
#include "formats/parquet_reader.h"
#include "formats/tests/duckdb_session.h"
#include "formats/tests/parquet_test_util.h"

namespace cleanroom::formats {
namespace {

using testing::DiffTables;
using testing::DuckDbSession;
using testing::Table;

Result<Bytes> InPlaceImage(const ParquetReader& reader, const std::vector<int>& fields,
                           double uncompressed_ratio = 0, ImagePlan* planned = nullptr) {
  CR_ASSIGN_OR_RETURN(ImagePlan plan, PlanInPlaceImage(reader, fields, uncompressed_ratio));
  Bytes out(plan.size(), 0);
  CR_RETURN_IF_ERROR(WriteInPlaceImage(reader, plan, [&](uint64_t offset, ByteSpan bytes) {
    if (offset > out.size() || bytes.size() > out.size() - offset) {
      return Status::Internal("write past the planned size");
    }
    std::memcpy(out.data() + offset, bytes.data(), bytes.size());
    return Status::OK();
  }));
  if (planned != nullptr) *planned = std::move(plan);
  return out;
}

std::vector<bool> LeavesOf(const ParquetReader& reader, const std::vector<int>& fields) {
  std::vector<bool> leaves(reader.schema().leaves().size(), fields.empty());
  for (int f : fields) {
    for (int leaf : reader.schema().FieldLeaves(static_cast<size_t>(f))) leaves[leaf] = true;
  }
  return leaves;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("cleanroom_in_place_" + std::to_string(::getpid()) + "_" + name))
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

// Every file of parquet-testing's data/ and bad_data/, whole and its first field alone, with
// every leaf in place, every leaf uncompressed (validated as written) and the ratio's mix: an
// image that is written verifies exactly when the original's held fields verify (same code),
// keeps the original's codecs for the leaves in place, and DuckDB reads it as the original.
class ParquetInPlaceImageRatio : public ::testing::TestWithParam<double> {};

TEST_P(ParquetInPlaceImageRatio, VerifiesExactlyAsTheOriginalAndReadsTheSame) {
  const double ratio = GetParam();
  DuckDbSession duck;
  int imaged = 0, refused = 0, not_in_place = 0, duckdb_compared = 0;
  std::vector<std::string> files = ParquetFiles(testing::ParquetTestDataDir() + "/data");
  for (const std::string& bad : ParquetFiles(testing::ParquetTestDataDir() + "/bad_data")) {
    files.push_back(bad);
  }
  for (const std::string& path : files) {
    auto reader = ParquetReader::Open(path);
    if (!reader.ok()) continue;
    for (const std::vector<int>& fields : {std::vector<int>{}, std::vector<int>{0}}) {
      if (!fields.empty() && (*reader)->fields().size() < 2) continue;
      SCOPED_TRACE(path + (fields.empty() ? " (whole)" : " (first field)"));
      std::vector<bool> leaves = LeavesOf(**reader, fields);
      Status verified = (*reader)->Verify(1, &leaves);
      ImagePlan plan;
      Result<Bytes> image = InPlaceImage(**reader, fields, ratio, &plan);
      if (image.status().code() == StatusCode::kUnimplemented) {
        ++not_in_place;
        continue;
      }
      // The plan met a malformed page header, or a leaf imaged uncompressed failed as written:
      // so did verification.
      if (!image.ok()) {
        EXPECT_FALSE(verified.ok());
        EXPECT_EQ(image.status().code(), verified.code()) << image.status().ToString();
        ++refused;
        continue;
      }
      auto opened = ParquetReader::OpenBuffer(std::string(image->begin(), image->end()), "image");
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      Status image_verified = (*opened)->Verify(1);
      EXPECT_EQ(image_verified.code(), verified.code())
          << image_verified.ToString() << " / " << verified.ToString();
      if (!image_verified.ok()) {
        ++refused;
        continue;
      }
      ++imaged;
      // Codecs of the leaves in place are the original's (DuckDB decompresses those pages);
      // the others are UNCOMPRESSED.
      const std::vector<bool> in_place = plan.ImageLeavesInPlace();
      size_t g = 0;
      for (const RowGroup& group : (*opened)->metadata().row_groups) {
        size_t k = 0;
        for (size_t c = 0; c < leaves.size(); ++c) {
          if (!leaves[c]) continue;
          const bool as_stored = in_place[k];
          EXPECT_EQ(group.columns[k++].meta_data->codec,
                    as_stored ? (*reader)->metadata().row_groups[g].columns[c].meta_data->codec
                              : Codec::kUncompressed);
        }
        ++g;
      }
      std::string image_path = TempPath(std::filesystem::path(path).filename().string());
      ASSERT_TRUE(WriteFileAtomic(image_path, AsStringView(*image)).ok());
      std::string columns = "COLUMNS(*)::VARCHAR";
      if (!fields.empty()) {
        columns = "\"" + (*reader)->fields()[0].name + "\"::VARCHAR";
      }
      Table duck_original, duck_image;
      std::string error;
      if (duck.Run("SELECT " + columns + " FROM read_parquet('" + path + "')", &duck_original,
                   &error)) {
        EXPECT_TRUE(duck.Run("SELECT " + columns + " FROM read_parquet('" + image_path + "')",
                             &duck_image, &error))
            << error;
        EXPECT_EQ(DiffTables(duck_image, duck_original), "");
        ++duckdb_compared;
      }
      std::filesystem::remove(image_path);
    }
  }
  std::printf("in place: %d images, %d refused, %d not in place, %d compared in DuckDB\n", imaged,
              refused, not_in_place, duckdb_compared);
  EXPECT_GE(imaged, 40);
  EXPECT_GE(duckdb_compared, 35);
  EXPECT_GE(refused, 2);
  // Hadoop LZ4, BYTE_STREAM_SPLIT: not in place, unless their leaves are imaged uncompressed.
  if (ratio == 0) EXPECT_GE(not_in_place, 2);
  if (ratio > 1e6) EXPECT_EQ(not_in_place, 0);
}

INSTANTIATE_TEST_SUITE_P(AllMixedOrNone, ParquetInPlaceImageRatio,
                         ::testing::Values(0.0, 1.5, 1e9));

// An image of one field: its footer names that field alone, and not a byte of another field's
// chunks is in it (those ranges are zero), so no reader of it can reach them.
TEST(ParquetInPlaceImage, HoldsNoByteOfAnotherField) {
  DuckDbSession duck;
  std::string path = TempPath("two_fields.parquet");
  std::string error;
  ASSERT_TRUE(
      duck.Run("COPY (SELECT i AS a, 'secret-' || (i * 7919 % 1000) AS b FROM range(20000) "
               "r(i)) TO '" +
                   path + "' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 5000)",
               nullptr, &error))
      << error;
  auto reader = ParquetReader::Open(path);
  ASSERT_TRUE(reader.ok());
  auto image = InPlaceImage(**reader, {0});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  // The image's footer follows the last chunk it holds, and may lie where b was in the file.
  const size_t footer_start = image->size() - 8 - GetU32LE(image->data() + image->size() - 8);
  int64_t checked = 0;
  for (const RowGroup& group : (*reader)->metadata().row_groups) {
    const ColumnMetaData& b = *group.columns[1].meta_data;
    int64_t start = b.dictionary_page_offset.value_or(b.data_page_offset);
    start = std::min(start, b.data_page_offset);
    for (int64_t i = start; i < start + b.total_compressed_size; ++i) {
      if (static_cast<size_t>(i) >= footer_start) break;
      ASSERT_EQ((*image)[static_cast<size_t>(i)], 0) << "byte " << i << " of field b";
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
  auto opened = ParquetReader::OpenBuffer(std::string(image->begin(), image->end()), "image");
  ASSERT_TRUE(opened.ok());
  ASSERT_EQ((*opened)->fields().size(), 1u);
  EXPECT_EQ((*opened)->fields()[0].name, "a");
  EXPECT_TRUE((*opened)->Verify(1).ok());
  std::string image_path = TempPath("two_fields_image.parquet");
  ASSERT_TRUE(WriteFileAtomic(image_path, AsStringView(*image)).ok());
  Table rows;
  EXPECT_FALSE(duck.Run("SELECT b FROM read_parquet('" + image_path + "')", &rows, &error));
  ASSERT_TRUE(
      duck.Run("SELECT sum(a)::VARCHAR FROM read_parquet('" + image_path + "')", &rows, &error))
      << error;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "199990000");
  std::filesystem::remove(path);
  std::filesystem::remove(image_path);
}

// A flipped byte in a page of a held field: the image fails validation naming the page; in a
// field the image leaves out, it is not in the image and the image verifies.
TEST(ParquetInPlaceImage, CorruptPageFailsOnlyWhenHeld) {
  auto corrupt = testing::CorruptChecksumFile();
  ASSERT_TRUE(corrupt.ok()) << corrupt.status().ToString();
  std::string bytes = *corrupt;
  auto reader = ParquetReader::OpenBuffer(bytes, "corrupt.parquet");
  ASSERT_TRUE(reader.ok());
  std::vector<bool> first = LeavesOf(**reader, {0}), second = LeavesOf(**reader, {1});
  ASSERT_EQ((*reader)->Verify(1, &first).code(), StatusCode::kDataLoss);
  ASSERT_TRUE((*reader)->Verify(1, &second).ok());
  auto held = InPlaceImage(**reader, {0});
  ASSERT_TRUE(held.ok()) << held.status().ToString();  // the plan reads headers only
  auto opened = ParquetReader::OpenBuffer(std::string(held->begin(), held->end()), "image");
  ASSERT_TRUE(opened.ok());
  Status status = (*opened)->Verify(1);
  ASSERT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
  EXPECT_NE(status.message().find("row group 0"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("page"), std::string::npos) << status.ToString();
  auto other = InPlaceImage(**reader, {1});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto other_opened = ParquetReader::OpenBuffer(std::string(other->begin(), other->end()), "image");
  ASSERT_TRUE(other_opened.ok());
  EXPECT_TRUE((*other_opened)->Verify(1).ok());
}

// Leaves imaged uncompressed are validated as they are written: a corrupt page of a held field
// stops the image there (DataLoss naming row group and page), while an image of the other field
// is written and holds no decompressed copy of a field in place.
TEST(ParquetInPlaceImage, UncompressedLeavesAreValidatedAsWritten) {
  auto corrupt = testing::CorruptChecksumFile();
  ASSERT_TRUE(corrupt.ok()) << corrupt.status().ToString();
  std::string bytes = *corrupt;
  auto reader = ParquetReader::OpenBuffer(bytes, "corrupt.parquet");
  ASSERT_TRUE(reader.ok());
  ImagePlan plan;
  auto held = InPlaceImage(**reader, {0}, 1e9, &plan);
  ASSERT_EQ(held.status().code(), StatusCode::kDataLoss) << held.status().ToString();
  EXPECT_NE(held.status().message().find("row group 0"), std::string::npos);
  EXPECT_NE(held.status().message().find("page"), std::string::npos);
  auto other = InPlaceImage(**reader, {1}, 1e9, &plan);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(plan.ImageLeavesInPlace(), std::vector<bool>{false});
  auto opened = ParquetReader::OpenBuffer(std::string(other->begin(), other->end()), "image");
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE((*opened)->Verify(1).ok());
  for (const RowGroup& group : (*opened)->metadata().row_groups) {
    EXPECT_EQ(group.columns[0].meta_data->codec, Codec::kUncompressed);
  }
  // With a ratio no chunk meets, every leaf stays in place, compressed as in the file.
  auto compressed = InPlaceImage(**reader, {1}, 0.5, &plan);
  ASSERT_TRUE(compressed.ok()) << compressed.status().ToString();
  EXPECT_EQ(plan.ImageLeavesInPlace(), std::vector<bool>{true});
}

// The allowance: past the ratio, the held leaves that grow least when decompressed are imaged
// uncompressed while their growth adds up to at most the allowance; the image still verifies
// and reads in DuckDB as the original. Over every parquet-testing file with leaves that grow.
TEST(ParquetInPlaceImage, AllowanceTakesTheLeavesThatGrowLeast) {
  DuckDbSession duck;
  int checked = 0;
  for (const std::string& path : ParquetFiles(testing::ParquetTestDataDir() + "/data")) {
    auto reader = ParquetReader::Open(path);
    if (!reader.ok() || !(*reader)->Verify(1).ok()) continue;
    const FileMetaData& meta = (*reader)->metadata();
    const size_t leaves = (*reader)->schema().leaves().size();
    std::vector<int64_t> compressed(leaves, 0), uncompressed(leaves, 0);
    for (const RowGroup& group : meta.row_groups) {
      for (size_t leaf = 0; leaf < leaves && leaf < group.columns.size(); ++leaf) {
        const auto& m = group.columns[leaf].meta_data;
        if (!m) continue;
        compressed[leaf] += m->total_compressed_size;
        uncompressed[leaf] += m->total_uncompressed_size;
      }
    }
    std::vector<uint64_t> growth(leaves, 0);  // what a leaf grows by decompressed (0: it does not)
    for (size_t leaf = 0; leaf < leaves; ++leaf) {
      if (uncompressed[leaf] > compressed[leaf])
        growth[leaf] = uncompressed[leaf] - compressed[leaf];
    }
    ImagePlan none;
    // A ratio below every leaf's (none grows less than 0.01x): all in place without allowance.
    if (!InPlaceImage(**reader, {}, 0.01, &none).ok()) continue;
    std::vector<bool> in_place = none.ImageLeavesInPlace();
    if (std::count(in_place.begin(), in_place.end(), true) != static_cast<long>(leaves)) continue;
    uint64_t least = UINT64_MAX;
    for (uint64_t g : growth) least = std::min(least, g);
    if (least == 0 || least == UINT64_MAX) continue;
    auto plan = PlanInPlaceImage(**reader, {}, 0.01, least);
    ASSERT_TRUE(plan.ok()) << path;
    for (size_t leaf = 0; leaf < leaves; ++leaf) {
      // With exactly the least growth allowed, a leaf of that growth is imaged uncompressed
      // (the first of them), and no leaf that grows more is.
      if (growth[leaf] > least) EXPECT_TRUE(plan->in_place_leaves[leaf]) << path << " " << leaf;
    }
    EXPECT_EQ(std::count(plan->in_place_leaves.begin(), plan->in_place_leaves.end(), false), 1)
        << path;
    uint64_t total = 0;
    for (uint64_t g : growth) total += g;
    auto all = PlanInPlaceImage(**reader, {}, 0.01, total);
    ASSERT_TRUE(all.ok()) << path;
    EXPECT_EQ(std::count(all->in_place_leaves.begin(), all->in_place_leaves.end(), true), 0)
        << path;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
}  // namespace cleanroom::formats
