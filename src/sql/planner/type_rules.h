#pragma once

// Spark's type rules used by the binder: common types, numeric widening, decimal precision
// and scale of arithmetic, literal typing, and the casts that coercion inserts.

#include <optional>
#include <string_view>

#include "sql/frontend.h"
#include "sql/plan.h"

namespace cleanroom::sql {

// The decimal type that holds every value of an integral type (int -> decimal(10,0)).
DataType DecimalForIntegral(const DataType& type);

// The type both `a` and `b` can be widened to (CASE branches, COALESCE, IN, UNION, the two
// sides of a comparison); nullopt when there is none (e.g. boolean and date).
std::optional<DataType> CommonType(const DataType& a, const DataType& b, Dialect dialect);

// The type that unifies values of types `a` and `b` in one column (CASE / COALESCE results,
// set operations, VALUES): like CommonType, except that a string meeting a number, boolean or
// date makes the column a string (Spark's wider-type rule), where a comparison reads the string
// as the other type.
std::optional<DataType> WiderType(const DataType& a, const DataType& b, Dialect dialect);

// Result type of + - * / % on decimals, as Spark computes it (with precision loss allowed:
// precision capped at 38, scale reduced but kept >= 6 when the integer part needs room).
DataType DecimalArithmeticType(OperatorKind op, const DataType& a, const DataType& b);

// Whether an explicit CAST from `from` to `to` is allowed.
bool CanCast(const DataType& from, const DataType& to);

// `expr` converted to `type`: itself when already of that type, a retyped NULL literal, or a
// kCast node.
ExprPtr CastTo(ExprPtr expr, const DataType& type);

// A literal of type `type` holding `value` (canonical text); `is_null` for NULL.
ExprPtr MakeLiteral(const DataType& type, std::string value, bool is_null = false);

// Types a numeric literal as written ("12", "1.5", "1e3", "5L", "1.5BD"). Spark: integers are
// int, bigint or decimal(n,0) by size; a fraction is decimal(p,s); an exponent double. SQLite:
// integers bigint, anything else double. Returns nullopt when out of range; `canonical`
// receives the digits without suffix.
std::optional<DataType> NumericLiteralType(std::string_view text, Dialect dialect,
                                           std::string* canonical);

}  // namespace cleanroom::sql
