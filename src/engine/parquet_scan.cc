// The validating Parquet reader inside DuckDB: a table function `cleanroom_parquet_scan(path)`
// (projection pushdown, one row group per task, DuckDB's threads) for files DuckDB cannot read,
// and the validation run before DuckDB reads any Parquet input. Owned by the formats engineer.
//
// Public entry points: engine/parquet_scan.h.
#include "engine/parquet_scan.h"

#include <duckdb.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "formats/parquet_reader.h"

namespace cleanroom::engine {

namespace {

using formats::ColumnVector;
using sql::TypeId;

// sql::DataType to a DuckDB logical type (the caller destroys it).
duckdb_logical_type ToDuckDbType(const sql::DataType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    case TypeId::kTinyInt:
      return duckdb_create_logical_type(DUCKDB_TYPE_TINYINT);
    case TypeId::kSmallInt:
      return duckdb_create_logical_type(DUCKDB_TYPE_SMALLINT);
    case TypeId::kInt:
      return duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    case TypeId::kBigInt:
      return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case TypeId::kFloat:
      return duckdb_create_logical_type(DUCKDB_TYPE_FLOAT);
    case TypeId::kDouble:
      return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case TypeId::kDecimal:
      return duckdb_create_decimal_type(static_cast<uint8_t>(t.precision),
                                        static_cast<uint8_t>(t.scale));
    case TypeId::kString:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    case TypeId::kDate:
      return duckdb_create_logical_type(DUCKDB_TYPE_DATE);
    case TypeId::kTimestamp:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ);
    case TypeId::kTimestampNtz:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP);
    case TypeId::kArray: {
      duckdb_logical_type child = ToDuckDbType(t.children[0]);
      duckdb_logical_type list = duckdb_create_list_type(child);
      duckdb_destroy_logical_type(&child);
      return list;
    }
    case TypeId::kMap: {
      duckdb_logical_type key = ToDuckDbType(t.children[0]);
      duckdb_logical_type value = ToDuckDbType(t.children[1]);
      duckdb_logical_type map = duckdb_create_map_type(key, value);
      duckdb_destroy_logical_type(&key);
      duckdb_destroy_logical_type(&value);
      return map;
    }
    case TypeId::kStruct: {
      std::vector<duckdb_logical_type> members;
      std::vector<const char*> names;
      for (size_t i = 0; i < t.children.size(); ++i) {
        members.push_back(ToDuckDbType(t.children[i]));
        names.push_back(t.field_names[i].c_str());
      }
      duckdb_logical_type s =
          duckdb_create_struct_type(members.data(), names.data(), members.size());
      for (auto& m : members) duckdb_destroy_logical_type(&m);
      return s;
    }
    default:
      return duckdb_create_logical_type(DUCKDB_TYPE_BLOB);
  }
}

// Whether `v` is ASCII (then valid UTF-8 without further checks); eight bytes at a time.
bool IsAscii(std::string_view v) {
  size_t i = 0;
  uint64_t bits = 0;
  for (; i + 8 <= v.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, v.data() + i, 8);
    bits |= word;
  }
  for (; i < v.size(); ++i) bits |= static_cast<uint8_t>(v[i]);
  return (bits & 0x8080808080808080ULL) == 0;
}

// Writes strings of rows [from, from + count) at rows [to, to + count). A short string that
// needs no UTF-8 check (ASCII, or a BLOB) is written inline into DuckDB's string slot; others go
// through DuckDB, which checks UTF-8 and copies into the vector's heap.
void FillStrings(duckdb_vector vector, const ColumnVector& column, size_t from, size_t count,
                 size_t to) {
  constexpr size_t kInlineLength = sizeof(duckdb_string_t) - sizeof(uint32_t);
  auto* slots = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
  // The rows' bytes lie back to back: one ASCII check covers the whole slice.
  const auto* bytes = reinterpret_cast<const char*>(column.data.data());
  const bool checked = column.type.id == TypeId::kBinary ||
                       IsAscii(std::string_view(bytes + column.offsets[from],
                                                static_cast<size_t>(column.offsets[from + count] -
                                                                    column.offsets[from])));
  for (size_t i = 0; i < count; ++i) {
    if (column.IsNull(from + i)) continue;
    std::string_view v = column.String(from + i);
    if (v.size() <= kInlineLength && checked) {
      duckdb_string_t& slot = slots[to + i];
      std::memset(&slot, 0, sizeof(slot));  // DuckDB compares inline strings as 16 bytes
      slot.value.inlined.length = static_cast<uint32_t>(v.size());
      if (!v.empty()) std::memcpy(slot.value.inlined.inlined, v.data(), v.size());
    } else {
      duckdb_vector_assign_string_element_len(vector, to + i, v.data(), v.size());
    }
  }
}

// Copies rows [from, from + count) of `column` into `vector` at rows [to, to + count).
void FillVector(duckdb_vector vector, const ColumnVector& column, size_t from, size_t count,
                size_t to) {
  if (!column.validity.empty()) {
    duckdb_vector_ensure_validity_writable(vector);
    uint64_t* validity = duckdb_vector_get_validity(vector);
    const uint8_t* valid = column.validity.data() + from;
    size_t i = 0;
    // Whole 64-bit words at once where the output rows start a word (always, for top-level
    // columns: `to` is 0); bit by bit for the rest.
    if (to % 64 == 0) {
      for (; i + 64 <= count; i += 64) {
        uint64_t word = 0;
        for (size_t b = 0; b < 64; ++b) word |= static_cast<uint64_t>(valid[i + b] != 0) << b;
        validity[(to + i) / 64] = word;
      }
    }
    for (; i < count; ++i) {
      size_t row = to + i;
      uint64_t bit = uint64_t{1} << (row % 64);
      if (valid[i] != 0) {
        validity[row / 64] |= bit;
      } else {
        validity[row / 64] &= ~bit;
      }
    }
  }
  auto* out = static_cast<uint8_t*>(duckdb_vector_get_data(vector));
  switch (column.type.id) {
    case TypeId::kString:
    case TypeId::kBinary:
      FillStrings(vector, column, from, count, to);
      return;
    case TypeId::kDecimal: {
      // DuckDB stores decimals in 2, 4, 8 or 16 bytes by precision; ours are 8 or 16.
      int p = column.type.precision;
      if (p > 18) {
        std::memcpy(out + 16 * to, column.data.data() + 16 * from, 16 * count);  // hugeint
      } else if (p > 9) {
        std::memcpy(out + 8 * to, column.data.data() + 8 * from, 8 * count);
      } else if (p > 4) {
        for (size_t i = 0; i < count; ++i) {
          auto v = static_cast<int32_t>(column.Value<int64_t>(from + i));
          std::memcpy(out + 4 * (to + i), &v, 4);
        }
      } else {
        for (size_t i = 0; i < count; ++i) {
          auto v = static_cast<int16_t>(column.Value<int64_t>(from + i));
          std::memcpy(out + 2 * (to + i), &v, 2);
        }
      }
      return;
    }
    case TypeId::kArray:
    case TypeId::kMap: {
      auto* entries = reinterpret_cast<duckdb_list_entry*>(out);
      size_t child_from = static_cast<size_t>(column.offsets[from]);
      size_t child_count = static_cast<size_t>(column.offsets[from + count]) - child_from;
      size_t base = duckdb_list_vector_get_size(vector);
      duckdb_list_vector_reserve(vector, base + child_count);
      for (size_t i = 0; i < count; ++i) {
        entries[to + i].offset = base + static_cast<size_t>(column.offsets[from + i]) - child_from;
        entries[to + i].length =
            static_cast<uint64_t>(column.offsets[from + i + 1] - column.offsets[from + i]);
      }
      duckdb_vector child = duckdb_list_vector_get_child(vector);
      if (column.type.id == TypeId::kArray) {
        FillVector(child, column.children[0], child_from, child_count, base);
      } else {
        FillVector(duckdb_struct_vector_get_child(child, 0), column.children[0], child_from,
                   child_count, base);
        FillVector(duckdb_struct_vector_get_child(child, 1), column.children[1], child_from,
                   child_count, base);
      }
      duckdb_list_vector_set_size(vector, base + child_count);
      return;
    }
    case TypeId::kStruct:
      for (size_t c = 0; c < column.children.size(); ++c) {
        FillVector(duckdb_struct_vector_get_child(vector, c), column.children[c], from, count, to);
      }
      return;
    default: {
      size_t width = formats::FixedWidthOf(column.type);
      std::memcpy(out + width * to, column.data.data() + width * from, width * count);
      return;
    }
  }
}

struct ScanBind {
  std::unique_ptr<formats::ParquetReader> reader;
  // Decode the next row group on a thread of ours while DuckDB consumes the current one: for
  // pipelines DuckDB runs on one thread (CREATE TABLE AS keeps the file's row order, and a C API
  // table function cannot give DuckDB the batch indices it needs to insert in parallel).
  bool read_ahead = false;
};

struct ScanGlobal {
  std::vector<int> projection;  // field indices in output order (row ids included)
  std::vector<int> fields;      // the fields read: the projection's real columns, at least one
  std::atomic<int> next_row_group{0};
};

struct ScanLocal {
  std::unique_ptr<formats::RecordBatch> batch;
  size_t offset = 0;
  // With read-ahead: the next row group being decoded (its destructor waits for it).
  std::future<Result<formats::RecordBatch>> next;
};

void ScanBindCallback(duckdb_bind_info info) {
  duckdb_value parameter = duckdb_bind_get_parameter(info, 0);
  char* path = duckdb_get_varchar(parameter);
  std::string file = path != nullptr ? path : "";
  duckdb_free(path);
  duckdb_destroy_value(&parameter);
  bool read_ahead = false;
  if (duckdb_value flag = duckdb_bind_get_named_parameter(info, "read_ahead")) {
    read_ahead = duckdb_get_bool(flag);
    duckdb_destroy_value(&flag);
  }
  auto reader = formats::ParquetReader::Open(file, /*read_all=*/true);
  if (!reader.ok()) {
    duckdb_bind_set_error(info, reader.status().ToString().c_str());
    return;
  }
  for (const formats::Field& field : (*reader)->fields()) {
    duckdb_logical_type type = ToDuckDbType(field.type);
    duckdb_bind_add_result_column(info, field.name.c_str(), type);
    duckdb_destroy_logical_type(&type);
  }
  duckdb_bind_set_cardinality(info, static_cast<idx_t>((*reader)->num_rows()), true);
  auto* bind = new ScanBind{std::move(*reader), read_ahead};
  duckdb_bind_set_bind_data(info, bind, [](void* p) { delete static_cast<ScanBind*>(p); });
}

void ScanInitCallback(duckdb_init_info info) {
  auto* bind = static_cast<ScanBind*>(duckdb_init_get_bind_data(info));
  auto* global = new ScanGlobal();
  idx_t columns = duckdb_init_get_column_count(info);
  const auto field_count = static_cast<idx_t>(bind->reader->fields().size());
  for (idx_t i = 0; i < columns; ++i) {
    idx_t index = duckdb_init_get_column_index(info, i);
    global->projection.push_back(index < field_count ? static_cast<int>(index) : -1);
    if (index < field_count) global->fields.push_back(static_cast<int>(index));
  }
  // Columns DuckDB does not need (projection lists only row ids) still give row counts.
  if (global->fields.empty()) global->fields.push_back(0);
  duckdb_init_set_max_threads(info,
                              static_cast<idx_t>(std::max(1, bind->reader->num_row_groups())));
  duckdb_init_set_init_data(info, global, [](void* p) { delete static_cast<ScanGlobal*>(p); });
}

void ScanLocalInitCallback(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new ScanLocal(),
                            [](void* p) { delete static_cast<ScanLocal*>(p); });
}

// Moves `local` to its next row group; false at the end of the file. The previous batch's
// buffers are reused (same projection): no fresh memory per row group.
Result<bool> NextRowGroup(const ScanBind& bind, ScanGlobal& global, ScanLocal& local) {
  const formats::ParquetReader& reader = *bind.reader;
  formats::RecordBatch recycled;
  if (local.batch) recycled = std::move(*local.batch);
  local.batch.reset();
  if (local.next.valid()) {
    CR_ASSIGN_OR_RETURN(formats::RecordBatch batch, local.next.get());
    local.batch = std::make_unique<formats::RecordBatch>(std::move(batch));
  } else {
    int group = global.next_row_group.fetch_add(1);
    if (group >= reader.num_row_groups()) return false;
    CR_ASSIGN_OR_RETURN(formats::RecordBatch batch,
                        reader.ReadRowGroup(group, global.fields, std::move(recycled)));
    local.batch = std::make_unique<formats::RecordBatch>(std::move(batch));
    recycled = formats::RecordBatch();
  }
  local.offset = 0;
  if (bind.read_ahead) {
    int group = global.next_row_group.fetch_add(1);
    if (group < reader.num_row_groups()) {
      // The reader (bind data) outlives every scan state; the projection is copied, as the
      // global state may go before this local one.
      try {
        local.next = std::async(std::launch::async, [&reader, fields = global.fields, group,
                                                     old = std::move(recycled)]() mutable {
          return reader.ReadRowGroup(group, fields, std::move(old));
        });
      } catch (const std::system_error&) {
        // No thread to be had: the claimed row group is decoded here, now.
        std::promise<Result<formats::RecordBatch>> ready;
        ready.set_value(reader.ReadRowGroup(group, global.fields));
        local.next = ready.get_future();
      }
    }
  }
  return true;
}

void ScanCallback(duckdb_function_info info, duckdb_data_chunk output) {
  auto* bind = static_cast<ScanBind*>(duckdb_function_get_bind_data(info));
  auto* global = static_cast<ScanGlobal*>(duckdb_function_get_init_data(info));
  auto* local = static_cast<ScanLocal*>(duckdb_function_get_local_init_data(info));
  while (!local->batch || local->offset >= local->batch->num_rows) {
    Result<bool> more = NextRowGroup(*bind, *global, *local);
    if (!more.ok()) {
      duckdb_function_set_error(info, more.status().ToString().c_str());
      return;
    }
    if (!*more) {
      duckdb_data_chunk_set_size(output, 0);
      return;
    }
  }
  size_t count = std::min<size_t>(duckdb_vector_size(), local->batch->num_rows - local->offset);
  size_t produced = 0;
  for (size_t c = 0; c < global->projection.size(); ++c) {
    if (global->projection[c] < 0) continue;  // row id
    FillVector(duckdb_data_chunk_get_vector(output, c), local->batch->columns[produced++],
               local->offset, count, 0);
  }
  local->offset += count;
  duckdb_data_chunk_set_size(output, count);
}

// Paths a glob or directory names (a plain file names itself).
Result<std::vector<std::string>> ExpandPaths(const std::string& path) {
  std::vector<std::string> out;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".parquet")
        out.push_back(entry.path().string());
    }
  } else if (path.find_first_of("*?[") != std::string::npos) {
    glob_t g{};
    if (::glob(path.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
  } else {
    out.push_back(path);
  }
  if (out.empty()) return Status::NotFound("no Parquet file matches " + path);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// Registers `cleanroom_parquet_scan(path VARCHAR [, read_ahead := BOOLEAN])` on the connection.
Status RegisterParquetScan(duckdb_connection connection) {
  duckdb_table_function function = duckdb_create_table_function();
  duckdb_table_function_set_name(function, "cleanroom_parquet_scan");
  duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_table_function_add_parameter(function, varchar);
  duckdb_destroy_logical_type(&varchar);
  duckdb_logical_type boolean = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
  duckdb_table_function_add_named_parameter(function, "read_ahead", boolean);
  duckdb_destroy_logical_type(&boolean);
  duckdb_table_function_set_bind(function, ScanBindCallback);
  duckdb_table_function_set_init(function, ScanInitCallback);
  duckdb_table_function_set_local_init(function, ScanLocalInitCallback);
  duckdb_table_function_set_function(function, ScanCallback);
  duckdb_table_function_supports_projection_pushdown(function, true);
  duckdb_state state = duckdb_register_table_function(connection, function);
  duckdb_destroy_table_function(&function);
  if (state == DuckDBError) return Status::Internal("cannot register cleanroom_parquet_scan");
  return Status::OK();
}

namespace {

// Whether DuckDB's reader takes every column chunk's codec and encodings (see the header).
bool DuckDbReads(const formats::ParquetReader& reader, bool image) {
  for (const formats::RowGroup& group : reader.metadata().row_groups) {
    for (const formats::ColumnChunk& chunk : group.columns) {
      if (!chunk.meta_data.has_value()) continue;
      const formats::ColumnMetaData& meta = *chunk.meta_data;
      if (meta.codec == formats::Codec::kLz4 && !image) return false;  // an image is UNCOMPRESSED
      bool floating =
          meta.type == formats::PhysicalType::kFloat || meta.type == formats::PhysicalType::kDouble;
      for (formats::Encoding encoding : meta.encodings) {
        // An image holds these values PLAIN.
        if (encoding == formats::Encoding::kByteStreamSplit && !floating && !image) return false;
      }
    }
  }
  return true;
}

ParquetLoadChoice Choose(const formats::ParquetReader& reader, bool image) {
  ParquetLoadChoice choice;
  choice.duckdb_reads = DuckDbReads(reader, image);
  choice.path = choice.duckdb_reads ? ParquetLoadPath::kVerifyThenDuckDb : ParquetLoadPath::kScan;
  return choice;
}

}  // namespace

Result<ParquetLoadChoice> ChooseParquetLoad(const std::string& path, bool image) {
  CR_ASSIGN_OR_RETURN(auto reader, formats::ParquetReader::Open(path));
  return Choose(*reader, image);
}

Result<ParquetLoadChoice> ChooseParquetLoadBytes(ByteSpan data, const std::string& name,
                                                 bool image) {
  CR_ASSIGN_OR_RETURN(auto reader, formats::ParquetReader::OpenSpan(data, name));
  return Choose(*reader, image);
}

// Validates every Parquet file a path, directory or glob names, row groups in parallel.
Status VerifyParquetInput(const std::string& path_or_glob, size_t threads) {
  CR_ASSIGN_OR_RETURN(std::vector<std::string> paths, ExpandPaths(path_or_glob));
  for (const std::string& path : paths)
    CR_RETURN_IF_ERROR(formats::VerifyParquetFile(path, threads));
  return Status::OK();
}

// Validates Parquet bytes held in memory (decrypted inputs).
Status VerifyParquetBytes(ByteSpan data, const std::string& name, size_t threads) {
  CR_ASSIGN_OR_RETURN(auto reader, formats::ParquetReader::OpenSpan(data, name));
  return reader->Verify(threads);
}

}  // namespace cleanroom::engine
