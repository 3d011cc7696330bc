#include "workload/generator.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

#include "base/file.h"
#include "base/thread_pool.h"
#include "workload/population.h"
#include "workload/random.h"
#include "workload/schema.h"
#include "workload/text_format.h"

namespace cleanroom::workload {
namespace {

constexpr uint64_t kChunkRows = 1 << 16;
// Impressions fall in a 30-day flight from 2026-03-01; conversions up to 7 days later.
const int64_t kFlightStart = EpochSeconds(2026, 3, 1);
constexpr int64_t kFlightSeconds = 30 * int64_t{86400};
constexpr int64_t kAttributionWindow = 7 * int64_t{86400};
// Exponent on a uniform draw that skews who sees impressions and which campaigns run most:
// > 1 gives a long tail of frequency, as real delivery has.
constexpr double kAudienceSkew = 1.25;
constexpr double kCampaignSkew = 1.5;

// A categorical value and its cumulative probability.
struct Weighted {
  const char* value;
  double cumulative;
};
constexpr std::array<Weighted, 6> kAgeBands = {{{"18-24", 0.12},
                                                {"25-34", 0.34},
                                                {"35-44", 0.55},
                                                {"45-54", 0.73},
                                                {"55-64", 0.88},
                                                {"65+", 1.0}}};
constexpr std::array<Weighted, 8> kRegions = {{{"northeast", 0.17},
                                               {"southeast", 0.33},
                                               {"midwest", 0.47},
                                               {"southwest", 0.58},
                                               {"mountain", 0.65},
                                               {"pacific", 0.82},
                                               {"central", 0.93},
                                               {"islands", 1.0}}};
constexpr std::array<Weighted, 5> kLoyaltyTiers = {
    {{"none", 0.40}, {"bronze", 0.70}, {"silver", 0.88}, {"gold", 0.97}, {"platinum", 1.0}}};
constexpr std::array<Weighted, 4> kDevices = {
    {{"mobile", 0.55}, {"desktop", 0.85}, {"tablet", 0.93}, {"ctv", 1.0}}};

template <size_t N>
size_t Pick(const std::array<Weighted, N>& choices, double u) {
  for (size_t i = 0; i + 1 < N; ++i) {
    if (u < choices[i].cumulative) return i;
  }
  return N - 1;
}

uint64_t Skewed(uint64_t n, double u, double exponent) {
  uint64_t i = static_cast<uint64_t>(static_cast<double>(n) * std::pow(u, exponent));
  return i < n ? i : n - 1;
}

// Rows of one chunk, rendered as CSV, for each output file of a table.
struct ChunkOutput {
  std::string primary;
  std::string secondary;
  uint64_t primary_rows = 0;
  uint64_t secondary_rows = 0;
  uint64_t marked_rows = 0;  // a per-table count (impressions to customers)
};

using RenderChunk = std::function<void(uint64_t begin, uint64_t end, ChunkOutput& out)>;

// Renders rows [0, rows) in chunks on the pool and appends them in order to the writers.
Status WriteChunked(uint64_t rows, ThreadPool& pool, const RenderChunk& render,
                    AtomicFileWriter& primary, AtomicFileWriter* secondary, ChunkOutput& totals) {
  const uint64_t batch_chunks = std::max<size_t>(2, pool.size() * 2);
  std::vector<ChunkOutput> batch(batch_chunks);
  for (uint64_t batch_begin = 0; batch_begin < rows; batch_begin += batch_chunks * kChunkRows) {
    size_t used = 0;
    for (; used < batch_chunks; ++used) {
      uint64_t begin = batch_begin + used * kChunkRows;
      if (begin >= rows) break;
      uint64_t end = std::min(rows, begin + kChunkRows);
      ChunkOutput* out = &batch[used];
      pool.Submit([out, begin, end, &render] {
        out->primary.clear();
        out->secondary.clear();
        out->primary_rows = out->secondary_rows = out->marked_rows = 0;
        render(begin, end, *out);
      });
    }
    pool.Wait();
    for (size_t i = 0; i < used; ++i) {
      CR_RETURN_IF_ERROR(primary.Append(batch[i].primary));
      if (secondary != nullptr) CR_RETURN_IF_ERROR(secondary->Append(batch[i].secondary));
      totals.primary_rows += batch[i].primary_rows;
      totals.secondary_rows += batch[i].secondary_rows;
      totals.marked_rows += batch[i].marked_rows;
    }
  }
  return Status::OK();
}

Status OpenTable(AtomicFileWriter& writer, const std::string& dir, const WorkloadTable& table,
                 std::vector<std::string>& files) {
  std::string path = dir + "/" + table.name + ".csv";
  CR_RETURN_IF_ERROR(writer.Open(path));
  files.push_back(path);
  return writer.Append(CsvHeader(table) + "\n");
}

void RenderCustomers(const WorkloadOptions& options, const Population& population, uint64_t begin,
                     uint64_t end, ChunkOutput& out) {
  for (uint64_t k = begin; k < end; ++k) {
    RowRandom random(options.seed, Stream::kCustomer, k);
    std::string& s = out.primary;
    AppendUnsigned(s, k + 1);
    s.push_back(',');
    s += population.HashedEmail(k);
    s.push_back(',');
    s += kAgeBands[Pick(kAgeBands, random.Uniform())].value;
    s.push_back(',');
    s += kRegions[Pick(kRegions, random.Uniform())].value;
    s.push_back(',');
    size_t tier = Pick(kLoyaltyTiers, random.Uniform());
    s += kLoyaltyTiers[tier].value;
    s.push_back(',');
    // Lifetime value in cents: a long tail, higher for the loyal tiers.
    double u = random.Uniform();
    uint64_t cents = static_cast<uint64_t>(u * u * u * 500000.0 * static_cast<double>(tier + 1)) +
                     random.Below(100);
    AppendFixedDecimal(s, cents, 2);
    s.push_back('\n');
    ++out.primary_rows;
  }
}

void AppendConversion(std::string& s, std::string_view hashed_email, uint64_t campaign, int64_t ts,
                      uint64_t value_cents) {
  s += hashed_email;
  s.push_back(',');
  AppendUnsigned(s, campaign);
  s.push_back(',');
  AppendTimestamp(s, ts);
  s.push_back(',');
  AppendFixedDecimal(s, value_cents, 2);
  s.push_back('\n');
}

void RenderImpressions(const WorkloadOptions& options, const Population& population, uint64_t begin,
                       uint64_t end, ChunkOutput& out) {
  const auto& reachable = population.reachable_customers();
  for (uint64_t i = begin; i < end; ++i) {
    RowRandom random(options.seed, Stream::kImpression, i);
    uint64_t person;
    bool to_customer = random.Uniform() >= options.non_customer_impression_share;
    if (to_customer && !reachable.empty()) {
      person = reachable[Skewed(reachable.size(), random.Uniform(), kAudienceSkew)];
      ++out.marked_rows;
    } else if (population.non_customers() > 0) {
      person = population.customers() +
               Skewed(population.non_customers(), random.Uniform(), kAudienceSkew);
    } else {
      person = Skewed(population.customers(), random.Uniform(), kAudienceSkew);
      ++out.marked_rows;
    }
    uint64_t campaign = 1 + Skewed(options.campaigns, random.Uniform(), kCampaignSkew);
    int64_t ts = kFlightStart + static_cast<int64_t>(random.Below(kFlightSeconds));
    uint64_t cost_units = 5 + random.Below(200);  // 0.0005 .. 0.0204 per impression
    const char* device = kDevices[Pick(kDevices, random.Uniform())].value;

    std::string& s = out.primary;
    AppendUnsigned(s, i + 1);
    s.push_back(',');
    s += population.HashedEmail(person);
    s.push_back(',');
    AppendUnsigned(s, campaign);
    s.push_back(',');
    AppendTimestamp(s, ts);
    s.push_back(',');
    AppendFixedDecimal(s, cost_units, 4);
    s.push_back(',');
    s += device;
    s.push_back('\n');
    ++out.primary_rows;

    if (random.Uniform() < options.conversion_rate) {
      int64_t when = ts + 300 + static_cast<int64_t>(random.Below(kAttributionWindow - 300));
      AppendConversion(out.secondary, population.HashedEmail(person), campaign, when,
                       500 + random.Below(40000));
      ++out.secondary_rows;
    }
    if (random.Uniform() < options.organic_conversion_rate) {
      uint64_t anyone = random.Below(population.persons());
      uint64_t any_campaign = 1 + random.Below(options.campaigns);
      int64_t when =
          kFlightStart + static_cast<int64_t>(random.Below(kFlightSeconds + kAttributionWindow));
      AppendConversion(out.secondary, population.HashedEmail(anyone), any_campaign, when,
                       500 + random.Below(40000));
      ++out.secondary_rows;
    }
  }
}

Status MakeDirectories(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("workload output directory is empty");
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::InvalidArgument("cannot create directory " + prefix + ": " + ErrnoText(errno));
    }
  }
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return Status::InvalidArgument("workload output path is not a directory: " + dir);
  }
  return Status::OK();
}

std::string ManifestJson(const WorkloadOptions& options, const WorkloadSummary& summary) {
  char text[1024];
  std::snprintf(text, sizeof(text),
                "{\n  \"generator\": \"cleanroom workload v1\",\n  \"seed\": %llu,\n"
                "  \"options\": {\"customers\": %llu, \"impressions_per_customer\": %g, "
                "\"overlap_share\": %g, \"non_customers_per_customer\": %g, "
                "\"non_customer_impression_share\": %g, \"conversion_rate\": %g, "
                "\"organic_conversion_rate\": %g, \"campaigns\": %u},\n"
                "  \"rows\": {\"customers\": %llu, \"impressions\": %llu, "
                "\"conversions\": %llu},\n"
                "  \"reachable_customers\": %llu,\n  \"impressions_to_customers\": %llu\n}\n",
                static_cast<unsigned long long>(options.seed),
                static_cast<unsigned long long>(options.customers),
                options.impressions_per_customer, options.overlap_share,
                options.non_customers_per_customer, options.non_customer_impression_share,
                options.conversion_rate, options.organic_conversion_rate, options.campaigns,
                static_cast<unsigned long long>(summary.customers),
                static_cast<unsigned long long>(summary.impressions),
                static_cast<unsigned long long>(summary.conversions),
                static_cast<unsigned long long>(summary.reachable_customers),
                static_cast<unsigned long long>(summary.impressions_to_customers));
  return text;
}

}  // namespace

Result<WorkloadSummary> GenerateWorkload(const WorkloadOptions& options, const std::string& dir) {
  CR_RETURN_IF_ERROR(options.Validate());
  CR_RETURN_IF_ERROR(MakeDirectories(dir));
  ThreadPool pool(options.threads);
  const Population population = Population::Build(options, pool);
  const auto& tables = WorkloadTables();

  WorkloadSummary summary;
  summary.reachable_customers = population.reachable_customers().size();
  AtomicFileWriter customers, impressions, conversions;
  CR_RETURN_IF_ERROR(OpenTable(customers, dir, tables[0], summary.files));
  CR_RETURN_IF_ERROR(OpenTable(impressions, dir, tables[1], summary.files));
  CR_RETURN_IF_ERROR(OpenTable(conversions, dir, tables[2], summary.files));

  ChunkOutput customer_totals;
  CR_RETURN_IF_ERROR(WriteChunked(
      options.customers, pool,
      [&](uint64_t begin, uint64_t end, ChunkOutput& out) {
        RenderCustomers(options, population, begin, end, out);
      },
      customers, nullptr, customer_totals));
  ChunkOutput impression_totals;
  CR_RETURN_IF_ERROR(WriteChunked(
      options.ImpressionCount(), pool,
      [&](uint64_t begin, uint64_t end, ChunkOutput& out) {
        RenderImpressions(options, population, begin, end, out);
      },
      impressions, &conversions, impression_totals));

  summary.customers = customer_totals.primary_rows;
  summary.impressions = impression_totals.primary_rows;
  summary.impressions_to_customers = impression_totals.marked_rows;
  summary.conversions = impression_totals.secondary_rows;

  // Commit only once every table rendered, so a failure leaves no table behind.
  CR_RETURN_IF_ERROR(customers.Commit());
  CR_RETURN_IF_ERROR(impressions.Commit());
  CR_RETURN_IF_ERROR(conversions.Commit());
  for (const WorkloadTable& table : tables) {
    std::string schema_path = dir + "/" + table.name + ".schema.json";
    CR_RETURN_IF_ERROR(WriteFileAtomic(schema_path, SchemaJson(table)));
    summary.files.push_back(schema_path);
  }
  std::string manifest_path = dir + "/workload.json";
  CR_RETURN_IF_ERROR(WriteFileAtomic(manifest_path, ManifestJson(options, summary)));
  summary.files.push_back(manifest_path);
  return summary;
}

}  // namespace cleanroom::workload
