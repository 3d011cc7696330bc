#pragma once

// An input whose validation waits for the query (EngineOptions::validate_columns_read); used by
// engine.cc and deferred_parquet.cc only.

#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/input_source.h"
#include "formats/parquet_reader.h"
#include "sql/catalog.h"

namespace cleanroom::engine {

// Whether every declared column is among `input`'s (names compared case-insensitively) with
// exactly the declared type: then no value can fail to convert (table_loader.cc).
bool ExactlyDeclared(const std::vector<sql::Column>& input,
                     const std::vector<sql::Column>& declared);

struct DeferredParquetInput {
  TableSource source;
  std::vector<std::unique_ptr<formats::ParquetReader>> readers;  // one per file, footer read
  // The bytes a reader of memory reads (a decrypted input), released once imaged.
  std::shared_ptr<void> memory;
  std::vector<int> schema_fds;  // the schema-only images, closed once imaged
  std::string inner;            // the view the table's view reads
  std::vector<std::pair<std::string, std::string>> columns;  // the inner view's: name, DuckDB type
  bool imaged = false;

  ~DeferredParquetInput() {
    for (int fd : schema_fds) ::close(fd);
  }
};

}  // namespace cleanroom::engine
