#include "formats/parquet_column_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "formats/parquet_codec.h"
#include "formats/parquet_image.h"
#include "formats/parquet_statistics.h"

namespace cleanroom::formats {
namespace {

// Limits that bound memory whatever a file declares.
constexpr int64_t kMaxPageBytes = int64_t{512} << 20;
constexpr int64_t kMaxChunkBytes = int64_t{1} << 30;
constexpr int64_t kMaxPageValues = int64_t{1} << 24;
constexpr int64_t kMaxChunkValues = int64_t{1} << 31;

// Decodes `n` levels at the start of `data` (v1 layout: RLE carries a 4-byte length).
Status DecodeLevelsV1(Encoding encoding, ByteSpan data, int max_level, size_t n,
                      std::vector<uint32_t>* scratch, size_t* consumed) {
  int bw = BitWidth(static_cast<uint64_t>(max_level));
  scratch->resize(n);
  if (encoding == Encoding::kRle) {
    if (data.size() < 4) return Status::DataLoss("level data is truncated");
    uint32_t length = GetU32LE(data.data());
    if (length > data.size() - 4) return Status::DataLoss("level length exceeds the page");
    CR_RETURN_IF_ERROR(DecodeRleHybrid(data.subspan(4, length), bw, n, scratch->data()));
    *consumed = 4 + length;
    return Status::OK();
  }
  if (encoding == Encoding::kBitPacked) {
    uint64_t bytes = (static_cast<uint64_t>(n) * bw + 7) / 8;
    if (bytes > data.size()) return Status::DataLoss("level data is truncated");
    CR_RETURN_IF_ERROR(DecodeBitPackedLevels(data, bw, n, scratch->data()));
    *consumed = static_cast<size_t>(bytes);
    return Status::OK();
  }
  return Status::DataLoss(std::string("unsupported level encoding ") + EncodingName(encoding));
}

Status AppendLevels(const std::vector<uint32_t>& scratch, int max_level, const char* kind,
                    std::vector<uint8_t>* out) {
  for (uint32_t v : scratch) {
    if (v > static_cast<uint32_t>(max_level)) {
      return Status::DataLoss(std::string(kind) + " level above the column's maximum");
    }
  }
  size_t base = out->size();
  out->resize(base + scratch.size());
  for (size_t i = 0; i < scratch.size(); ++i) (*out)[base + i] = static_cast<uint8_t>(scratch[i]);
  return Status::OK();
}

// The decompressed page, in a buffer each thread keeps across column chunks: a fresh
// megabyte per chunk costs page faults and zeroing that rival the decompression itself. A
// buffer grown past kKeptBytes by a large page is released after use.
class PageBuffer {
 public:
  static constexpr size_t kKeptBytes = size_t{16} << 20;
  PageBuffer() : bytes(TakeSpare()) {}
  ~PageBuffer() {
    if (bytes.capacity() <= kKeptBytes) Spare() = std::move(bytes);
  }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;

  Bytes bytes;

 private:
  static Bytes& Spare() {
    thread_local Bytes spare;
    return spare;
  }
  static Bytes TakeSpare() {
    Bytes taken = std::move(Spare());
    Spare() = Bytes();
    return taken;
  }
};

class ChunkReader {
 public:
  ChunkReader(ByteSpan file, const ColumnChunk& chunk, const LeafColumn& leaf, ReadMode mode,
              ColumnChunkData* out, ImageChunk* image)
      : file_(file),
        meta_(*chunk.meta_data),
        leaf_(leaf),
        mode_(mode),
        out_(out),
        image_(image),
        stats_(leaf) {
    size_t width = PhysicalWidth(leaf.physical, leaf.type_length);
    out_->values.width = width;
    dictionary_.width = width;
  }

  int page() const { return page_; }

  Status Run(int64_t expected_rows) {
    if (meta_.type != leaf_.physical)
      return Status::DataLoss("column type differs from the schema");
    if (meta_.num_values < 0 || meta_.num_values > kMaxChunkValues) {
      return Status::DataLoss("column value count out of range");
    }
    if (meta_.total_uncompressed_size > kMaxChunkBytes) {
      return Status::ResourceExhausted("column chunk larger than the reader's 1 GiB limit");
    }
    int64_t start = meta_.data_page_offset;
    if (meta_.dictionary_page_offset && *meta_.dictionary_page_offset > 0 &&
        *meta_.dictionary_page_offset < start) {
      start = *meta_.dictionary_page_offset;
    }
    if (meta_.num_values == 0) {
      // An empty chunk: nothing to read (some writers leave its offsets at 0).
      if (expected_rows != 0) return Status::DataLoss("empty column in a row group with rows");
      page_ = -1;
      return Status::OK();
    }
    int64_t file_size = static_cast<int64_t>(file_.size());
    if (start < 4 || start >= file_size || meta_.total_compressed_size < 0 ||
        meta_.total_compressed_size > file_size - start) {
      return Status::DataLoss("column chunk lies outside the file");
    }
    size_t pos = static_cast<size_t>(start);
    size_t end = pos + static_cast<size_t>(meta_.total_compressed_size);
    int64_t declared = meta_.num_values;
    while (static_cast<int64_t>(out_->num_levels) < declared) {
      if (pos >= end) return Status::DataLoss("column chunk ends before all its values");
      CR_RETURN_IF_ERROR(ReadPage(&pos, end));
      ++page_;
    }
    page_ = -1;
    if (static_cast<int64_t>(out_->num_levels) != declared) {
      return Status::DataLoss("pages hold more values than the column declares");
    }
    out_->num_rows = leaf_.max_rep == 0
                         ? out_->num_levels
                         : static_cast<size_t>(std::count(out_->rep.begin(), out_->rep.end(), 0));
    if (static_cast<int64_t>(out_->num_rows) != expected_rows) {
      return Status::DataLoss("column holds " + std::to_string(out_->num_rows) +
                              " rows where the row group declares " +
                              std::to_string(expected_rows));
    }
    if (dictionary_.count > 0 && (mode_ == ReadMode::kMaterialize || track_dictionary_use_)) {
      for (size_t i = 0; i < dictionary_used_.size(); ++i) {
        if (dictionary_used_[i]) stats_.Add(dictionary_, i);
      }
    }
    if (meta_.statistics) {
      int64_t nulls = static_cast<int64_t>(out_->num_levels) - static_cast<int64_t>(defined_total_);
      CR_RETURN_IF_ERROR(stats_.Check(*meta_.statistics, nulls, leaf_.max_rep == 0));
    }
    return Status::OK();
  }

 private:
  Status ReadPage(size_t* pos, size_t end) {
    size_t header_size = 0;
    CR_ASSIGN_OR_RETURN(PageHeader header,
                        ParsePageHeader(file_.subspan(*pos, end - *pos), "page", &header_size));
    header_bytes_ = file_.subspan(*pos, header_size);
    *pos += header_size;
    if (header.compressed_page_size < 0 || header.uncompressed_page_size < 0) {
      return Status::DataLoss("negative page size");
    }
    if (static_cast<size_t>(header.compressed_page_size) > end - *pos) {
      return Status::DataLoss("page extends past the column chunk");
    }
    if (header.uncompressed_page_size > kMaxPageBytes) {
      return Status::ResourceExhausted("page larger than the reader's 512 MiB limit");
    }
    ByteSpan body = file_.subspan(*pos, static_cast<size_t>(header.compressed_page_size));
    *pos += body.size();
    if (header.crc) {
      uint32_t crc = static_cast<uint32_t>(crc32(0L, body.data(), static_cast<uInt>(body.size())));
      if (crc != static_cast<uint32_t>(*header.crc)) return Status::DataLoss("page CRC mismatch");
    }
    decompressed_total_ += header.uncompressed_page_size;
    if (decompressed_total_ > kMaxChunkBytes) {
      return Status::ResourceExhausted("column chunk decompresses past the reader's 1 GiB limit");
    }
    switch (header.type) {
      case PageType::kDictionaryPage:
        return ReadDictionaryPage(header, body);
      case PageType::kDataPage:
        return ReadDataPageV1(header, body);
      case PageType::kDataPageV2:
        return ReadDataPageV2(header, body);
      case PageType::kIndexPage:
        return Status::OK();
    }
    return Status::DataLoss("unknown page type");
  }

  // Decompresses a page body of `size` bytes into the reused page buffer; `*page` is then its
  // bytes (valid until the next page).
  Status DecompressPage(ByteSpan body, size_t size, ByteSpan* page) {
    Bytes& buffer = page_buffer_.bytes;
    if (size > PageBuffer::kKeptBytes) {
      // Grown as output appears: a page that declares a huge size but holds little costs
      // little memory.
      CR_RETURN_IF_ERROR(Decompress(meta_.codec, body, size, &buffer));
    } else {
      // Grown (and zeroed) only past the largest page this thread has read, not per page.
      if (buffer.size() < size) buffer.resize(size);
      CR_RETURN_IF_ERROR(
          DecompressInto(meta_.codec, body, std::span<uint8_t>(buffer.data(), size)));
    }
    *page = ByteSpan(buffer.data(), size);
    return Status::OK();
  }

  Status ReadDictionaryPage(const PageHeader& header, ByteSpan body) {
    if (!header.dictionary_page) return Status::DataLoss("dictionary page without its header");
    if (have_dictionary_ || out_->num_levels > 0) {
      return Status::DataLoss("dictionary page is not the first page");
    }
    const DictionaryPageHeader& d = *header.dictionary_page;
    if (d.num_values < 0)
      return Status::DataLoss("dictionary page declares a negative value count");
    if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
      return Status::DataLoss("dictionary page encoding is not PLAIN");
    }
    if (leaf_.physical == PhysicalType::kBoolean)
      return Status::DataLoss("dictionary for a BOOLEAN column");
    ByteSpan page;
    CR_RETURN_IF_ERROR(
        DecompressPage(body, static_cast<size_t>(header.uncompressed_page_size), &page));
    CR_RETURN_IF_ERROR(
        DecodePlain(leaf_.physical, page, static_cast<size_t>(d.num_values), &dictionary_));
    have_dictionary_ = true;
    dictionary_used_.assign(dictionary_.count, 0);
    CR_RETURN_IF_ERROR(ToImage({}, page));
    // When the whole dictionary lies within the chunk statistics, no subset of it can
    // contradict them: verification then checks indices without recording which are used.
    if (mode_ == ReadMode::kVerify) {
      MinMaxTracker whole(leaf_);
      whole.AddAll(dictionary_, 0);
      track_dictionary_use_ =
          stats_.enabled() && meta_.statistics && !whole.Check(*meta_.statistics, 0, false).ok();
    }
    return Status::OK();
  }

  Status CheckPageValueCount(int32_t num_values) {
    if (num_values < 0) return Status::DataLoss("page declares a negative value count");
    if (num_values > kMaxPageValues)
      return Status::ResourceExhausted("page holds more values than the reader's limit");
    if (static_cast<int64_t>(out_->num_levels) + num_values > meta_.num_values) {
      return Status::DataLoss("pages hold more values than the column declares");
    }
    return Status::OK();
  }

  // A flat column's definition levels are kept only when they carry information: verifying
  // needs the count of defined values alone, and a batch needs the levels only once a value is
  // NULL. Until then out_->def stays empty (every level so far is the maximum).
  bool NeedDefinitionLevels(size_t defined, size_t n) const {
    // Once stored (a NULL, or a page whose levels could not be counted in place), every page's
    // levels are, or out_->def would lag behind the level count (found by the fuzzer).
    if (def_stored_) return true;
    if (mode_ == ReadMode::kVerify) return false;
    return defined != n;
  }
  // Writes out the elided levels of earlier pages, so that out_->def has one entry per level.
  void StoreElidedLevels() {
    if (leaf_.max_rep != 0 || def_stored_) return;
    out_->def.assign(out_->num_levels, static_cast<uint8_t>(leaf_.max_def));
    def_stored_ = true;
  }

  // The v1 RLE definition levels at the start of `data`, checked and counted.
  Result<size_t> CountLevelsV1(ByteSpan data, size_t* consumed) {
    if (data.size() < 4) return Status::DataLoss("level data is truncated");
    uint32_t length = GetU32LE(data.data());
    if (length > data.size() - 4) return Status::DataLoss("level length exceeds the page");
    size_t defined = 0;
    CR_RETURN_IF_ERROR(CountRleHybrid(
        data.subspan(4, length), BitWidth(static_cast<uint64_t>(leaf_.max_def)), pending_levels_,
        static_cast<uint32_t>(leaf_.max_def), static_cast<uint32_t>(leaf_.max_def), &defined));
    *consumed = 4 + length;
    return defined;
  }

  // Checks the repetition structure of the levels appended from `from` and counts the defined
  // values.
  Result<size_t> CheckLevels(size_t from, size_t n) {
    if (leaf_.max_rep > 0) {
      if (out_->num_levels == 0 && n > 0 && out_->rep[from] != 0) {
        return Status::DataLoss("repetition levels do not start a row");
      }
      for (size_t i = from; i < from + n; ++i) {
        uint8_t r = out_->rep[i];
        uint8_t d = leaf_.max_def > 0 ? out_->def[i] : 0;
        if (r > 0 && d < leaf_.rep_def[r]) {
          return Status::DataLoss("repetition level continues a list that is not defined");
        }
      }
    }
    if (leaf_.max_def == 0) return n;
    size_t defined = 0;
    const uint8_t max_def = static_cast<uint8_t>(leaf_.max_def);
    for (size_t i = from; i < from + n; ++i) defined += out_->def[i] == max_def;
    return defined;
  }

  Status ReadDataPageV1(const PageHeader& header, ByteSpan body) {
    if (!header.data_page) return Status::DataLoss("data page without its header");
    const DataPageHeader& h = *header.data_page;
    CR_RETURN_IF_ERROR(CheckPageValueCount(h.num_values));
    size_t n = static_cast<size_t>(h.num_values);
    pending_levels_ = n;
    ByteSpan data;
    CR_RETURN_IF_ERROR(
        DecompressPage(body, static_cast<size_t>(header.uncompressed_page_size), &data));
    size_t offset = 0, consumed = 0;
    size_t from = out_->num_levels;
    if (leaf_.max_rep > 0) {
      CR_RETURN_IF_ERROR(DecodeLevelsV1(h.repetition_level_encoding, data, leaf_.max_rep, n,
                                        &scratch_, &consumed));
      CR_RETURN_IF_ERROR(AppendLevels(scratch_, leaf_.max_rep, "repetition", &out_->rep));
      offset += consumed;
    }
    size_t defined = n;
    bool counted = false;
    if (leaf_.max_def > 0 && leaf_.max_rep == 0 && h.definition_level_encoding == Encoding::kRle) {
      // A flat column: check and count the levels first; they are stored only when a value is
      // NULL and the batch needs them.
      CR_ASSIGN_OR_RETURN(defined, CountLevelsV1(data.subspan(offset), &consumed));
      counted = !NeedDefinitionLevels(defined, n);
      if (counted) offset += consumed;
    }
    if (!counted) {
      if (leaf_.max_def > 0) {
        StoreElidedLevels();
        CR_RETURN_IF_ERROR(DecodeLevelsV1(h.definition_level_encoding, data.subspan(offset),
                                          leaf_.max_def, n, &scratch_, &consumed));
        CR_RETURN_IF_ERROR(AppendLevels(scratch_, leaf_.max_def, "definition", &out_->def));
        offset += consumed;
      }
      CR_ASSIGN_OR_RETURN(defined, CheckLevels(from, n));
    }
    out_->num_levels += n;
    CR_RETURN_IF_ERROR(DecodeValues(h.encoding, data.subspan(offset), defined));
    return ToImage(data.subspan(0, offset), data.subspan(offset));
  }

  // Writes the page just validated (its uncompressed body: `levels`, then `values`) into the
  // image, when one is being written, where the image plan put it.
  Status ToImage(ByteSpan levels, ByteSpan values) {
    if (image_ == nullptr) return Status::OK();
    if (image_->next >= image_->pages.size())
      return Status::Internal("page missing from the image plan");
    const ImagePage& page = image_->pages[image_->next++];
    if (page.source != static_cast<uint64_t>(header_bytes_.data() - file_.data()) ||
        levels.size() + values.size() != page.body) {
      return Status::Internal("page differs from the image plan");
    }
    if (image_->write != nullptr) return WritePage(page, levels, values);
    uint8_t* out = image_->image + page.target;
    std::memcpy(out, page.header.data(), page.header.size());
    out += page.header.size();
    if (!levels.empty()) std::memcpy(out, levels.data(), levels.size());
    out += levels.size();
    if (page.transpose == 0) {
      if (!values.empty()) std::memcpy(out, values.data(), values.size());
      return Status::OK();
    }
    return ToPlain(page, values, out);
  }

  // BYTE_STREAM_SPLIT (byte k of every value, then byte k + 1, ...) back to PLAIN, into `out`:
  // the values were decoded from exactly these bytes, so their count divides evenly.
  static Status ToPlain(const ImagePage& page, ByteSpan values, uint8_t* out) {
    const size_t width = page.transpose;
    if (values.size() % width != 0) return Status::Internal("split values of a partial width");
    const size_t n = values.size() / width;
    for (size_t k = 0; k < width; ++k) {
      const uint8_t* stream = values.data() + k * n;
      for (size_t i = 0; i < n; ++i) out[i * width + k] = stream[i];
    }
    return Status::OK();
  }

  // The page written through the image's writer: its header, levels and values in turn.
  Status WritePage(const ImagePage& page, ByteSpan levels, ByteSpan values) {
    const ImageWrite& write = *image_->write;
    uint64_t at = page.target;
    CR_RETURN_IF_ERROR(write(at, page.header));
    at += page.header.size();
    if (!levels.empty()) CR_RETURN_IF_ERROR(write(at, levels));
    at += levels.size();
    if (values.empty()) return Status::OK();
    if (page.transpose == 0) return write(at, values);
    transposed_.resize(values.size());
    CR_RETURN_IF_ERROR(ToPlain(page, values, transposed_.data()));
    return write(at, transposed_);
  }

  Status ReadDataPageV2(const PageHeader& header, ByteSpan body) {
    if (!header.data_page_v2) return Status::DataLoss("data page v2 without its header");
    const DataPageHeaderV2& h = *header.data_page_v2;
    CR_RETURN_IF_ERROR(CheckPageValueCount(h.num_values));
    size_t n = static_cast<size_t>(h.num_values);
    if (h.repetition_levels_byte_length < 0 || h.definition_levels_byte_length < 0 ||
        static_cast<int64_t>(h.repetition_levels_byte_length) + h.definition_levels_byte_length >
            std::min<int64_t>(body.size(), header.uncompressed_page_size)) {
      return Status::DataLoss("level lengths exceed the page");
    }
    size_t rep_len = static_cast<size_t>(h.repetition_levels_byte_length);
    size_t def_len = static_cast<size_t>(h.definition_levels_byte_length);
    size_t from = out_->num_levels;
    if (leaf_.max_rep > 0) {
      scratch_.resize(n);
      CR_RETURN_IF_ERROR(
          DecodeRleHybrid(body.subspan(0, rep_len), BitWidth(leaf_.max_rep), n, scratch_.data()));
      CR_RETURN_IF_ERROR(AppendLevels(scratch_, leaf_.max_rep, "repetition", &out_->rep));
    }
    size_t defined = n;
    bool counted = false;
    if (leaf_.max_def > 0 && leaf_.max_rep == 0) {
      CR_RETURN_IF_ERROR(CountRleHybrid(body.subspan(rep_len, def_len), BitWidth(leaf_.max_def), n,
                                        static_cast<uint32_t>(leaf_.max_def),
                                        static_cast<uint32_t>(leaf_.max_def), &defined));
      counted = !NeedDefinitionLevels(defined, n);
    }
    if (!counted) {
      if (leaf_.max_def > 0) {
        StoreElidedLevels();
        scratch_.resize(n);
        CR_RETURN_IF_ERROR(DecodeRleHybrid(body.subspan(rep_len, def_len), BitWidth(leaf_.max_def),
                                           n, scratch_.data()));
        CR_RETURN_IF_ERROR(AppendLevels(scratch_, leaf_.max_def, "definition", &out_->def));
      }
      CR_ASSIGN_OR_RETURN(defined, CheckLevels(from, n));
    }
    if (h.num_nulls != static_cast<int32_t>(n - defined) && leaf_.max_rep == 0) {
      return Status::DataLoss("page null count contradicts its definition levels");
    }
    size_t rows =
        leaf_.max_rep == 0
            ? n
            : static_cast<size_t>(std::count(out_->rep.begin() + from, out_->rep.end(), 0));
    if (h.num_rows != static_cast<int32_t>(rows)) {
      return Status::DataLoss("page row count contradicts its repetition levels");
    }
    out_->num_levels += n;
    ByteSpan values = body.subspan(rep_len + def_len);
    size_t raw_size = static_cast<size_t>(header.uncompressed_page_size) - rep_len - def_len;
    ByteSpan levels = body.subspan(0, rep_len + def_len);
    // A page without values (all null) may have an empty compressed section: nothing to
    // decompress (a codec's encoding of nothing is not nothing, so decompressing would fail).
    const bool nothing = values.empty() && raw_size == 0;
    if (h.is_compressed && meta_.codec != Codec::kUncompressed && !nothing) {
      ByteSpan page;
      CR_RETURN_IF_ERROR(DecompressPage(values, raw_size, &page));
      CR_RETURN_IF_ERROR(DecodeValues(h.encoding, page, defined));
      return ToImage(levels, page);
    }
    if (values.size() != raw_size) return Status::DataLoss("page size differs from the header's");
    CR_RETURN_IF_ERROR(DecodeValues(h.encoding, values, defined));
    return ToImage(levels, values);
  }

  Status DecodeValues(Encoding encoding, ByteSpan data, size_t n) {
    defined_total_ += n;
    ValueBuffer& out = out_->values;
    size_t before = out.count;
    switch (encoding) {
      case Encoding::kPlain:
        if (mode_ == ReadMode::kVerify && out.is_binary()) return VerifyPlainBinary(data, n);
        if (mode_ == ReadMode::kVerify && !out.is_binary() &&
            leaf_.physical != PhysicalType::kBoolean) {
          // Verifying fixed-width PLAIN values: check the size, track statistics in place.
          if (n > data.size() / out.width) return Status::DataLoss("PLAIN data is truncated");
          stats_.AddFixed(data.data(), n, out.width);
          return Status::OK();
        }
        CR_RETURN_IF_ERROR(DecodePlain(leaf_.physical, data, n, &out));
        break;
      case Encoding::kPlainDictionary:
      case Encoding::kRleDictionary:
        return DecodeDictionaryValues(data, n);
      case Encoding::kRle:
        if (leaf_.physical != PhysicalType::kBoolean)
          return Status::DataLoss("RLE values on a non-BOOLEAN column");
        CR_RETURN_IF_ERROR(DecodeRleBoolean(data, n, &out));
        break;
      case Encoding::kDeltaBinaryPacked:
        CR_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(leaf_.physical, data, n, &out));
        break;
      case Encoding::kDeltaLengthByteArray:
        if (leaf_.physical != PhysicalType::kByteArray)
          return Status::DataLoss("DELTA_LENGTH_BYTE_ARRAY on a non-BYTE_ARRAY column");
        CR_RETURN_IF_ERROR(DecodeDeltaLengthByteArray(data, n, &out));
        break;
      case Encoding::kDeltaByteArray:
        if (leaf_.physical != PhysicalType::kByteArray &&
            leaf_.physical != PhysicalType::kFixedLenByteArray) {
          return Status::DataLoss("DELTA_BYTE_ARRAY on a non-byte-array column");
        }
        CR_RETURN_IF_ERROR(DecodeDeltaByteArray(leaf_.physical, data, n, &out));
        break;
      case Encoding::kByteStreamSplit:
        if (leaf_.physical == PhysicalType::kBoolean ||
            leaf_.physical == PhysicalType::kByteArray) {
          return Status::DataLoss("BYTE_STREAM_SPLIT on a variable-width column");
        }
        CR_RETURN_IF_ERROR(DecodeByteStreamSplit(data, n, &out));
        break;
      default:
        return Status::DataLoss(std::string("unsupported value encoding ") +
                                EncodingName(encoding));
    }
    stats_.AddAll(out, before);
    if (mode_ == ReadMode::kVerify) out.Clear();  // verified: drop the values
    return Status::OK();
  }

  // Verifying PLAIN BYTE_ARRAY values: every length checked against the page, and the
  // statistics tracked on the page's own bytes (the page's least and greatest value, then
  // those two), without copying a value.
  Status VerifyPlainBinary(ByteSpan data, size_t n) {
    size_t pos = 0;
    ByteSpan least, greatest;
    // The first eight bytes of least and greatest as big-endian numbers (when they have eight):
    // a value whose own first eight bytes differ is placed by one integer comparison, as
    // MinMaxTracker::Compare would place it; only ties and short values call it.
    uint64_t least_key = 0, greatest_key = 0;
    bool least_long = false, greatest_long = false;
    const bool track = stats_.enabled();
    const bool binary_order = leaf_.physical == PhysicalType::kByteArray ||
                              leaf_.physical == PhysicalType::kFixedLenByteArray;
    auto key = [](ByteSpan v) {
      uint64_t k;
      std::memcpy(&k, v.data(), 8);
      return __builtin_bswap64(k);
    };
    for (size_t i = 0; i < n; ++i) {
      if (data.size() - pos < 4) return Status::DataLoss("PLAIN BYTE_ARRAY data is truncated");
      // The next length depends on this one, which hides the walk from the hardware's
      // prefetcher: ask for the bytes a few values ahead (a page just decompressed is often
      // larger than the cache).
      __builtin_prefetch(data.data() + pos + 1024);
      uint32_t length;
      std::memcpy(&length, data.data() + pos, 4);  // little-endian host (checked in CMake)
      pos += 4;
      if (length > data.size() - pos) return Status::DataLoss("PLAIN BYTE_ARRAY data is truncated");
      ByteSpan value = data.subspan(pos, length);
      pos += length;
      if (!track) continue;
      if (i == 0) {
        least = greatest = value;
        least_long = greatest_long = binary_order && length >= 8;
        if (least_long) least_key = greatest_key = key(value);
        continue;
      }
      const bool long_value = binary_order && length >= 8;
      const uint64_t value_key = long_value ? key(value) : 0;
      int below;  // value against least
      if (long_value && least_long && value_key != least_key) {
        below = value_key < least_key ? -1 : 1;
      } else {
        below = stats_.Compare(value, least);
      }
      if (below < 0) {
        least = value;
        least_long = long_value;
        least_key = value_key;
        continue;
      }
      int above;  // value against greatest
      if (long_value && greatest_long && value_key != greatest_key) {
        above = value_key < greatest_key ? -1 : 1;
      } else {
        above = stats_.Compare(value, greatest);
      }
      if (above > 0) {
        greatest = value;
        greatest_long = long_value;
        greatest_key = value_key;
      }
    }
    if (track && n > 0) {
      stats_.AddValue(least);
      stats_.AddValue(greatest);
    }
    return Status::OK();
  }

  Status DecodeDictionaryValues(ByteSpan data, size_t n) {
    if (!have_dictionary_) return Status::DataLoss("dictionary-encoded page without a dictionary");
    if (mode_ == ReadMode::kVerify && !track_dictionary_use_) {
      if (n == 0) return Status::OK();
      if (data.empty()) return Status::DataLoss("dictionary index data is truncated");
      if (dictionary_.count == 0) return Status::DataLoss("dictionary index out of range");
      size_t unused = 0;
      return CountRleHybrid(data.subspan(1), data[0], n,
                            static_cast<uint32_t>(dictionary_.count - 1), 0, &unused);
    }
    CR_RETURN_IF_ERROR(DecodeDictionaryIndices(data, n, &indices_));
    const size_t size = dictionary_.count;
    for (uint32_t index : indices_) {
      if (index >= size) return Status::DataLoss("dictionary index out of range");
    }
    // Statistics are checked against the dictionary entries the pages use.
    if (stats_.enabled()) {
      for (uint32_t index : indices_) dictionary_used_[index] = 1;
    }
    if (mode_ == ReadMode::kVerify) return Status::OK();  // checked, not gathered
    ValueBuffer& out = out_->values;
    if (out.is_binary()) {
      // Sized once, then filled: the gather is the scan's hottest string loop.
      size_t bytes = 0;
      const uint64_t* offsets = dictionary_.offsets.data();
      for (uint32_t index : indices_) bytes += offsets[index + 1] - offsets[index];
      size_t heap_base = out.heap.size(), offset_base = out.offsets.size();
      out.heap.resize(heap_base + bytes);
      out.offsets.resize(offset_base + n);
      uint8_t* heap = out.heap.data() + heap_base;
      uint64_t* ends = out.offsets.data() + offset_base;
      const uint8_t* dictionary_heap = dictionary_.heap.data();
      uint64_t end = heap_base;
      for (size_t i = 0; i < n; ++i) {
        uint32_t index = indices_[i];
        size_t length = offsets[index + 1] - offsets[index];
        if (length > 0) std::memcpy(heap, dictionary_heap + offsets[index], length);
        heap += length;
        end += length;
        ends[i] = end;
      }
      out.count += n;
    } else {
      size_t w = out.width;
      size_t base = out.fixed.size();
      out.fixed.resize(base + n * w);
      uint8_t* dst = out.fixed.data() + base;
      const uint8_t* src = dictionary_.fixed.data();
      if (w == 4) {
        for (size_t i = 0; i < n; ++i) std::memcpy(dst + 4 * i, src + 4 * size_t{indices_[i]}, 4);
      } else if (w == 8) {
        for (size_t i = 0; i < n; ++i) std::memcpy(dst + 8 * i, src + 8 * size_t{indices_[i]}, 8);
      } else {
        for (size_t i = 0; i < n; ++i) std::memcpy(dst + w * i, src + w * size_t{indices_[i]}, w);
      }
      out.count += n;
    }
    return Status::OK();
  }

  ByteSpan file_;
  const ColumnMetaData& meta_;
  const LeafColumn& leaf_;
  ReadMode mode_;
  ColumnChunkData* out_;
  ImageChunk* image_;      // when set, validated pages are appended to it
  ByteSpan header_bytes_;  // the current page's header, as in the file
  MinMaxTracker stats_;
  ValueBuffer dictionary_;
  std::vector<uint8_t> dictionary_used_;
  bool have_dictionary_ = false;
  bool track_dictionary_use_ = true;
  bool def_stored_ = false;  // flat columns: whether out_->def holds every level
  PageBuffer page_buffer_;
  Bytes transposed_;  // a page's BYTE_STREAM_SPLIT values as PLAIN, for the image's writer
  std::vector<uint32_t> scratch_;
  std::vector<uint32_t> indices_;
  int64_t decompressed_total_ = 0;
  size_t defined_total_ = 0;
  size_t pending_levels_ = 0;
  int page_ = 0;
};

}  // namespace

std::string ChunkLocation::ToString() const {
  return "file " + file + ", row group " + std::to_string(row_group) + ", column " + column;
}

Status ReadColumnChunk(ByteSpan file, const ColumnChunk& chunk, const LeafColumn& leaf,
                       int64_t expected_rows, ReadMode mode, const ChunkLocation& where,
                       ColumnChunkData* out, ImageChunk* image) {
  // The caller's value buffers are kept for their capacity (a scan reuses them per row group).
  Bytes fixed = std::move(out->values.fixed), heap = std::move(out->values.heap);
  *out = ColumnChunkData{};
  fixed.clear();
  heap.clear();
  out->values.fixed = std::move(fixed);
  out->values.heap = std::move(heap);
  if (chunk.encrypted)
    return Status::Unimplemented(where.ToString() + ": encrypted column chunks are not supported");
  if (chunk.file_path)
    return Status::Unimplemented(where.ToString() + ": column chunk in an external file");
  if (!chunk.meta_data)
    return Status::DataLoss(where.ToString() + ": column chunk without metadata");
  ChunkReader reader(file, chunk, leaf, mode, out, image);
  Status status = reader.Run(expected_rows);
  if (status.ok()) return status;
  std::string context = where.ToString();
  if (reader.page() >= 0) context += ", page " + std::to_string(reader.page());
  return Status(status.code(), context + ": " + status.message());
}

}  // namespace cleanroom::formats
