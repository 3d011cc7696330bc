// Every file of ../shared/testdata/parquet read as its MANIFEST.md documents, or refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "base/file.h"
#include "formats/parquet_reader.h"
#include "formats/tests/parquet_test_util.h"

namespace cleanroom::formats {
namespace {

using testing::DiffTables;
using testing::ParquetTestDataDir;
using testing::ReadAllRendered;
using testing::Table;

enum class Expect {
  kExpectedTxt,    // arg: expected-from-duckdb file (tab-separated rows after "----")
  kCsv,            // arg: upstream *_expect.csv (header row; unquoted empty = NULL)
  kRows,           // arg: rows documented in the manifest / upstream .md, rendered
  kRowCount,       // rows: the footer fact; the file must verify and read
  kDataLoss,       // must be refused with DataLoss (open, verify or read)
  kUnimplemented,  // encrypted files: refused as not supported
  kNoCrash,        // documented as "may refuse, must not crash"
};

struct Case {
  const char* file;
  Expect expect;
  const char* arg = "";
  int64_t rows = -1;
};

// Derived from MANIFEST.md, file by file.
const Case kCases[] = {
    {"bad_data/ARROW-GH-41317.parquet", Expect::kDataLoss},
    {"bad_data/ARROW-GH-43605.parquet", Expect::kNoCrash},
    {"bad_data/ARROW-GH-45185.parquet", Expect::kDataLoss},
    {"bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet", Expect::kDataLoss},
    {"bad_data/PARQUET-1481.parquet", Expect::kDataLoss},
    {"data/alltypes_dictionary.parquet", Expect::kExpectedTxt,
     "alltypes_dictionary.parquet.expected.txt"},
    {"data/alltypes_plain.parquet", Expect::kExpectedTxt, "alltypes_plain.parquet.expected.txt"},
    {"data/alltypes_tiny_pages_plain.parquet", Expect::kRowCount, "", 7300},
    {"data/binary.parquet", Expect::kRowCount, "", 12},
    {"data/binary_truncated_min_max.parquet", Expect::kRowCount, "", 12},
    // Same values as int32_decimal (MANIFEST).
    {"data/byte_array_decimal.parquet", Expect::kExpectedTxt, "int32_decimal.parquet.expected.txt"},
    {"data/byte_stream_split.zstd.parquet", Expect::kRowCount, "", 300},
    {"data/column_chunk_key_value_metadata.parquet", Expect::kRowCount, "", 0},
    {"data/concatenated_gzip_members.parquet", Expect::kRowCount, "", 513},
    {"data/data_index_bloom_encoding_stats.parquet", Expect::kRowCount, "", 14},
    {"data/datapage_v1-corrupt-checksum.parquet", Expect::kDataLoss},
    {"data/datapage_v1-uncompressed-checksum.parquet", Expect::kRowCount, "", 5120},
    {"data/datapage_v2.snappy.parquet", Expect::kExpectedTxt,
     "datapage_v2.snappy.parquet.expected.txt"},
    {"data/delta_binary_packed.parquet", Expect::kCsv, "delta_binary_packed_expect.csv"},
    {"data/delta_byte_array.parquet", Expect::kExpectedTxt,
     "delta_byte_array.parquet.expected.txt"},
    {"data/delta_encoding_required_column.parquet", Expect::kCsv,
     "delta_encoding_required_column_expect.csv"},
    {"data/dict-page-offset-zero.parquet", Expect::kRowCount, "", 39},
    {"data/fixed_length_byte_array.parquet", Expect::kRowCount, "", 1000},
    {"data/fixed_length_decimal.parquet", Expect::kExpectedTxt,
     "fixed_length_decimal.parquet.expected.txt"},
    {"data/float16_nonzeros_and_nans.parquet", Expect::kRowCount, "", 8},
    {"data/floating_orders_nan_count.parquet", Expect::kRowCount, "", 50},
    {"data/hadoop_lz4_compressed.parquet", Expect::kRowCount, "", 4},
    {"data/int32_decimal.parquet", Expect::kExpectedTxt, "int32_decimal.parquet.expected.txt"},
    // Values checked as microseconds in Int96FromSparkMatchesItsMarkdown.
    {"data/int96_from_spark.parquet", Expect::kRowCount, "", 6},
    {"data/large_string_map.brotli.parquet", Expect::kNoCrash},
    {"data/list_columns.parquet", Expect::kExpectedTxt, "list_columns.parquet.expected.txt"},
    {"data/lz4_raw_compressed.parquet", Expect::kRowCount, "", 4},
    {"data/map_no_value.parquet", Expect::kRows,
     "{1=NULL, 2=NULL, 3=NULL}\t[1, 2, 3]\t[1, 2, 3]\n"
     "{4=NULL, 5=NULL, 6=NULL}\t[4, 5, 6]\t[4, 5, 6]\n"
     "{7=NULL, 8=NULL, 9=NULL}\t[7, 8, 9]\t[7, 8, 9]\n"},
    {"data/nan_in_stats.parquet", Expect::kRowCount, "", 2},
    {"data/nested_lists.snappy.parquet", Expect::kExpectedTxt,
     "nested_lists.snappy.parquet.expected.txt"},
    {"data/nested_structs.rust.parquet", Expect::kRowCount, "", 1},
    {"data/non_hadoop_lz4_compressed.parquet", Expect::kRowCount, "", 4},
    {"data/nonnullable.impala.parquet", Expect::kRowCount, "", 1},
    {"data/nulls.snappy.parquet", Expect::kRows,
     "{'b_c_int': NULL}\n{'b_c_int': NULL}\n{'b_c_int': NULL}\n{'b_c_int': NULL}\n"
     "{'b_c_int': NULL}\n{'b_c_int': NULL}\n{'b_c_int': NULL}\n{'b_c_int': NULL}\n"},
    {"data/old_list_structure.parquet", Expect::kRows, "[[1, 2], [3, 4]]\n"},
    {"data/overflow_i16_page_cnt.parquet", Expect::kRowCount, "", 40000},
    {"data/page_v2_empty_compressed.parquet", Expect::kRows,
     "NULL\nNULL\nNULL\nNULL\nNULL\nNULL\nNULL\nNULL\nNULL\nNULL\n"},
    {"data/repeated_no_annotation.parquet", Expect::kRows,
     "1\tNULL\n2\tNULL\n3\t{'phone': []}\n4\t{'phone': [{'number': 5555555555, 'kind': NULL}]}\n"
     "5\t{'phone': [{'number': 1111111111, 'kind': home}]}\n"
     "6\t{'phone': [{'number': 1111111111, 'kind': home}, {'number': 2222222222, 'kind': NULL}, "
     "{'number': 3333333333, 'kind': mobile}]}\n"},
    {"data/rle-dict-snappy-checksum.parquet", Expect::kRowCount, "", 1000},
    {"data/rle_boolean_encoding.parquet", Expect::kExpectedTxt,
     "rle_boolean_encoding.parquet.expected.txt"},
    {"data/sort_columns.parquet", Expect::kRowCount, "", 6},
    {"data/unknown-logical-type.parquet", Expect::kRowCount, "", 3},
    {"data/encrypt_columns_and_footer.parquet.encrypted", Expect::kUnimplemented},
    {"data/encrypt_columns_plaintext_footer.parquet.encrypted", Expect::kUnimplemented},
    {"data/uniform_encryption.parquet.encrypted", Expect::kUnimplemented},
};

Table ParseRows(const std::string& text) {
  Table table;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      cells.push_back(
          line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    table.push_back(std::move(cells));
  }
  return table;
}

Table ParseExpectedTxt(const std::string& text) {
  size_t marker = text.find("\n----\n");
  return ParseRows(marker == std::string::npos ? "" : text.substr(marker + 6));
}

// RFC 4180 CSV with a header row; an unquoted empty field is NULL.
Table ParseCsv(const std::string& text) {
  Table table;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, was_quoted = false, in_quotes = false;
  auto end_cell = [&] {
    row.push_back(cell.empty() && !was_quoted ? "NULL" : cell);
    cell.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (in_quotes) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else if (ch == '"') {
        in_quotes = false;
      } else {
        cell.push_back(ch);
      }
      continue;
    }
    if (ch == '"') {
      in_quotes = quoted = was_quoted = true;
    } else if (ch == ',') {
      end_cell();
    } else if (ch == '\n') {
      end_cell();
      table.push_back(std::move(row));
      row.clear();
    } else if (ch != '\r') {
      cell.push_back(ch);
    }
  }
  if (!cell.empty() || !row.empty()) {
    end_cell();
    table.push_back(std::move(row));
  }
  (void)quoted;
  if (!table.empty()) table.erase(table.begin());  // header
  return table;
}

// The status of reading the whole file: open, verify, then read every row group.
Status ReadWholeFile(const std::string& path) {
  CR_ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(path));
  CR_RETURN_IF_ERROR(reader->Verify(2));
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    CR_RETURN_IF_ERROR(reader->ReadRowGroup(g, {}).status());
  }
  return Status::OK();
}

class ManifestTest : public ::testing::TestWithParam<Case> {};

TEST_P(ManifestTest, ReadsAsDocumented) {
  const Case& c = GetParam();
  const std::string dir = ParquetTestDataDir();
  const std::string path = dir + "/" + c.file;
  SCOPED_TRACE(c.file);
  switch (c.expect) {
    case Expect::kDataLoss: {
      Status status = ReadWholeFile(path);
      EXPECT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
      // The message names the file; it never carries values.
      EXPECT_NE(status.message().find(c.file), std::string::npos) << status.message();
      return;
    }
    case Expect::kUnimplemented: {
      Status status = ReadWholeFile(path);
      EXPECT_EQ(status.code(), StatusCode::kUnimplemented) << status.ToString();
      return;
    }
    case Expect::kNoCrash: {
      Status status = ReadWholeFile(path);
      EXPECT_TRUE(status.ok() || status.code() == StatusCode::kDataLoss ||
                  status.code() == StatusCode::kResourceExhausted)
          << status.ToString();
      return;
    }
    default:
      break;
  }
  Status verified = ReadWholeFile(path);
  ASSERT_TRUE(verified.ok()) << verified.ToString();
  auto table = ReadAllRendered(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  switch (c.expect) {
    case Expect::kRowCount:
      EXPECT_EQ(static_cast<int64_t>(table->size()), c.rows);
      break;
    case Expect::kRows:
      EXPECT_EQ(DiffTables(*table, ParseRows(c.arg)), "");
      break;
    case Expect::kExpectedTxt: {
      auto text = ReadFileToString(dir + "/expected-from-duckdb/" + c.arg);
      ASSERT_TRUE(text.ok());
      Table want = ParseExpectedTxt(*text);
      ASSERT_FALSE(want.empty());
      EXPECT_EQ(DiffTables(*table, want), "");
      break;
    }
    case Expect::kCsv: {
      auto text = ReadFileToString(dir + "/data/" + c.arg);
      ASSERT_TRUE(text.ok());
      Table want = ParseCsv(*text);
      ASSERT_FALSE(want.empty());
      EXPECT_EQ(DiffTables(*table, want), "");
      break;
    }
    default:
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(ParquetTesting, ManifestTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (const char* p = info.param.file; *p; ++p) {
                             name.push_back(std::isalnum(static_cast<unsigned char>(*p)) ? *p
                                                                                         : '_');
                           }
                           return name;
                         });

// The table covers every Parquet file of the directory.
TEST(ManifestCoverage, EveryFileHasAnExpectation) {
  std::set<std::string> listed;
  for (const Case& c : kCases) listed.insert(c.file);
  const std::string dir = ParquetTestDataDir();
  for (const char* sub : {"data", "bad_data"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir + "/" + sub)) {
      std::string name = entry.path().filename().string();
      if (name.find(".parquet") == std::string::npos) continue;
      EXPECT_TRUE(listed.count(std::string(sub) + "/" + name)) << name << " has no expectation";
    }
  }
}

TEST(ManifestValues, Int96FromSparkMatchesItsMarkdown) {
  auto reader = ParquetReader::Open(ParquetTestDataDir() + "/data/int96_from_spark.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto batch = (*reader)->ReadRowGroup(0, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const ColumnVector& a = batch->columns[0];
  // From int96_from_spark.md: microseconds since the epoch.
  const int64_t want[] = {
      1704141296123456,   1704070800000000, 253402225200000000, 1735599600000000, 0,
      9089380393200000000};
  ASSERT_EQ(a.length, 6u);
  for (size_t i = 0; i < 6; ++i) {
    if (i == 4) {
      EXPECT_TRUE(a.IsNull(i));
    } else {
      EXPECT_EQ(a.Value<int64_t>(i), want[i]) << i;
    }
  }
}

// The three LZ4 files hold the same four rows whatever the framing.
TEST(ManifestValues, Lz4FramingsReadAlike) {
  const std::string dir = ParquetTestDataDir() + "/data/";
  auto raw = ReadAllRendered(dir + "lz4_raw_compressed.parquet");
  auto hadoop = ReadAllRendered(dir + "hadoop_lz4_compressed.parquet");
  auto plain = ReadAllRendered(dir + "non_hadoop_lz4_compressed.parquet");
  ASSERT_TRUE(raw.ok() && hadoop.ok() && plain.ok());
  EXPECT_EQ(DiffTables(*hadoop, *raw), "");
  EXPECT_EQ(DiffTables(*plain, *raw), "");
}

TEST(ManifestValues, DeltaByteArrayMatchesUpstreamCsv) {
  const std::string dir = ParquetTestDataDir() + "/data/";
  auto table = ReadAllRendered(dir + "delta_byte_array.parquet");
  auto csv = ReadFileToString(dir + "delta_byte_array_expect.csv");
  ASSERT_TRUE(table.ok() && csv.ok());
  EXPECT_EQ(DiffTables(*table, ParseCsv(*csv)), "");
}

TEST(ManifestValues, CorruptChecksumNamesFileRowGroupColumnAndPage) {
  Status status =
      ReadWholeFile(ParquetTestDataDir() + "/data/datapage_v1-corrupt-checksum.parquet");
  ASSERT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("row group 0"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("column a"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("page 0"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("CRC"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace cleanroom::formats
