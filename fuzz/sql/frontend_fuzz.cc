// Feeds arbitrary text to CompileScript in both dialects against a small catalog.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sql/frontend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cleanroom::sql::DataType;
  using cleanroom::sql::TypeId;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto dialect : {cleanroom::sql::Dialect::kSpark, cleanroom::sql::Dialect::kSqlite}) {
    cleanroom::sql::Catalog catalog;
    catalog.PutTable({"t",
                      {{"a", DataType::Of(TypeId::kInt)},
                       {"b", DataType::Of(TypeId::kString)},
                       {"c", DataType::Decimal(10, 2)},
                       {"d", DataType::Of(TypeId::kDate)}},
                      false});
    catalog.PutTable(
        {"u", {{"a", DataType::Of(TypeId::kBigInt)}, {"e", DataType::Of(TypeId::kDouble)}}, false});
    cleanroom::sql::CompileOptions options;
    options.dialect = dialect;
    auto compiled = cleanroom::sql::CompileScript(text, catalog, options);
    if (compiled.ok()) {
      for (const auto& statement : *compiled) (void)statement.ExplainText();
    }
  }
  return 0;
}
