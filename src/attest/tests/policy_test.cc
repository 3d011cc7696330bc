#include "attest/policy.h"

#include <gtest/gtest.h>

#include "attest/rfc3339.h"

namespace cleanroom::attest {
namespace {

TEST(PolicyTest, DefaultsAreAProductionPolicy) {
  auto policy = Policy::FromJson("{}");
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->snp.allow_debug);
  EXPECT_FALSE(policy->snp.allow_migration_agent);
  EXPECT_TRUE(policy->snp.allow_smt);
  EXPECT_EQ(policy->allowed_kinds, std::set<EvidenceKind>{EvidenceKind::kSevSnp});
  EXPECT_FALSE(policy->allowed_measurements.has_value());
}

TEST(PolicyTest, ReadsEveryFieldAndRoundTrips) {
  std::string text = R"({
    "allowed_kinds": ["sev-snp", "simulated"],
    "allow_debug": true,
    "allow_migration_agent": true,
    "allow_smt": false,
    "min_tcb": {"bootloader": 3, "tee": 0, "snp": 8, "microcode": 115},
    "allowed_vmpls": [0, 1],
    "min_guest_svn": 2,
    "allowed_products": ["Milan", "Genoa"],
    "measurements": [")" +
                     std::string(96, 'a') + R"("],
    "report_data": ")" +
                     std::string(128, 'b') + R"(",
    "simulated_platform_keys": [")" +
                     std::string(64, 'c') + R"("]
  })";
  auto policy = Policy::FromJson(text);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_TRUE(policy->snp.allow_debug);
  EXPECT_TRUE(policy->snp.allow_migration_agent);
  EXPECT_FALSE(policy->snp.allow_smt);
  EXPECT_EQ(policy->allowed_kinds.size(), 2u);
  EXPECT_EQ(policy->snp.min_tcb->microcode, 115);
  EXPECT_EQ(policy->snp.allowed_vmpls->size(), 2u);
  EXPECT_EQ(policy->snp.min_guest_svn, 2u);
  EXPECT_EQ(policy->snp.allowed_products->size(), 2u);
  EXPECT_EQ(policy->allowed_measurements->at(0).size(), 48u);
  EXPECT_EQ(policy->expected_report_data->size(), 64u);
  EXPECT_EQ(policy->simulated_platform_keys.size(), 1u);
  auto again = Policy::FromJson(policy->ToJson().dump());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToJson(), policy->ToJson());
}

TEST(PolicyTest, RejectsUnknownFieldsAndBadValues) {
  for (const char* text :
       {"[]", "{", R"({"allow_debugg": true})", R"({"allow_debug": 1})", R"({"allow_smt": "no"})",
        R"({"measurements": ["abcd"]})", R"({"report_data": "zz"})", R"({"allowed_vmpls": [4]})",
        R"({"allowed_vmpls": [-1]})", R"({"allowed_kinds": ["tdx"]})",
        R"({"allowed_products": ["Naples"]})", R"({"min_tcb": {"bl": 1}})",
        R"({"min_tcb": {"snp": 256}})"}) {
    auto policy = Policy::FromJson(text);
    EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument) << text;
  }
  auto status = Policy::FromJson(R"({"allow_debugg": true})").status();
  EXPECT_NE(status.message().find("allow_debugg"), std::string::npos);
}

TEST(Rfc3339Test, ParsesAndFormats) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2025-12-10T12:00:00Z"), 1765368000);
  EXPECT_EQ(*ParseRfc3339("2025-12-10T14:00:00.123+02:00"), 1765368000);
  EXPECT_EQ(FormatRfc3339(1765368000), "2025-12-10T12:00:00Z");
  for (const char* bad :
       {"", "2025-12-10", "2025-12-10T12:00:00", "2025-13-10T12:00:00Z", "2025-12-10T12:00:00Zx",
        "2025-12-10 12:00:00Z", "2025-12-10T12:00:00+2"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace cleanroom::attest
