// The engine's Parquet load path (table_loader.cc): files DuckDB's reader refuses load in one
// pass through our validating reader; corruption found there is DataLoss naming row group,
// column and page, and leaves no table behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

#include "base/bytes.h"
#include "base/file.h"
#include "engine/engine.h"
#include "engine/parquet_scan.h"
#include "engine/tests/test_files.h"
#include "formats/parquet_reader.h"
#include "formats/parquet_writer.h"
#include "sql/frontend.h"

namespace cleanroom::engine {
namespace {

using testing::TempDir;

// Rewrites `source` with our writer: every column BYTE_STREAM_SPLIT where the type allows it
// (a file DuckDB's reader refuses), or PLAIN and dictionary encodings with page CRCs (one it
// reads).
Status Rewrite(const std::string& source, const std::string& target, bool byte_stream_split) {
  CR_ASSIGN_OR_RETURN(auto reader, formats::ParquetReader::Open(source));
  formats::ParquetWriterOptions options;
  options.dictionary = !byte_stream_split;
  options.byte_stream_split = byte_stream_split;
  options.page_rows = 1000;
  CR_ASSIGN_OR_RETURN(auto writer, formats::ParquetWriter::Open(target, reader->fields(), options));
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    CR_ASSIGN_OR_RETURN(formats::RecordBatch batch, reader->ReadRowGroup(g, {}));
    CR_RETURN_IF_ERROR(writer->Write(batch));
  }
  return writer->Close();
}
Status RewriteByteStreamSplit(const std::string& source, const std::string& target) {
  return Rewrite(source, target, true);
}
Status RewriteWithCrcs(const std::string& source, const std::string& target) {
  return Rewrite(source, target, false);
}

// Every row of a result as text, one line per row.
std::string RowsOf(QueryResult& result) {
  std::string text;
  while (true) {
    auto more = result.Next();
    if (!more.ok()) return more.status().ToString();
    if (!*more) break;
    const Chunk& chunk = result.chunk();
    for (idx_t r = 0; r < chunk.size(); ++r) {
      for (idx_t c = 0; c < chunk.column_count(); ++c) {
        if (chunk.IsNull(c, r)) text += "NULL";
        chunk.AppendCell(c, r, CellStyle::kText, text);
        text += '|';
      }
      text += '\n';
    }
  }
  return text;
}

// Every row of `sql` (run on a locked engine) as text, one line per row.
std::string Rows(Engine& engine, const std::string& sql) {
  auto result = engine.QueryRaw(sql);
  if (!result.ok()) return result.status().ToString();
  return RowsOf(**result);
}

// Every test runs with both ways Parquet inputs reach DuckDB (EngineOptions::parquet_inputs).
class ParquetLoadTest : public ::testing::TestWithParam<ParquetInputs> {
 protected:
  EngineOptions Options() const {
    EngineOptions options;
    options.parquet_inputs = GetParam();
    return options;
  }

  void SetUp() override {
    auto writer = Engine::Open(Options());
    ASSERT_TRUE(writer.ok());
    plain_ = dir_.Path("plain.parquet");
    split_ = dir_.Path("split.parquet");
    ASSERT_TRUE(
        (*writer)
            ->Execute("COPY (SELECT i::INTEGER AS a, i * 1000003 AS b, (i * 7)::DECIMAL(12,2) "
                      "AS d, CASE WHEN i % 9 = 0 THEN NULL ELSE i END AS e, 'k' || (i % 13) "
                      "AS s FROM range(20000) r(i)) TO '" +
                      plain_ + "' (FORMAT parquet, ROW_GROUP_SIZE 5000)")
            .ok());
    ASSERT_TRUE(RewriteByteStreamSplit(plain_, split_).ok());
  }

  TempDir dir_;
  std::string plain_, split_;
};

TEST_P(ParquetLoadTest, ChoosesOnePassForFilesDuckDbRefuses) {
  auto plain = ChooseParquetLoad(plain_);
  auto split = ChooseParquetLoad(split_);
  ASSERT_TRUE(plain.ok() && split.ok());
  EXPECT_EQ(plain->path, ParquetLoadPath::kVerifyThenDuckDb);
  EXPECT_TRUE(plain->duckdb_reads);
  EXPECT_EQ(split->path, ParquetLoadPath::kScan);
  EXPECT_FALSE(split->duckdb_reads);  // BYTE_STREAM_SPLIT integers
  // Nested columns too.
  auto writer = Engine::Open(Options());
  ASSERT_TRUE(writer.ok());
  std::string nested = dir_.Path("nested.parquet");
  ASSERT_TRUE(
      (*writer)
          ->Execute("COPY (SELECT i AS a, [i, i + 1] AS l FROM range(10) r(i)) TO '" + nested + "'")
          .ok());
  auto choice = ChooseParquetLoad(nested);
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->path, ParquetLoadPath::kVerifyThenDuckDb);
  EXPECT_TRUE(choice->duckdb_reads);
  EXPECT_EQ(ChooseParquetLoad(dir_.Write("junk.parquet", "not parquet")).status().code(),
            StatusCode::kDataLoss);
}

TEST_P(ParquetLoadTest, LoadKeepsDuckDbTypesRowsAndOrder) {
  auto engine = Engine::Open(Options());
  ASSERT_TRUE(engine.ok());
  Status flat = (*engine)->LoadTable({"f", plain_, Format::kParquet});
  ASSERT_TRUE(flat.ok()) << flat.ToString();
  ASSERT_TRUE(
      (*engine)->Execute("CREATE TABLE p AS SELECT * FROM read_parquet('" + plain_ + "')").ok());
  ASSERT_TRUE((*engine)->Lock().ok());
  // DuckDB's own types, not only the clean room's mapping of them.
  auto types = [&](const std::string& table) {
    return Rows(**engine,
                "SELECT column_name, data_type FROM information_schema.columns WHERE "
                "table_name = '" +
                    table + "' ORDER BY ordinal_position");
  };
  EXPECT_EQ(types("f"), types("p"));
  EXPECT_NE(types("f").find("DECIMAL(12,2)"), std::string::npos) << types("f");
  EXPECT_EQ(Rows(**engine, "SELECT * FROM f"), Rows(**engine, "SELECT * FROM p"));
}

TEST_P(ParquetLoadTest, FileDuckDbRefusesLoadsInOnePassWithTheSameRows) {
  auto engine = Engine::Open(Options());
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->LoadTable({"p", plain_, Format::kParquet}).ok());
  Status loaded = (*engine)->LoadTable({"t", split_, Format::kParquet});
  ASSERT_TRUE(loaded.ok()) << loaded.ToString();
  ASSERT_TRUE((*engine)->Lock().ok());
  std::string want = Rows(**engine, "SELECT * FROM p ORDER BY a");
  EXPECT_EQ(Rows(**engine, "SELECT * FROM t"), want);  // the file's row order is kept
  EXPECT_EQ(std::count(want.begin(), want.end(), '\n'), 20000);
}

TEST_P(ParquetLoadTest, CorruptPageIsDataLossNamingWhereAndLeavesNoTable) {
  auto bytes = ReadFileToString(split_);
  ASSERT_TRUE(bytes.ok());
  auto reader = formats::ParquetReader::Open(split_);
  ASSERT_TRUE(reader.ok());
  // A byte near the end of row group 2's column b: inside its last page's data (CRC-covered).
  const formats::ColumnMetaData& meta = *(*reader)->metadata().row_groups[2].columns[1].meta_data;
  size_t at = static_cast<size_t>(meta.data_page_offset + meta.total_compressed_size - 3);
  ASSERT_LT(at, bytes->size());
  (*bytes)[at] = static_cast<char>((*bytes)[at] ^ 0x5a);
  std::string corrupt = dir_.Write("corrupt.parquet", *bytes);

  auto engine = Engine::Open(Options());
  ASSERT_TRUE(engine.ok());
  Status status = (*engine)->LoadTable({"t", corrupt, Format::kParquet});
  EXPECT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
  EXPECT_NE(status.message().find("row group 2"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("column b"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("page"), std::string::npos) << status.ToString();
  EXPECT_EQ((*engine)->catalog().FindTable("t"), nullptr);
  // No table of that name is left in DuckDB either: the same name loads now.
  Status again = (*engine)->LoadTable({"t", split_, Format::kParquet});
  EXPECT_TRUE(again.ok()) << again.ToString();
}

TEST_P(ParquetLoadTest, MemoryInputDuckDbRefusesLoadsThroughOurReader) {
  auto bytes = ReadFileToString(split_);
  ASSERT_TRUE(bytes.ok());
  auto engine = Engine::Open(Options());
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->LoadTable({"p", plain_, Format::kParquet}).ok());
  bool checked = false;
  Status loaded = (*engine)->LoadTableFromMemoryFill(
      {"t", "", Format::kParquet}, bytes->size(),
      [&](std::span<uint8_t> out) {
        std::memcpy(out.data(), bytes->data(), bytes->size());
        return Status::OK();
      },
      [&] {
        checked = true;
        return Status::OK();
      });
  ASSERT_TRUE(loaded.ok()) << loaded.ToString();
  EXPECT_TRUE(checked);
  ASSERT_TRUE((*engine)->Lock().ok());
  EXPECT_EQ(Rows(**engine, "SELECT * FROM t"), Rows(**engine, "SELECT * FROM p ORDER BY a"));
}

TEST_P(ParquetLoadTest, CorruptMemoryInputIsDataLossNamingWhere) {
  auto bytes = ReadFileToString(split_);
  ASSERT_TRUE(bytes.ok());
  auto reader = formats::ParquetReader::Open(split_);
  ASSERT_TRUE(reader.ok());
  const formats::ColumnMetaData& meta = *(*reader)->metadata().row_groups[1].columns[3].meta_data;
  size_t at = static_cast<size_t>(meta.data_page_offset + meta.total_compressed_size - 3);
  (*bytes)[at] = static_cast<char>((*bytes)[at] ^ 0x5a);
  auto engine = Engine::Open(Options());
  ASSERT_TRUE(engine.ok());
  Status status = (*engine)->LoadTableFromMemory({"t", "", Format::kParquet}, AsBytes(*bytes));
  EXPECT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
  EXPECT_NE(status.message().find("row group 1, column e"), std::string::npos) << status.ToString();
  EXPECT_EQ((*engine)->catalog().FindTable("t"), nullptr);
}

// ParquetInputs::kImageViews: the table is a view over the file's validated image. It gives
// the rows the copied table gives, reads the image rather than the file (a file changed after
// the load changes nothing), and the locked engine still reads no other file.
TEST_P(ParquetLoadTest, ImageViewReadsTheValidatedImageNotTheFile) {
  std::string file = dir_.Path("crc.parquet");
  ASSERT_TRUE(RewriteWithCrcs(plain_, file).ok());
  EngineOptions copied;
  copied.parquet_inputs = ParquetInputs::kTables;
  auto tables = Engine::Open(copied);
  ASSERT_TRUE(tables.ok());
  ASSERT_TRUE((*tables)->LoadTable({"t", file, Format::kParquet}).ok());
  ASSERT_TRUE((*tables)->Lock().ok());
  const std::string query = "SELECT a, b, d, e, s FROM t ORDER BY a";
  std::string want = Rows(**tables, query);
  ASSERT_NE(want.find("19999|"), std::string::npos) << want.substr(0, 200);

  EngineOptions options;
  options.parquet_inputs = ParquetInputs::kImageViews;
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->LoadTable({"t", file, Format::kParquet}).ok());
  ASSERT_TRUE((*engine)->Lock().ok());
  EXPECT_EQ(Rows(**engine, query), want);
  EXPECT_EQ(
      Rows(**engine, "SELECT table_type FROM information_schema.tables WHERE table_name = 't'"),
      "VIEW|\n");
  // The file on disk replaced after the load: the view still reads what was validated.
  ASSERT_TRUE(WriteFileAtomic(file, "not parquet any more").ok());
  EXPECT_EQ(Rows(**engine, query), want);
  // File access stays off for everything else.
  std::string other = Rows(**engine, "SELECT count(*) FROM read_parquet('" + plain_ + "')");
  EXPECT_NE(other.find("disabled"), std::string::npos) << other;
}

TEST_P(ParquetLoadTest, ImageViewOfACorruptFileIsDataLossAndNoView) {
  std::string file = dir_.Path("crc.parquet");
  ASSERT_TRUE(RewriteWithCrcs(plain_, file).ok());
  auto bytes = ReadFileToString(file);
  ASSERT_TRUE(bytes.ok());
  auto reader = formats::ParquetReader::Open(file);
  ASSERT_TRUE(reader.ok());
  const formats::ColumnMetaData& meta = *(*reader)->metadata().row_groups[3].columns[2].meta_data;
  size_t at = static_cast<size_t>(meta.data_page_offset + meta.total_compressed_size - 3);
  (*bytes)[at] = static_cast<char>((*bytes)[at] ^ 0x5a);
  std::string corrupt = dir_.Write("corrupt.parquet", *bytes);
  EngineOptions options;
  options.parquet_inputs = ParquetInputs::kImageViews;
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok());
  Status status = (*engine)->LoadTable({"t", corrupt, Format::kParquet});
  EXPECT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
  EXPECT_NE(status.message().find("row group 3, column d"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("page"), std::string::npos) << status.ToString();
  EXPECT_EQ((*engine)->catalog().FindTable("t"), nullptr);
  EXPECT_TRUE((*engine)->LoadTable({"t", file, Format::kParquet}).ok());
  // The same bytes from memory (the runtime's decrypted inputs): the same refusal.
  Status from_memory = (*engine)->LoadTableFromMemory({"m", "", Format::kParquet}, AsBytes(*bytes));
  EXPECT_EQ(from_memory.code(), StatusCode::kDataLoss) << from_memory.ToString();
  EXPECT_EQ((*engine)->catalog().FindTable("m"), nullptr);
}

TEST_P(ParquetLoadTest, ImageViewOfAMemoryInputGivesTheFilesRows) {
  std::string file = dir_.Path("crc.parquet");
  ASSERT_TRUE(RewriteWithCrcs(plain_, file).ok());
  auto bytes = ReadFileToString(file);
  ASSERT_TRUE(bytes.ok());
  EngineOptions options;
  options.parquet_inputs = ParquetInputs::kImageViews;
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->LoadTable({"f", file, Format::kParquet}).ok());
  ASSERT_TRUE((*engine)->LoadTableFromMemory({"m", "", Format::kParquet}, AsBytes(*bytes)).ok());
  ASSERT_TRUE((*engine)->Lock().ok());
  std::string want = Rows(**engine, "SELECT * FROM f ORDER BY a");
  EXPECT_EQ(Rows(**engine, "SELECT * FROM m ORDER BY a"), want);
  EXPECT_EQ(std::count(want.begin(), want.end(), '\n'), 20000);
}

// An image of several MiB: held in 2 MiB huge pages when the machine has them reserved
// (vm.nr_hugepages; the image then starts after a zero lead), else in ordinary pages. Either
// way, the same rows as the copied table, from files and from memory.
TEST(ParquetImageViews, LargeImagesGiveTheCopiedTablesRows) {
  TempDir dir;
  std::string file = dir.Path("large.parquet");
  {
    auto writer = Engine::Open();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)
                    ->Execute("COPY (SELECT i AS id, 'p' || (i % 97) AS s, i * 0.5 AS x, "
                              "CASE WHEN i % 5 = 0 THEN NULL ELSE i % 1000 END AS y FROM "
                              "range(600000) r(i)) TO '" +
                              file + "' (FORMAT parquet, COMPRESSION snappy)")
                    .ok());
  }
  auto bytes = ReadFileToString(file);
  ASSERT_TRUE(bytes.ok());
  const std::string query =
      "SELECT s, count(*), sum(x), sum(y), count(y), min(id), max(id) FROM t GROUP BY s ORDER BY s";
  std::string want;
  // Image views in place (the compressed pages, sealed then validated) and uncompressed.
  for (auto [inputs, in_place] :
       {std::pair{ParquetInputs::kTables, false}, std::pair{ParquetInputs::kImageViews, true},
        std::pair{ParquetInputs::kImageViews, false}}) {
    for (bool from_memory : {false, true}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(inputs)) + (in_place ? " in place" : "") +
                   (from_memory ? " memory" : " file"));
      EngineOptions options;
      options.parquet_inputs = inputs;
      options.in_place_images = in_place;
      auto engine = Engine::Open(options);
      ASSERT_TRUE(engine.ok());
      Status loaded =
          from_memory ? (*engine)->LoadTableFromMemory({"t", "", Format::kParquet}, AsBytes(*bytes))
                      : (*engine)->LoadTable({"t", file, Format::kParquet});
      ASSERT_TRUE(loaded.ok()) << loaded.ToString();
      ASSERT_TRUE((*engine)->Lock().ok());
      std::string got = Rows(**engine, query);
      if (want.empty()) want = got;
      EXPECT_EQ(got, want);
    }
  }
  EXPECT_EQ(std::count(want.begin(), want.end(), '\n'), 97);
}

INSTANTIATE_TEST_SUITE_P(Inputs, ParquetLoadTest,
                         ::testing::Values(ParquetInputs::kTables, ParquetInputs::kImageViews),
                         [](const ::testing::TestParamInfo<ParquetInputs>& info) {
                           return info.param == ParquetInputs::kTables ? "Tables" : "ImageViews";
                         });

// Validation of what a query reads (EngineOptions::validate_columns_read). A file whose column
// b has a corrupt page (its CRC fails; DuckDB's reader would read it) and an intact file u.
class ColumnsReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto writer = Engine::Open();
    ASSERT_TRUE(writer.ok());
    plain_ = dir_.Path("ab_plain.parquet");
    corrupt_ = dir_.Path("ab.parquet");
    ASSERT_TRUE((*writer)
                    ->Execute("COPY (SELECT i::INTEGER AS a, 'secret-' || i AS b FROM "
                              "range(20000) r(i)) TO '" +
                              plain_ + "' (FORMAT parquet)")
                    .ok());
    ASSERT_TRUE(RewriteWithCrcs(plain_, corrupt_).ok());
    auto contents = ReadFileToString(corrupt_);
    ASSERT_TRUE(contents.ok());
    std::string bytes = *contents;
    auto reader = formats::ParquetReader::OpenBuffer(bytes, "ab");
    ASSERT_TRUE(reader.ok());
    const auto& meta = *(*reader)->metadata().row_groups[0].columns[1].meta_data;
    // The middle of the chunk, which begins at its dictionary page when it has one.
    int64_t start = meta.dictionary_page_offset.value_or(meta.data_page_offset);
    size_t inside = static_cast<size_t>(start + meta.total_compressed_size / 2);
    bytes[inside] = static_cast<char>(bytes[inside] ^ 0x5a);
    ASSERT_TRUE(WriteFileAtomic(corrupt_, bytes).ok());
    ASSERT_EQ(formats::VerifyParquetFile(corrupt_).code(), StatusCode::kDataLoss);
  }

  // An engine with t (the corrupt file) and u loaded, `sql` compiled and its inputs prepared.
  Status Prepare(const std::string& sql, std::unique_ptr<Engine>* engine,
                 std::vector<sql::CompiledStatement>* compiled) {
    EngineOptions options;
    options.validate_columns_read = true;
    CR_ASSIGN_OR_RETURN(*engine, Engine::Open(options));
    CR_RETURN_IF_ERROR((*engine)->LoadTable({"t", corrupt_, Format::kParquet}));  // footer only
    CR_RETURN_IF_ERROR((*engine)->LoadTable({"u", plain_, Format::kParquet}));
    CR_ASSIGN_OR_RETURN(*compiled, sql::CompileScript(sql, (*engine)->catalog()));
    CR_RETURN_IF_ERROR((*engine)->PrepareInputs(*compiled));
    return (*engine)->Lock();
  }

  // Whether `sql` fails on the locked engine (at once or while streaming).
  static bool Fails(Engine& engine, const std::string& sql, std::string* error) {
    auto result = engine.QueryRaw(sql);
    if (!result.ok()) {
      *error = result.status().ToString();
      return true;
    }
    while (true) {
      auto more = (*result)->Next();
      if (!more.ok()) {
        *error = more.status().ToString();
        return true;
      }
      if (!*more) return false;
    }
  }

  TempDir dir_;
  std::string plain_, corrupt_;
};

// The new guarantee: a query reading only a runs over the file whose b is corrupt, and then no
// SQL on the locked engine can read b, nor the table the query did not read, however it is
// named: through the view, or through the image itself (it holds no b at all).
TEST_F(ColumnsReadTest, UnvalidatedColumnCannotBeRead) {
  std::unique_ptr<Engine> engine;
  std::vector<sql::CompiledStatement> compiled;
  Status prepared = Prepare("SELECT sum(a) AS s FROM t", &engine, &compiled);
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  EXPECT_EQ(Rows(*engine, compiled.back().duckdb_sql), "199990000|\n");
  for (const char* sql :
       {"SELECT b FROM t", "SELECT count(b) FROM t", "SELECT * FROM t",
        "SELECT max(length(b)) FROM t WHERE a > 5", "SELECT a FROM t UNION ALL SELECT b FROM t",
        "SELECT a FROM u", "SELECT count(*) FROM u"}) {
    SCOPED_TRACE(sql);
    std::string error;
    EXPECT_TRUE(Fails(*engine, sql, &error));
    EXPECT_EQ(error.find("secret"), std::string::npos) << error;
  }
  // Every file DuckDB may still open: none has a column b.
  int readable = 0;
  for (int fd = 0; fd < 1024; ++fd) {
    std::string columns = Rows(*engine,
                               "SELECT column_name FROM (DESCRIBE SELECT * FROM "
                               "read_parquet('/proc/self/fd/" +
                                   std::to_string(fd) + "'))");
    if (columns.find('|') == std::string::npos) continue;  // not a file DuckDB may read
    ++readable;
    EXPECT_EQ(columns, "a|\n");
  }
  EXPECT_EQ(readable, 1);
}

// A query that reads b validates b: the corrupt page is DataLoss naming the column, before
// DuckDB reads anything.
TEST_F(ColumnsReadTest, ReadingTheCorruptColumnIsDataLoss) {
  for (const char* sql : {"SELECT count(b) AS n FROM t", "SELECT a FROM t WHERE b = 'x'",
                          "SELECT a FROM u WHERE a IN (SELECT length(b) FROM t)"}) {
    SCOPED_TRACE(sql);
    std::unique_ptr<Engine> engine;
    std::vector<sql::CompiledStatement> compiled;
    Status prepared = Prepare(sql, &engine, &compiled);
    ASSERT_EQ(prepared.code(), StatusCode::kDataLoss) << prepared.ToString();
    EXPECT_NE(prepared.message().find("column b"), std::string::npos) << prepared.ToString();
    EXPECT_NE(prepared.message().find("table t"), std::string::npos) << prepared.ToString();
  }
}

// Columns read through views of the script, joins, subqueries, set operations and count(*)
// are all validated and give the rows the whole file gives.
TEST_F(ColumnsReadTest, EveryWayOfReadingAColumnIsFound) {
  struct Case {
    const char* sql;
    const char* rows;
  } cases[] = {
      {"CREATE TEMP VIEW v AS SELECT a FROM u WHERE a < 10; "
       "SELECT count(*) AS n FROM t JOIN v ON t.a = v.a",
       "10|\n"},
      {"SELECT count(*) AS n FROM u", "20000|\n"},
      {"SELECT max(a) AS m FROM (SELECT a FROM t UNION SELECT a FROM u)", "19999|\n"},
      {"SELECT b FROM u WHERE a = (SELECT max(a) FROM t)", "secret-19999|\n"},
      {"SELECT DISTINCT b FROM u WHERE a < 1", "secret-0|\n"},
      {"SELECT a, row_number() OVER (ORDER BY a DESC) AS r FROM u WHERE b = 'secret-5'", "5|1|\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    std::unique_ptr<Engine> engine;
    std::vector<sql::CompiledStatement> compiled;
    Status prepared = Prepare(c.sql, &engine, &compiled);
    ASSERT_TRUE(prepared.ok()) << prepared.ToString();
    auto result = engine->RunCompiled(compiled);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    std::string text = RowsOf(**result);
    EXPECT_EQ(text, c.rows);
  }
}

// Without a query saying what it reads, locking validates every column: the corrupt b is
// DataLoss at Lock().
TEST_F(ColumnsReadTest, LockValidatesWhatNoQueryNarrowed) {
  EngineOptions options;
  options.validate_columns_read = true;
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->LoadTable({"t", corrupt_, Format::kParquet}).ok());
  Status locked = (*engine)->Lock();
  EXPECT_EQ(locked.code(), StatusCode::kDataLoss) << locked.ToString();
  EXPECT_FALSE((*engine)->locked());
}

}  // namespace
}  // namespace cleanroom::engine
