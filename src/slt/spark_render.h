#pragma once

#include <string>
#include <string_view>

#include "engine/query_result.h"
#include "sql/types.h"

namespace cleanroom::slt {

// A result cell as Spark's `SQLQueryTestSuite` prints it (HiveResult's string form), so that
// our rows compare with Spark's golden files: NULL is `NULL` (`null` inside nested values),
// DOUBLE / FLOAT as Java's toString (`1.0`, `1.0E7`, `NaN`), DECIMAL in plain notation with its
// scale, BINARY as its bytes read as UTF-8 (invalid bytes U+FFFD), arrays `[1,null]`, maps
// `{1:"a"}`, structs `{"x":1}`, strings quoted only inside nested values. `type` is the
// column's Spark type (the compiled statement's output type).
std::string RenderSparkCell(const engine::Chunk& chunk, idx_t column, idx_t row,
                            const sql::DataType& type);

// Java's Double.toString / Float.toString of `value` (shortest round-trip digits).
std::string JavaDoubleString(double value);
std::string JavaFloatString(float value);

// An interval as Spark prints it, from the engine's text ("3 days" -> "3 00:00:00.000000000",
// "48 months" -> "4-0").
std::string RenderSparkIntervalText(std::string_view engine_text);

// `bytes` read as UTF-8, each invalid sequence replaced by U+FFFD (Java's decoder).
std::string Utf8Sanitized(std::string_view bytes);

}  // namespace cleanroom::slt
