// The checker end to end: real CSV files loaded into the real engine, queries compiled by the
// front end, checked, rewritten and run. Denials must name the rule, dataset and column.
#include "runtime/checked_query.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/file.h"
#include "engine/engine.h"
#include "runtime/tests/result_rows.h"
#include "sql/frontend.h"

namespace cleanroom::runtime {

using privacy::CheckedProgram;
using privacy::PolicyFile;
using privacy::PostFilter;
using privacy::PreCondition;
using privacy::SuppressionNote;
namespace {

constexpr char kPolicies[] = R"({
  "datasets": {
    "customers": {
      "allowedFields": ["hashed_email", "age_band", "region", "lifetime_value"],
      "privacyUnit": "hashed_email",
      "columns": {"lifetime_value": {"role": "aggregate", "functions": ["SUM", "AVG"]}},
      "minGroupUnits": 3,
      "minRowCount": 5
    },
    "impressions": {
      "allowedFields": ["hashed_email", "campaign_id", "cost"],
      "privacyUnit": "hashed_email",
      "columns": {"cost": {"role": "aggregate"}},
      "minGroupUnits": 2
    }
  }
})";

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cleanroom-privacy-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string customers = "customer_id,hashed_email,age_band,region,lifetime_value,ssn\n";
    const char* bands[] = {"18-24", "18-24", "18-24", "18-24", "18-24", "25-34",
                           "25-34", "25-34", "25-34", "35-44", "35-44", "45+"};
    const char* regions[] = {"north", "south", "north", "south", "north", "south",
                             "north", "south", "north", "south", "north", "east"};
    for (int i = 1; i <= 12; ++i) {
      customers += std::to_string(i) + ",u" + std::to_string(i) + "," + bands[i - 1] + "," +
                   regions[i - 1] + "," + std::to_string(i * 10) + ",000-00-" +
                   std::to_string(1000 + i) + "\n";
    }
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/customers.csv", customers).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/impressions.csv",
                                "hashed_email,campaign_id,cost,device\n"
                                "u1,1,1.5,ios\nu1,2,2.0,web\nu2,1,1.0,ios\nu3,1,1.0,web\n"
                                "u4,2,3.0,ios\nu5,1,1.0,web\nu6,2,2.5,ios\nu7,1,1.0,web\n"
                                "x1,1,4.0,ios\nx2,2,1.0,web\n")
                    .ok());
    auto opened = engine::Engine::Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(*opened);
    for (const char* name : {"customers", "impressions"}) {
      engine::TableSource source;
      source.name = name;
      source.path = dir_ + "/" + name + ".csv";
      ASSERT_TRUE(engine_->LoadTable(source).ok());
    }
    ASSERT_TRUE(engine_->Lock().ok());
    auto policies = privacy::ParsePolicyFile(kPolicies, "test policy");
    ASSERT_TRUE(policies.ok()) << policies.status().ToString();
    policies_ = *policies;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Compiles and checks; the checked program, or the first error.
  Result<CheckedProgram> Check(const std::string& text, const PolicyFile* policies = nullptr) {
    return CompileChecked(*engine_, text, policies ? *policies : policies_);
  }

  // Runs a checked program; rows as "a|b" strings, and the suppression notes.
  Result<std::vector<std::string>> Run(const CheckedProgram& program,
                                       std::vector<SuppressionNote>* notes = nullptr) {
    CR_ASSIGN_OR_RETURN(CheckedResult run, RunChecked(*engine_, program));
    if (notes) *notes = run.notes;
    if (!run.result) return std::vector<std::string>{};
    return test_support::ResultRows(*run.result);
  }

  void ExpectDenied(const std::string& text, const std::string& rule, const std::string& needle) {
    auto r = Check(text);
    ASSERT_FALSE(r.ok()) << "not refused: " << text;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << text << "\n"
                                                                << r.status().ToString();
    EXPECT_NE(r.status().message().find(rule), std::string::npos) << r.status().ToString();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().ToString();
  }

  std::string dir_;
  std::unique_ptr<engine::Engine> engine_;
  PolicyFile policies_;
};

// Joined on their privacy units, both datasets' unit counts are one COUNT(DISTINCT), and a query
// that counts the units itself needs none of its own; a one-table query gets one.
TEST_F(CheckerTest, UnitCountsAreSharedAcrossEqualColumns) {
  auto count_distinct = [](const CheckedProgram& program) {
    size_t n = 0;
    for (const auto& step : program.steps) {
      if (step.kind != privacy::ProgramStep::Kind::kExecute) continue;
      for (size_t at = step.sql.find("count(DISTINCT"); at != std::string::npos;
           at = step.sql.find("count(DISTINCT", at + 1)) {
        ++n;
      }
    }
    return n;
  };
  auto overlap = Check(
      "SELECT c.age_band, COUNT(DISTINCT i.hashed_email) AS reach FROM customers c "
      "JOIN impressions i ON c.hashed_email = i.hashed_email GROUP BY c.age_band ORDER BY "
      "c.age_band");
  ASSERT_TRUE(overlap.ok()) << overlap.status().ToString();
  EXPECT_EQ(count_distinct(*overlap), 1u) << overlap->explain;
  std::vector<SuppressionNote> notes;
  auto rows = Run(*overlap, &notes);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  // 18-24 has u1..u5 (5 people, 5 with impressions), 25-34 u6, u7 (2: below customers' 3).
  EXPECT_EQ(*rows, (std::vector<std::string>{"18-24|5"}));
  ASSERT_EQ(notes.size(), 2u);
  int64_t suppressed = 0;
  for (const auto& note : notes) suppressed = std::max(suppressed, note.rows);
  EXPECT_EQ(suppressed, 1);

  auto two_units = Check(
      // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one SQL text split over lines
      "SELECT c.region, COUNT(*) AS n FROM customers c JOIN impressions i "
      "ON c.hashed_email = i.hashed_email GROUP BY c.region");
  ASSERT_TRUE(two_units.ok()) << two_units.status().ToString();
  EXPECT_EQ(count_distinct(*two_units), 1u) << two_units->explain;

  auto left = Check(
      "SELECT c.region, COUNT(*) AS n FROM customers c LEFT JOIN impressions i "
      "ON c.hashed_email = i.hashed_email GROUP BY c.region");
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  EXPECT_EQ(count_distinct(*left), 2u) << left->explain;  // outer join: the units differ

  auto one_table = Check("SELECT region, COUNT(*) AS n FROM customers GROUP BY region");
  ASSERT_TRUE(one_table.ok()) << one_table.status().ToString();
  EXPECT_EQ(count_distinct(*one_table), 1u) << one_table->explain;
}

TEST_F(CheckerTest, DisallowedColumnDoesNotExist) {
  auto r = Check("SELECT ssn, COUNT(*) FROM customers GROUP BY ssn");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("ssn"), std::string::npos);
  auto star = Check("SELECT * FROM customers");
  ASSERT_FALSE(star.ok());  // expands to allowed fields, which include the privacy unit
  EXPECT_EQ(star.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(star.status().message().find("ssn"), std::string::npos);
}

TEST_F(CheckerTest, PrivacyUnitUses) {
  ExpectDenied("SELECT hashed_email, COUNT(*) FROM customers GROUP BY hashed_email", "group rule",
               "column hashed_email of dataset customers");
  ExpectDenied(
      "SELECT age_band, COUNT(*) FROM customers WHERE hashed_email LIKE 'u1%' GROUP BY age_band",
      "filter rule", "hashed_email");
  ExpectDenied(
      "SELECT age_band, SUM(CASE WHEN hashed_email = 'u1' THEN 1 ELSE 0 END) FROM customers "
      "GROUP BY age_band",
      "aggregate rule", "hashed_email");
  ExpectDenied("SELECT lower(hashed_email) AS p, COUNT(*) FROM customers GROUP BY 1", "group rule",
               "hashed_email");
  ExpectDenied(
      "SELECT age_band, COUNT(*) FROM customers GROUP BY age_band ORDER BY MIN(hashed_email)",
      "aggregate rule", "hashed_email");
  ExpectDenied(
      "SELECT c.age_band, COUNT(*) FROM customers c JOIN impressions i "
      "ON lower(c.hashed_email) = i.hashed_email GROUP BY c.age_band",
      "join rule", "not transformed");
}

TEST_F(CheckerTest, AggregateColumnUses) {
  ExpectDenied("SELECT age_band, MAX(lifetime_value) FROM customers GROUP BY age_band",
               "aggregate rule", "lifetime_value");
  ExpectDenied(
      "SELECT age_band, COUNT(*) FROM customers WHERE lifetime_value > 100 GROUP BY age_band",
      "filter rule", "lifetime_value");
  ExpectDenied("SELECT lifetime_value, COUNT(*) FROM customers GROUP BY lifetime_value",
               "group rule", "lifetime_value");
  ExpectDenied("SELECT age_band, SUM(lifetime_value * 2) FROM customers GROUP BY age_band",
               "aggregate rule", "transformed");
}

TEST_F(CheckerTest, RowLevelOutputRefused) {
  ExpectDenied("SELECT age_band, region FROM customers", "output rule", "customers");
  ExpectDenied("SELECT DISTINCT region FROM customers", "output rule", "customers");
  ExpectDenied("SELECT age_band, COUNT(*) OVER (PARTITION BY region) FROM customers", "rule",
               "customers");
  ExpectDenied(
      "SELECT age_band, COUNT(*) AS n FROM customers GROUP BY age_band "
      "UNION ALL SELECT region, 1 FROM customers",
      "output rule", "customers");
}

TEST_F(CheckerTest, SubqueryProbesRefused) {
  ExpectDenied(
      "SELECT age_band, COUNT(*) FROM customers WHERE "
      "(SELECT COUNT(*) FROM impressions WHERE campaign_id = 2) > 3 GROUP BY age_band",
      "subquery rule", "impressions");
}

TEST_F(CheckerTest, LaunderingThroughViewsRefused) {
  ExpectDenied(
      "CREATE TEMP VIEW v AS SELECT hashed_email AS x, age_band FROM customers;"
      "SELECT x, COUNT(*) FROM v GROUP BY x",
      "group rule", "hashed_email");
  ExpectDenied("WITH t AS (SELECT hashed_email AS e FROM customers) SELECT e FROM t", "output rule",
               "hashed_email");
}

TEST_F(CheckerTest, ReachByAgeBandSuppressesSmallGroups) {
  auto program = Check(
      "SELECT age_band, COUNT(DISTINCT hashed_email) AS reach, SUM(lifetime_value) AS ltv "
      "FROM customers GROUP BY age_band ORDER BY age_band");
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  std::vector<SuppressionNote> notes;
  auto rows = Run(*program, &notes);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (std::vector<std::string>{"18-24|5|150", "25-34|4|300"}));
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].rows, 2);  // 35-44 (2 people) and 45+ (1 person)
  EXPECT_NE(notes[0].rule.find("minGroupUnits(customers)"), std::string::npos);
  // SUM(lifetime_value) is fed by every person of its group: no cell suppressed.
  EXPECT_EQ(notes[1].rows, 0);
  EXPECT_NE(notes[1].rule.find("non-NULL inputs"), std::string::npos);
}

TEST_F(CheckerTest, FakedCountColumnDoesNotBypassThresholds) {
  PolicyFile p = policies_;
  p.query.post_filters.push_back(PostFilter{"n", 1});
  auto program =
      Check("SELECT region, 1000 AS n FROM customers GROUP BY region ORDER BY region", &p);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  std::vector<SuppressionNote> notes;
  auto rows = Run(*program, &notes);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  // east has one customer: dropped by the engine-computed floor despite n = 1000.
  EXPECT_EQ(*rows, (std::vector<std::string>{"north|1000", "south|1000"}));
}

TEST_F(CheckerTest, AudienceOverlapAndAttribution) {
  auto overlap = Check(
      "SELECT COUNT(DISTINCT c.hashed_email) AS overlap FROM customers c "
      "JOIN impressions i ON c.hashed_email = i.hashed_email");
  ASSERT_TRUE(overlap.ok()) << overlap.status().ToString();
  auto rows = Run(*overlap);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (std::vector<std::string>{"7"}));

  auto by_campaign = Check(
      "SELECT i.campaign_id, COUNT(DISTINCT c.hashed_email) AS reach, SUM(i.cost) AS spend "
      "FROM customers c JOIN impressions i ON c.hashed_email = i.hashed_email "
      "GROUP BY i.campaign_id ORDER BY i.campaign_id");
  ASSERT_TRUE(by_campaign.ok()) << by_campaign.status().ToString();
  std::vector<SuppressionNote> notes;
  rows = Run(*by_campaign, &notes);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  // Campaign 1: u1 u2 u3 u5 u7 (5 customers); campaign 2: u1 u4 u6 (3 customers).
  EXPECT_EQ(*rows, (std::vector<std::string>{"1|5|5.5", "2|3|7.5"}));
}

TEST_F(CheckerTest, PreConditionsChecked) {
  PolicyFile p = policies_;
  p.query.pre_conditions.push_back(PreCondition{"impressions", 1000});
  auto program =
      Check("SELECT campaign_id, COUNT(*) AS n FROM impressions GROUP BY campaign_id", &p);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  auto rows = Run(*program);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rows.status().message().find("impressions"), std::string::npos);
  EXPECT_EQ(rows.status().message().find("10 "), std::string::npos);  // never the actual count
}

TEST_F(CheckerTest, DataDependentErrorsBecomeNull) {
  auto program = Check(
      "SELECT region, SUM(lifetime_value) / (COUNT(*) - COUNT(*)) AS r FROM customers "
      "GROUP BY region ORDER BY region");
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  auto rows = Run(*program);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (std::vector<std::string>{"north|NULL", "south|NULL"}));
}

}  // namespace
}  // namespace cleanroom::runtime

namespace cleanroom::runtime {
namespace {

// Tables loaded with their privacy unit's hash precomputed (TableSource::unit_hash_of) give
// the same checked results and suppression counts as tables without it; the rewrite reads the
// hidden column, and a query cannot name it.
TEST_F(CheckerTest, PrecomputedUnitHashGivesTheSameResults) {
  auto opened = engine::Engine::Open();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<engine::Engine> hashed = std::move(*opened);
  for (const char* name : {"customers", "impressions"}) {
    engine::TableSource source;
    source.name = name;
    source.path = dir_ + "/" + name + ".csv";
    source.unit_hash_of = privacy::UnitHashColumnOf(policies_, name);
    EXPECT_EQ(source.unit_hash_of, "hashed_email");
    ASSERT_TRUE(hashed->LoadTable(source).ok());
  }
  ASSERT_TRUE(hashed->Lock().ok());
  const char* queries[] = {
      "SELECT age_band, COUNT(*) AS n FROM customers GROUP BY age_band",
      "SELECT region, SUM(lifetime_value) AS v FROM customers GROUP BY region",
      "SELECT campaign_id, COUNT(*) AS n FROM impressions GROUP BY campaign_id",
      // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one SQL text split over lines
      "SELECT c.region, COUNT(*) AS n FROM customers c JOIN impressions i "
      "ON c.hashed_email = i.hashed_email GROUP BY c.region",
      "SELECT COUNT(*) AS n FROM customers"};
  for (const char* query : queries) {
    auto plain = Check(query);
    auto with_hash = CompileChecked(*hashed, query, policies_);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    ASSERT_TRUE(with_hash.ok()) << with_hash.status().ToString();
    bool reads_hidden = false;
    for (const auto& step : with_hash->steps) {
      reads_hidden = reads_hidden || step.sql.find(sql::kUnitHashColumn) != std::string::npos;
    }
    EXPECT_TRUE(reads_hidden) << query;
    std::vector<SuppressionNote> plain_notes;
    std::vector<SuppressionNote> hashed_notes;
    auto expected = Run(*plain, &plain_notes);
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    auto hashed_run = RunChecked(*hashed, *with_hash);
    ASSERT_TRUE(hashed_run.ok()) << hashed_run.status().ToString();
    auto hashed_rows = test_support::ResultRows(*hashed_run->result);
    ASSERT_TRUE(hashed_rows.ok()) << hashed_rows.status().ToString();
    std::vector<std::string> rows = *hashed_rows;
    std::vector<std::string> sorted_expected = *expected;
    std::sort(sorted_expected.begin(), sorted_expected.end());
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(rows, sorted_expected) << query;
    ASSERT_EQ(hashed_run->notes.size(), plain_notes.size()) << query;
    for (size_t i = 0; i < plain_notes.size(); ++i) {
      EXPECT_EQ(hashed_run->notes[i].rows, plain_notes[i].rows) << query;
    }
  }
  // Checked before loading: which tables want the hash. A reach that counts the units itself
  // wants none; a plain group-by wants its table's; with the hidden column present, none.
  auto wanted = [&](engine::Engine& e, const char* query) {
    auto program = CompileCheckedAgainst(e.catalog(), query, policies_);
    EXPECT_TRUE(program.ok()) << program.status().ToString();
    return program.ok() ? program->unit_hash_wanted : std::vector<std::string>{"error"};
  };
  EXPECT_EQ(wanted(*engine_, "SELECT region, COUNT(*) AS n FROM customers GROUP BY region"),
            std::vector<std::string>{"customers"});
  EXPECT_EQ(wanted(*engine_,
                   "SELECT c.age_band, COUNT(DISTINCT i.hashed_email) AS reach FROM "
                   "customers c JOIN impressions i ON c.hashed_email = i.hashed_email "
                   "GROUP BY c.age_band"),
            std::vector<std::string>{});
  EXPECT_EQ(wanted(*hashed, "SELECT region, COUNT(*) AS n FROM customers GROUP BY region"),
            std::vector<std::string>{});
  auto named = CompileChecked(
      *hashed, std::string("SELECT COUNT(DISTINCT ") + sql::kUnitHashColumn + ") FROM customers",
      policies_);
  ASSERT_FALSE(named.ok());
  EXPECT_NE(named.status().message().find("not found"), std::string::npos)
      << named.status().ToString();
}

}  // namespace
}  // namespace cleanroom::runtime

namespace cleanroom::runtime {
namespace {

// With the unit's hash and bit loaded, a group of 100 people (about 50 of 63 bits set) reaches
// a floor of 63 only through the exact top-up, and a group of 62 people with 310 rows does not.
TEST(PrecomputedBoundTest, ExactTopUpDecidesGroupsTheBoundCannot) {
  char tmpl[] = "/tmp/cleanroom-bound-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string csv = "person,site\n";
  for (int i = 0; i < 300; ++i) csv += "p" + std::to_string(i % 100) + ",big\n";
  for (int i = 0; i < 310; ++i) csv += "s" + std::to_string(i % 62) + ",short\n";
  ASSERT_TRUE(WriteFileAtomic(dir + "/visits.csv", csv).ok());
  auto policies = privacy::ParsePolicyFile(
      R"({"datasets": {"visits": {"allowedFields": ["person", "site"], "privacyUnit": "person",
          "minGroupUnits": 63}}})",
      "test policy");
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  auto opened = engine::Engine::Open();
  ASSERT_TRUE(opened.ok());
  engine::TableSource source;
  source.name = "visits";
  source.path = dir + "/visits.csv";
  source.unit_hash_of = privacy::UnitHashColumnOf(*policies, "visits");
  ASSERT_TRUE((*opened)->LoadTable(source).ok());
  ASSERT_TRUE((*opened)->Lock().ok());
  auto program =
      CompileChecked(**opened, "SELECT site, COUNT(*) AS n FROM visits GROUP BY site", *policies);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  EXPECT_NE(program->explain.find(sql::kUnitBitColumn), std::string::npos) << program->explain;
  auto run = RunChecked(**opened, *program);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  std::vector<std::string> rows;
  for (;;) {
    auto more = run->result->Next();
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    for (idx_t r = 0; r < run->result->chunk().size(); ++r) {
      std::string row;
      run->result->chunk().AppendCell(0, r, engine::CellStyle::kText, row);
      row += "|";
      run->result->chunk().AppendCell(1, r, engine::CellStyle::kText, row);
      rows.push_back(row);
    }
  }
  EXPECT_EQ(rows, std::vector<std::string>{"big|300"});
  ASSERT_EQ(run->notes.size(), 1u);
  EXPECT_EQ(run->notes[0].rows, 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cleanroom::runtime
