#include "workload/population.h"

#include <gtest/gtest.h>

#include <set>

namespace cleanroom::workload {
namespace {

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(PopulationTest, HashEmailIsSha256OfTheNormalisedEmail) {
  // FIPS 180-2 test vector: SHA-256("abc").
  EXPECT_EQ(HashEmail("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashEmail("  ABC\n"), HashEmail("abc"));
}

TEST(PopulationTest, SyntheticEmailsAreDeterministicAndUnique) {
  EXPECT_EQ(SyntheticEmail(7, 12), SyntheticEmail(7, 12));
  std::set<std::string> emails;
  for (uint64_t person = 0; person < 1000; ++person) emails.insert(SyntheticEmail(7, person));
  EXPECT_EQ(emails.size(), 1000u);
  EXPECT_NE(SyntheticEmail(7, 3).find('@'), std::string::npos);
}

TEST(PopulationTest, BuildHashesEveryPersonsEmail) {
  WorkloadOptions options;
  options.customers = 500;
  options.seed = 9;
  ThreadPool pool(2);
  Population population = Population::Build(options, pool);
  ASSERT_EQ(population.persons(), 750u);
  for (uint64_t person : {0ull, 499ull, 500ull, 749ull}) {
    std::string_view hash = population.HashedEmail(person);
    EXPECT_EQ(hash.size(), 64u);
    EXPECT_TRUE(IsLowerHex(hash));
    EXPECT_EQ(hash, HashEmail(SyntheticEmail(9, person)));
  }
  for (uint32_t index : population.reachable_customers()) EXPECT_LT(index, 500u);
}

}  // namespace
}  // namespace cleanroom::workload
