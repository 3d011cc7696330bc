#!/usr/bin/env python3
"""Differential test against Apache Spark: random queries over small typed tables.

Generates a fixed-seed corpus of Spark SQL queries over two typed random tables, runs every
query through Apache Spark (pyspark, local mode, ANSI on as Spark 4 defaults, one session for
the whole corpus) and writes what Spark answered as a golden file in the format of Spark's own
SQLQueryTestSuite (`-- !query`, `-- !query schema`, `-- !query output`; rows rendered by
Spark's HiveResult.hiveResultString, an exception as its class name). `cleanroom spark-golden`
then replays that file through the clean room's front end and engine and compares (the same
comparison as for Spark's golden files: order-insensitive unless the query orders its output,
doubles within a relative 1e-9).

Usage: spark_differential.py --seed N --count N --out FILE.sql.out [--queries-only]
"""
import argparse
import random
import sys

INT_COLS = ["i", "k"]
BIGINT_COLS = ["l"]
DOUBLE_COLS = ["d"]
DECIMAL_COLS = ["m"]
STRING_COLS = ["s"]
BOOL_COLS = ["b"]
DATE_COLS = ["dt"]
WORDS = ["a", "b", "ab", "abc", "Spark", "x y", "", "ZZ", "mid", "1"]


def make_tables(rng):
    """Two typed tables as CREATE TEMPORARY VIEW ... AS SELECT * FROM VALUES statements."""
    def maybe(value, null_rate=0.15):
        return "NULL" if rng.random() < null_rate else value

    t1 = []
    for row in range(24):
        i = maybe(str(rng.randint(-50, 50)))
        k = str(rng.randint(0, 4))  # a grouping key without NULLs
        lv = maybe(str(rng.randint(-10**12, 10**12)) + "L")
        d = maybe(repr(round(rng.uniform(-100, 100), 3)) + "D")
        m = maybe("%d.%02d" % (rng.randint(-999, 999), rng.randint(0, 99)))
        s = maybe("'" + rng.choice(WORDS) + "'")
        b = maybe(rng.choice(["true", "false"]))
        dt = maybe("DATE '2024-%02d-%02d'" % (rng.randint(1, 12), rng.randint(1, 28)))
        t1.append("(%d, %s, %s, %s, %s, %s, %s, %s, %s)" % (row, i, k, lv, d, m, s, b, dt))
    t2 = []
    for row in range(12):
        k = maybe(str(rng.randint(0, 6)), 0.1)
        v = maybe("'" + rng.choice(WORDS) + "'")
        x = maybe(str(rng.randint(-20, 20)))
        t2.append("(%s, %s, %s)" % (k, v, x))
    return [
        "CREATE OR REPLACE TEMPORARY VIEW t1 AS SELECT id, CAST(i AS INT) AS i, CAST(k AS INT) "
        "AS k, CAST(l AS BIGINT) AS l, CAST(d AS DOUBLE) AS d, CAST(m AS DECIMAL(10,2)) AS m, "
        "CAST(s AS STRING) AS s, CAST(b AS BOOLEAN) AS b, CAST(dt AS DATE) AS dt FROM VALUES "
        + ", ".join(t1) + " AS v(id, i, k, l, d, m, s, b, dt)",
        "CREATE OR REPLACE TEMPORARY VIEW t2 AS SELECT CAST(k AS INT) AS k, CAST(v AS STRING) AS "
        "v, CAST(x AS INT) AS x FROM VALUES " + ", ".join(t2) + " AS v(k, v, x)",
    ]


class Gen:
    """Random typed expressions and queries over t1 (and t2 for joins and subqueries)."""

    def __init__(self, rng):
        self.r = rng

    def c(self, options):
        return self.r.choice(options)

    def int_expr(self, depth=0):
        r = self.r.random()
        if depth > 2 or r < 0.35:
            return self.c(INT_COLS + [str(self.r.randint(-9, 9))])
        return self.c([
            lambda: "(%s + %s)" % (self.int_expr(depth + 1), self.int_expr(depth + 1)),
            lambda: "(%s - %s)" % (self.int_expr(depth + 1), self.int_expr(depth + 1)),
            lambda: "(%s * %s)" % (self.int_expr(depth + 1), self.c(["2", "3", "-1", "k"])),
            lambda: "abs(%s)" % self.int_expr(depth + 1),
            lambda: "(%s %% %s)" % (self.int_expr(depth + 1), self.c(["3", "7", "(k + 1)"])),
            lambda: "(%s div %s)" % (self.int_expr(depth + 1), self.c(["2", "5", "(k + 1)"])),
            lambda: "coalesce(%s, %s)" % (self.int_expr(depth + 1), self.int_expr(depth + 1)),
            lambda: "length(%s)" % self.str_expr(depth + 1),
            lambda: "CASE WHEN %s THEN %s ELSE %s END" % (
                self.bool_expr(depth + 1), self.int_expr(depth + 1), self.int_expr(depth + 1)),
            lambda: "greatest(%s, %s)" % (self.int_expr(depth + 1), self.int_expr(depth + 1)),
            lambda: "least(%s, %s)" % (self.int_expr(depth + 1), self.int_expr(depth + 1)),
            lambda: "year(%s)" % self.date_expr(depth + 1),
            lambda: "month(%s)" % self.date_expr(depth + 1),
            lambda: "datediff(%s, DATE '2024-06-01')" % self.date_expr(depth + 1),
            lambda: "sign(%s)" % self.int_expr(depth + 1),
            lambda: "(%s & %s)" % (self.int_expr(depth + 1), self.int_expr(depth + 1)),
            lambda: "(%s | 5)" % self.int_expr(depth + 1),
            lambda: "shiftleft(%s, 2)" % self.int_expr(depth + 1),
            lambda: "nvl(%s, 0)" % self.int_expr(depth + 1),
            lambda: "CAST(%s AS INT)" % self.c(["d", "m", "(d / 3)"]),
            lambda: "instr(%s, 'a')" % self.str_expr(depth + 1),
            lambda: "ascii(%s)" % self.str_expr(depth + 1),
            lambda: "aggregate(%s, 0, (acc, x) -> acc + coalesce(x, 1))" % self.array_expr(depth + 1),
            lambda: "size(%s)" % self.array_expr(depth + 1),
        ])()

    def num_expr(self, depth=0):
        r = self.r.random()
        if depth > 2 or r < 0.3:
            return self.c(DOUBLE_COLS + DECIMAL_COLS + BIGINT_COLS + INT_COLS + ["1.5", "2.25D"])
        return self.c([
            lambda: "(%s + %s)" % (self.num_expr(depth + 1), self.num_expr(depth + 1)),
            lambda: "(%s * %s)" % (self.num_expr(depth + 1), self.c(["0.5", "2", "i"])),
            lambda: "(%s / %s)" % (self.num_expr(depth + 1), self.c(["2", "4.0", "3D", "(k + 1)"])),
            lambda: "round(%s, %d)" % (self.num_expr(depth + 1), self.r.randint(0, 2)),
            lambda: "floor(%s)" % self.num_expr(depth + 1),
            lambda: "ceil(%s)" % self.num_expr(depth + 1),
            lambda: "abs(%s)" % self.num_expr(depth + 1),
            lambda: "sqrt(abs(%s))" % self.c(DOUBLE_COLS + INT_COLS),
            lambda: "pow(%s, 2)" % self.c(INT_COLS + ["k"]),
            lambda: "-%s" % self.c(DOUBLE_COLS + DECIMAL_COLS + BIGINT_COLS),
            lambda: "CAST(%s AS DOUBLE)" % self.c(DECIMAL_COLS + INT_COLS + BIGINT_COLS),
            lambda: "CAST(%s AS DECIMAL(12,3))" % self.c(INT_COLS + DECIMAL_COLS),
            lambda: "bround(%s, 1)" % self.c(DECIMAL_COLS + DOUBLE_COLS),
            lambda: "exp(%s / 100)" % self.c(INT_COLS),
            lambda: "ln(abs(%s) + 1)" % self.c(DOUBLE_COLS + INT_COLS),
        ])()

    def str_expr(self, depth=0):
        r = self.r.random()
        if depth > 2 or r < 0.35:
            return self.c(STRING_COLS + ["'%s'" % self.c(WORDS)])
        return self.c([
            lambda: "upper(%s)" % self.str_expr(depth + 1),
            lambda: "lower(%s)" % self.str_expr(depth + 1),
            lambda: "concat(%s, %s)" % (self.str_expr(depth + 1), self.str_expr(depth + 1)),
            lambda: "concat_ws('-', %s, %s)" % (self.str_expr(depth + 1), self.str_expr(depth + 1)),
            lambda: "substr(%s, %d, %d)" % (self.str_expr(depth + 1), self.r.randint(-2, 3),
                                           self.r.randint(0, 3)),
            lambda: "trim(%s)" % self.str_expr(depth + 1),
            lambda: "lpad(%s, %d, '*')" % (self.str_expr(depth + 1), self.r.randint(0, 6)),
            lambda: "rpad(%s, %d, '.')" % (self.str_expr(depth + 1), self.r.randint(0, 6)),
            lambda: "reverse(%s)" % self.str_expr(depth + 1),
            lambda: "replace(%s, 'a', 'A')" % self.str_expr(depth + 1),
            lambda: "CAST(%s AS STRING)" % self.c(INT_COLS + DECIMAL_COLS + BOOL_COLS + DATE_COLS
                                                  + BIGINT_COLS),
            lambda: "coalesce(%s, 'none')" % self.str_expr(depth + 1),
            lambda: "initcap(%s)" % self.str_expr(depth + 1),
            lambda: "repeat(%s, 2)" % self.str_expr(depth + 1),
            lambda: "left(%s, 2)" % self.str_expr(depth + 1),
            lambda: "right(%s, 2)" % self.str_expr(depth + 1),
            lambda: "hex(%s)" % self.c(INT_COLS + STRING_COLS),
            lambda: "if(%s, %s, %s)" % (self.bool_expr(depth + 1), self.str_expr(depth + 1),
                                        self.str_expr(depth + 1)),
            lambda: "date_format(%s, '%s')" % (self.date_expr(depth + 1), self.c(
                ["yyyy-MM-dd", "d/M/yy", "EEE, MMM d yyyy", "D 'day' EEEE MMMM", "HH:mm:ss a"])),
            lambda: "array_join(transform(array(%s, %s), x -> upper(x)), ',')" % (
                self.str_expr(depth + 1), self.str_expr(depth + 1)),
        ])()

    def array_expr(self, depth=0):
        """An array<int> (higher-order functions and array functions over it)."""
        base = "array(%s, %s, %s)" % (self.int_expr(depth + 1), self.int_expr(depth + 1),
                                      self.c(INT_COLS))
        return self.c([
            lambda: base,
            lambda: "transform(%s, x -> x * %s)" % (base, self.c(["2", "k", "x"])),
            lambda: "transform(%s, (x, j) -> x + j)" % base,
            lambda: "filter(%s, x -> x > %s)" % (base, self.c(["0", "k", "i"])),
            lambda: "zip_with(%s, array(1, 2), (a, b) -> a - b)" % base,
            lambda: "array_insert(%s, %s, %s)" % (base, self.c(["1", "2", "-1", "5", "-6"]),
                                                  self.c(INT_COLS + ["7"])),
        ])()

    def date_expr(self, depth=0):
        if depth > 2 or self.r.random() < 0.5:
            return self.c(DATE_COLS + ["DATE '2024-02-29'"])
        return self.c([
            lambda: "date_add(%s, %s)" % (self.date_expr(depth + 1), self.c(["k", "3", "-7"])),
            lambda: "date_sub(%s, %s)" % (self.date_expr(depth + 1), self.c(["k", "10"])),
            lambda: "add_months(%s, %s)" % (self.date_expr(depth + 1), self.c(["1", "k", "-13"])),
            lambda: "last_day(%s)" % self.date_expr(depth + 1),
            lambda: "trunc(%s, 'MM')" % self.date_expr(depth + 1),
        ])()

    def bool_expr(self, depth=0):
        if depth > 2 or self.r.random() < 0.25:
            return self.c(BOOL_COLS + ["(i > 0)", "(k = 2)", "(s IS NULL)"])
        cmp = self.c(["=", "<>", "<", "<=", ">", ">=", "<=>"])
        return self.c([
            lambda: "(%s %s %s)" % (self.int_expr(depth + 1), cmp, self.int_expr(depth + 1)),
            lambda: "(%s %s %s)" % (self.num_expr(depth + 1), cmp, self.num_expr(depth + 1)),
            lambda: "(%s %s %s)" % (self.str_expr(depth + 1), cmp, self.str_expr(depth + 1)),
            lambda: "(%s %s %s)" % (self.date_expr(depth + 1), cmp, self.date_expr(depth + 1)),
            lambda: "(%s AND %s)" % (self.bool_expr(depth + 1), self.bool_expr(depth + 1)),
            lambda: "(%s OR %s)" % (self.bool_expr(depth + 1), self.bool_expr(depth + 1)),
            lambda: "(NOT %s)" % self.bool_expr(depth + 1),
            lambda: "(%s IS NULL)" % self.c(INT_COLS + STRING_COLS + DOUBLE_COLS),
            lambda: "(%s BETWEEN -10 AND 10)" % self.int_expr(depth + 1),
            lambda: "(%s IN (1, 2, 3, NULL))" % self.int_expr(depth + 1),
            lambda: "(%s LIKE '%s')" % (self.str_expr(depth + 1), self.c(["a%", "%b", "_", "%"])),
            lambda: "(%s RLIKE '%s')" % (self.str_expr(depth + 1), self.c(["^a", "b$", "[xy]"])),
            lambda: "startswith(%s, 'a')" % self.str_expr(depth + 1),
            lambda: "contains(%s, 'b')" % self.str_expr(depth + 1),
            lambda: "isnan(%s)" % self.c(DOUBLE_COLS),
            lambda: "exists(%s, x -> x > %s)" % (self.array_expr(depth + 1), self.c(["0", "k"])),
            lambda: "forall(%s, x -> x IS NOT NULL)" % self.array_expr(depth + 1),
        ])()

    def any_expr(self):
        return self.c([self.int_expr, self.num_expr, self.str_expr, self.date_expr,
                       self.bool_expr, self.array_expr])()

    def aggregate(self):
        return self.c([
            lambda: "count(*)",
            lambda: "count(%s)" % self.any_expr(),
            lambda: "count(DISTINCT %s)" % self.c(INT_COLS + STRING_COLS),
            lambda: "sum(%s)" % self.c(INT_COLS + BIGINT_COLS + DECIMAL_COLS + [self.int_expr()]),
            lambda: "avg(%s)" % self.c(INT_COLS + DECIMAL_COLS + DOUBLE_COLS),
            lambda: "min(%s)" % self.any_expr(),
            lambda: "max(%s)" % self.any_expr(),
            lambda: "stddev(%s)" % self.c(INT_COLS + DOUBLE_COLS),
            lambda: "var_pop(%s)" % self.c(INT_COLS + DOUBLE_COLS),
            lambda: "bool_and(%s)" % self.bool_expr(1),
            lambda: "count_if(%s)" % self.bool_expr(1),
            lambda: "sum(%s) FILTER (WHERE %s)" % (self.c(INT_COLS), self.bool_expr(1)),
            lambda: "max_by(id, %s)" % self.c(["id", "-id"]),
            lambda: "bit_or(%s)" % self.c(INT_COLS),
            lambda: "median(%s)" % self.c(INT_COLS + DOUBLE_COLS),
        ])()

    def query(self):
        kind = self.r.random()
        if kind < 0.35:
            cols = ", ".join(self.any_expr() for _ in range(self.r.randint(1, 3)))
            where = " WHERE " + self.bool_expr() if self.r.random() < 0.5 else ""
            return "SELECT id, %s FROM t1%s" % (cols, where)
        if kind < 0.6:
            aggs = ", ".join(self.aggregate() for _ in range(self.r.randint(1, 3)))
            where = " WHERE " + self.bool_expr() if self.r.random() < 0.3 else ""
            having = " HAVING count(*) > 1" if self.r.random() < 0.3 else ""
            key = self.c(["k", "b", "(k % 2)", "s"])
            return "SELECT %s, %s FROM t1%s GROUP BY %s%s" % (key, aggs, where, key, having)
        if kind < 0.7:
            fn = self.c(["row_number()", "rank()", "dense_rank()", "sum(i)", "count(*)",
                         "lag(i)", "lead(s, 1, 'none')", "min(d)", "ntile(2)"])
            return ("SELECT id, %s OVER (PARTITION BY k ORDER BY id) FROM t1" % fn)
        if kind < 0.8:
            join = self.c(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "LEFT SEMI JOIN",
                           "LEFT ANTI JOIN"])
            cols = "t1.id, t1.s" if "SEMI" in join or "ANTI" in join else "t1.id, t2.v, t2.x"
            return "SELECT %s FROM t1 %s t2 ON t1.k = t2.k AND %s" % (
                cols, join, self.c(["t2.x > 0", "t1.i < t2.x", "true", "t2.v IS NOT NULL"]))
        if kind < 0.87:
            op = self.c(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"])
            return "SELECT k FROM t1 WHERE %s %s SELECT k FROM t2" % (self.bool_expr(), op)
        if kind < 0.94:
            sub = self.c(["k IN (SELECT k FROM t2 WHERE x > 0)",
                          "k NOT IN (SELECT k FROM t2 WHERE k IS NOT NULL)",
                          "EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k AND t2.x > t1.i)",
                          "i > (SELECT avg(x) FROM t2)"])
            return "SELECT id, s FROM t1 WHERE " + sub
        expr = self.any_expr()
        return "SELECT id, %s AS e FROM t1 ORDER BY e %s NULLS %s, id LIMIT %d" % (
            expr, self.c(["ASC", "DESC"]), self.c(["FIRST", "LAST"]), self.r.randint(1, 10))


def has_top_level_order_by(sql):
    """True when `sql` has ORDER BY outside parentheses (the rows' order is then the answer)."""
    depth = 0
    words = []
    word = ""
    for ch in sql + " ":
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch.isalnum() or ch == "_":
            word += ch
            continue
        if word:
            words.append((word.lower(), depth))
            word = ""
    return any(w == "order" and d == 0 and i + 1 < len(words) and words[i + 1][0] == "by"
               for i, (w, d) in enumerate(words))


def run_spark(statements, out_path):
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[1]").appName("cleanroom-differential")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "1")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.ansi.enabled", "true")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.adaptive.enabled", "false")
             .config("spark.sql.codegen.wholeStage", "false")
             .config("spark.driver.memory", "1g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    hive_result = spark._jvm.org.apache.spark.sql.execution.HiveResult
    blocks = []
    for sql in statements:
        try:
            df = spark.sql(sql)
            schema = df._jdf.schema().catalogString()
            rows = hive_result.hiveResultString(df._jdf.queryExecution().executedPlan())
            rendered = [rows.apply(i) for i in range(rows.size())]
            if not has_top_level_order_by(sql):
                # As Spark's SQLQueryTestSuite records an unordered answer: its rows sorted.
                rendered.sort()
            output = "\n".join(rendered)
        except Exception as e:  # Spark's error: its class name is what the golden file records
            text = str(e).strip().splitlines()
            schema = "struct<>"
            output = "org.apache.spark.SparkException\n" + (text[0] if text else "error")
        blocks.append("-- !query\n%s\n-- !query schema\n%s\n-- !query output\n%s\n" %
                      (sql, schema, output))
    spark.stop()
    with open(out_path, "w") as f:
        f.write("-- Automatically generated by spark_differential.py\n")
        f.write("-- Number of queries: %d\n\n\n" % len(statements))
        f.write("\n\n".join(blocks))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--queries-only", action="store_true",
                        help="print the generated statements, do not run Spark")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    statements = make_tables(rng)
    gen = Gen(rng)
    statements += [gen.query() for _ in range(args.count)]
    if args.queries_only:
        print(";\n".join(statements))
        return 0
    run_spark(statements, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
