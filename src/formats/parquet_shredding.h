#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "formats/column_vector.h"
#include "formats/parquet_metadata.h"

namespace cleanroom::formats {

// One leaf column of a batch, shredded (Dremel): a definition and repetition level per level
// entry and the defined values as references into the batch.
struct ShreddedLeaf {
  std::vector<std::string> path;  // path_in_schema
  sql::DataType type;             // the leaf's SQL type (primitive)
  size_t schema_element = 0;      // its index in the schema Build filled (for the physical type)
  int max_def = 0;
  int max_rep = 0;
  std::vector<uint8_t> def;
  std::vector<uint8_t> rep;  // empty when max_rep is 0
  // The entries whose level is max_def: (vector, row) of the leaf values, in order.
  std::vector<std::pair<const ColumnVector*, size_t>> values;
};

// The Parquet schema of a writer's fields and the shredding of batches into leaf columns.
// Every field and nested value is OPTIONAL except map keys (REQUIRED); lists use the standard
// three-level layout (`<name>` LIST / repeated `list` / `element`), maps the standard
// `<name>` MAP / repeated `key_value` / `key`, `value`. Immutable after Build; thread-safe.
class ShreddingPlan {
 public:
  // Appends the schema elements of `fields` (not the root) to `schema`. Unimplemented for a
  // type the writer cannot write.
  static Result<ShreddingPlan> Build(const std::vector<Field>& fields,
                                     std::vector<SchemaElement>* schema);

  size_t num_leaves() const { return leaves_.size(); }
  // The leaf columns in schema order (path, type, levels; no data).
  const std::vector<ShreddedLeaf>& leaves() const { return leaves_; }

  // Shreds rows [begin, end) of `batch` (columns in field order) into one ShreddedLeaf per leaf
  // column. InvalidArgument when a map key is NULL or a nested vector is inconsistent.
  // REQUIRES: `batch` outlives the use of `out` (values point into it).
  Status Shred(const RecordBatch& batch, size_t begin, size_t end,
               std::vector<ShreddedLeaf>* out) const;

  struct Node {
    enum class Kind { kLeaf, kStruct, kList, kMap } kind = Kind::kLeaf;
    bool optional = true;
    int rep = 0;         // lists and maps: the repetition level of their entries
    int leaf = -1;       // kLeaf: its index
    int first_leaf = 0;  // the leaves under this node: [first_leaf, end_leaf)
    int end_leaf = 0;
    std::vector<Node> children;
  };

 private:
  Status AddNode(const sql::DataType& type, const std::string& name, Repetition repetition, int def,
                 int rep, std::vector<std::string> path, std::vector<SchemaElement>* schema,
                 Node* node);
  Status ShredValue(const Node& node, const ColumnVector& vector, size_t row, uint8_t rep,
                    uint8_t def, std::vector<ShreddedLeaf>* out) const;

  std::vector<Node> fields_;
  std::vector<ShreddedLeaf> leaves_;  // templates: path, type, max levels
};

}  // namespace cleanroom::formats
