#include "formats/parquet_shredding.h"

namespace cleanroom::formats {

using sql::TypeId;

Status ShreddingPlan::AddNode(const sql::DataType& type, const std::string& name,
                              Repetition repetition, int def, int rep,
                              std::vector<std::string> path, std::vector<SchemaElement>* schema,
                              Node* node) {
  // `def` and `rep` are the levels of the parent; an OPTIONAL node adds a definition level.
  node->optional = repetition == Repetition::kOptional;
  if (node->optional) ++def;
  path.push_back(name);
  node->first_leaf = static_cast<int>(leaves_.size());
  SchemaElement element;
  element.name = name;
  element.repetition = repetition;
  auto add_group = [&](int children, ConvertedType converted) {
    element.num_children = children;
    element.converted_type = converted;
    schema->push_back(element);
  };
  auto add_repeated = [&](const std::string& group_name, int children) {
    SchemaElement repeated;
    repeated.name = group_name;
    repeated.repetition = Repetition::kRepeated;
    repeated.num_children = children;
    schema->push_back(repeated);
  };
  switch (type.id) {
    case TypeId::kStruct: {
      if (type.children.empty()) {
        return Status::Unimplemented("the Parquet writer does not write empty structs");
      }
      node->kind = Node::Kind::kStruct;
      add_group(static_cast<int>(type.children.size()), ConvertedType::kNone);
      node->children.resize(type.children.size());
      for (size_t c = 0; c < type.children.size(); ++c) {
        CR_RETURN_IF_ERROR(AddNode(type.children[c], type.field_names[c], Repetition::kOptional,
                                   def, rep, path, schema, &node->children[c]));
      }
      break;
    }
    case TypeId::kArray: {
      node->kind = Node::Kind::kList;
      node->rep = rep + 1;
      add_group(1, ConvertedType::kList);
      add_repeated("list", 1);
      path.push_back("list");
      node->children.resize(1);
      // The repeated group adds one definition level (an empty list is defined, no element).
      CR_RETURN_IF_ERROR(AddNode(type.children[0], "element", Repetition::kOptional, def + 1,
                                 rep + 1, path, schema, &node->children[0]));
      break;
    }
    case TypeId::kMap: {
      node->kind = Node::Kind::kMap;
      node->rep = rep + 1;
      add_group(1, ConvertedType::kMap);
      add_repeated("key_value", 2);
      path.push_back("key_value");
      node->children.resize(2);
      CR_RETURN_IF_ERROR(AddNode(type.children[0], "key", Repetition::kRequired, def + 1, rep + 1,
                                 path, schema, &node->children[0]));
      CR_RETURN_IF_ERROR(AddNode(type.children[1], "value", Repetition::kOptional, def + 1, rep + 1,
                                 path, schema, &node->children[1]));
      break;
    }
    default: {
      node->kind = Node::Kind::kLeaf;
      node->leaf = static_cast<int>(leaves_.size());
      ShreddedLeaf leaf;
      leaf.path = path;
      leaf.type = type;
      leaf.max_def = def;
      leaf.max_rep = rep;
      leaf.schema_element = schema->size();
      schema->push_back(element);
      leaves_.push_back(std::move(leaf));
      break;
    }
  }
  node->end_leaf = static_cast<int>(leaves_.size());
  return Status::OK();
}

Result<ShreddingPlan> ShreddingPlan::Build(const std::vector<Field>& fields,
                                           std::vector<SchemaElement>* schema) {
  ShreddingPlan plan;
  plan.fields_.resize(fields.size());
  for (size_t f = 0; f < fields.size(); ++f) {
    CR_RETURN_IF_ERROR(plan.AddNode(fields[f].type, fields[f].name, Repetition::kOptional, 0, 0, {},
                                    schema, &plan.fields_[f]));
  }
  for (const ShreddedLeaf& leaf : plan.leaves_) {
    if (leaf.max_def > 255 || leaf.max_rep > 255) {
      return Status::Unimplemented("the Parquet writer does not nest deeper than 255 levels");
    }
  }
  return plan;
}

Status ShreddingPlan::ShredValue(const Node& node, const ColumnVector& vector, size_t row,
                                 uint8_t rep, uint8_t def, std::vector<ShreddedLeaf>* out) const {
  // A missing value (NULL, or an empty list or map) sets the levels of every leaf under it.
  auto absent = [&](uint8_t level) {
    for (int l = node.first_leaf; l < node.end_leaf; ++l) {
      ShreddedLeaf& leaf = (*out)[l];
      leaf.def.push_back(level);
      if (leaf.max_rep > 0) leaf.rep.push_back(rep);
    }
    return Status::OK();
  };
  if (row >= vector.length) return Status::InvalidArgument("nested vector shorter than its parent");
  if (vector.IsNull(row)) {
    if (!node.optional) return Status::InvalidArgument("a map key is NULL");
    return absent(def);
  }
  if (node.optional) ++def;
  switch (node.kind) {
    case Node::Kind::kLeaf: {
      ShreddedLeaf& leaf = (*out)[node.leaf];
      leaf.def.push_back(def);
      if (leaf.max_rep > 0) leaf.rep.push_back(rep);
      leaf.values.emplace_back(&vector, row);
      return Status::OK();
    }
    case Node::Kind::kStruct:
      if (vector.children.size() != node.children.size())
        return Status::InvalidArgument("struct vector has the wrong number of fields");
      for (size_t c = 0; c < node.children.size(); ++c) {
        CR_RETURN_IF_ERROR(ShredValue(node.children[c], vector.children[c], row, rep, def, out));
      }
      return Status::OK();
    case Node::Kind::kList:
    case Node::Kind::kMap: {
      if (vector.offsets.size() <= row + 1 || vector.children.size() != node.children.size())
        return Status::InvalidArgument("list or map vector without its offsets or children");
      int64_t begin = vector.offsets[row], end = vector.offsets[row + 1];
      if (begin < 0 || end < begin) return Status::InvalidArgument("list offsets out of order");
      if (begin == end) return absent(def);
      for (int64_t entry = begin; entry < end; ++entry) {
        uint8_t entry_rep = entry == begin ? rep : static_cast<uint8_t>(node.rep);
        for (size_t c = 0; c < node.children.size(); ++c) {
          CR_RETURN_IF_ERROR(ShredValue(node.children[c], vector.children[c],
                                        static_cast<size_t>(entry), entry_rep,
                                        static_cast<uint8_t>(def + 1), out));
        }
      }
      return Status::OK();
    }
  }
  return Status::Internal("unknown shredding node");
}

Status ShreddingPlan::Shred(const RecordBatch& batch, size_t begin, size_t end,
                            std::vector<ShreddedLeaf>* out) const {
  *out = leaves_;
  if (batch.columns.size() != fields_.size())
    return Status::InvalidArgument("batch columns differ from the writer's fields");
  for (ShreddedLeaf& leaf : *out) {
    leaf.def.reserve(end - begin);
    if (leaf.max_rep > 0) leaf.rep.reserve(end - begin);
    leaf.values.reserve(end - begin);
  }
  for (size_t f = 0; f < fields_.size(); ++f) {
    for (size_t row = begin; row < end; ++row) {
      CR_RETURN_IF_ERROR(ShredValue(fields_[f], batch.columns[f], row, 0, 0, out));
    }
  }
  return Status::OK();
}

}  // namespace cleanroom::formats
