#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "formats/column_vector.h"
#include "formats/parquet_metadata.h"
#include "sql/types.h"

namespace cleanroom::formats {

// One node of the Parquet schema tree, with the definition and repetition levels at which it
// is present (counting itself).
struct SchemaNode {
  std::string name;
  Repetition repetition = Repetition::kRequired;
  int element = 0;  // index into FileMetaData::schema
  int parent = -1;
  std::vector<int> children;
  int16_t def_level = 0;
  int16_t rep_level = 0;
  int leaf = -1;  // column index for primitive nodes
};

// How a leaf's physical values turn into the values of its SQL type.
enum class LeafConversion {
  kCopy,  // same bytes (BOOLEAN, INT32 -> INT/DATE, INT64, FLOAT, DOUBLE, strings)
  kInt32ToInt8,
  kInt32ToInt16,
  kUint32ToInt16,
  kUint32ToInt32,
  kUint32ToInt64,
  kUint64ToDecimal,  // UINT64 -> DECIMAL(20,0)
  kInt32ToDecimal,
  kInt64ToDecimal,
  kBinaryToDecimal,
  kMillisToMicros,
  kNanosToMicros,
  kInt96ToMicros,
  kFloat16ToFloat,
  kUuidToString,
};

// A primitive column: its path, levels and the SQL type its values are read as.
struct LeafColumn {
  int node = 0;
  std::string path;  // dotted path_in_schema
  PhysicalType physical = PhysicalType::kBoolean;
  int32_t type_length = 0;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  // rep_def[r] is the definition level of the repeated ancestor whose repetition level is r.
  std::vector<int16_t> rep_def;
  sql::DataType type;
  LeafConversion conversion = LeafConversion::kCopy;
  bool is_unsigned = false;  // for statistics order
};

// How a value is assembled from leaves. `slot_node`'s instances are this value's rows.
struct ColumnPlan {
  enum class Kind { kLeaf, kStruct, kList, kMap } kind = Kind::kLeaf;
  int slot_node = 0;
  bool nullable = false;   // NULL where the definition level is below slot_node's
  int repeated_node = -1;  // kList / kMap: elements are this node's instances
  int leaf = -1;           // kLeaf
  std::vector<ColumnPlan> children;
  sql::DataType type;
};

// The schema of a file: the node tree, the leaves, and one plan per top-level field.
class ParquetSchema {
 public:
  // Builds the tree from the flattened schema list; DataLoss when it is malformed (children
  // counts that do not add up, a primitive without a type, levels too deep) and Unimplemented
  // for types this reader does not map (decimal precision above 38).
  static Result<ParquetSchema> Build(const FileMetaData& meta, const std::string& what);

  const std::vector<SchemaNode>& nodes() const { return nodes_; }
  const std::vector<LeafColumn>& leaves() const { return leaves_; }
  const std::vector<Field>& fields() const { return fields_; }
  const std::vector<ColumnPlan>& plans() const { return plans_; }
  // Leaves (column indices) under top-level field `field`.
  const std::vector<int>& FieldLeaves(size_t field) const { return field_leaves_[field]; }

 private:
  std::vector<SchemaNode> nodes_;
  std::vector<LeafColumn> leaves_;
  std::vector<Field> fields_;
  std::vector<ColumnPlan> plans_;
  std::vector<std::vector<int>> field_leaves_;
};

}  // namespace cleanroom::formats
