#include "formats/tests/parquet_test_util.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "base/file.h"

namespace cleanroom::formats::testing {

std::string ParquetTestDataDir() {
  const char* env = std::getenv("CLEANROOM_TESTDATA");
  return std::string(env != nullptr ? env : CLEANROOM_TESTDATA_DIR) + "/parquet";
}

Result<std::string> CorruptChecksumFile() {
  CR_ASSIGN_OR_RETURN(
      std::string bytes,
      ReadFileToString(ParquetTestDataDir() + "/data/rle-dict-snappy-checksum.parquet"));
  CR_ASSIGN_OR_RETURN(auto clean, ParquetReader::OpenBuffer(bytes, "clean"));
  const ColumnMetaData& meta = *clean->metadata().row_groups.at(0).columns.at(0).meta_data;
  int64_t start =
      std::min(meta.dictionary_page_offset.value_or(meta.data_page_offset), meta.data_page_offset);
  size_t inside = static_cast<size_t>(start + meta.total_compressed_size / 2);
  bytes[inside] = static_cast<char>(bytes[inside] ^ 0x5a);
  return bytes;
}

Result<Table> ReadAllRendered(const std::string& path) {
  CR_ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(path));
  Table table;
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    CR_ASSIGN_OR_RETURN(RecordBatch batch, reader->ReadRowGroup(g, {}));
    for (size_t row = 0; row < batch.num_rows; ++row) {
      std::vector<std::string> cells;
      for (const ColumnVector& column : batch.columns) cells.push_back(RenderValue(column, row));
      table.push_back(std::move(cells));
    }
  }
  return table;
}

std::string NormalizeCell(const std::string& cell) {
  if (cell == "true" || cell == "True") return "1";
  if (cell == "false" || cell == "False") return "0";
  return cell;
}

bool SameCell(const std::string& a_raw, const std::string& b_raw) {
  std::string a = NormalizeCell(a_raw), b = NormalizeCell(b_raw);
  if (a == b) return true;
  char* end_a = nullptr;
  char* end_b = nullptr;
  double x = std::strtod(a.c_str(), &end_a);
  double y = std::strtod(b.c_str(), &end_b);
  if (a.empty() || b.empty() || *end_a != 0 || *end_b != 0) return false;
  if (std::isnan(x) && std::isnan(y)) return true;
  return std::fabs(x - y) <= 1e-6 * std::max(1.0, std::max(std::fabs(x), std::fabs(y)));
}

std::string DiffTables(const Table& got, const Table& want) {
  if (got.size() != want.size()) {
    return "row count " + std::to_string(got.size()) + " != " + std::to_string(want.size());
  }
  for (size_t r = 0; r < got.size(); ++r) {
    if (got[r].size() != want[r].size()) {
      return "row " + std::to_string(r) + " has " + std::to_string(got[r].size()) +
             " cells, want " + std::to_string(want[r].size());
    }
    for (size_t c = 0; c < got[r].size(); ++c) {
      if (!SameCell(got[r][c], want[r][c])) {
        return "row " + std::to_string(r) + " column " + std::to_string(c) + ": got [" + got[r][c] +
               "] want [" + want[r][c] + "]";
      }
    }
  }
  return "";
}

}  // namespace cleanroom::formats::testing
