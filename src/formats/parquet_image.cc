#include "formats/parquet_image.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "base/thread_pool.h"
#include "formats/parquet_column_reader.h"
#include "formats/parquet_encoding.h"
#include "formats/thrift_compact.h"

namespace cleanroom::formats {
namespace {

// Field ids of parquet.thrift (apache/parquet-format).
namespace page_header {
constexpr int16_t kUncompressedPageSize = 2;
constexpr int16_t kCompressedPageSize = 3;
constexpr int16_t kCrc = 4;
constexpr int16_t kDataPageHeader = 5;
constexpr int16_t kDataPageHeaderV2 = 8;
constexpr int16_t kV1Encoding = 2;
constexpr int16_t kV2Encoding = 4;
constexpr int16_t kV2IsCompressed = 7;
}  // namespace page_header
namespace file_meta {
constexpr int16_t kSchema = 2;
constexpr int16_t kNumRows = 3;
constexpr int16_t kRowGroups = 4;
constexpr int16_t kColumnOrders = 7;
constexpr int16_t kElementNumChildren = 5;
constexpr int16_t kRowGroupSortingColumns = 4;
constexpr int16_t kRowGroupColumns = 1;
constexpr int16_t kRowGroupFileOffset = 5;
constexpr int16_t kRowGroupTotalCompressedSize = 6;
constexpr int16_t kChunkFileOffset = 2;
constexpr int16_t kChunkMetaData = 3;
constexpr int16_t kChunkOffsetIndexOffset = 4;
constexpr int16_t kChunkColumnIndexLength = 7;
constexpr int16_t kMetaEncodings = 2;
constexpr int16_t kMetaCodec = 4;
constexpr int16_t kMetaEncodingStats = 13;
constexpr int16_t kMetaTotalUncompressedSize = 6;
constexpr int16_t kMetaTotalCompressedSize = 7;
constexpr int16_t kMetaDataPageOffset = 9;
constexpr int16_t kMetaIndexPageOffset = 10;
constexpr int16_t kMetaDictionaryPageOffset = 11;
constexpr int16_t kMetaBloomFilterOffset = 14;
constexpr int16_t kMetaBloomFilterLength = 15;
}  // namespace file_meta

// Rewrites one field of a struct being copied: writes its replacement (or nothing, to drop it)
// after consuming the value from the reader, and returns true; false copies it unchanged.
using FieldEdit = std::function<Result<bool>(int16_t id, ThriftType type)>;

// Copies the struct at the reader's position to `w`, field by field: each field is offered to
// `edit` first, otherwise its encoded value is copied byte for byte. `append` (when set) adds
// fields at the end.
Status CopyStruct(ByteSpan source, ThriftReader& r, ThriftWriter& w, const FieldEdit& edit,
                  const std::function<void()>& append = nullptr) {
  CR_RETURN_IF_ERROR(r.BeginStruct());
  w.BeginStruct();
  while (true) {
    int16_t id = 0;
    ThriftType type;
    CR_RETURN_IF_ERROR(r.ReadFieldHeader(&id, &type));
    if (type == ThriftType::kStop) break;
    CR_ASSIGN_OR_RETURN(bool handled, edit(id, type));
    if (handled) continue;
    size_t start = r.position();
    CR_RETURN_IF_ERROR(r.Skip(type));
    w.FieldHeader(id, type);
    w.WriteRaw(source.subspan(start, r.position() - start));
  }
  if (append) append();
  r.EndStruct();
  w.EndStruct();
  return Status::OK();
}

// Reads the header of a list of structs; returns its length.
Result<uint32_t> ReadStructListHeader(ThriftReader& r, ThriftType type) {
  if (type != ThriftType::kList) return r.Corrupt("expected a list");
  ThriftType element_type;
  uint32_t count = 0;
  CR_RETURN_IF_ERROR(r.ReadListHeader(&element_type, &count));
  if (count > 0 && element_type != ThriftType::kStruct) return r.Corrupt("expected structs");
  return count;
}

// Copies a list of structs, element by element through `element(index)`.
Status CopyStructList(ThriftReader& r, ThriftWriter& w, int16_t id, ThriftType type,
                      const std::function<Status(uint32_t)>& element) {
  CR_ASSIGN_OR_RETURN(uint32_t count, ReadStructListHeader(r, type));
  w.FieldHeader(id, ThriftType::kList);
  w.ListHeader(ThriftType::kStruct, count);
  for (uint32_t i = 0; i < count; ++i) CR_RETURN_IF_ERROR(element(i));
  return Status::OK();
}

// Copies the elements of a list of structs for which `keep(index)` holds (`kept` of them), each
// through `element(index)`, or byte for byte when that is null; the others are skipped.
Status FilterStructList(ByteSpan source, ThriftReader& r, ThriftWriter& w, int16_t id,
                        ThriftType type, uint32_t kept, const std::function<bool(uint32_t)>& keep,
                        const std::function<Status(uint32_t)>& element = nullptr) {
  CR_ASSIGN_OR_RETURN(uint32_t count, ReadStructListHeader(r, type));
  w.FieldHeader(id, ThriftType::kList);
  w.ListHeader(ThriftType::kStruct, kept);
  uint32_t written = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (!keep(i)) {
      CR_RETURN_IF_ERROR(r.Skip(ThriftType::kStruct));
      continue;
    }
    ++written;
    if (element) {
      CR_RETURN_IF_ERROR(element(i));
      continue;
    }
    size_t start = r.position();
    CR_RETURN_IF_ERROR(r.Skip(ThriftType::kStruct));
    w.WriteRaw(source.subspan(start, r.position() - start));
  }
  if (written != kept) return r.Corrupt("list of another length than the schema says");
  return Status::OK();
}

// What a rewritten footer describes: which schema elements and leaf columns it keeps, and
// whether it keeps the row groups at all.
struct FooterShape {
  std::vector<bool> elements;  // [schema element]
  std::vector<bool> leaves;    // [leaf column]
  uint32_t kept_elements = 0;
  uint32_t kept_leaves = 0;
  int32_t fields = 0;   // top-level fields kept
  bool pruned = false;  // some field is left out
  bool rows = true;     // false: no row groups (the schema alone)
};

// Where one chunk lies in the image (absolute offsets).
struct Placement {
  int64_t start = 0;
  int64_t size = 0;
  int64_t dictionary_page = -1;
  int64_t first_data_page = -1;
  bool transposed = false;  // some page's BYTE_STREAM_SPLIT values were written PLAIN
  bool in_place = false;    // pages kept as in the file: codec and uncompressed size kept
};

Result<Bytes> RewriteFooter(ByteSpan footer, const std::vector<std::vector<Placement>>& placed,
                            const FooterShape& shape) {
  using namespace file_meta;
  ThriftReader r(footer, "footer");
  ThriftWriter w;
  auto skip = [&](ThriftType type) -> Result<bool> {
    CR_RETURN_IF_ERROR(r.Skip(type));
    return true;
  };
  auto kept_leaf = [&](uint32_t c) { return c < shape.leaves.size() && shape.leaves[c]; };
  CR_RETURN_IF_ERROR(CopyStruct(footer, r, w, [&](int16_t id, ThriftType type) -> Result<bool> {
    if (id == kNumRows && !shape.rows) {
      CR_RETURN_IF_ERROR(r.Skip(type));
      w.FieldI64(id, 0);
      return true;
    }
    if (id == kSchema && shape.pruned) {
      CR_RETURN_IF_ERROR(FilterStructList(
          footer, r, w, id, type, shape.kept_elements,
          [&](uint32_t e) { return e < shape.elements.size() && shape.elements[e]; },
          [&](uint32_t e) -> Status {
            if (e != 0) return CopyStruct(footer, r, w, [](int16_t, ThriftType) { return false; });
            // The root: as many children as fields kept.
            return CopyStruct(footer, r, w, [&](int16_t eid, ThriftType etype) -> Result<bool> {
              if (eid != kElementNumChildren) return false;
              CR_RETURN_IF_ERROR(r.Skip(etype));
              w.FieldI32(eid, shape.fields);
              return true;
            });
          }));
      return true;
    }
    if (id == kColumnOrders && shape.pruned) {
      // One per leaf column: pruned with them (dropped when the list does not match the leaves).
      if (type != ThriftType::kList) return r.Corrupt("column orders is not a list");
      ThriftType element_type;
      uint32_t count = 0;
      CR_RETURN_IF_ERROR(r.ReadListHeader(&element_type, &count));
      const bool matches = count == shape.leaves.size() && element_type == ThriftType::kStruct;
      if (matches) {
        w.FieldHeader(id, ThriftType::kList);
        w.ListHeader(ThriftType::kStruct, shape.kept_leaves);
      }
      for (uint32_t i = 0; i < count; ++i) {
        size_t start = r.position();
        CR_RETURN_IF_ERROR(r.Skip(element_type));
        if (matches && kept_leaf(i)) w.WriteRaw(footer.subspan(start, r.position() - start));
      }
      return true;
    }
    if (id != kRowGroups) return false;
    if (!shape.rows) {
      CR_RETURN_IF_ERROR(r.Skip(type));
      w.FieldHeader(id, ThriftType::kList);
      w.ListHeader(ThriftType::kStruct, 0);
      return true;
    }
    CR_RETURN_IF_ERROR(CopyStructList(r, w, id, type, [&](uint32_t g) -> Status {
      if (g >= placed.size()) return r.Corrupt("more row groups than read");
      const std::vector<Placement>& chunks = placed[g];
      int64_t group_size = 0;
      const Placement* first = nullptr;  // the first chunk the image holds
      for (size_t c = 0; c < chunks.size(); ++c) {
        if (!kept_leaf(static_cast<uint32_t>(c))) continue;
        group_size += chunks[c].size;
        if (first == nullptr) first = &chunks[c];
      }
      return CopyStruct(footer, r, w, [&](int16_t gid, ThriftType gtype) -> Result<bool> {
        if (gid == kRowGroupFileOffset) {
          CR_RETURN_IF_ERROR(r.Skip(gtype));
          if (first != nullptr) w.FieldI64(gid, first->start);
          return true;
        }
        if (gid == kRowGroupTotalCompressedSize) {
          CR_RETURN_IF_ERROR(r.Skip(gtype));
          w.FieldI64(gid, group_size);
          return true;
        }
        // Sorting columns name leaves by index: not true of a pruned image.
        if (gid == kRowGroupSortingColumns && shape.pruned) return skip(gtype);
        if (gid != kRowGroupColumns) return false;
        CR_RETURN_IF_ERROR(FilterStructList(
            footer, r, w, gid, gtype, shape.kept_leaves, kept_leaf, [&](uint32_t c) -> Status {
              if (c >= chunks.size()) return r.Corrupt("more columns than read");
              const Placement& p = chunks[c];
              bool empty = p.first_data_page < 0;  // a chunk without values keeps its offsets
              return CopyStruct(footer, r, w, [&](int16_t cid, ThriftType ctype) -> Result<bool> {
                if (cid == kChunkFileOffset && !empty) {
                  CR_RETURN_IF_ERROR(r.Skip(ctype));
                  w.FieldI64(cid, p.start);
                  return true;
                }
                // Column and offset indexes are not copied.
                if (cid >= kChunkOffsetIndexOffset && cid <= kChunkColumnIndexLength)
                  return skip(ctype);
                if (cid != kChunkMetaData) return false;
                if (ctype != ThriftType::kStruct)
                  return r.Corrupt("column metadata is not a struct");
                w.FieldHeader(cid, ThriftType::kStruct);
                auto edit = [&](int16_t mid, ThriftType mtype) -> Result<bool> {
                  switch (mid) {
                    case kMetaEncodings: {
                      if (!p.transposed) return false;
                      // BYTE_STREAM_SPLIT became PLAIN; PLAIN is listed once.
                      if (mtype != ThriftType::kList) return r.Corrupt("encodings is not a list");
                      ThriftType element;
                      uint32_t count = 0;
                      CR_RETURN_IF_ERROR(r.ReadListHeader(&element, &count));
                      std::vector<int32_t> encodings;
                      bool plain = false;
                      for (uint32_t i = 0; i < count; ++i) {
                        CR_ASSIGN_OR_RETURN(int32_t e, r.ReadI32());
                        if (e == 9) e = 0;
                        if (e == 0 && plain) continue;
                        plain = plain || e == 0;
                        encodings.push_back(e);
                      }
                      w.FieldHeader(mid, ThriftType::kList);
                      w.ListHeader(ThriftType::kI32, static_cast<uint32_t>(encodings.size()));
                      for (int32_t e : encodings) w.WriteI32(e);
                      return true;
                    }
                    case kMetaEncodingStats:  // counts pages by encoding: no longer true
                      if (!p.transposed) return false;
                      return skip(mtype);
                    case kMetaCodec:
                      if (p.in_place) return false;
                      CR_RETURN_IF_ERROR(r.Skip(mtype));
                      w.FieldI32(mid, 0);  // UNCOMPRESSED
                      return true;
                    case kMetaTotalUncompressedSize:
                    case kMetaTotalCompressedSize:
                      if (empty || (p.in_place && mid == kMetaTotalUncompressedSize)) return false;
                      CR_RETURN_IF_ERROR(r.Skip(mtype));
                      w.FieldI64(mid, p.size);
                      return true;
                    case kMetaDataPageOffset:
                      if (empty) return false;
                      CR_RETURN_IF_ERROR(r.Skip(mtype));
                      // Without a dictionary page offset, readers start at the data page offset:
                      // keep it pointing at the chunk's first page then.
                      w.FieldI64(mid, p.first_data_page);
                      return true;
                    case kMetaDictionaryPageOffset:
                      if (empty) return false;
                      CR_RETURN_IF_ERROR(r.Skip(mtype));
                      if (p.dictionary_page >= 0) w.FieldI64(mid, p.dictionary_page);
                      return true;
                    case kMetaIndexPageOffset:
                    case kMetaBloomFilterOffset:
                    case kMetaBloomFilterLength:
                      return skip(mtype);
                    default:
                      return false;
                  }
                };
                CR_RETURN_IF_ERROR(CopyStruct(footer, r, w, edit));
                return true;
              });
            }));
        return true;
      });
    }));
    return true;
  }));
  return std::move(w.bytes());
}

// Whether DuckDB's reader is known to read a codec's pages as ours does (an in-place image
// leaves decompression to it).
bool CodecReadInPlace(Codec codec) {
  return codec == Codec::kUncompressed || codec == Codec::kSnappy || codec == Codec::kGzip ||
         codec == Codec::kZstd || codec == Codec::kLz4Raw;
}

// Plans one column chunk's pages, mirroring the reader's walk over them (ReadColumnChunk
// checks that it meets the same pages). `*offset` is where the chunk starts in the image.
// `in_place`: the pages stay as in the file, at the same offsets (`*offset` is then set to the
// chunk's start); a page DuckDB would read otherwise than as stored (index pages, which our
// reader skips, BYTE_STREAM_SPLIT, which an uncompressed image writes PLAIN) or a codec
// outside CodecReadInPlace is Unimplemented, for the caller to image uncompressed instead.
Status PlanChunk(ByteSpan file, const ColumnChunk& chunk, int32_t width, bool in_place,
                 uint64_t* offset, ImageChunk* out, Placement* placement) {
  placement->start = static_cast<int64_t>(*offset);
  if (!chunk.meta_data) return Status::DataLoss("column chunk without metadata");
  const ColumnMetaData& meta = *chunk.meta_data;
  if (meta.num_values <= 0) return Status::OK();  // no pages (the reader checks the rest)
  int64_t start = meta.data_page_offset;
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
      *meta.dictionary_page_offset < start) {
    start = *meta.dictionary_page_offset;
  }
  const auto file_size = static_cast<int64_t>(file.size());
  if (start < 4 || start >= file_size || meta.total_compressed_size < 0 ||
      meta.total_compressed_size > file_size - start) {
    return Status::DataLoss("column chunk lies outside the file");
  }
  if (in_place) {
    if (!CodecReadInPlace(meta.codec)) return Status::Unimplemented("codec not read in place");
    *offset = static_cast<uint64_t>(start);
    placement->start = start;
    placement->in_place = true;
  }
  size_t pos = static_cast<size_t>(start);
  const size_t end = pos + static_cast<size_t>(meta.total_compressed_size);
  int64_t values = 0;
  uint64_t chunk_bytes = 0;
  while (values < meta.num_values) {
    if (pos >= end) return Status::DataLoss("column chunk ends before all its values");
    size_t header_size = 0;
    CR_ASSIGN_OR_RETURN(PageHeader header,
                        ParsePageHeader(file.subspan(pos, end - pos), "page", &header_size));
    if (header.compressed_page_size < 0 || header.uncompressed_page_size < 0 ||
        static_cast<size_t>(header.compressed_page_size) > end - pos - header_size) {
      return Status::DataLoss("page extends past the column chunk");
    }
    const uint64_t source = pos;
    ByteSpan header_bytes = file.subspan(pos, header_size);
    pos += header_size + static_cast<size_t>(header.compressed_page_size);
    const auto body = static_cast<uint64_t>(in_place ? header.compressed_page_size
                                                     : header.uncompressed_page_size);
    chunk_bytes += body;
    if (body > (uint64_t{1} << 29) || chunk_bytes > (uint64_t{1} << 30)) {
      return Status::ResourceExhausted("page or column chunk beyond the reader's limits");
    }
    bool split = false;
    switch (header.type) {
      case PageType::kDictionaryPage:
        if (placement->dictionary_page < 0)
          placement->dictionary_page = static_cast<int64_t>(*offset);
        break;
      case PageType::kDataPage:
        if (!header.data_page) return Status::DataLoss("data page without its header");
        values += header.data_page->num_values;
        split = header.data_page->encoding == Encoding::kByteStreamSplit;
        break;
      case PageType::kDataPageV2:
        if (!header.data_page_v2) return Status::DataLoss("data page v2 without its header");
        values += header.data_page_v2->num_values;
        split = header.data_page_v2->encoding == Encoding::kByteStreamSplit;
        break;
      case PageType::kIndexPage:
        if (in_place) return Status::Unimplemented("page not read in place");
        continue;  // neither read nor copied
      default:
        return Status::DataLoss("unknown page type");
    }
    if (in_place && (split || header.type == PageType::kIndexPage)) {
      return Status::Unimplemented("page not read in place");
    }
    if (header.type != PageType::kDictionaryPage && placement->first_data_page < 0) {
      placement->first_data_page = static_cast<int64_t>(*offset);
    }
    ImagePage page;
    page.source = source;
    page.target = *offset;
    if (in_place) {
      page.header.assign(header_bytes.begin(), header_bytes.end());
      page.body = body;
      *offset = pos;
      out->pages.push_back(std::move(page));
      continue;
    }
    CR_ASSIGN_OR_RETURN(page.header, RewritePageHeader(header_bytes, body, split));
    page.body = body;
    if (split) {
      page.transpose = static_cast<uint32_t>(PhysicalWidth(meta.type, width));
      if (page.transpose == 0)
        return Status::DataLoss("BYTE_STREAM_SPLIT on a variable-width column");
      placement->transposed = true;
    }
    *offset += page.header.size() + body;
    out->pages.push_back(std::move(page));
  }
  // Readers begin a chunk at its dictionary page offset when the footer gives one, else at its
  // data page offset: without one, that must be the chunk's first page.
  if (placement->dictionary_page >= 0 && !meta.dictionary_page_offset.has_value()) {
    placement->first_data_page = placement->dictionary_page;
  }
  placement->size = static_cast<int64_t>(*offset) - placement->start;
  return Status::OK();
}

}  // namespace

Result<Bytes> RewritePageHeader(ByteSpan header, uint64_t body, bool to_plain) {
  using namespace page_header;
  if (body > static_cast<uint64_t>(INT32_MAX)) return Status::DataLoss("page too large");
  ThriftReader r(header, "page header");
  ThriftWriter w;
  CR_RETURN_IF_ERROR(CopyStruct(header, r, w, [&](int16_t id, ThriftType type) -> Result<bool> {
    switch (id) {
      case kUncompressedPageSize:
      case kCompressedPageSize:
        CR_RETURN_IF_ERROR(r.Skip(type));
        w.FieldI32(id, static_cast<int32_t>(body));
        return true;
      case kCrc:  // the CRC covered the compressed bytes
        CR_RETURN_IF_ERROR(r.Skip(type));
        return true;
      case kDataPageHeader: {
        if (!to_plain) return false;
        if (type != ThriftType::kStruct) return r.Corrupt("data page header is not a struct");
        w.FieldHeader(id, ThriftType::kStruct);
        CR_RETURN_IF_ERROR(
            CopyStruct(header, r, w, [&](int16_t vid, ThriftType vtype) -> Result<bool> {
              if (vid != kV1Encoding) return false;
              CR_RETURN_IF_ERROR(r.Skip(vtype));
              w.FieldI32(vid, 0);  // PLAIN
              return true;
            }));
        return true;
      }
      case kDataPageHeaderV2: {
        if (type != ThriftType::kStruct) return r.Corrupt("v2 header is not a struct");
        w.FieldHeader(id, ThriftType::kStruct);
        CR_RETURN_IF_ERROR(CopyStruct(
            header, r, w,
            [&](int16_t vid, ThriftType vtype) -> Result<bool> {
              if (vid == kV2Encoding && to_plain) {
                CR_RETURN_IF_ERROR(r.Skip(vtype));
                w.FieldI32(vid, 0);  // PLAIN
                return true;
              }
              if (vid != kV2IsCompressed) return false;
              CR_RETURN_IF_ERROR(r.Skip(vtype));
              return true;  // written below
            },
            [&] { w.FieldBool(kV2IsCompressed, false); }));
        return true;
      }
      default:
        return false;
    }
  }));
  return std::move(w.bytes());
}

namespace {

// The shape of an image holding `fields` (all when empty): the schema elements of those fields'
// subtrees (and the root), and their leaves.
Result<FooterShape> ShapeOf(const ParquetReader& reader, const std::vector<int>& fields) {
  const ParquetSchema& schema = reader.schema();
  const std::vector<SchemaNode>& nodes = schema.nodes();
  FooterShape shape;
  shape.elements.assign(reader.metadata().schema.size(), fields.empty());
  shape.leaves.assign(schema.leaves().size(), fields.empty());
  if (fields.empty()) {
    shape.kept_elements = static_cast<uint32_t>(shape.elements.size());
    shape.kept_leaves = static_cast<uint32_t>(shape.leaves.size());
    shape.fields = static_cast<int32_t>(schema.fields().size());
    return shape;
  }
  if (nodes.empty() || nodes[0].children.size() != schema.fields().size()) {
    return Status::Internal("schema tree and fields differ");
  }
  shape.pruned = fields.size() < schema.fields().size();
  shape.elements[0] = true;
  int previous = -1;
  for (int field : fields) {
    if (field <= previous || static_cast<size_t>(field) >= schema.fields().size()) {
      return Status::InvalidArgument("image fields must be ascending indices of the schema");
    }
    previous = field;
    ++shape.fields;
    std::vector<int> pending = {nodes[0].children[static_cast<size_t>(field)]};
    while (!pending.empty()) {
      const SchemaNode& node = nodes[static_cast<size_t>(pending.back())];
      pending.pop_back();
      shape.elements[static_cast<size_t>(node.element)] = true;
      pending.insert(pending.end(), node.children.begin(), node.children.end());
    }
    for (int leaf : schema.FieldLeaves(static_cast<size_t>(field))) {
      shape.leaves[static_cast<size_t>(leaf)] = true;
    }
  }
  for (bool kept : shape.elements) shape.kept_elements += kept ? 1 : 0;
  for (bool kept : shape.leaves) shape.kept_leaves += kept ? 1 : 0;
  return shape;
}

ByteSpan FooterOf(const ParquetReader& reader) {
  ByteSpan file = reader.data();
  uint32_t footer_length = GetU32LE(file.data() + file.size() - 8);
  return file.subspan(file.size() - 8 - footer_length, footer_length);
}

// Whether the rewritten footer describes the kept columns of the same row groups (a footer
// that repeats a field, say, is refused rather than rewritten into something else).
bool DescribesSameChunks(const ParquetReader& reader, ByteSpan rewritten_footer,
                         const FooterShape& shape) {
  const FileMetaData& meta = reader.metadata();
  auto rewritten = ParseFileMetaData(rewritten_footer, reader.name() + " (image)");
  if (!rewritten.ok() || rewritten->schema.size() != shape.kept_elements) return false;
  if (!shape.rows) return rewritten->row_groups.empty() && rewritten->num_rows == 0;
  if (rewritten->row_groups.size() != meta.row_groups.size()) return false;
  for (size_t g = 0; g < meta.row_groups.size(); ++g) {
    const RowGroup& a = meta.row_groups[g];
    const RowGroup& b = rewritten->row_groups[g];
    if (a.num_rows != b.num_rows || b.columns.size() != shape.kept_leaves) return false;
    size_t k = 0;
    for (size_t c = 0; c < a.columns.size(); ++c) {
      if (!shape.leaves[c]) continue;
      const ColumnChunk& x = a.columns[c];
      const ColumnChunk& y = b.columns[k++];
      if (x.meta_data.has_value() != y.meta_data.has_value() ||
          (x.meta_data && (x.meta_data->num_values != y.meta_data->num_values ||
                           x.meta_data->path_in_schema != y.meta_data->path_in_schema))) {
        return false;
      }
    }
  }
  return true;
}

Status CannotRewrite(const ParquetReader& reader) {
  return Status::DataLoss("file " + reader.name() +
                          ": the footer cannot be rewritten for the validated image");
}

}  // namespace

namespace {

// Whether a leaf's chunks declare at most `ratio` times their compressed size uncompressed (the
// declared sizes only choose the layout; the pages are validated whichever it is).
bool SmallUncompressed(const FileMetaData& meta, size_t leaf, double ratio) {
  if (ratio <= 0) return false;
  double compressed = 0, uncompressed = 0;
  for (const RowGroup& group : meta.row_groups) {
    if (leaf >= group.columns.size() || !group.columns[leaf].meta_data) continue;
    compressed += static_cast<double>(group.columns[leaf].meta_data->total_compressed_size);
    uncompressed += static_cast<double>(group.columns[leaf].meta_data->total_uncompressed_size);
  }
  return uncompressed <= ratio * compressed;
}

// What a leaf's chunks declare they grow by when decompressed (uncompressed minus compressed
// bytes; 0 when they do not grow).
uint64_t DeclaredGrowth(const FileMetaData& meta, size_t leaf) {
  uint64_t compressed = 0, uncompressed = 0;
  for (const RowGroup& group : meta.row_groups) {
    if (leaf >= group.columns.size() || !group.columns[leaf].meta_data) continue;
    compressed += static_cast<uint64_t>(
        std::max<int64_t>(0, group.columns[leaf].meta_data->total_compressed_size));
    uncompressed += static_cast<uint64_t>(
        std::max<int64_t>(0, group.columns[leaf].meta_data->total_uncompressed_size));
  }
  return uncompressed > compressed ? uncompressed - compressed : 0;
}

// `in_place`: an in-place plan, in which the leaves SmallUncompressed by `uncompressed_ratio`
// are imaged uncompressed after the file's last byte, and then the others that grow least, as
// long as their growth adds up to at most `uncompressed_allowance` bytes.
Result<ImagePlan> PlanImage(const ParquetReader& reader, uint64_t lead,
                            const std::vector<int>& fields, bool in_place,
                            double uncompressed_ratio, uint64_t uncompressed_allowance = 0) {
  const FileMetaData& meta = reader.metadata();
  const size_t leaves = reader.schema().leaves().size();
  ByteSpan file = reader.data();
  CR_ASSIGN_OR_RETURN(FooterShape shape, ShapeOf(reader, fields));
  ImagePlan plan;
  plan.in_place = in_place;
  plan.leaves = shape.leaves;
  plan.in_place_leaves.assign(leaves, false);
  std::vector<std::pair<uint64_t, size_t>> growth;  // of the leaves left in place
  for (size_t leaf = 0; in_place && leaf < leaves; ++leaf) {
    plan.in_place_leaves[leaf] =
        plan.leaves[leaf] && !SmallUncompressed(meta, leaf, uncompressed_ratio);
    if (plan.in_place_leaves[leaf]) growth.emplace_back(DeclaredGrowth(meta, leaf), leaf);
  }
  std::sort(growth.begin(), growth.end());
  uint64_t allowed = 0;
  for (const auto& [grows, leaf] : growth) {
    if (uncompressed_ratio <= 0 || uncompressed_allowance == 0 ||
        grows > uncompressed_allowance - allowed) {
      break;
    }
    allowed += grows;
    plan.in_place_leaves[leaf] = false;
  }
  std::vector<std::vector<Placement>> placed(meta.row_groups.size());
  plan.chunks.resize(meta.row_groups.size());
  plan.lead = lead;
  // Uncompressed chunks follow one another from here; in an in-place plan, from the file's end,
  // past every chunk kept where it is.
  uint64_t offset = in_place ? file.size() : lead + 4;  // after "PAR1"
  bool uncompressed = false;                            // some chunk is placed at `offset`
  uint64_t end = 4;                                     // in place: where the last chunk ends
  for (size_t g = 0; g < meta.row_groups.size(); ++g) {
    const RowGroup& rg = meta.row_groups[g];
    if (rg.columns.size() != leaves) return Status::DataLoss("row group column count differs");
    plan.chunks[g].resize(leaves);
    placed[g].resize(leaves);
    for (size_t leaf = 0; leaf < leaves; ++leaf) {
      if (!plan.leaves[leaf]) continue;  // neither validated nor in the image
      const bool as_stored = plan.in_place_leaves[leaf];
      uint64_t stored_offset = 0;
      Status status =
          PlanChunk(file, rg.columns[leaf], reader.schema().leaves()[leaf].type_length, as_stored,
                    as_stored ? &stored_offset : &offset, &plan.chunks[g][leaf], &placed[g][leaf]);
      if (status.code() == StatusCode::kUnimplemented && in_place) return status;
      if (!status.ok()) {
        // Verification names the page and the check that failed; the plan only saw headers.
        Status verified = reader.Verify(0, &plan.leaves);
        if (!verified.ok()) return verified;
        ChunkLocation where{reader.name(), static_cast<int>(g),
                            reader.schema().leaves()[leaf].path};
        return Status(status.code(), where.ToString() + ": " + status.message());
      }
      const Placement& p = placed[g][leaf];
      if (as_stored && p.size > 0) {
        plan.ranges.emplace_back(static_cast<uint64_t>(p.start), static_cast<uint64_t>(p.size));
        end = std::max(end, static_cast<uint64_t>(p.start + p.size));
      }
      uncompressed = uncompressed || !as_stored;
    }
  }
  CR_ASSIGN_OR_RETURN(plan.footer, RewriteFooter(FooterOf(reader), placed, shape));
  if (plan.footer.size() > UINT32_MAX) return Status::DataLoss("footer too large");
  if (!DescribesSameChunks(reader, plan.footer, shape)) return CannotRewrite(reader);
  plan.footer_offset = in_place && !uncompressed ? end : offset;
  return plan;
}

// Validates the pages of the held leaves that are not in place, `threads` row groups at a time,
// each page written once validated: into `image` or through `write` (ImageChunk).
Status ValidateIntoImage(const ParquetReader& reader, ImagePlan& plan, size_t threads,
                         uint8_t* image, const ImageWrite* write) {
  const FileMetaData& meta = reader.metadata();
  const std::vector<LeafColumn>& leaves = reader.schema().leaves();
  const int groups = reader.num_row_groups();
  if (plan.chunks.size() != static_cast<size_t>(groups)) {
    return Status::InvalidArgument("image plan of another file");
  }
  auto held_uncompressed = [&](size_t leaf) {
    return (leaf >= plan.leaves.size() || plan.leaves[leaf]) &&
           (leaf >= plan.in_place_leaves.size() || !plan.in_place_leaves[leaf]);
  };
  bool any = false;
  for (size_t leaf = 0; leaf < leaves.size(); ++leaf) any = any || held_uncompressed(leaf);
  if (!any) return Status::OK();
  std::vector<Status> results(static_cast<size_t>(groups));
  std::atomic<bool> failed{false};
  auto fill_group = [&](int g) {
    if (failed.load()) return;
    const RowGroup& rg = meta.row_groups[static_cast<size_t>(g)];
    ColumnChunkData scratch;
    Status status;
    for (size_t leaf = 0; leaf < leaves.size() && status.ok(); ++leaf) {
      if (!held_uncompressed(leaf)) continue;
      ImageChunk& chunk = plan.chunks[static_cast<size_t>(g)][leaf];
      chunk.image = image;
      chunk.write = write;
      chunk.next = 0;
      ChunkLocation where{reader.name(), g, leaves[leaf].path};
      status = ReadColumnChunk(reader.data(), rg.columns[leaf], leaves[leaf], rg.num_rows,
                               ReadMode::kVerify, where, &scratch, &chunk);
      if (status.ok() && chunk.next != chunk.pages.size()) {
        status = Status::Internal(where.ToString() + ": pages differ from the image plan");
      }
      // The chunk's file pages are in the image now: no need to hold them twice.
      const auto& meta = rg.columns[leaf].meta_data;
      if (status.ok() && meta && meta->total_compressed_size > 0) {
        int64_t start = meta->dictionary_page_offset.value_or(meta->data_page_offset);
        start = std::min(start, meta->data_page_offset);
        if (start >= 0) {
          reader.ReleaseFilePages(static_cast<uint64_t>(start),
                                  static_cast<uint64_t>(meta->total_compressed_size));
        }
      }
    }
    if (!status.ok()) failed = true;
    results[static_cast<size_t>(g)] = std::move(status);
  };
  if (groups <= 1 || threads == 1) {
    for (int g = 0; g < groups; ++g) fill_group(g);
  } else {
    ThreadPool pool(threads);
    for (int g = 0; g < groups; ++g) pool.Submit([&fill_group, g] { fill_group(g); });
    pool.Wait();
  }
  for (const Status& s : results) CR_RETURN_IF_ERROR(s);
  return Status::OK();
}

}  // namespace

std::vector<bool> ImagePlan::ImageLeavesInPlace() const {
  std::vector<bool> out;
  for (size_t leaf = 0; leaf < leaves.size(); ++leaf) {
    if (!leaves[leaf]) continue;
    out.push_back(in_place && leaf < in_place_leaves.size() && in_place_leaves[leaf]);
  }
  return out;
}

Result<ImagePlan> PlanUncompressedImage(const ParquetReader& reader, uint64_t lead,
                                        const std::vector<int>& fields) {
  return PlanImage(reader, lead, fields, /*in_place=*/false, 0);
}

Result<ImagePlan> PlanInPlaceImage(const ParquetReader& reader, const std::vector<int>& fields,
                                   double uncompressed_ratio, uint64_t uncompressed_allowance) {
  return PlanImage(reader, 0, fields, /*in_place=*/true, uncompressed_ratio,
                   uncompressed_allowance);
}

Status WriteInPlaceImage(const ParquetReader& reader, ImagePlan& plan, const ImageWrite& write,
                         size_t threads) {
  if (!plan.in_place) return Status::InvalidArgument("not an in-place image plan");
  ByteSpan file = reader.data();
  CR_RETURN_IF_ERROR(write(0, AsBytes(std::string_view("PAR1"))));
  for (const auto& [start, length] : plan.ranges) {
    if (start > file.size() || length > file.size() - start) {
      return Status::Internal("image range outside the file");
    }
    CR_RETURN_IF_ERROR(write(start, file.subspan(start, length)));
    reader.ReleaseFilePages(start, length);  // copied: the file's pages are not needed again
  }
  CR_RETURN_IF_ERROR(ValidateIntoImage(reader, plan, threads, nullptr, &write));
  Bytes tail = plan.footer;
  uint8_t length[4];
  PutU32LE(length, static_cast<uint32_t>(plan.footer.size()));
  tail.insert(tail.end(), length, length + 4);
  tail.insert(tail.end(), {'P', 'A', 'R', '1'});
  return write(plan.footer_offset, tail);
}

Result<Bytes> SchemaOnlyImage(const ParquetReader& reader) {
  CR_ASSIGN_OR_RETURN(FooterShape shape, ShapeOf(reader, {}));
  shape.rows = false;
  CR_ASSIGN_OR_RETURN(Bytes footer, RewriteFooter(FooterOf(reader), {}, shape));
  if (footer.size() > UINT32_MAX) return Status::DataLoss("footer too large");
  if (!DescribesSameChunks(reader, footer, shape)) return CannotRewrite(reader);
  Bytes out;
  out.reserve(footer.size() + 12);
  const uint8_t magic[4] = {'P', 'A', 'R', '1'};
  out.insert(out.end(), magic, magic + 4);
  out.insert(out.end(), footer.begin(), footer.end());
  uint8_t length[4];
  PutU32LE(length, static_cast<uint32_t>(footer.size()));
  out.insert(out.end(), length, length + 4);
  out.insert(out.end(), magic, magic + 4);
  return out;
}

Status FillUncompressedImage(const ParquetReader& reader, ImagePlan& plan, size_t threads,
                             std::span<uint8_t> out) {
  if (out.size() != plan.size()) return Status::InvalidArgument("image buffer of the wrong size");
  if (plan.in_place) return Status::InvalidArgument("an in-place image plan");
  if (plan.lead > 0) std::memset(out.data(), 0, plan.lead);
  std::memcpy(out.data() + plan.lead, "PAR1", 4);
  CR_RETURN_IF_ERROR(ValidateIntoImage(reader, plan, threads, out.data(), nullptr));
  uint8_t* tail = out.data() + plan.footer_offset;
  std::memcpy(tail, plan.footer.data(), plan.footer.size());
  PutU32LE(tail + plan.footer.size(), static_cast<uint32_t>(plan.footer.size()));
  // NOLINTNEXTLINE(bugprone-not-null-terminated-result): the 4-byte magic, not a C string.
  std::memcpy(tail + plan.footer.size() + 4, "PAR1", 4);
  return Status::OK();
}

Status WriteUncompressedImage(const ParquetReader& reader, size_t threads,
                              const std::function<Status(ByteSpan)>& write) {
  CR_ASSIGN_OR_RETURN(ImagePlan plan, PlanUncompressedImage(reader));
  Bytes image(plan.size());
  CR_RETURN_IF_ERROR(FillUncompressedImage(reader, plan, threads, image));
  return write(image);
}

}  // namespace cleanroom::formats
