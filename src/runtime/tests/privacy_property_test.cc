// The checker's property, tested the way an attacker works: random checked queries over a
// synthetic two-party collaboration in which planted individuals are alone in some cell (their
// region, band and flag; or the only value of a sparse column in a crowded region). For
// every query, nothing printed (rows, suppression notes, errors) may reveal a planted
// individual's value, directly or as the difference or sum of two printed numbers.
// A fixed seed and CLEANROOM_PROPERTY_QUERIES queries (default 2000); a longer run:
//   CLEANROOM_PROPERTY_QUERIES=50000 CLEANROOM_PROPERTY_SEED=7 build/src/runtime/runtime_test \
//     --gtest_filter='PrivacyPropertyTest.*'
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <vector>

#include "base/file.h"
#include "engine/engine.h"
#include "runtime/checked_query.h"

namespace cleanroom::runtime {
namespace {

constexpr char kPolicies[] = R"({
  "datasets": {
    "people": {
      "allowedFields": ["pid", "region", "band", "spend", "bonus"],
      "privacyUnit": "pid",
      "columns": {"spend": {"role": "aggregate", "functions": ["SUM", "AVG", "COUNT"]},
                  "bonus": {"role": "aggregate", "functions": ["SUM", "AVG"]}},
      "minGroupUnits": 5
    },
    "visits": {
      "allowedFields": ["pid", "site", "minutes"],
      "privacyUnit": "pid",
      "columns": {"minutes": {"role": "aggregate", "functions": ["SUM", "AVG"]}},
      "minGroupUnits": 5
    },
    "flags": {
      "allowedFields": ["pid", "flag"],
      "columns": {"pid": {"role": "join"}}
    }
  }
})";

constexpr int kPlanted = 3;

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoll(v) : fallback;
}

std::string Pick(std::mt19937_64& rng, const std::vector<std::string>& options) {
  return options[std::uniform_int_distribution<size_t>(0, options.size() - 1)(rng)];
}

class PrivacyPropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cleanroom-property-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::mt19937_64 rng(12345);
    // Values are random up to 10^9, so that a printed number equals a planted value, or a
    // difference or sum of two printed numbers does, only when the value leaked.
    std::uniform_int_distribution<int64_t> value(1, 1000000000);
    std::string people = "pid,region,band,spend,bonus\n";
    std::string visits = "pid,site,minutes\n";
    std::string flags = "pid,flag\n";
    const char* regions[] = {"north", "south", "west"};
    const char* bands[] = {"a", "b", "c"};
    const char* sites[] = {"s1", "s2", "s3"};
    for (int i = 0; i < 240; ++i) {
      std::string pid = "p" + std::to_string(i);
      // bonus is sparse: a quarter of the people outside west have one, nobody in west.
      std::string bonus = i % 3 != 2 && i % 4 == 0 ? std::to_string(value(rng)) : "";
      people += pid + "," + regions[i % 3] + "," + bands[(i / 3) % 3] + "," +
                std::to_string(value(rng)) + "," + bonus + "\n";
      for (int v = 0; v <= i % 3; ++v) {
        visits += pid + "," + sites[(i + v) % 3] + "," + std::to_string(value(rng)) + "\n";
      }
      flags += pid + "," + (i % 2 == 0 ? "even" : "odd") + "\n";
    }
    // Planted: alone in their region, band and flag; with others in a site.
    for (int k = 0; k < kPlanted; ++k) {
      std::string pid = "t" + std::to_string(k);
      int64_t spend = value(rng);
      int64_t minutes = value(rng);
      planted_.push_back(static_cast<double>(spend));
      planted_.push_back(static_cast<double>(minutes));
      people += pid + ",island" + std::to_string(k) + ",z" + std::to_string(k) + "," +
                std::to_string(spend) + ",\n";
      visits += pid + ",s1," + std::to_string(minutes) + "\n";
      flags += pid + ",target" + std::to_string(k) + "\n";
    }
    // Planted in a crowd: s<k> lives in west (80 people) with band a, b or c, and is the only
    // one of its band in west with a bonus.
    for (int k = 0; k < kPlanted; ++k) {
      int64_t bonus = value(rng);
      planted_.push_back(static_cast<double>(bonus));
      people += "s" + std::to_string(k) + ",west," + bands[k] + "," + std::to_string(value(rng)) +
                "," + std::to_string(bonus) + "\n";
      flags += "s" + std::to_string(k) + ",odd\n";
    }
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/people.csv", people).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/visits.csv", visits).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/flags.csv", flags).ok());
    auto opened = engine::Engine::Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(*opened);
    for (const char* name : {"people", "visits", "flags"}) {
      engine::TableSource source;
      source.name = name;
      source.path = dir_ + "/" + name + ".csv";
      ASSERT_TRUE(engine_->LoadTable(source).ok());
    }
    ASSERT_TRUE(engine_->Lock().ok());
    auto policies = privacy::ParsePolicyFile(kPolicies, "property policy");
    ASSERT_TRUE(policies.ok()) << policies.status().ToString();
    policies_ = *policies;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // One random query: a core aggregate over one party or both, with random filters, FILTER
  // clauses, conditional arguments, value aggregates, grouping sets, and a random wrapping
  // (subquery, outer aggregate, window, set operation, join of two aggregates).
  std::string Generate(std::mt19937_64& rng) {
    std::string target = std::to_string(std::uniform_int_distribution<int>(0, kPlanted - 1)(rng));
    bool join_visits = rng() % 2 == 0;
    bool join_flags = rng() % 3 == 0;
    std::string from = "people p";
    if (join_visits) from += " JOIN visits v ON p.pid = v.pid";
    if (join_flags) from += " JOIN flags f ON p.pid = f.pid";
    std::vector<std::string> keys = {"p.region", "p.band"};
    if (join_visits) keys.push_back("v.site");
    if (join_flags) keys.push_back("f.flag");
    std::vector<std::string> conditions = {
        "p.region = 'island" + target + "'", "p.band <> 'z" + target + "'", "p.region <> 'north'",
        "p.band IN ('a', 'z" + target + "')", "p.region = 'west'"};
    if (join_visits) conditions.push_back("v.site = 's1'");
    if (join_flags) {
      conditions.push_back("f.flag = 'target" + target + "'");
      conditions.push_back("f.flag <> 'target" + target + "'");
    }
    // Unit-safe aggregates most of the time, so that enough queries run; the attack forms
    // (value aggregates, FILTER, conditional arguments) the rest.
    std::vector<std::string> safe = {
        "COUNT(*)",      "SUM(p.spend)", "AVG(p.spend)", "COUNT(DISTINCT p.pid)",
        "COUNT(p.band)", "SUM(p.bonus)", "AVG(p.bonus)"};
    if (join_visits) {
      safe.push_back("SUM(v.minutes)");
      safe.push_back("AVG(v.minutes)");
    }
    std::vector<std::string> attacks = {
        "MIN(p.spend)",
        "MAX(p.region)",
        "first(p.band)",
        "SUM(DISTINCT p.spend)",
        "SUM(p.spend) FILTER (WHERE " + Pick(rng, conditions) + ")",
        "COUNT(*) FILTER (WHERE " + Pick(rng, conditions) + ")",
        "SUM(CASE WHEN " + Pick(rng, conditions) + " THEN 1 ELSE 0 END)",
        "COUNT(NULLIF(p.region, 'north'))",
        "SUM(p.spend * 1)",
        "SUM(CAST(" + Pick(rng, conditions) + " AS INT))"};
    if (join_visits)
      attacks.push_back("SUM(v.minutes) FILTER (WHERE " + Pick(rng, conditions) + ")");
    std::string key = Pick(rng, keys);
    std::string select = key + " AS k";
    int n_aggregates = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n_aggregates; ++i) {
      select += ", " + Pick(rng, rng() % 10 < 8 ? safe : attacks) + " AS a" + std::to_string(i);
    }
    std::string where = rng() % 2 == 0 ? " WHERE " + Pick(rng, conditions) : "";
    std::string group = " GROUP BY " + key;
    switch (rng() % 12) {
      case 0:
        group = " GROUP BY ROLLUP (" + key + ")";
        break;
      case 1:
        group = " GROUP BY GROUPING SETS ((" + key + "), ())";
        break;
      default:
        break;
    }
    std::string core = "SELECT " + select + " FROM " + from + where + group;
    // The second aggregate of a set operation or join: over the same people (a complement),
    // or over the analyst's own table, which has no floor.
    std::string other = rng() % 2 == 0
                            ? "SELECT " + key + " AS k, COUNT(*) AS a0 FROM " + from + " WHERE " +
                                  Pick(rng, conditions) + " GROUP BY " + key
                            : "SELECT flag AS k, COUNT(*) AS a0 FROM flags GROUP BY flag";
    switch (rng() % 15) {
      case 14: {  // the rows read again beside the released groups
        std::string again = key.starts_with("p.") ? key : "p.region";
        return "SELECT x.k, SUM(q.spend) AS a0, MAX(x.a0) AS b0 FROM people q JOIN (" + core +
               ") x ON CAST(q" + again.substr(1) +
               " AS STRING) = CAST(x.k AS STRING) WHERE q.band "
               "<> 'a' GROUP BY x.k";
      }
      case 0:
      case 1:
      case 2:
        return core;
      case 10:
        return "CREATE TEMP VIEW w AS " + core + "; SELECT * FROM w";
      case 11:  // a window over individual rows
        return "SELECT k, COUNT(*) AS a0 FROM (SELECT " + key +
               " AS k, SUM(p.spend) OVER "
               "(PARTITION BY p.band) AS s FROM " +
               from + ") t GROUP BY k";
      case 12:  // a scalar subquery beside the released groups
        return "SELECT k, a0, (SELECT COUNT(*) FROM people p WHERE p.region <> 'north') AS n "
               "FROM (" +
               core + ") t";
      case 13:  // rows picked by a subquery: on the same person, or by a subquery's aggregate
        return "SELECT " + select + " FROM " + from +
               (rng() % 2 == 0 ? " WHERE p.pid IN (SELECT pid FROM visits WHERE site = 's1')"
                               : " WHERE p.band IN (SELECT band FROM people GROUP BY band HAVING "
                                 "SUM(spend) > 500000000)") +
               group;
      case 3:
        return "SELECT * FROM (" + core + ") t WHERE a0 IS NOT NULL";
      case 4:
        return "SELECT COUNT(*) AS groups, SUM(a0) AS total FROM (" + core + ") t";
      case 5:
        return "SELECT k, a0, SUM(a0) OVER () AS total FROM (" + core + ") t";
      case 6:
        return "SELECT CAST(k AS STRING) AS k, a0 FROM (" + core + ") x UNION ALL " + other;
      case 7:
        return "SELECT CAST(k AS STRING) AS k, a0 FROM (" + core + ") x EXCEPT " + other;
      case 8:
        return "SELECT CAST(k AS STRING) AS k, a0 FROM (" + core +
               ") x WHERE CAST(k AS STRING) IN "
               "(SELECT k FROM (" +
               other + ") y)";
      default:
        return "SELECT x.k, x.a0, y.a0 AS b0 FROM (" + core + ") x JOIN (" + other +
               ") y ON CAST(x.k AS STRING) = y.k";
    }
  }

  // Appends a result's rows to `printed`, as text.
  static Status Print(engine::QueryResult& result, std::string& printed) {
    for (;;) {
      CR_ASSIGN_OR_RETURN(bool more, result.Next());
      if (!more) return Status::OK();
      const auto& chunk = result.chunk();
      for (idx_t r = 0; r < chunk.size(); ++r) {
        for (idx_t c = 0; c < chunk.column_count(); ++c) {
          if (!chunk.IsNull(c, r)) chunk.AppendCell(c, r, engine::CellStyle::kText, printed);
          printed += "|";
        }
        printed += "\n";
      }
    }
  }

  // Every number in a text: cells, notes and error messages alike.
  static void Numbers(const std::string& text, std::vector<double>& out) {
    const char* p = text.c_str();
    while (*p != '\0') {
      if (std::isdigit(static_cast<unsigned char>(*p)) != 0) {
        char* end = nullptr;
        out.push_back(std::strtod(p, &end));  // 1.5e+08 as one number
        p = end > p ? end : p + 1;
      } else {
        ++p;
      }
    }
  }

  // The planted value a printed number, difference or sum reveals, or a negative number.
  double Revealed(const std::vector<double>& printed) const {
    auto same = [](double a, double b) { return std::fabs(a - b) <= 1e-6 * std::fabs(b) + 1e-6; };
    for (double v : planted_) {
      for (size_t i = 0; i < printed.size(); ++i) {
        if (same(printed[i], v)) return v;
        for (size_t j = i + 1; j < printed.size(); ++j) {
          if (same(std::fabs(printed[i] - printed[j]), v) || same(printed[i] + printed[j], v))
            return v;
        }
      }
    }
    return -1;
  }

  std::string dir_;
  std::unique_ptr<engine::Engine> engine_;
  privacy::PolicyFile policies_;
  std::vector<double> planted_;
};

TEST_F(PrivacyPropertyTest, NoPrintedNumberRevealsAPlantedValue) {
  const int64_t queries = EnvInt("CLEANROOM_PROPERTY_QUERIES", 2000);
  std::mt19937_64 rng(static_cast<uint64_t>(EnvInt("CLEANROOM_PROPERTY_SEED", 20261207)));
  int64_t accepted = 0;
  int64_t refused = 0;
  int64_t denied = 0;  // of the refused: PermissionDenied by a privacy rule
  for (int64_t q = 0; q < queries; ++q) {
    std::string sql = Generate(rng);
    std::string printed;
    auto program = CompileChecked(*engine_, sql, policies_);
    if (!program.ok()) {
      ++refused;
      if (program.status().code() == StatusCode::kPermissionDenied) ++denied;
      printed = program.status().ToString();
    } else {
      auto run = RunChecked(*engine_, *program);
      ASSERT_TRUE(run.ok()) << sql << "\n" << run.status().ToString();
      ++accepted;
      for (const auto& note : run->notes)
        printed += note.rule + " " + std::to_string(note.rows) + "\n";
      Status rows = Print(*run->result, printed);
      ASSERT_TRUE(rows.ok()) << sql << "\n" << rows.ToString();
    }
    std::vector<double> numbers;
    Numbers(printed, numbers);
    double revealed = Revealed(numbers);
    ASSERT_LT(revealed, 0) << "query " << q << " reveals the planted value " << revealed << ":\n"
                           << sql << "\nprinted:\n"
                           << printed;
  }
  std::printf(
      "privacy property: %lld queries, %lld accepted, %lld refused (%lld by a privacy "
      "rule)\n",
      static_cast<long long>(queries), static_cast<long long>(accepted),
      static_cast<long long>(refused), static_cast<long long>(denied));
  // A checker that refuses everything is not the answer.
  EXPECT_GT(accepted, queries / 5);
  EXPECT_GT(refused, queries / 5);
}

// The detector is not blind: the same engine, unchecked, prints a planted value at once.
TEST_F(PrivacyPropertyTest, TheDetectorSeesAnUncheckedLeak) {
  auto result = engine_->Query("SELECT region, SUM(spend) FROM people GROUP BY region");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::string printed;
  ASSERT_TRUE(Print(**result, printed).ok());
  std::vector<double> numbers;
  Numbers(printed, numbers);
  EXPECT_GE(Revealed(numbers), 0) << printed;
}

}  // namespace
}  // namespace cleanroom::runtime
