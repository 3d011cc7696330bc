#include "formats/parquet_schema.h"

namespace cleanroom::formats {
namespace {

constexpr int kMaxNesting = 100;
constexpr size_t kMaxColumns = 100000;

using sql::DataType;
using sql::TypeId;

Status MapLeafType(const SchemaElement& e, LeafColumn* leaf, const std::string& where) {
  const LogicalType& lt = e.logical;
  ConvertedType ct = e.converted_type;
  auto decimal = [&](LeafConversion conversion) -> Status {
    int precision = lt.kind == LogicalKind::kDecimal ? lt.precision : e.precision;
    int scale = lt.kind == LogicalKind::kDecimal ? lt.scale : e.scale;
    if (precision <= 0 || scale < 0 || scale > precision) {
      return Status::DataLoss(where + ": invalid decimal precision or scale");
    }
    if (precision > 38) return Status::Unimplemented(where + ": decimal precision above 38");
    leaf->type = DataType::Decimal(precision, scale);
    leaf->conversion = conversion;
    return Status::OK();
  };
  bool is_decimal = lt.kind == LogicalKind::kDecimal || ct == ConvertedType::kDecimal;
  leaf->conversion = LeafConversion::kCopy;
  switch (leaf->physical) {
    case PhysicalType::kBoolean:
      leaf->type = DataType::Of(TypeId::kBoolean);
      return Status::OK();
    case PhysicalType::kInt32: {
      if (is_decimal) return decimal(LeafConversion::kInt32ToDecimal);
      if (lt.kind == LogicalKind::kDate || ct == ConvertedType::kDate) {
        leaf->type = DataType::Of(TypeId::kDate);
        return Status::OK();
      }
      int bits = 32;
      bool is_signed = true;
      if (lt.kind == LogicalKind::kInteger) {
        bits = lt.bit_width;
        is_signed = lt.is_signed;
      } else if (ct == ConvertedType::kInt8 || ct == ConvertedType::kUint8) {
        bits = 8;
        is_signed = ct == ConvertedType::kInt8;
      } else if (ct == ConvertedType::kInt16 || ct == ConvertedType::kUint16) {
        bits = 16;
        is_signed = ct == ConvertedType::kInt16;
      } else if (ct == ConvertedType::kUint32) {
        is_signed = false;
      }
      leaf->is_unsigned = !is_signed;
      if (is_signed) {
        leaf->type = DataType::Of(bits == 8    ? TypeId::kTinyInt
                                  : bits == 16 ? TypeId::kSmallInt
                                               : TypeId::kInt);
        leaf->conversion = bits == 8    ? LeafConversion::kInt32ToInt8
                           : bits == 16 ? LeafConversion::kInt32ToInt16
                                        : LeafConversion::kCopy;
      } else {
        leaf->type = DataType::Of(bits == 8    ? TypeId::kSmallInt
                                  : bits == 16 ? TypeId::kInt
                                               : TypeId::kBigInt);
        leaf->conversion = bits == 8    ? LeafConversion::kUint32ToInt16
                           : bits == 16 ? LeafConversion::kUint32ToInt32
                                        : LeafConversion::kUint32ToInt64;
      }
      return Status::OK();
    }
    case PhysicalType::kInt64: {
      if (is_decimal) return decimal(LeafConversion::kInt64ToDecimal);
      bool timestamp = lt.kind == LogicalKind::kTimestamp ||
                       ct == ConvertedType::kTimestampMillis ||
                       ct == ConvertedType::kTimestampMicros;
      if (timestamp) {
        TimeUnit unit = lt.kind == LogicalKind::kTimestamp      ? lt.unit
                        : ct == ConvertedType::kTimestampMillis ? TimeUnit::kMillis
                                                                : TimeUnit::kMicros;
        bool utc = lt.kind == LogicalKind::kTimestamp ? lt.adjusted_to_utc : true;
        leaf->type = DataType::Of(utc ? TypeId::kTimestamp : TypeId::kTimestampNtz);
        leaf->conversion = unit == TimeUnit::kMillis  ? LeafConversion::kMillisToMicros
                           : unit == TimeUnit::kNanos ? LeafConversion::kNanosToMicros
                                                      : LeafConversion::kCopy;
        return Status::OK();
      }
      bool is_unsigned =
          (lt.kind == LogicalKind::kInteger && !lt.is_signed) || ct == ConvertedType::kUint64;
      leaf->is_unsigned = is_unsigned;
      if (is_unsigned) {
        leaf->type = DataType::Decimal(20, 0);
        leaf->conversion = LeafConversion::kUint64ToDecimal;
      } else {
        leaf->type = DataType::Of(TypeId::kBigInt);
      }
      return Status::OK();
    }
    case PhysicalType::kInt96:
      leaf->type = DataType::Of(TypeId::kTimestamp);
      leaf->conversion = LeafConversion::kInt96ToMicros;
      return Status::OK();
    case PhysicalType::kFloat:
      leaf->type = DataType::Of(TypeId::kFloat);
      return Status::OK();
    case PhysicalType::kDouble:
      leaf->type = DataType::Of(TypeId::kDouble);
      return Status::OK();
    case PhysicalType::kByteArray:
      if (is_decimal) return decimal(LeafConversion::kBinaryToDecimal);
      if (lt.kind == LogicalKind::kString || lt.kind == LogicalKind::kEnum ||
          lt.kind == LogicalKind::kJson || ct == ConvertedType::kUtf8 ||
          ct == ConvertedType::kEnum || ct == ConvertedType::kJson) {
        leaf->type = DataType::Of(TypeId::kString);
      } else {
        leaf->type = DataType::Of(TypeId::kBinary);
      }
      return Status::OK();
    case PhysicalType::kFixedLenByteArray:
      if (e.type_length <= 0 || e.type_length > (1 << 20)) {
        return Status::DataLoss(where + ": FIXED_LEN_BYTE_ARRAY with an invalid length");
      }
      if (is_decimal) return decimal(LeafConversion::kBinaryToDecimal);
      if (lt.kind == LogicalKind::kFloat16) {
        if (e.type_length != 2) return Status::DataLoss(where + ": FLOAT16 not 2 bytes long");
        leaf->type = DataType::Of(TypeId::kFloat);
        leaf->conversion = LeafConversion::kFloat16ToFloat;
        return Status::OK();
      }
      if (lt.kind == LogicalKind::kUuid && e.type_length == 16) {
        leaf->type = DataType::Of(TypeId::kString);
        leaf->conversion = LeafConversion::kUuidToString;
        return Status::OK();
      }
      leaf->type = DataType::Of(TypeId::kBinary);
      return Status::OK();
  }
  return Status::DataLoss(where + ": unknown physical type");
}

bool IsListAnnotated(const SchemaElement& e) {
  return e.logical.kind == LogicalKind::kList || e.converted_type == ConvertedType::kList;
}
bool IsMapAnnotated(const SchemaElement& e) {
  return e.logical.kind == LogicalKind::kMap || e.converted_type == ConvertedType::kMap ||
         e.converted_type == ConvertedType::kMapKeyValue;
}

class PlanBuilder {
 public:
  PlanBuilder(const std::vector<SchemaNode>& nodes, const std::vector<LeafColumn>& leaves,
              const FileMetaData& meta)
      : nodes_(nodes), leaves_(leaves), meta_(meta) {}

  // The value at `index`; as_element: the node is read as one element of its own repetition.
  ColumnPlan Build(int index, bool as_element) {
    const SchemaNode& n = nodes_[index];
    const SchemaElement& e = meta_.schema[n.element];
    ColumnPlan plan;
    if (n.repetition == Repetition::kRepeated && !as_element) {
      plan.kind = ColumnPlan::Kind::kList;
      plan.slot_node = n.parent;
      plan.nullable = false;
      plan.repeated_node = index;
      plan.children.push_back(Build(index, true));
      plan.type = DataType::Array(plan.children[0].type);
      return plan;
    }
    plan.slot_node = index;
    plan.nullable = n.repetition == Repetition::kOptional;
    if (n.leaf >= 0) {
      plan.kind = ColumnPlan::Kind::kLeaf;
      plan.leaf = n.leaf;
      plan.type = leaves_[n.leaf].type;
      return plan;
    }
    if (n.children.size() == 1 && nodes_[n.children[0]].repetition == Repetition::kRepeated &&
        (IsListAnnotated(e) || IsMapAnnotated(e))) {
      int r = n.children[0];
      const SchemaNode& rep = nodes_[r];
      plan.repeated_node = r;
      if (IsMapAnnotated(e) && rep.leaf < 0 && !rep.children.empty() && rep.children.size() <= 2) {
        plan.kind = rep.children.size() == 2 ? ColumnPlan::Kind::kMap : ColumnPlan::Kind::kList;
        for (int c : rep.children) plan.children.push_back(Build(c, false));
        plan.type = plan.kind == ColumnPlan::Kind::kMap
                        ? DataType::Map(plan.children[0].type, plan.children[1].type)
                        : DataType::Array(plan.children[0].type);
        return plan;
      }
      plan.kind = ColumnPlan::Kind::kList;
      bool element_is_repeated = rep.leaf >= 0 || rep.children.size() != 1 || rep.name == "array" ||
                                 rep.name == n.name + "_tuple";
      plan.children.push_back(element_is_repeated ? Build(r, true) : Build(rep.children[0], false));
      plan.type = DataType::Array(plan.children[0].type);
      return plan;
    }
    plan.kind = ColumnPlan::Kind::kStruct;
    std::vector<std::string> names;
    std::vector<DataType> types;
    for (int c : n.children) {
      plan.children.push_back(Build(c, false));
      names.push_back(nodes_[c].name);
      types.push_back(plan.children.back().type);
    }
    plan.type = DataType::Struct(std::move(names), std::move(types));
    return plan;
  }

 private:
  const std::vector<SchemaNode>& nodes_;
  const std::vector<LeafColumn>& leaves_;
  const FileMetaData& meta_;
};

void CollectLeaves(const std::vector<SchemaNode>& nodes, int index, std::vector<int>* out) {
  if (nodes[index].leaf >= 0) out->push_back(nodes[index].leaf);
  for (int c : nodes[index].children) CollectLeaves(nodes, c, out);
}

}  // namespace

Result<ParquetSchema> ParquetSchema::Build(const FileMetaData& meta, const std::string& what) {
  ParquetSchema schema;
  const auto& elements = meta.schema;
  if (elements.empty()) return Status::DataLoss(what + ": schema is empty");
  if (elements.size() > kMaxColumns) return Status::DataLoss(what + ": schema has too many nodes");
  // Walk the depth-first list with an explicit stack of (node, children still expected).
  struct Open {
    int node;
    int remaining;
  };
  std::vector<Open> stack;
  for (size_t i = 0; i < elements.size(); ++i) {
    const SchemaElement& e = elements[i];
    SchemaNode node;
    node.name = e.name;
    node.element = static_cast<int>(i);
    if (i == 0) {
      node.repetition = Repetition::kRequired;
    } else {
      if (stack.empty())
        return Status::DataLoss(what + ": schema has nodes after the root is complete");
      node.parent = stack.back().node;
      --stack.back().remaining;
      node.repetition = e.repetition.value_or(Repetition::kOptional);
      const SchemaNode& parent = schema.nodes_[node.parent];
      node.def_level =
          static_cast<int16_t>(parent.def_level + (node.repetition != Repetition::kRequired));
      node.rep_level =
          static_cast<int16_t>(parent.rep_level + (node.repetition == Repetition::kRepeated));
    }
    if (stack.size() > kMaxNesting) return Status::DataLoss(what + ": schema nested too deeply");
    int index = static_cast<int>(schema.nodes_.size());
    if (node.parent >= 0) schema.nodes_[node.parent].children.push_back(index);
    bool is_group = e.num_children > 0 || (i == 0);
    if (i == 0 && e.num_children < 0)
      return Status::DataLoss(what + ": root has a negative child count");
    if (is_group && e.num_children > static_cast<int64_t>(elements.size() - i - 1)) {
      return Status::DataLoss(what + ": schema child count exceeds the schema");
    }
    std::string where = what + ", column " + e.name;
    if (!is_group) {
      if (!e.type) return Status::DataLoss(where + ": primitive node without a physical type");
      LeafColumn leaf;
      leaf.node = index;
      leaf.physical = *e.type;
      leaf.type_length = e.type_length;
      leaf.max_def = node.def_level;
      leaf.max_rep = node.rep_level;
      node.leaf = static_cast<int>(schema.leaves_.size());
      schema.nodes_.push_back(node);
      // Path and the definition levels of the repeated ancestors.
      std::vector<int> chain;
      for (int a = index; a > 0; a = schema.nodes_[a].parent) chain.push_back(a);
      leaf.rep_def.assign(1, 0);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const SchemaNode& a = schema.nodes_[*it];
        if (!leaf.path.empty()) leaf.path += '.';
        leaf.path += a.name;
        if (a.repetition == Repetition::kRepeated) leaf.rep_def.push_back(a.def_level);
      }
      CR_RETURN_IF_ERROR(MapLeafType(e, &leaf, what + ", column " + leaf.path));
      schema.leaves_.push_back(std::move(leaf));
    } else {
      schema.nodes_.push_back(node);
      stack.push_back({index, e.num_children});
    }
    while (!stack.empty() && stack.back().remaining == 0) stack.pop_back();
  }
  if (!stack.empty())
    return Status::DataLoss(what + ": schema ends before all children are listed");
  if (schema.leaves_.empty() && !schema.nodes_[0].children.empty()) {
    return Status::DataLoss(what + ": schema has groups without columns");
  }
  PlanBuilder builder(schema.nodes_, schema.leaves_, meta);
  for (int child : schema.nodes_[0].children) {
    std::vector<int> leaves;
    CollectLeaves(schema.nodes_, child, &leaves);
    if (leaves.empty())
      return Status::DataLoss(what + ": field " + schema.nodes_[child].name + " has no columns");
    ColumnPlan plan = builder.Build(child, false);
    schema.fields_.push_back(Field{schema.nodes_[child].name, plan.type});
    schema.plans_.push_back(std::move(plan));
    schema.field_leaves_.push_back(std::move(leaves));
  }
  return schema;
}

}  // namespace cleanroom::formats
