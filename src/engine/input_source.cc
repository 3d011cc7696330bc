#include "engine/input_source.h"

#include <nlohmann/json.hpp>

namespace cleanroom::engine {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

Result<char> SingleCharacter(const nlohmann::json& value, std::string_view field) {
  if (!value.is_string() || value.get<std::string>().size() != 1) {
    return Status::InvalidArgument("schema document: csv." + std::string(field) +
                                   " must be a one-character string");
  }
  return value.get<std::string>()[0];
}

}  // namespace

std::string_view FormatName(Format format) {
  switch (format) {
    case Format::kCsv:
      return "csv";
    case Format::kParquet:
      return "parquet";
    case Format::kJson:
      return "json";
    case Format::kNdjson:
      return "ndjson";
    case Format::kAuto:
      break;
  }
  return "auto";
}

Result<Format> ParseFormat(std::string_view name) {
  std::string lower = sql::ToLowerAscii(name);
  if (lower == "csv" || lower == "tsv") return Format::kCsv;
  if (lower == "parquet") return Format::kParquet;
  if (lower == "json") return Format::kJson;
  if (lower == "ndjson" || lower == "jsonl") return Format::kNdjson;
  if (lower == "auto") return Format::kAuto;
  return Status::InvalidArgument("unknown format '" + std::string(name) +
                                 "' (expected csv, parquet, json or ndjson)");
}

Format FormatFromPath(std::string_view path) {
  std::string lower = sql::ToLowerAscii(path);
  std::string_view view = lower;
  for (std::string_view compression : {".gz", ".zst"}) {
    if (EndsWith(view, compression)) view.remove_suffix(compression.size());
  }
  if (EndsWith(view, ".csv") || EndsWith(view, ".tsv") || EndsWith(view, ".txt")) {
    return Format::kCsv;
  }
  if (EndsWith(view, ".parquet") || EndsWith(view, ".pq")) return Format::kParquet;
  if (EndsWith(view, ".ndjson") || EndsWith(view, ".jsonl")) return Format::kNdjson;
  if (EndsWith(view, ".json")) return Format::kJson;
  return Format::kAuto;
}

Result<TableSource> ParseTableSpec(std::string_view spec) {
  size_t equals = spec.find('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 == spec.size()) {
    return Status::InvalidArgument("table " + std::string(spec) + ": expected NAME=PATH[:FORMAT]");
  }
  TableSource source;
  source.name = std::string(spec.substr(0, equals));
  source.path = std::string(spec.substr(equals + 1));
  size_t colon = source.path.rfind(':');
  if (colon != std::string::npos) {
    auto format = ParseFormat(source.path.substr(colon + 1));
    if (format.ok()) {
      source.format = *format;
      source.path.resize(colon);
    }
  }
  return source;
}

Status ParseSchemaDocument(std::string_view json_text, TableSource& source) {
  nlohmann::json document = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Status::InvalidArgument("schema document is not valid JSON");
  }
  const nlohmann::json* columns = &document;
  if (document.is_object()) {
    if (!document.contains("columns")) {
      return Status::InvalidArgument("schema document: missing \"columns\"");
    }
    columns = &document["columns"];
    if (document.contains("csv")) {
      const nlohmann::json& csv = document["csv"];
      if (!csv.is_object())
        return Status::InvalidArgument("schema document: csv must be an object");
      if (csv.contains("header")) {
        if (!csv["header"].is_boolean()) {
          return Status::InvalidArgument("schema document: csv.header must be true or false");
        }
        source.csv.header = csv["header"].get<bool>();
      }
      if (csv.contains("delimiter")) {
        CR_ASSIGN_OR_RETURN(source.csv.delimiter, SingleCharacter(csv["delimiter"], "delimiter"));
      }
      if (csv.contains("quote")) {
        CR_ASSIGN_OR_RETURN(source.csv.quote, SingleCharacter(csv["quote"], "quote"));
      }
      if (csv.contains("escape")) {
        CR_ASSIGN_OR_RETURN(source.csv.escape, SingleCharacter(csv["escape"], "escape"));
      }
      if (csv.contains("null")) {
        const nlohmann::json& nulls = csv["null"];
        source.csv.null_strings.clear();
        if (nulls.is_string()) {
          source.csv.null_strings.push_back(nulls.get<std::string>());
        } else if (nulls.is_array()) {
          for (const auto& n : nulls) {
            if (!n.is_string()) {
              return Status::InvalidArgument("schema document: csv.null must hold strings");
            }
            source.csv.null_strings.push_back(n.get<std::string>());
          }
        } else {
          return Status::InvalidArgument("schema document: csv.null must be a string or a list");
        }
      }
    }
  }
  if (!columns->is_array() || columns->empty()) {
    return Status::InvalidArgument("schema document: columns must be a non-empty list");
  }
  std::vector<sql::Column> parsed;
  for (size_t i = 0; i < columns->size(); ++i) {
    const nlohmann::json& column = (*columns)[i];
    std::string where = "schema document: columns[" + std::to_string(i) + "]";
    if (!column.is_object() || !column.contains("name") || !column["name"].is_string() ||
        !column.contains("type") || !column["type"].is_string()) {
      return Status::InvalidArgument(where + " must be {\"name\": ..., \"type\": ...}");
    }
    auto type = sql::ParseTypeName(column["type"].get<std::string>());
    if (!type.ok()) return type.status().WithContext(where);
    parsed.push_back(sql::Column{column["name"].get<std::string>(), std::move(type).value()});
  }
  source.schema = std::move(parsed);
  return Status::OK();
}

}  // namespace cleanroom::engine
