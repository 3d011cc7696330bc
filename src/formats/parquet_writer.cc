#include "formats/parquet_writer.h"

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "formats/parquet_codec.h"
#include "formats/parquet_encoding.h"
#include "formats/parquet_shredding.h"

namespace cleanroom::formats {
namespace {

using sql::TypeId;

Result<PhysicalLayout> LayoutOf(const sql::DataType& t) {
  PhysicalLayout l{PhysicalType::kInt32, 0, ConvertedType::kNone, LogicalType{}};
  switch (t.id) {
    case TypeId::kBoolean:
      l.type = PhysicalType::kBoolean;
      break;
    case TypeId::kTinyInt:
      l.converted = ConvertedType::kInt8;
      break;
    case TypeId::kSmallInt:
      l.converted = ConvertedType::kInt16;
      break;
    case TypeId::kInt:
      break;
    case TypeId::kBigInt:
      l.type = PhysicalType::kInt64;
      break;
    case TypeId::kFloat:
      l.type = PhysicalType::kFloat;
      break;
    case TypeId::kDouble:
      l.type = PhysicalType::kDouble;
      break;
    case TypeId::kDate:
      l.converted = ConvertedType::kDate;
      break;
    case TypeId::kString:
      l.type = PhysicalType::kByteArray;
      l.converted = ConvertedType::kUtf8;
      break;
    case TypeId::kBinary:
      l.type = PhysicalType::kByteArray;
      break;
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      l.type = PhysicalType::kInt64;
      l.logical.kind = LogicalKind::kTimestamp;
      l.logical.unit = TimeUnit::kMicros;
      l.logical.adjusted_to_utc = t.id == TypeId::kTimestamp;
      if (t.id == TypeId::kTimestamp) l.converted = ConvertedType::kTimestampMicros;
      break;
    case TypeId::kDecimal:
      l.converted = ConvertedType::kDecimal;
      if (t.precision > 18) {
        l.type = PhysicalType::kFixedLenByteArray;
        l.type_length = 16;
      } else if (t.precision > 9) {
        l.type = PhysicalType::kInt64;
      }
      break;
    default:
      return Status::Unimplemented("the Parquet writer does not write " + t.ToString() +
                                   " columns");
  }
  return l;
}

// The physical bytes (PLAIN, without a length prefix) of row `i` of a column.
void PhysicalValue(const ColumnVector& c, const PhysicalLayout& l, size_t i, std::string* out) {
  out->clear();
  auto put32 = [&](uint32_t v) { out->append(reinterpret_cast<const char*>(&v), 4); };
  auto put64 = [&](uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); };
  switch (c.type.id) {
    case TypeId::kBoolean:
      out->push_back(c.data[i] ? 1 : 0);
      return;
    case TypeId::kTinyInt:
      put32(static_cast<uint32_t>(static_cast<int32_t>(c.Value<int8_t>(i))));
      return;
    case TypeId::kSmallInt:
      put32(static_cast<uint32_t>(static_cast<int32_t>(c.Value<int16_t>(i))));
      return;
    case TypeId::kInt:
    case TypeId::kDate:
    case TypeId::kFloat:
      out->append(reinterpret_cast<const char*>(c.data.data() + 4 * i), 4);
      return;
    case TypeId::kBigInt:
    case TypeId::kDouble:
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      out->append(reinterpret_cast<const char*>(c.data.data() + 8 * i), 8);
      return;
    case TypeId::kDecimal: {
      if (c.type.precision <= 18) {
        int64_t v = c.Value<int64_t>(i);
        if (l.type == PhysicalType::kInt32)
          put32(static_cast<uint32_t>(static_cast<int32_t>(v)));
        else
          put64(static_cast<uint64_t>(v));
      } else {
        auto v = static_cast<unsigned __int128>(c.Value<__int128>(i));
        for (int b = 15; b >= 0; --b)
          out->push_back(static_cast<char>(static_cast<uint8_t>(v >> (8 * b))));
      }
      return;
    }
    default:
      out->assign(c.String(i));
      return;
  }
}

// Compares physical values in Parquet's order for statistics.
bool Less(const PhysicalLayout& l, const std::string& a, const std::string& b) {
  switch (l.type) {
    case PhysicalType::kBoolean:
      return a[0] < b[0];
    case PhysicalType::kInt32: {
      int32_t x, y;
      std::memcpy(&x, a.data(), 4);
      std::memcpy(&y, b.data(), 4);
      return x < y;
    }
    case PhysicalType::kInt64: {
      int64_t x, y;
      std::memcpy(&x, a.data(), 8);
      std::memcpy(&y, b.data(), 8);
      return x < y;
    }
    case PhysicalType::kFloat: {
      float x, y;
      std::memcpy(&x, a.data(), 4);
      std::memcpy(&y, b.data(), 4);
      return x < y;
    }
    case PhysicalType::kDouble: {
      double x, y;
      std::memcpy(&x, a.data(), 8);
      std::memcpy(&y, b.data(), 8);
      return x < y;
    }
    case PhysicalType::kFixedLenByteArray:  // big-endian signed decimal
      if ((a[0] ^ b[0]) & 0x80) return (a[0] & 0x80) != 0;
      return std::memcmp(a.data(), b.data(), a.size()) < 0;
    default:
      return std::string_view(a).compare(b) < 0 ? true : false;
  }
}

bool IsNaN(const PhysicalLayout& l, const std::string& v) {
  if (l.type == PhysicalType::kFloat) {
    float f;
    std::memcpy(&f, v.data(), 4);
    return std::isnan(f);
  }
  if (l.type == PhysicalType::kDouble) {
    double d;
    std::memcpy(&d, v.data(), 8);
    return std::isnan(d);
  }
  return false;
}

void AppendPlain(const PhysicalLayout& l, const std::string& v, Bytes* out) {
  if (l.type == PhysicalType::kByteArray) {
    uint8_t len[4];
    PutU32LE(len, static_cast<uint32_t>(v.size()));
    out->insert(out->end(), len, len + 4);
  }
  out->insert(out->end(), v.begin(), v.end());
}

}  // namespace

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(const std::string& path,
                                                           std::vector<Field> fields,
                                                           ParquetWriterOptions options) {
  auto w = std::unique_ptr<ParquetWriter>(new ParquetWriter());
  w->options_ = options;
  if (options.row_group_rows <= 0 || options.page_rows <= 0) {
    return Status::InvalidArgument("row group and page sizes must be positive");
  }
  w->meta_.version = 1;
  w->meta_.created_by = "cleanroom parquet writer";
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(fields.size());
  w->meta_.schema.push_back(root);
  CR_ASSIGN_OR_RETURN(w->plan_, ShreddingPlan::Build(fields, &w->meta_.schema));
  w->layouts_.resize(w->plan_.num_leaves());
  for (size_t l = 0; l < w->plan_.num_leaves(); ++l) {
    const ShreddedLeaf& leaf = w->plan_.leaves()[l];
    CR_ASSIGN_OR_RETURN(PhysicalLayout layout, LayoutOf(leaf.type));
    SchemaElement& e = w->meta_.schema[leaf.schema_element];
    e.type = layout.type;
    e.type_length = layout.type_length;
    e.converted_type = layout.converted;
    e.logical = layout.logical;
    e.precision = leaf.type.precision;
    e.scale = leaf.type.scale;
    w->layouts_[l] = layout;
  }
  w->fields_ = std::move(fields);
  CR_RETURN_IF_ERROR(w->file_.Open(path));
  CR_RETURN_IF_ERROR(w->Emit(AsBytes("PAR1")));
  return w;
}

Status ParquetWriter::Emit(ByteSpan bytes) {
  offset_ += static_cast<int64_t>(bytes.size());
  return file_.Append(bytes);
}

Status ParquetWriter::Write(const RecordBatch& batch) {
  if (batch.columns.size() != fields_.size()) {
    return Status::InvalidArgument("batch has " + std::to_string(batch.columns.size()) +
                                   " columns where the writer has " +
                                   std::to_string(fields_.size()));
  }
  for (size_t c = 0; c < fields_.size(); ++c) {
    if (batch.columns[c].type != fields_[c].type || batch.columns[c].length != batch.num_rows) {
      return Status::InvalidArgument("batch column " + fields_[c].name +
                                     " differs from the writer's schema");
    }
  }
  for (size_t begin = 0; begin < batch.num_rows;
       begin += static_cast<size_t>(options_.row_group_rows)) {
    size_t end = std::min(batch.num_rows, begin + static_cast<size_t>(options_.row_group_rows));
    CR_RETURN_IF_ERROR(WriteRowGroup(batch, begin, end));
  }
  return Status::OK();
}

Status ParquetWriter::WriteRowGroup(const RecordBatch& batch, size_t begin, size_t end) {
  RowGroup group;
  group.num_rows = static_cast<int64_t>(end - begin);
  std::vector<ShreddedLeaf> leaves;
  CR_RETURN_IF_ERROR(plan_.Shred(batch, begin, end, &leaves));
  for (size_t l = 0; l < leaves.size(); ++l) {
    ColumnChunk chunk;
    CR_RETURN_IF_ERROR(WriteColumn(leaves[l], layouts_[l], &chunk));
    group.total_byte_size += chunk.meta_data->total_uncompressed_size;
    group.columns.push_back(std::move(chunk));
  }
  meta_.num_rows += group.num_rows;
  meta_.row_groups.push_back(std::move(group));
  return Status::OK();
}

Status ParquetWriter::WriteColumn(const ShreddedLeaf& leaf, const PhysicalLayout& layout,
                                  ColumnChunk* chunk) {
  ColumnMetaData m;
  m.type = layout.type;
  m.path_in_schema = leaf.path;
  m.codec = options_.codec;
  m.num_values = static_cast<int64_t>(leaf.def.size());

  // Values of the defined entries, their dictionary, min/max.
  std::vector<std::string> values;
  values.reserve(leaf.values.size());
  std::string v;
  for (const auto& [vector, row] : leaf.values) {
    PhysicalValue(*vector, layout, row, &v);
    values.push_back(v);
  }
  Statistics stats;
  stats.null_count = static_cast<int64_t>(leaf.def.size() - values.size());
  const std::string* min = nullptr;
  const std::string* max = nullptr;
  for (const std::string& value : values) {
    if (IsNaN(layout, value)) continue;
    if (min == nullptr || Less(layout, value, *min)) min = &value;
    if (max == nullptr || Less(layout, *max, value)) max = &value;
  }
  if (min != nullptr) {
    stats.min_value = *min;
    stats.max_value = *max;
  }
  m.statistics = stats;

  std::unordered_map<std::string, uint32_t> dictionary;
  std::vector<const std::string*> dictionary_order;
  std::vector<uint32_t> indices;
  bool use_dictionary =
      options_.dictionary && layout.type != PhysicalType::kBoolean && !values.empty();
  if (use_dictionary) {
    indices.reserve(values.size());
    for (const std::string& value : values) {
      auto [it, inserted] =
          dictionary.emplace(value, static_cast<uint32_t>(dictionary_order.size()));
      if (inserted) dictionary_order.push_back(&it->first);
      indices.push_back(it->second);
      if (dictionary_order.size() > values.size() / 2 + 1) break;
    }
    use_dictionary =
        dictionary_order.size() <= values.size() / 2 + 1 && indices.size() == values.size();
  }

  auto write_page = [&](PageHeader header, const Bytes& raw) -> Status {
    Bytes compressed;
    CR_RETURN_IF_ERROR(Compress(options_.codec, raw, &compressed));
    header.uncompressed_page_size = static_cast<int32_t>(raw.size());
    header.compressed_page_size = static_cast<int32_t>(compressed.size());
    header.crc =
        static_cast<int32_t>(crc32(0L, compressed.data(), static_cast<uInt>(compressed.size())));
    Bytes header_bytes = SerializePageHeader(header);
    m.total_uncompressed_size += static_cast<int64_t>(header_bytes.size() + raw.size());
    m.total_compressed_size += static_cast<int64_t>(header_bytes.size() + compressed.size());
    CR_RETURN_IF_ERROR(Emit(header_bytes));
    return Emit(compressed);
  };

  if (use_dictionary) {
    m.dictionary_page_offset = offset_;
    Bytes raw;
    for (const std::string* value : dictionary_order) AppendPlain(layout, *value, &raw);
    PageHeader header;
    header.type = PageType::kDictionaryPage;
    header.dictionary_page =
        DictionaryPageHeader{static_cast<int32_t>(dictionary_order.size()), Encoding::kPlain};
    CR_RETURN_IF_ERROR(write_page(header, raw));
    m.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  } else if (options_.byte_stream_split && layout.type != PhysicalType::kBoolean &&
             layout.type != PhysicalType::kByteArray) {
    m.encodings = {Encoding::kByteStreamSplit, Encoding::kRle};
  } else {
    m.encodings = {Encoding::kPlain, Encoding::kRle};
  }
  m.data_page_offset = offset_;
  int bit_width = BitWidth(dictionary_order.empty() ? 0 : dictionary_order.size() - 1);
  size_t value_index = 0;
  std::vector<uint32_t> levels;
  // Appends the levels [from, to) of `source`, RLE with their 4-byte length (data page v1).
  auto append_levels = [&](const std::vector<uint8_t>& source, int max_level, size_t from,
                           size_t to, Bytes* raw) {
    levels.assign(source.begin() + static_cast<std::ptrdiff_t>(from),
                  source.begin() + static_cast<std::ptrdiff_t>(to));
    size_t length_at = raw->size();
    raw->resize(length_at + 4);
    EncodeRleHybrid(levels.data(), levels.size(), BitWidth(static_cast<uint64_t>(max_level)), raw);
    PutU32LE(raw->data() + length_at, static_cast<uint32_t>(raw->size() - length_at - 4));
  };
  const size_t entries = leaf.def.size();
  const uint8_t max_def = static_cast<uint8_t>(leaf.max_def);
  for (size_t page_begin = 0; page_begin < entries;) {
    // A page holds up to page_rows rows and starts at a row (repetition level 0).
    size_t page_end = page_begin, rows = 0;
    while (page_end < entries) {
      bool starts_row = leaf.max_rep == 0 || leaf.rep[page_end] == 0;
      if (starts_row && rows == static_cast<size_t>(options_.page_rows)) break;
      rows += starts_row;
      ++page_end;
    }
    size_t defined = 0;
    for (size_t i = page_begin; i < page_end; ++i) defined += leaf.def[i] == max_def;
    Bytes raw;
    if (leaf.max_rep > 0) append_levels(leaf.rep, leaf.max_rep, page_begin, page_end, &raw);
    if (leaf.max_def > 0) append_levels(leaf.def, leaf.max_def, page_begin, page_end, &raw);
    PageHeader header;
    header.type = PageType::kDataPage;
    DataPageHeader dp;
    dp.num_values = static_cast<int32_t>(page_end - page_begin);
    dp.definition_level_encoding = Encoding::kRle;
    dp.repetition_level_encoding = Encoding::kRle;
    if (use_dictionary) {
      dp.encoding = Encoding::kRleDictionary;
      raw.push_back(static_cast<uint8_t>(bit_width));
      EncodeRleHybrid(indices.data() + value_index, defined, bit_width, &raw);
    } else if (options_.byte_stream_split && layout.type != PhysicalType::kBoolean &&
               layout.type != PhysicalType::kByteArray) {
      dp.encoding = Encoding::kByteStreamSplit;
      size_t width = defined == 0 ? 0 : values[value_index].size();
      size_t base = raw.size();
      raw.resize(base + defined * width);
      for (size_t k = 0; k < defined; ++k) {
        for (size_t b = 0; b < width; ++b)
          raw[base + b * defined + k] = static_cast<uint8_t>(values[value_index + k][b]);
      }
    } else {
      dp.encoding = Encoding::kPlain;
      if (layout.type == PhysicalType::kBoolean) {
        size_t base = raw.size();
        raw.resize(base + (defined + 7) / 8, 0);
        for (size_t k = 0; k < defined; ++k) {
          if (values[value_index + k][0]) raw[base + k / 8] |= static_cast<uint8_t>(1u << (k % 8));
        }
      } else {
        for (size_t k = 0; k < defined; ++k) AppendPlain(layout, values[value_index + k], &raw);
      }
    }
    value_index += defined;
    header.data_page = dp;
    CR_RETURN_IF_ERROR(write_page(header, raw));
    page_begin = page_end;
  }
  chunk->meta_data = std::move(m);
  return Status::OK();
}

Status ParquetWriter::Close() {
  Bytes footer = SerializeFileMetaData(meta_);
  CR_RETURN_IF_ERROR(Emit(footer));
  uint8_t tail[8];
  PutU32LE(tail, static_cast<uint32_t>(footer.size()));
  // NOLINTNEXTLINE(bugprone-not-null-terminated-result): the 4-byte magic, not a C string.
  std::memcpy(tail + 4, "PAR1", 4);
  CR_RETURN_IF_ERROR(Emit(ByteSpan(tail, 8)));
  return file_.Commit();
}

}  // namespace cleanroom::formats
