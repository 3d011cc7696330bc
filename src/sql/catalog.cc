#include "sql/catalog.h"

namespace cleanroom::sql {

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status Catalog::AddTable(TableDef table) {
  std::string key = ToLowerAscii(table.name);
  if (tables_.count(key) != 0) {
    return Status::AlreadyExists("table or view already exists: " + table.name);
  }
  tables_.emplace(std::move(key), std::move(table));
  return Status::OK();
}

void Catalog::PutTable(TableDef table) {
  std::string key = ToLowerAscii(table.name);
  tables_[key] = std::move(table);
}

Status Catalog::DropTable(std::string_view name) {
  if (tables_.erase(ToLowerAscii(name)) == 0) {
    return Status::NotFound("table or view not found: " + std::string(name));
  }
  return Status::OK();
}

const TableDef* Catalog::FindTable(std::string_view name) const {
  auto it = tables_.find(ToLowerAscii(name));
  return it == tables_.end() ? nullptr : &it->second;
}

std::vector<std::string> Catalog::TableNames() const {
  std::vector<std::string> names;
  names.reserve(tables_.size());
  for (const auto& [key, table] : tables_) names.push_back(table.name);
  return names;
}

}  // namespace cleanroom::sql
