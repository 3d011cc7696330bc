#pragma once

#include <duckdb.h>

#include <string>

namespace cleanroom::engine {

// How a cell is spelled.
//   kText: for people and CSV. Strings verbatim, numbers as SQL prints them (doubles in their
//          shortest round-trip form with a ".0" on integral values), booleans true/false,
//          dates YYYY-MM-DD, timestamps YYYY-MM-DD HH:MM:SS[.ffffff], binary as lower-case hex,
//          lists [a, b], structs {a: 1}, maps {k=v}.
//   kJson: a JSON value: numbers bare (non-finite doubles as strings), strings escaped,
//          lists as arrays, structs and maps as objects; NULL is null.
enum class CellStyle { kText, kJson };

// True when the cell at `row` of `vector` is NULL.
bool CellIsNull(duckdb_vector vector, idx_t row);

// Appends the cell at `row` of `vector`, whose type is `type`, to `out`. A NULL cell appends
// "null" in kJson and nothing in kText (callers choose how to show NULL in text).
// Types without a spelling (UNION, BIT) append "?" (kText) or null (kJson).
void AppendCell(duckdb_vector vector, duckdb_logical_type type, idx_t row, CellStyle style,
                std::string& out);

// Appends `text` as a JSON string literal (quotes, escapes, control characters as \u00XX).
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace cleanroom::engine
