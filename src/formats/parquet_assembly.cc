#include "formats/parquet_assembly.h"

#include <cmath>
#include <cstring>

namespace cleanroom::formats {
namespace {

using sql::TypeId;

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
constexpr int64_t kUnixEpochJulianDay = 2440588;

float HalfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float value;
  if (exponent == 0) {
    value = std::ldexp(static_cast<float>(mantissa), -24);
  } else if (exponent == 31) {
    value = mantissa == 0 ? INFINITY : NAN;
  } else {
    value = std::ldexp(static_cast<float>(mantissa | 0x400), static_cast<int>(exponent) - 25);
  }
  return sign ? -value : value;
}

// Big-endian two's complement of up to 16 significant bytes.
Status BigEndianToInt128(ByteSpan bytes, __int128* out) {
  if (bytes.empty()) {
    *out = 0;
    return Status::OK();
  }
  size_t skip = bytes.size() > 16 ? bytes.size() - 16 : 0;
  uint8_t sign_byte = (bytes[0] & 0x80) ? 0xff : 0x00;
  for (size_t i = 0; i < skip; ++i) {
    if (bytes[i] != sign_byte) return Status::DataLoss("decimal value wider than 128 bits");
  }
  unsigned __int128 v = (bytes[0] & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
  for (size_t i = skip; i < bytes.size(); ++i) v = (v << 8) | bytes[i];
  *out = static_cast<__int128>(v);
  return Status::OK();
}

template <typename T>
void Put(ColumnVector* out, size_t i, T v) {
  std::memcpy(out->data.data() + i * sizeof(T), &v, sizeof(T));
}

}  // namespace

Status ConvertLeaf(const LeafColumn& leaf, ValueBuffer&& values, ColumnVector* out) {
  out->type = leaf.type;
  out->length = values.count;
  const size_t n = values.count;
  if (values.is_binary() && leaf.conversion == LeafConversion::kCopy) {
    out->data = std::move(values.heap);
    out->offsets.assign(values.offsets.begin(), values.offsets.end());
    return Status::OK();
  }
  size_t width = FixedWidthOf(leaf.type);
  const uint8_t* src = values.fixed.data();
  switch (leaf.conversion) {
    case LeafConversion::kCopy:
      out->data = std::move(values.fixed);
      if (width == 0) {
        // FIXED_LEN_BYTE_ARRAY read as BINARY: offsets at a fixed stride.
        out->offsets.resize(n + 1);
        for (size_t i = 0; i <= n; ++i) out->offsets[i] = static_cast<int64_t>(i * values.width);
      }
      return Status::OK();
    case LeafConversion::kInt32ToInt8:
    case LeafConversion::kInt32ToInt16:
    case LeafConversion::kUint32ToInt16:
    case LeafConversion::kUint32ToInt32:
    case LeafConversion::kUint32ToInt64:
      out->data.resize(n * width);
      for (size_t i = 0; i < n; ++i) {
        uint32_t raw = GetU32LE(src + 4 * i);
        switch (leaf.conversion) {
          case LeafConversion::kInt32ToInt8:
            Put<int8_t>(out, i, static_cast<int8_t>(raw));
            break;
          case LeafConversion::kInt32ToInt16:
            Put<int16_t>(out, i, static_cast<int16_t>(raw));
            break;
          case LeafConversion::kUint32ToInt16:
            Put<int16_t>(out, i, static_cast<int16_t>(raw & 0xff));
            break;
          case LeafConversion::kUint32ToInt32:
            Put<int32_t>(out, i, static_cast<int32_t>(raw & 0xffff));
            break;
          default:
            Put<int64_t>(out, i, static_cast<int64_t>(raw));
            break;
        }
      }
      return Status::OK();
    case LeafConversion::kUint64ToDecimal:
      out->data.resize(n * 16);
      for (size_t i = 0; i < n; ++i)
        Put<__int128>(out, i, static_cast<__int128>(GetU64LE(src + 8 * i)));
      return Status::OK();
    case LeafConversion::kInt32ToDecimal:
    case LeafConversion::kInt64ToDecimal:
      if (leaf.conversion == LeafConversion::kInt64ToDecimal && width == 8) {
        out->data = std::move(values.fixed);  // the same little-endian int64 values
        return Status::OK();
      }
      out->data.resize(n * width);
      if (leaf.conversion == LeafConversion::kInt32ToDecimal && width == 8) {
        for (size_t i = 0; i < n; ++i)
          Put<int64_t>(out, i, static_cast<int32_t>(GetU32LE(src + 4 * i)));
        return Status::OK();
      }
      for (size_t i = 0; i < n; ++i) {
        int64_t v = leaf.conversion == LeafConversion::kInt32ToDecimal
                        ? static_cast<int32_t>(GetU32LE(src + 4 * i))
                        : static_cast<int64_t>(GetU64LE(src + 8 * i));
        if (width == 8)
          Put<int64_t>(out, i, v);
        else
          Put<__int128>(out, i, v);
      }
      return Status::OK();
    case LeafConversion::kBinaryToDecimal:
      out->data.resize(n * width);
      for (size_t i = 0; i < n; ++i) {
        ByteSpan b =
            values.is_binary() ? values.Binary(i) : ByteSpan(src + i * values.width, values.width);
        __int128 v;
        CR_RETURN_IF_ERROR(BigEndianToInt128(b, &v));
        if (width == 8) {
          if (v > INT64_MAX || v < INT64_MIN)
            return Status::DataLoss("decimal value exceeds its precision");
          Put<int64_t>(out, i, static_cast<int64_t>(v));
        } else {
          Put<__int128>(out, i, v);
        }
      }
      return Status::OK();
    case LeafConversion::kMillisToMicros:
    case LeafConversion::kNanosToMicros:
      out->data.resize(n * 8);
      for (size_t i = 0; i < n; ++i) {
        int64_t v = static_cast<int64_t>(GetU64LE(src + 8 * i));
        int64_t micros;
        if (leaf.conversion == LeafConversion::kMillisToMicros) {
          if (__builtin_mul_overflow(v, int64_t{1000}, &micros))
            return Status::DataLoss("timestamp out of range");
        } else {
          micros = v / 1000 - (v % 1000 < 0 ? 1 : 0);
        }
        Put<int64_t>(out, i, micros);
      }
      return Status::OK();
    case LeafConversion::kInt96ToMicros:
      out->data.resize(n * 8);
      for (size_t i = 0; i < n; ++i) {
        int64_t nanos = static_cast<int64_t>(GetU64LE(src + 12 * i));
        int64_t day = static_cast<int32_t>(GetU32LE(src + 12 * i + 8));
        // Two's-complement wrapping, as Spark and Arrow compute it (int96_from_spark.md lists
        // such wrapped values); unsigned arithmetic keeps it defined.
        uint64_t micros = static_cast<uint64_t>(day - kUnixEpochJulianDay) *
                              static_cast<uint64_t>(kMicrosPerDay) +
                          static_cast<uint64_t>(nanos / 1000 - (nanos % 1000 < 0 ? 1 : 0));
        Put<int64_t>(out, i, static_cast<int64_t>(micros));
      }
      return Status::OK();
    case LeafConversion::kFloat16ToFloat:
      out->data.resize(n * 4);
      for (size_t i = 0; i < n; ++i) {
        Put<float>(out, i, HalfToFloat(static_cast<uint16_t>(src[2 * i] | (src[2 * i + 1] << 8))));
      }
      return Status::OK();
    case LeafConversion::kUuidToString: {
      static const char* kHex = "0123456789abcdef";
      out->offsets.assign(1, 0);
      for (size_t i = 0; i < n; ++i) {
        for (int b = 0; b < 16; ++b) {
          if (b == 4 || b == 6 || b == 8 || b == 10) out->data.push_back('-');
          uint8_t byte = src[16 * i + b];
          out->data.push_back(static_cast<uint8_t>(kHex[byte >> 4]));
          out->data.push_back(static_cast<uint8_t>(kHex[byte & 15]));
        }
        out->offsets.push_back(static_cast<int64_t>(out->data.size()));
      }
      return Status::OK();
    }
  }
  return Status::Internal("unknown leaf conversion");
}

namespace {

// Instances of a schema node in one leaf's level stream: [begin, end) ranges of level
// entries, with the index of the enclosing instance of the nearest repeated step's parent.
struct Slots {
  std::vector<uint32_t> begin, end, parent;
  size_t size() const { return begin.size(); }
};

class Assembler {
 public:
  Assembler(const ParquetSchema& schema, const std::vector<ColumnChunkData>& chunks,
            std::vector<ColumnVector>& dense)
      : schema_(schema), chunks_(chunks), dense_(dense) {}

  int FirstLeaf(int node) const {
    const auto& nodes = schema_.nodes();
    while (nodes[node].leaf < 0) node = nodes[node].children[0];
    return nodes[node].leaf;
  }

  Slots ComputeSlots(int node, int leaf) const {
    const ColumnChunkData& c = chunks_[leaf];
    const auto& nodes = schema_.nodes();
    Slots s;
    size_t n = c.num_levels;
    if (c.rep.empty()) {
      s.begin.resize(n);
      s.end.resize(n);
      s.parent.resize(n);
      for (size_t i = 0; i < n; ++i)
        s.begin[i] = s.parent[i] = static_cast<uint32_t>(i),
        s.end[i] = static_cast<uint32_t>(i + 1);
    } else {
      for (size_t i = 0; i < n; ++i) {
        if (c.rep[i] == 0) {
          if (!s.begin.empty()) s.end.push_back(static_cast<uint32_t>(i));
          s.parent.push_back(static_cast<uint32_t>(s.begin.size()));
          s.begin.push_back(static_cast<uint32_t>(i));
        }
      }
      if (!s.begin.empty()) s.end.push_back(static_cast<uint32_t>(n));
    }
    std::vector<int> path;
    for (int a = node; a > 0; a = nodes[a].parent) path.push_back(a);
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      const SchemaNode& step = nodes[*it];
      if (step.repetition != Repetition::kRepeated) continue;
      Slots next;
      const uint8_t r_level = static_cast<uint8_t>(step.rep_level);
      for (size_t p = 0; p < s.size(); ++p) {
        uint32_t b = s.begin[p], e = s.end[p];
        if (c.def.empty() || c.def[b] < step.def_level) continue;  // NULL or empty parent
        for (uint32_t i = b; i < e; ++i) {
          if (i == b || c.rep[i] <= r_level) {
            if (i != b) next.end.push_back(i);
            next.begin.push_back(i);
            next.parent.push_back(static_cast<uint32_t>(p));
          }
        }
        next.end.push_back(e);
      }
      s = std::move(next);
    }
    return s;
  }

  // A leaf outside any list: one slot per level entry, NULL where the level is below the max.
  Status BuildFlatLeaf(const ColumnPlan& plan, ColumnVector* out) {
    const LeafColumn& leaf = schema_.leaves()[plan.leaf];
    const ColumnChunkData& chunk = chunks_[plan.leaf];
    ColumnVector& dense = dense_[plan.leaf];
    const size_t n = chunk.num_levels;
    out->length = n;
    if (dense.length == n) {  // every entry defined: the dense values are the column
      out->data = std::move(dense.data);
      out->offsets = std::move(dense.offsets);
      return Status::OK();
    }
    if (dense.length > n || chunk.def.size() != n)
      return Status::DataLoss("leaf has more values than slots");
    const uint8_t max_def = static_cast<uint8_t>(leaf.max_def);
    out->validity.resize(n);
    size_t width = FixedWidthOf(plan.type);
    size_t k = 0;
    if (width > 0) {
      out->data.assign(n * width, 0);
      for (size_t i = 0; i < n; ++i) {
        bool valid = chunk.def[i] == max_def;
        out->validity[i] = valid;
        if (!valid) continue;
        if (k >= dense.length) return Status::DataLoss("leaf has fewer values than defined slots");
        std::memcpy(out->data.data() + i * width, dense.data.data() + k * width, width);
        ++k;
      }
    } else {
      out->offsets.resize(n + 1);
      out->offsets[0] = 0;
      out->data.reserve(dense.data.size());
      for (size_t i = 0; i < n; ++i) {
        bool valid = chunk.def[i] == max_def;
        out->validity[i] = valid;
        if (valid) {
          if (k >= dense.length)
            return Status::DataLoss("leaf has fewer values than defined slots");
          std::string_view v = dense.String(k++);
          out->data.insert(out->data.end(), v.begin(), v.end());
        }
        out->offsets[i + 1] = static_cast<int64_t>(out->data.size());
      }
    }
    if (k != dense.length) return Status::DataLoss("leaf has more values than defined slots");
    return Status::OK();
  }

  bool Defined(int leaf, uint32_t entry, int16_t level) const {
    const ColumnChunkData& c = chunks_[leaf];
    return c.def.empty() || c.def[entry] >= level;
  }

  Status Build(const ColumnPlan& plan, ColumnVector* out) {
    const auto& nodes = schema_.nodes();
    out->type = plan.type;
    switch (plan.kind) {
      case ColumnPlan::Kind::kLeaf: {
        if (schema_.leaves()[plan.leaf].max_rep == 0) return BuildFlatLeaf(plan, out);
        Slots s = ComputeSlots(plan.slot_node, plan.leaf);
        const LeafColumn& leaf = schema_.leaves()[plan.leaf];
        ColumnVector& dense = dense_[plan.leaf];
        out->length = s.size();
        bool all_defined = leaf.max_def == 0;
        if (all_defined || (s.size() == dense.length)) {
          // Every slot holds a value (no NULLs here): the dense vector is the column.
          bool every = true;
          if (!all_defined) {
            for (size_t i = 0; i < s.size() && every; ++i)
              every = Defined(plan.leaf, s.begin[i], leaf.max_def);
          }
          if (every) {
            if (dense.length != s.size())
              return Status::DataLoss("leaf value count differs from its slots");
            // Each leaf belongs to one plan node: its values can be moved.
            out->data = std::move(dense.data);
            out->offsets = std::move(dense.offsets);
            return Status::OK();
          }
        }
        out->validity.assign(s.size(), 0);
        size_t width = FixedWidthOf(plan.type);
        if (width > 0)
          out->data.assign(s.size() * width, 0);
        else
          out->offsets.assign(1, 0);
        size_t k = 0;
        for (size_t i = 0; i < s.size(); ++i) {
          if (!Defined(plan.leaf, s.begin[i], leaf.max_def)) {
            if (width == 0) out->offsets.push_back(out->offsets.back());
            continue;
          }
          if (k >= dense.length)
            return Status::DataLoss("leaf has fewer values than defined slots");
          out->validity[i] = 1;
          if (width > 0) {
            std::memcpy(out->data.data() + i * width, dense.data.data() + k * width, width);
          } else {
            std::string_view v = dense.String(k);
            out->data.insert(out->data.end(), v.begin(), v.end());
            out->offsets.push_back(static_cast<int64_t>(out->data.size()));
          }
          ++k;
        }
        if (k != dense.length) return Status::DataLoss("leaf has more values than defined slots");
        return Status::OK();
      }
      case ColumnPlan::Kind::kStruct: {
        int leaf = FirstLeaf(plan.slot_node);
        Slots s = ComputeSlots(plan.slot_node, leaf);
        out->length = s.size();
        if (plan.nullable) {
          out->validity.resize(s.size());
          for (size_t i = 0; i < s.size(); ++i) {
            out->validity[i] = Defined(leaf, s.begin[i], nodes[plan.slot_node].def_level);
          }
        }
        out->children.resize(plan.children.size());
        for (size_t c = 0; c < plan.children.size(); ++c) {
          CR_RETURN_IF_ERROR(Build(plan.children[c], &out->children[c]));
          if (out->children[c].length != out->length) {
            return Status::DataLoss("struct fields disagree on the number of values");
          }
        }
        return Status::OK();
      }
      case ColumnPlan::Kind::kList:
      case ColumnPlan::Kind::kMap: {
        int leaf = FirstLeaf(plan.repeated_node);
        Slots s = ComputeSlots(plan.slot_node, leaf);
        Slots e = ComputeSlots(plan.repeated_node, leaf);
        out->length = s.size();
        if (plan.nullable) {
          out->validity.resize(s.size());
          for (size_t i = 0; i < s.size(); ++i) {
            out->validity[i] = Defined(leaf, s.begin[i], nodes[plan.slot_node].def_level);
          }
        }
        out->offsets.assign(s.size() + 1, 0);
        for (size_t i = 0; i < e.size(); ++i) {
          if (e.parent[i] >= s.size()) return Status::Internal("list element without a parent");
          ++out->offsets[e.parent[i] + 1];
        }
        for (size_t i = 0; i < s.size(); ++i) out->offsets[i + 1] += out->offsets[i];
        out->children.resize(plan.children.size());
        for (size_t c = 0; c < plan.children.size(); ++c) {
          CR_RETURN_IF_ERROR(Build(plan.children[c], &out->children[c]));
          if (out->children[c].length != e.size()) {
            return Status::DataLoss("list elements disagree on the number of values");
          }
        }
        return Status::OK();
      }
    }
    return Status::Internal("unknown plan kind");
  }

 private:
  const ParquetSchema& schema_;
  const std::vector<ColumnChunkData>& chunks_;
  std::vector<ColumnVector>& dense_;
};

}  // namespace

Status AssembleField(const ParquetSchema& schema, const ColumnPlan& plan,
                     const std::vector<ColumnChunkData>& chunks, std::vector<ColumnVector>& dense,
                     size_t num_rows, ColumnVector* out) {
  Assembler assembler(schema, chunks, dense);
  CR_RETURN_IF_ERROR(assembler.Build(plan, out));
  if (out->length != num_rows)
    return Status::DataLoss("field row count differs from the row group's");
  return Status::OK();
}

}  // namespace cleanroom::formats
