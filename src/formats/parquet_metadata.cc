#include "formats/parquet_metadata.h"

#include "formats/thrift_compact.h"

namespace cleanroom::formats {
namespace {

// Calls f(field_id, type) for every field of the struct at the reader's position; f must
// consume the value (or Skip it).
template <typename F>
Status ForEachField(ThriftReader& r, F&& f) {
  CR_RETURN_IF_ERROR(r.BeginStruct());
  while (true) {
    int16_t id = 0;
    ThriftType type;
    CR_RETURN_IF_ERROR(r.ReadFieldHeader(&id, &type));
    if (type == ThriftType::kStop) break;
    CR_RETURN_IF_ERROR(f(id, type));
  }
  r.EndStruct();
  return Status::OK();
}

bool IsInteger(ThriftType t) {
  return t == ThriftType::kI16 || t == ThriftType::kI32 || t == ThriftType::kI64;
}

// Integer fields are accepted in any of the varint widths (writers differ; the value is
// range-checked where it is read).
Status Expect(ThriftReader& r, ThriftType got, ThriftType want) {
  if (got == want || (IsInteger(got) && IsInteger(want))) return Status::OK();
  return r.Corrupt("unexpected field type");
}

Status ReadI32Field(ThriftReader& r, ThriftType type, int32_t* out) {
  CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kI32));
  CR_ASSIGN_OR_RETURN(*out, r.ReadI32());
  return Status::OK();
}
Status ReadI64Field(ThriftReader& r, ThriftType type, int64_t* out) {
  CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kI64));
  CR_ASSIGN_OR_RETURN(*out, r.ReadI64());
  return Status::OK();
}
Status ReadBinaryField(ThriftReader& r, ThriftType type, std::string* out) {
  CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kBinary));
  CR_ASSIGN_OR_RETURN(*out, r.ReadBinary());
  return Status::OK();
}
Status ReadBoolField(ThriftReader& r, ThriftType type, bool* out) {
  CR_ASSIGN_OR_RETURN(*out, r.ReadBool(type));
  return Status::OK();
}
template <typename E>
Status ReadEnumField(ThriftReader& r, ThriftType type, int32_t max, E* out) {
  int32_t v = 0;
  CR_RETURN_IF_ERROR(ReadI32Field(r, type, &v));
  if (v < 0 || v > max) return r.Corrupt("enum value out of range");
  *out = static_cast<E>(v);
  return Status::OK();
}

// Reads a list, calling f() for each element after checking the element type.
template <typename F>
Status ForEachListElement(ThriftReader& r, ThriftType type, ThriftType element, F&& f) {
  CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kList));
  ThriftType got;
  uint32_t count;
  CR_RETURN_IF_ERROR(r.ReadListHeader(&got, &count));
  if (count > 0 && got != element && !(IsInteger(got) && IsInteger(element))) {
    return r.Corrupt("unexpected list element type");
  }
  for (uint32_t i = 0; i < count; ++i) CR_RETURN_IF_ERROR(f());
  return Status::OK();
}

Status ParseTimeUnit(ThriftReader& r, TimeUnit* unit) {
  return ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    if (id >= 1 && id <= 3 && type == ThriftType::kStruct) *unit = static_cast<TimeUnit>(id);
    return r.Skip(type);
  });
}

Status ParseLogicalType(ThriftReader& r, LogicalType* lt) {
  return ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    if (type != ThriftType::kStruct) return r.Corrupt("logical type member is not a struct");
    switch (id) {
      case 5:
        lt->kind = LogicalKind::kDecimal;
        return ForEachField(r, [&](int16_t f, ThriftType t) -> Status {
          if (f == 1) return ReadI32Field(r, t, &lt->scale);
          if (f == 2) return ReadI32Field(r, t, &lt->precision);
          return r.Skip(t);
        });
      case 7:
      case 8:
        lt->kind = id == 7 ? LogicalKind::kTime : LogicalKind::kTimestamp;
        return ForEachField(r, [&](int16_t f, ThriftType t) -> Status {
          if (f == 1) return ReadBoolField(r, t, &lt->adjusted_to_utc);
          if (f == 2) return ParseTimeUnit(r, &lt->unit);
          return r.Skip(t);
        });
      case 10:
        lt->kind = LogicalKind::kInteger;
        return ForEachField(r, [&](int16_t f, ThriftType t) -> Status {
          if (f == 1) {
            CR_RETURN_IF_ERROR(Expect(r, t, ThriftType::kByte));
            // NOLINTNEXTLINE(bugprone-signed-char-misuse): Thrift's i8 is signed, so is the width.
            CR_ASSIGN_OR_RETURN(lt->bit_width, r.ReadByte());
            return Status::OK();
          }
          if (f == 2) return ReadBoolField(r, t, &lt->is_signed);
          return r.Skip(t);
        });
      case 1:
      case 2:
      case 3:
      case 4:
      case 6:
      case 11:
      case 12:
      case 13:
      case 14:
      case 15:
        lt->kind = static_cast<LogicalKind>(id);
        return r.Skip(type);
      default:
        // An unknown (future) logical type: fall back to the physical type.
        lt->kind = LogicalKind::kOther;
        return r.Skip(type);
    }
  });
}

Status ParseSchemaElement(ThriftReader& r, SchemaElement* e) {
  return ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1: {
        PhysicalType t{};
        CR_RETURN_IF_ERROR(ReadEnumField(r, type, 7, &t));
        e->type = t;
        return Status::OK();
      }
      case 2:
        return ReadI32Field(r, type, &e->type_length);
      case 3: {
        Repetition rep{};
        CR_RETURN_IF_ERROR(ReadEnumField(r, type, 2, &rep));
        e->repetition = rep;
        return Status::OK();
      }
      case 4:
        return ReadBinaryField(r, type, &e->name);
      case 5:
        return ReadI32Field(r, type, &e->num_children);
      case 6:
        return ReadEnumField(r, type, 21, &e->converted_type);
      case 7:
        return ReadI32Field(r, type, &e->scale);
      case 8:
        return ReadI32Field(r, type, &e->precision);
      case 10:
        CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kStruct));
        return ParseLogicalType(r, &e->logical);
      default:
        return r.Skip(type);
    }
  });
}

Status ParseStatistics(ThriftReader& r, Statistics* s) {
  return ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    std::string value;
    int64_t count = 0;
    switch (id) {
      case 1:
        CR_RETURN_IF_ERROR(ReadBinaryField(r, type, &value));
        s->max = value;
        return Status::OK();
      case 2:
        CR_RETURN_IF_ERROR(ReadBinaryField(r, type, &value));
        s->min = value;
        return Status::OK();
      case 3:
        CR_RETURN_IF_ERROR(ReadI64Field(r, type, &count));
        s->null_count = count;
        return Status::OK();
      case 4:
        CR_RETURN_IF_ERROR(ReadI64Field(r, type, &count));
        s->distinct_count = count;
        return Status::OK();
      case 5:
        CR_RETURN_IF_ERROR(ReadBinaryField(r, type, &value));
        s->max_value = value;
        return Status::OK();
      case 6:
        CR_RETURN_IF_ERROR(ReadBinaryField(r, type, &value));
        s->min_value = value;
        return Status::OK();
      default:
        return r.Skip(type);
    }
  });
}

Status ParseColumnMetaData(ThriftReader& r, ColumnMetaData* m) {
  return ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1:
        return ReadEnumField(r, type, 7, &m->type);
      case 2:
        return ForEachListElement(r, type, ThriftType::kI32, [&]() -> Status {
          CR_ASSIGN_OR_RETURN(int32_t v, r.ReadI32());
          m->encodings.push_back(static_cast<Encoding>(v));
          return Status::OK();
        });
      case 3:
        return ForEachListElement(r, type, ThriftType::kBinary, [&]() -> Status {
          CR_ASSIGN_OR_RETURN(std::string v, r.ReadBinary());
          m->path_in_schema.push_back(std::move(v));
          return Status::OK();
        });
      case 4:
        return ReadEnumField(r, type, 7, &m->codec);
      case 5:
        return ReadI64Field(r, type, &m->num_values);
      case 6:
        return ReadI64Field(r, type, &m->total_uncompressed_size);
      case 7:
        return ReadI64Field(r, type, &m->total_compressed_size);
      case 9:
        return ReadI64Field(r, type, &m->data_page_offset);
      case 11: {
        int64_t v = 0;
        CR_RETURN_IF_ERROR(ReadI64Field(r, type, &v));
        m->dictionary_page_offset = v;
        return Status::OK();
      }
      case 12:
        CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kStruct));
        m->statistics.emplace();
        return ParseStatistics(r, &*m->statistics);
      default:
        return r.Skip(type);
    }
  });
}

Status ParseColumnChunk(ThriftReader& r, ColumnChunk* c) {
  return ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1: {
        std::string path;
        CR_RETURN_IF_ERROR(ReadBinaryField(r, type, &path));
        c->file_path = path;
        return Status::OK();
      }
      case 3:
        CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kStruct));
        c->meta_data.emplace();
        return ParseColumnMetaData(r, &*c->meta_data);
      case 8:
      case 9:
        c->encrypted = true;
        return r.Skip(type);
      default:
        return r.Skip(type);
    }
  });
}

Status ParseRowGroup(ThriftReader& r, RowGroup* g) {
  return ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1:
        return ForEachListElement(r, type, ThriftType::kStruct, [&]() -> Status {
          g->columns.emplace_back();
          return ParseColumnChunk(r, &g->columns.back());
        });
      case 2:
        return ReadI64Field(r, type, &g->total_byte_size);
      case 3:
        return ReadI64Field(r, type, &g->num_rows);
      default:
        return r.Skip(type);
    }
  });
}

}  // namespace

Result<FileMetaData> ParseFileMetaData(ByteSpan footer, const std::string& what) {
  ThriftReader r(footer, what + ": footer");
  FileMetaData meta;
  CR_RETURN_IF_ERROR(ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1:
        return ReadI32Field(r, type, &meta.version);
      case 2:
        return ForEachListElement(r, type, ThriftType::kStruct, [&]() -> Status {
          meta.schema.emplace_back();
          return ParseSchemaElement(r, &meta.schema.back());
        });
      case 3:
        return ReadI64Field(r, type, &meta.num_rows);
      case 4:
        return ForEachListElement(r, type, ThriftType::kStruct, [&]() -> Status {
          meta.row_groups.emplace_back();
          return ParseRowGroup(r, &meta.row_groups.back());
        });
      case 6:
        return ReadBinaryField(r, type, &meta.created_by);
      case 8:
        meta.encrypted = true;
        return r.Skip(type);
      default:
        return r.Skip(type);
    }
  }));
  return meta;
}

Result<PageHeader> ParsePageHeader(ByteSpan data, const std::string& what, size_t* header_size) {
  ThriftReader r(data, what + ": page header");
  PageHeader h;
  CR_RETURN_IF_ERROR(ForEachField(r, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1:
        return ReadEnumField(r, type, 3, &h.type);
      case 2:
        return ReadI32Field(r, type, &h.uncompressed_page_size);
      case 3:
        return ReadI32Field(r, type, &h.compressed_page_size);
      case 4: {
        int32_t crc = 0;
        CR_RETURN_IF_ERROR(ReadI32Field(r, type, &crc));
        h.crc = crc;
        return Status::OK();
      }
      case 5:
        CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kStruct));
        h.data_page.emplace();
        return ForEachField(r, [&](int16_t f, ThriftType t) -> Status {
          auto& p = *h.data_page;
          switch (f) {
            case 1:
              return ReadI32Field(r, t, &p.num_values);
            case 2:
              return ReadEnumField(r, t, 9, &p.encoding);
            case 3:
              return ReadEnumField(r, t, 9, &p.definition_level_encoding);
            case 4:
              return ReadEnumField(r, t, 9, &p.repetition_level_encoding);
            case 5:
              CR_RETURN_IF_ERROR(Expect(r, t, ThriftType::kStruct));
              p.statistics.emplace();
              return ParseStatistics(r, &*p.statistics);
            default:
              return r.Skip(t);
          }
        });
      case 7:
        CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kStruct));
        h.dictionary_page.emplace();
        return ForEachField(r, [&](int16_t f, ThriftType t) -> Status {
          auto& p = *h.dictionary_page;
          if (f == 1) return ReadI32Field(r, t, &p.num_values);
          if (f == 2) return ReadEnumField(r, t, 9, &p.encoding);
          return r.Skip(t);
        });
      case 8:
        CR_RETURN_IF_ERROR(Expect(r, type, ThriftType::kStruct));
        h.data_page_v2.emplace();
        return ForEachField(r, [&](int16_t f, ThriftType t) -> Status {
          auto& p = *h.data_page_v2;
          switch (f) {
            case 1:
              return ReadI32Field(r, t, &p.num_values);
            case 2:
              return ReadI32Field(r, t, &p.num_nulls);
            case 3:
              return ReadI32Field(r, t, &p.num_rows);
            case 4:
              return ReadEnumField(r, t, 9, &p.encoding);
            case 5:
              return ReadI32Field(r, t, &p.definition_levels_byte_length);
            case 6:
              return ReadI32Field(r, t, &p.repetition_levels_byte_length);
            case 7:
              return ReadBoolField(r, t, &p.is_compressed);
            case 8:
              CR_RETURN_IF_ERROR(Expect(r, t, ThriftType::kStruct));
              p.statistics.emplace();
              return ParseStatistics(r, &*p.statistics);
            default:
              return r.Skip(t);
          }
        });
      default:
        return r.Skip(type);
    }
  }));
  *header_size = r.position();
  return h;
}

namespace {

void WriteStatistics(ThriftWriter& w, int16_t field, const Statistics& s) {
  w.FieldHeader(field, ThriftType::kStruct);
  w.BeginStruct();
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  w.EndStruct();
}

}  // namespace

Bytes SerializeFileMetaData(const FileMetaData& meta) {
  ThriftWriter w;
  w.BeginStruct();
  w.FieldI32(1, meta.version);
  w.FieldHeader(2, ThriftType::kList);
  w.ListHeader(ThriftType::kStruct, static_cast<uint32_t>(meta.schema.size()));
  for (const SchemaElement& e : meta.schema) {
    w.BeginStruct();
    if (e.type) w.FieldI32(1, static_cast<int32_t>(*e.type));
    if (e.type == PhysicalType::kFixedLenByteArray) w.FieldI32(2, e.type_length);
    if (e.repetition) w.FieldI32(3, static_cast<int32_t>(*e.repetition));
    w.FieldBinary(4, e.name);
    if (!e.type) w.FieldI32(5, e.num_children);
    if (e.converted_type != ConvertedType::kNone) {
      w.FieldI32(6, static_cast<int32_t>(e.converted_type));
    }
    if (e.converted_type == ConvertedType::kDecimal) {
      w.FieldI32(7, e.scale);
      w.FieldI32(8, e.precision);
    }
    if (e.logical.kind == LogicalKind::kTimestamp) {
      w.FieldHeader(10, ThriftType::kStruct);
      w.BeginStruct();
      w.FieldHeader(8, ThriftType::kStruct);
      w.BeginStruct();
      w.FieldBool(1, e.logical.adjusted_to_utc);
      w.FieldHeader(2, ThriftType::kStruct);
      w.BeginStruct();
      w.FieldHeader(static_cast<int16_t>(e.logical.unit), ThriftType::kStruct);
      w.BeginStruct();
      w.EndStruct();
      w.EndStruct();
      w.EndStruct();
      w.EndStruct();
    }
    w.EndStruct();
  }
  w.FieldI64(3, meta.num_rows);
  w.FieldHeader(4, ThriftType::kList);
  w.ListHeader(ThriftType::kStruct, static_cast<uint32_t>(meta.row_groups.size()));
  for (const RowGroup& g : meta.row_groups) {
    w.BeginStruct();
    w.FieldHeader(1, ThriftType::kList);
    w.ListHeader(ThriftType::kStruct, static_cast<uint32_t>(g.columns.size()));
    for (const ColumnChunk& c : g.columns) {
      const ColumnMetaData& m = *c.meta_data;
      w.BeginStruct();
      w.FieldI64(2, m.dictionary_page_offset.value_or(m.data_page_offset));
      w.FieldHeader(3, ThriftType::kStruct);
      w.BeginStruct();
      w.FieldI32(1, static_cast<int32_t>(m.type));
      w.FieldHeader(2, ThriftType::kList);
      w.ListHeader(ThriftType::kI32, static_cast<uint32_t>(m.encodings.size()));
      for (Encoding e : m.encodings) w.WriteI32(static_cast<int32_t>(e));
      w.FieldHeader(3, ThriftType::kList);
      w.ListHeader(ThriftType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
      for (const std::string& p : m.path_in_schema) w.WriteBinary(p);
      w.FieldI32(4, static_cast<int32_t>(m.codec));
      w.FieldI64(5, m.num_values);
      w.FieldI64(6, m.total_uncompressed_size);
      w.FieldI64(7, m.total_compressed_size);
      w.FieldI64(9, m.data_page_offset);
      if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
      if (m.statistics) WriteStatistics(w, 12, *m.statistics);
      w.EndStruct();
      w.EndStruct();
    }
    w.FieldI64(2, g.total_byte_size);
    w.FieldI64(3, g.num_rows);
    w.EndStruct();
  }
  w.FieldBinary(6, meta.created_by);
  w.EndStruct();
  return std::move(w.bytes());
}

Bytes SerializePageHeader(const PageHeader& h) {
  ThriftWriter w;
  w.BeginStruct();
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.data_page) {
    const DataPageHeader& p = *h.data_page;
    w.FieldHeader(5, ThriftType::kStruct);
    w.BeginStruct();
    w.FieldI32(1, p.num_values);
    w.FieldI32(2, static_cast<int32_t>(p.encoding));
    w.FieldI32(3, static_cast<int32_t>(p.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(p.repetition_level_encoding));
    w.EndStruct();
  }
  if (h.dictionary_page) {
    w.FieldHeader(7, ThriftType::kStruct);
    w.BeginStruct();
    w.FieldI32(1, h.dictionary_page->num_values);
    w.FieldI32(2, static_cast<int32_t>(h.dictionary_page->encoding));
    w.EndStruct();
  }
  w.EndStruct();
  return std::move(w.bytes());
}

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return "UNCOMPRESSED";
    case Codec::kSnappy:
      return "SNAPPY";
    case Codec::kGzip:
      return "GZIP";
    case Codec::kLzo:
      return "LZO";
    case Codec::kBrotli:
      return "BROTLI";
    case Codec::kLz4:
      return "LZ4";
    case Codec::kZstd:
      return "ZSTD";
    case Codec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "unknown";
}

const char* EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kPlain:
      return "PLAIN";
    case Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case Encoding::kRle:
      return "RLE";
    case Encoding::kBitPacked:
      return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary:
      return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "unknown";
}

}  // namespace cleanroom::formats
