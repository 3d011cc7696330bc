// The local budget file of `cleanroom sql --policy --budget-file`: exact sequential composition,
// refusal with the remaining budget, refunds, and no lost or half-written update under
// concurrent charges.
#include "privacy/local_budget.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "base/file.h"

namespace cleanroom::privacy {
namespace {

PolicyFile Policies(const std::string& query_epsilon) {
  auto p = ParsePolicyFile(R"({"datasets": {"visits": {"privacyUnit": "person",
      "differentialPrivacy": {"maxGroupsPerUnit": 1, "maxRowsPerUnitPerGroup": 1,
                              "budget": {"epsilon": 1, "delta": "1e-6"}}}},
      "privacy": {"epsilon": )" +
                               query_epsilon + R"(, "delta": "1e-7"}})",
                           "test");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

class LocalBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cleanroom-budget-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/budget.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
};

// Thirds add up exactly to the whole budget (in floating point 0.1 + 0.1 + ... would not).
TEST_F(LocalBudgetTest, ExactCompositionThenRefusalWithTheRemainder) {
  PolicyFile third = Policies("\"0.3333333333\"");
  PolicyFile tenth = Policies("0.1");
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ChargeLocalBudget(path_, tenth, {"visits"}).ok()) << i;
  Status over = ChargeLocalBudget(path_, tenth, {"visits"});
  EXPECT_EQ(over.code(), StatusCode::kResourceExhausted) << over.ToString();
  EXPECT_NE(over.message().find("remaining epsilon 0"), std::string::npos) << over.ToString();
  EXPECT_NE(over.message().find("visits"), std::string::npos);
  // A refund gives one run back, exactly.
  ASSERT_TRUE(RefundLocalBudget(path_, tenth, {"visits"}).ok());
  Status after_refund = ChargeLocalBudget(path_, third, {"visits"});
  EXPECT_EQ(after_refund.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(after_refund.message().find("remaining epsilon 0.1,"), std::string::npos)
      << after_refund.ToString();
  EXPECT_TRUE(ChargeLocalBudget(path_, tenth, {"visits"}).ok());
  // Only the ledger and its lock file: no temporary file left behind.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2u);
}

TEST_F(LocalBudgetTest, AMalformedLedgerIsRefusedNotReset) {
  ASSERT_TRUE(WriteFileAtomic(path_, R"({"datasets": {"visits": {"epsilon": "lots"}}})").ok());
  Status st = ChargeLocalBudget(path_, Policies("0.1"), {"visits"});
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
}

// 40 concurrent charges of 0.1 against a budget of 1: exactly 10 succeed, and the ledger says so.
TEST_F(LocalBudgetTest, ConcurrentChargesNeverOverspend) {
  PolicyFile tenth = Policies("0.1");
  std::atomic<int> charged{0}, refused{0};
  std::vector<std::thread> threads;
  threads.reserve(40);
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&] {
      Status st = ChargeLocalBudget(path_, tenth, {"visits"});
      (st.ok() ? charged : refused)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(charged.load(), 10);
  EXPECT_EQ(refused.load(), 30);
  auto ledger = ReadFileToString(path_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_NE(ledger->find("\"runs\": 10"), std::string::npos) << *ledger;
}

}  // namespace
}  // namespace cleanroom::privacy
