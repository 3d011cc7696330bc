#include "workload/population.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>

#include "workload/random.h"
#include "workload/text_format.h"

namespace cleanroom::workload {
namespace {

constexpr std::array<const char*, 32> kFirstNames = {
    "ada",   "alan",  "amir", "ana",   "ben",   "carla", "chen",  "dana",  "david", "elena", "emma",
    "farah", "grace", "hana", "ivan",  "jamal", "julia", "kai",   "laura", "liam",  "maria", "mei",
    "nadia", "noah",  "omar", "priya", "rosa",  "sam",   "sofia", "tom",   "yusuf", "zoe"};
constexpr std::array<const char*, 32> kLastNames = {
    "adams",   "bauer", "chen",  "diaz",   "evans",  "fischer", "garcia", "hughes",
    "ibrahim", "jones", "kim",   "lopez",  "martin", "nguyen",  "okafor", "patel",
    "quinn",   "rossi", "silva", "tanaka", "usman",  "varga",   "wang",   "xu",
    "yilmaz",  "zhang", "brown", "costa",  "dubois", "ferrari", "novak",  "smith"};
constexpr std::array<const char*, 8> kDomains = {"example.com",  "example.net", "example.org",
                                                 "mail.example", "inbox.test",  "post.test",
                                                 "web.example",  "home.test"};

// Draw order of a person's stream: first name, last name, domain, then reachability.
struct PersonDraws {
  uint64_t first, last, domain;
  double reach;
};

PersonDraws DrawPerson(uint64_t seed, uint64_t person) {
  RowRandom random(seed, Stream::kPerson, person);
  PersonDraws draws;
  draws.first = random.Below(kFirstNames.size());
  draws.last = random.Below(kLastNames.size());
  draws.domain = random.Below(kDomains.size());
  draws.reach = random.Uniform();
  return draws;
}

void AppendEmail(std::string& out, const PersonDraws& draws, uint64_t person) {
  out += kFirstNames[draws.first];
  out.push_back('.');
  out += kLastNames[draws.last];
  AppendUnsigned(out, person);
  out.push_back('@');
  out += kDomains[draws.domain];
}

void HexSha256(std::string_view text, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  for (size_t i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
}

}  // namespace

std::string SyntheticEmail(uint64_t seed, uint64_t person) {
  std::string email;
  AppendEmail(email, DrawPerson(seed, person), person);
  return email;
}

std::string HashEmail(std::string_view email) {
  size_t begin = 0, end = email.size();
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (begin < end && is_space(email[begin])) ++begin;
  while (end > begin && is_space(email[end - 1])) --end;
  std::string normalized(email.substr(begin, end - begin));
  for (char& c : normalized) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string hex(Population::kHexLength, '0');
  HexSha256(normalized, hex.data());
  return hex;
}

Population Population::Build(const WorkloadOptions& options, ThreadPool& pool) {
  Population population;
  population.customers_ = options.customers;
  population.non_customers_ = options.NonCustomerCount();
  const uint64_t persons = population.persons();
  population.hashed_emails_.assign(persons * kHexLength, '0');
  std::vector<uint8_t> reachable(options.customers, 0);

  // Persons are hashed in slices, one task per slice; every slice writes its own range.
  const uint64_t slice = 1 << 15;
  for (uint64_t begin = 0; begin < persons; begin += slice) {
    const uint64_t end = std::min(persons, begin + slice);
    pool.Submit([&population, &reachable, &options, begin, end] {
      std::string email;
      for (uint64_t person = begin; person < end; ++person) {
        PersonDraws draws = DrawPerson(options.seed, person);
        email.clear();
        AppendEmail(email, draws, person);
        HexSha256(email, population.hashed_emails_.data() + person * kHexLength);
        if (person < options.customers) reachable[person] = draws.reach < options.overlap_share;
      }
    });
  }
  pool.Wait();
  for (uint64_t i = 0; i < options.customers; ++i) {
    if (reachable[i]) population.reachable_customers_.push_back(static_cast<uint32_t>(i));
  }
  return population;
}

}  // namespace cleanroom::workload
