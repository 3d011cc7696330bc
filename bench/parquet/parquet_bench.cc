// Benchmark of issue 3, point 4: a query over a 10,000,000-row impressions Parquet file (SNAPPY
// and ZSTD, written by DuckDB from a deterministic expression) through cleanroom's real engine
// path (engine::Engine: open, LoadTable with validation, Lock, the front end's compiled query)
// against DuckDB's own time on the same file; and the same rows in a file only our reader can
// read (BYTE_STREAM_SPLIT on integer columns, which DuckDB refuses) through the engine against
// DuckDB on the same rows written PLAIN.
//
// DuckDB's own time is measured two ways, each in a fresh in-memory database:
//   "duckdb query": the query straight over read_parquet(file) (nothing kept);
//   "duckdb load":  CREATE TABLE AS SELECT * FROM read_parquet(file), then the query over the
//                   table (the work of the engine's former path, which copied inputs).
// The engine runs with its default inputs (views over validated images, docs/engine.md) and
// with inputs copied into tables (ParquetInputs::kTables).
// Usage: parquet_bench <work dir> [rows] [runs]
#include <duckdb.h>
#include <snappy-c.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/engine.h"
#include "engine/parquet_scan.h"
#include "formats/parquet_image.h"
#include "formats/parquet_reader.h"
#include "formats/parquet_writer.h"
#include "sql/frontend.h"

// DuckDB's bundled copy of Google's snappy, exported by libduckdb: used only by the "codec"
// case below, to compare the decompressor Debian ships (libsnappy 1.1.9, which the reader uses)
// with the one DuckDB's own reader runs, on the same pages.
namespace duckdb_snappy {
bool RawUncompress(const char* compressed, size_t compressed_length, char* uncompressed);
}  // namespace duckdb_snappy

namespace {

using namespace cleanroom;

// The query, one grouped pass over every column: Spark SQL for the engine, DuckDB's dialect for
// the baseline (RELATION is replaced).
const char* kSparkQuery =
    "SELECT publisher, count(*) AS n, sum(cost) AS cost, sum(CAST(clicked AS INT)) AS clicks, "
    "min(ts) AS first_ts, max(ts) AS last_ts, max(user_id) AS max_user, sum(impression_id) AS "
    "ids, max(campaign_id) AS max_campaign FROM t GROUP BY publisher";

std::string DuckDbQuery(const std::string& relation) {
  return "SELECT publisher, count(*) AS n, sum(cost) AS cost, sum(clicked::INT) AS clicks, "
         "min(ts) AS first_ts, max(ts) AS last_ts, max(user_id) AS max_user, sum(impression_id) "
         "AS ids, max(campaign_id) AS max_campaign FROM " +
         relation + " GROUP BY publisher";
}

const char* kImpressions =
    "SELECT i AS impression_id, (hash(i) % 2000000)::BIGINT AS user_id, (i % 500)::INTEGER AS "
    "campaign_id, "
    "'pub' || (hash(i * 7) % 200) AS publisher, TIMESTAMP '2026-01-01' + i * INTERVAL 250 "
    "MILLISECOND AS ts, "
    "((hash(i * 13) % 100000) / 10000.0)::DECIMAL(10,4) AS cost, hash(i * 3) % 50 = 0 AS clicked "
    "FROM range(%lld) r(i)";

// Single-threaded CPU seconds to decompress every SNAPPY page of `path` with Debian's libsnappy
// (as the reader does) and with DuckDB's bundled snappy; best of `runs`.
double ProcessCpu();
bool CompareSnappy(const std::string& path, int runs) {
  auto reader = formats::ParquetReader::Open(path, true);
  if (!reader.ok()) return false;
  auto plan = formats::PlanUncompressedImage(**reader);
  if (!plan.ok()) return false;
  struct Page {
    ByteSpan body;
    size_t size;
  };
  std::vector<Page> pages;
  ByteSpan file = (*reader)->data();
  size_t total = 0;
  for (const auto& group : plan->chunks) {
    for (const auto& chunk : group) {
      for (const formats::ImagePage& page : chunk.pages) {
        size_t header_size = 0;
        auto header = formats::ParsePageHeader(file.subspan(page.source), "page", &header_size);
        if (!header.ok()) return false;
        pages.push_back({file.subspan(page.source + header_size,
                                      static_cast<size_t>(header->compressed_page_size)),
                         page.body});
        total += page.body;
      }
    }
  }
  Bytes out(1 << 24);
  double best[2] = {1e9, 1e9};
  for (int r = 0; r < runs; ++r) {
    for (int which = 0; which < 2; ++which) {
      double cpu = ProcessCpu();
      for (const Page& page : pages) {
        if (page.size > out.size()) out.resize(page.size);
        const char* in = reinterpret_cast<const char*>(page.body.data());
        char* dst = reinterpret_cast<char*>(out.data());
        if (which == 0) {
          size_t got = page.size;
          if (snappy_uncompress(in, page.body.size(), dst, &got) != SNAPPY_OK) return false;
        } else if (!duckdb_snappy::RawUncompress(in, page.body.size(), dst)) {
          return false;
        }
      }
      best[which] = std::min(best[which], ProcessCpu() - cpu);
    }
  }
  std::printf(
      "snappy pages: %zu, %.1f MB out; Debian libsnappy %.3f s, DuckDB's bundled snappy "
      "%.3f s (%.2fx), one thread, best of %d\n",
      pages.size(), static_cast<double>(total) / 1e6, best[0], best[1], best[0] / best[1], runs);
  return true;
}

// A result as sorted text rows, to compare the two sides.
using Rows = std::vector<std::string>;

// One fresh in-memory DuckDB database.
class DuckDb {
 public:
  DuckDb() {
    duckdb_open(nullptr, &db_);
    duckdb_connect(db_, &con_);
    // Our validating reader as a table function, for the single-pass case.
    if (!engine::RegisterParquetScan(con_).ok()) std::exit(1);
  }
  ~DuckDb() {
    duckdb_disconnect(&con_);
    duckdb_close(&db_);
  }
  // Runs `sql`; with `rows` set, keeps the result's rows as text.
  bool Run(const std::string& sql, Rows* rows = nullptr) {
    duckdb_result r;
    if (duckdb_query(con_, sql.c_str(), &r) == DuckDBError) {
      std::fprintf(stderr, "DuckDB error: %s\n", duckdb_result_error(&r));
      duckdb_destroy_result(&r);
      return false;
    }
    if (rows != nullptr) {
      for (idx_t row = 0; row < duckdb_row_count(&r); ++row) {
        std::string line;
        for (idx_t c = 0; c < duckdb_column_count(&r); ++c) {
          char* v = duckdb_value_varchar(&r, c, row);
          line += (v != nullptr ? v : "NULL") + std::string("|");
          duckdb_free(v);
        }
        rows->push_back(line);
      }
      std::sort(rows->begin(), rows->end());
    }
    duckdb_destroy_result(&r);
    return true;
  }

 private:
  duckdb_database db_ = nullptr;
  duckdb_connection con_ = nullptr;
};

// The engine's path, start to end: open, load (validated unless `verify` is false), lock, run
// the compiled query and read its rows.
Status EnginePath(const std::string& path, bool verify, Rows* rows,
                  engine::ParquetInputs inputs = engine::EngineOptions().parquet_inputs) {
  engine::EngineOptions options;
  options.verify_parquet = verify;
  options.parquet_inputs = inputs;
  CR_ASSIGN_OR_RETURN(auto engine, engine::Engine::Open(options));
  engine::TableSource source;
  source.name = "t";
  source.path = path;
  source.format = engine::Format::kParquet;
  CR_RETURN_IF_ERROR(engine->LoadTable(source));
  CR_RETURN_IF_ERROR(engine->Lock());
  sql::Catalog catalog = engine->catalog();
  CR_ASSIGN_OR_RETURN(auto compiled, sql::CompileScript(kSparkQuery, catalog));
  CR_ASSIGN_OR_RETURN(auto result, engine->RunCompiled(compiled));
  while (true) {
    CR_ASSIGN_OR_RETURN(bool more, result->Next());
    if (!more) break;
    const engine::Chunk& chunk = result->chunk();
    for (idx_t r = 0; r < chunk.size() && rows != nullptr; ++r) {
      std::string line;
      for (idx_t c = 0; c < chunk.column_count(); ++c) {
        if (chunk.IsNull(c, r)) {
          line += "NULL";
        } else {
          chunk.AppendCell(c, r, engine::CellStyle::kText, line);
        }
        line += "|";
      }
      rows->push_back(line);
    }
  }
  if (rows != nullptr) std::sort(rows->begin(), rows->end());
  return Status::OK();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// CPU seconds of the whole process (every thread: DuckDB's and ours), user + system.
double ProcessCpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Wall and CPU seconds of each run of one case.
struct Series {
  std::vector<double> wall, cpu;
};

void TimeInto(Series& series, const std::function<bool()>& f) {
  double cpu = ProcessCpu();
  auto start = std::chrono::steady_clock::now();
  if (!f()) std::exit(1);
  series.wall.push_back(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  series.cpu.push_back(ProcessCpu() - cpu);
}

bool Check(const Status& s) {
  if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return s.ok();
}

// Rewrites `source` with our writer (BYTE_STREAM_SPLIT or PLAIN), row group by row group.
Status Rewrite(const std::string& source, const std::string& target, bool byte_stream_split) {
  CR_ASSIGN_OR_RETURN(auto reader, formats::ParquetReader::Open(source));
  formats::ParquetWriterOptions options;
  options.codec = formats::Codec::kZstd;
  options.byte_stream_split = byte_stream_split;
  options.page_rows = 1 << 16;
  CR_ASSIGN_OR_RETURN(auto writer, formats::ParquetWriter::Open(target, reader->fields(), options));
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    CR_ASSIGN_OR_RETURN(formats::RecordBatch batch, reader->ReadRowGroup(g, {}));
    CR_RETURN_IF_ERROR(writer->Write(batch));
  }
  return writer->Close();
}

void PrintRow(const std::string& name, const Series& duck, const Series& ours) {
  std::printf("%-52s %8.3f %10.3f %7.2fx %8.2fx\n", name.c_str(), Median(duck.wall),
              Median(ours.wall), Median(ours.wall) / Median(duck.wall),
              Median(ours.cpu) / Median(duck.cpu));
}

// Times, alternating run by run: DuckDB's query over `duck_file`, DuckDB's load of it and the
// query over the table, the engine's path over `our_file` with and without validation, and the
// query straight over our validating table function (the single pass an engine that does not
// copy its inputs into tables would run). Every side's rows must be equal.
bool Compare(const std::string& label, const std::string& duck_file, const std::string& our_file,
             int runs, bool unverified_too) {
  std::string reader = "read_parquet('" + duck_file + "')";
  Rows want, got;
  if (!DuckDb().Run(DuckDbQuery(reader), &want)) return false;
  if (!Check(EnginePath(our_file, true, &got))) return false;
  if (got != want) {
    std::fprintf(stderr, "%s: the engine's rows differ from DuckDB's\n", label.c_str());
    return false;
  }
  got.clear();
  if (!Check(EnginePath(our_file, true, &got, engine::ParquetInputs::kTables))) return false;
  if (got != want) {
    std::fprintf(stderr, "%s: the engine's rows from copied inputs differ from DuckDB's\n",
                 label.c_str());
    return false;
  }
  std::string scan_query = DuckDbQuery("cleanroom_parquet_scan('" + our_file + "')");
  got.clear();
  if (!DuckDb().Run(scan_query, &got) || got != want) {
    std::fprintf(stderr, "%s: the table function's rows differ from DuckDB's\n", label.c_str());
    return false;
  }
  Series query, load, ours, tables, unverified, scan;
  for (int r = 0; r < runs; ++r) {
    TimeInto(query, [&] { return DuckDb().Run(DuckDbQuery(reader)); });
    TimeInto(load, [&] {
      DuckDb db;
      return db.Run("CREATE TABLE t AS SELECT * FROM " + reader) && db.Run(DuckDbQuery("t"));
    });
    TimeInto(ours, [&] { return Check(EnginePath(our_file, true, nullptr)); });
    TimeInto(tables, [&] {
      return Check(EnginePath(our_file, true, nullptr, engine::ParquetInputs::kTables));
    });
    if (unverified_too) {
      TimeInto(unverified, [&] { return Check(EnginePath(our_file, false, nullptr)); });
    }
    TimeInto(scan, [&] { return DuckDb().Run(scan_query); });
  }
  PrintRow(label + ": engine vs duckdb query", query, ours);
  PrintRow(label + ": engine, inputs copied vs duckdb query", query, tables);
  PrintRow(label + ": engine, inputs copied vs duckdb load+query", load, tables);
  if (unverified_too) PrintRow(label + ": --no-verify vs duckdb query", query, unverified);
  PrintRow(label + ": validating scan query vs duckdb query", query, scan);
  std::fflush(stdout);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parquet_bench <work dir> [rows] [runs]\n");
    return 2;
  }
  std::string dir = argv[1];
  long long rows = argc > 2 ? std::atoll(argv[2]) : 10000000;
  int runs = argc > 3 ? std::atoi(argv[3]) : 5;
  std::filesystem::create_directories(dir);
  char sql[1024];
  std::snprintf(sql, sizeof(sql), kImpressions, rows);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("rows: %lld, runs: %d (medians, seconds), load average %.2f %.2f %.2f\n", rows, runs,
              load[0], load[1], load[2]);
  std::printf("%-52s %8s %10s %8s %9s\n", "case", "duckdb", "cleanroom", "ratio", "cpu ratio");
  std::string prefix = dir + "/impressions_" + std::to_string(rows) + "_";
  // For profiling:
  // PARQUET_BENCH_ONLY=query|scan|engine|tables|shmviews|hugeviews|verify|image|codec runs that
  // case alone, `runs` times, on the SNAPPY file (PARQUET_BENCH_CODEC picks another).
  if (const char* only = std::getenv("PARQUET_BENCH_ONLY")) {
    const char* codec = std::getenv("PARQUET_BENCH_CODEC");
    std::string path = prefix + (codec != nullptr ? codec : "snappy") + ".parquet";
    std::string which = only;
    if (which == "codec") return CompareSnappy(path, runs) ? 0 : 1;
    Series series;
    for (int r = 0; r < runs; ++r) {
      TimeInto(series, [&] {
        if (which == "engine") return Check(EnginePath(path, true, nullptr));
        if (which == "tables") {
          return Check(EnginePath(path, true, nullptr, engine::ParquetInputs::kTables));
        }
        if (which == "verify") return Check(engine::VerifyParquetInput(path, 2));
        if (which == "shmviews" || which == "hugeviews") {
          // The image design's memory, isolated: the validated image in a memory file of 4 KiB
          // pages (as the engine's kImageViews) or of 2 MiB huge pages (needs vm.nr_hugepages),
          // then DuckDB's query over it.
          auto reader = formats::ParquetReader::Open(path, true);
          if (!reader.ok()) return false;
          bool huge = which == "hugeviews";
          auto plan = formats::PlanUncompressedImage(**reader);
          if (!plan.ok()) return false;
          uint64_t size = plan->size(), mapped_size = size;
          if (huge) {
            mapped_size = (size + (uint64_t{2} << 20) - 1) & ~((uint64_t{2} << 20) - 1);
            // The footer's offsets grow with the lead: settle the lead so the image fills the
            // rounded size exactly.
            uint64_t lead = mapped_size - size;
            for (int i = 0; i < 8; ++i) {
              plan = formats::PlanUncompressedImage(**reader, lead);
              if (!plan.ok()) return false;
              if (plan->size() == mapped_size) break;
              lead = lead + mapped_size - plan->size();
            }
            if (plan->size() != mapped_size) return false;
          }
          int fd = ::memfd_create("bench", MFD_CLOEXEC | (huge ? MFD_HUGETLB : 0));
          if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(mapped_size)) != 0) return false;
          void* map = ::mmap(nullptr, mapped_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
          if (map == MAP_FAILED) return false;
          Status filled = formats::FillUncompressedImage(
              **reader, *plan, 2, std::span<uint8_t>(static_cast<uint8_t*>(map), mapped_size));
          ::munmap(map, mapped_size);
          bool ok =
              Check(filled) &&
              DuckDb().Run(DuckDbQuery("read_parquet('/proc/self/fd/" + std::to_string(fd) + "')"));
          ::close(fd);
          return ok;
        }
        if (which == "image") {
          auto reader = formats::ParquetReader::Open(path, true);
          if (!reader.ok()) return false;
          int fd = ::memfd_create("bench", MFD_CLOEXEC);
          Status s = formats::WriteUncompressedImage(**reader, 2, [fd](ByteSpan part) {
            return ::write(fd, part.data(), part.size()) == static_cast<ssize_t>(part.size())
                       ? Status::OK()
                       : Status::Internal("write");
          });
          ::close(fd);
          return Check(s);
        }
        std::string relation = which == "scan" ? "cleanroom_parquet_scan('" + path + "')"
                                               : "read_parquet('" + path + "')";
        return DuckDb().Run(DuckDbQuery(relation));
      });
    }
    std::printf("%s %s: wall %.3f s, cpu %.3f s (medians)\n", which.c_str(), path.c_str(),
                Median(series.wall), Median(series.cpu));
    return 0;
  }
  for (const char* codec : {"snappy", "zstd"}) {
    std::string path = prefix + codec + ".parquet";
    if (!std::filesystem::exists(path) &&
        !DuckDb().Run(std::string("COPY (") + sql + ") TO '" + path +
                      "' (FORMAT parquet, COMPRESSION " + codec + ")")) {
      return 1;
    }
    if (!Compare(codec, path, path, runs, true)) return 1;
  }
  // Only our reader: BYTE_STREAM_SPLIT integers ("bss ints"). DuckDB reads the PLAIN twin.
  std::string bss = prefix + "bss.parquet";
  std::string plain = prefix + "plain.parquet";
  for (auto [path, split] : {std::pair{bss, true}, std::pair{plain, false}}) {
    if (!std::filesystem::exists(path) && !Check(Rewrite(prefix + "zstd.parquet", path, split))) {
      return 1;
    }
  }
  {
    duckdb_database db;
    duckdb_connection con;
    duckdb_open(nullptr, &db);
    duckdb_connect(db, &con);
    duckdb_result r;
    if (duckdb_query(con, ("SELECT sum(impression_id) FROM read_parquet('" + bss + "')").c_str(),
                     &r) != DuckDBError) {
      std::fprintf(stderr, "note: DuckDB reads the BYTE_STREAM_SPLIT file too\n");
    }
    duckdb_destroy_result(&r);
    duckdb_disconnect(&con);
    duckdb_close(&db);
  }
  if (!Compare("bss ints", plain, bss, runs, false)) return 1;
  return 0;
}
