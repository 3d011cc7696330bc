// The crash test: 20 cycles of kill -9 of `cleanroom governance serve` while 64 clients write.
// After each restart every acknowledged write is in the ledger (the same signed bytes at the
// acknowledged seqno), no signed request was applied twice (each accepted once in the ledger, and
// an acknowledged one sent again is refused by the restarted service), and `cleanroom audit
// verify` passes. Then flipped bytes at many offsets are detected by start-up and by `audit
// verify`.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "governance/tests/process_server.h"
#include "governance/tests/test_support.h"
#include "ledger/entry.h"

namespace cleanroom::governance::testing {
namespace {

constexpr int kCycles = 20;
constexpr int kClients = 64;
constexpr int kMembers = 4;

struct Acked {
  uint64_t seqno;
  Bytes message;
  std::string path;
};

std::unique_ptr<govwire::GovernanceClient> ConnectTo(const ProcessServer& s,
                                                     const crypto::MemberIdentity& id) {
  auto c = govwire::GovernanceClient::Create(s.url(), s.fingerprint(), id);
  if (!c.ok()) return nullptr;
  return std::move(c).value();
}

// seqno -> signed request of every accepted request entry in a single-file ledger; fails the
// test when one signed request was accepted twice.
std::map<uint64_t, Bytes> ReadLedgerFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::map<uint64_t, Bytes> out;
  std::set<Bytes> accepted;
  size_t pos = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  while (pos + 12 <= data.size()) {
    if (data.compare(pos, 8, "CRLEDGER") == 0) {
      pos += 32;
      continue;
    }
    uint32_t len = GetU32LE(bytes + pos);
    if (pos + 12 + len > data.size()) break;
    auto entry = ledger::DecodeEntry(ByteSpan(bytes + pos + 12, len));
    EXPECT_TRUE(entry.ok()) << entry.status().ToString();
    if (entry.ok() && entry->kind == ledger::EntryKind::kRequest &&
        entry->request.outcome == ledger::Outcome::kAccepted) {
      EXPECT_TRUE(accepted.insert(entry->request.signed_request).second)
          << "entry " << entry->seqno << " applies a signed request a second time";
      out[entry->seqno] = entry->request.signed_request;
    }
    pos += 12 + len;
  }
  return out;
}

TEST(GovernanceCrash, KillNineWhileSixtyFourClientsWrite) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  std::vector<crypto::MemberIdentity> members;
  members.reserve(kMembers);
  for (int i = 0; i < kMembers; ++i)
    members.push_back(*crypto::GenerateIdentity("m" + std::to_string(i)));

  // Set up the collaboration: every member a provider with one dataset.
  {
    ProcessServer server(data);
    ASSERT_FALSE(server.url().empty());
    std::vector<std::unique_ptr<govwire::GovernanceClient>> c;
    Json list = Json::array();
    for (auto& m : members) {
      c.push_back(ConnectTo(server, m));
      ASSERT_NE(c.back(), nullptr);
      list.push_back(*govwire::ContractMember(m.public_identity, {"provider"}));
    }
    c[0]->set_bootstrap_token(server.bootstrap_token());
    auto p = c[0]->Write("/v1/collab/proposals", "collab.propose",
                         {{"version", 1}, {"contract", {{"name", "crash"}, {"members", list}}}});
    ASSERT_TRUE(p.ok() && p->ok());
    std::string hash = p->body["result"]["contractHash"];
    for (int i = 1; i < kMembers; ++i) {
      auto v = c[i]->Write("/v1/collab/votes", "collab.accept",
                           {{"version", 1}, {"contractHash", hash}});
      ASSERT_TRUE(v.ok() && v->ok());
    }
    for (int i = 0; i < kMembers; ++i) {
      auto r = c[i]->Write("/v1/datasets", "dataset.register",
                           {{"dataset", MakeDataset("d" + std::to_string(i), {"id"})}});
      ASSERT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->error->message : r.status().ToString());
    }
  }

  std::vector<Acked> acked;
  std::mutex acked_mu;
  std::mt19937 rng(12345);
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    ProcessServer server(data);
    ASSERT_FALSE(server.url().empty()) << "cycle " << cycle << ": the service did not restart";

    // Everything acknowledged so far is in the ledger, and the ledger verifies.
    std::string file = dir.path() + "/download-" + std::to_string(cycle) + ".ledger";
    auto reader = ConnectTo(server, members[0]);
    ASSERT_NE(reader, nullptr);
    std::ofstream out(file, std::ios::binary);
    auto dl = reader->Download("/v1/ledger", [&out](ByteSpan chunk) {
      out.write(reinterpret_cast<const char*>(chunk.data()),
                static_cast<std::streamsize>(chunk.size()));
      return Status::OK();
    });
    out.close();
    ASSERT_TRUE(dl.ok() && dl->ok());
    std::map<uint64_t, Bytes> entries = ReadLedgerFile(file);
    for (const Acked& a : acked) {
      auto it = entries.find(a.seqno);
      ASSERT_TRUE(it != entries.end())
          << "cycle " << cycle << ": acknowledged entry " << a.seqno << " lost";
      ASSERT_EQ(it->second, a.message) << "cycle " << cycle << ": entry " << a.seqno << " differs";
    }
    std::string verify_output;
    int rc = RunCleanroom({"audit", "verify", "--ledger", file}, &verify_output);
    ASSERT_EQ(rc, 0) << "cycle " << cycle << ": " << verify_output;
    std::filesystem::remove(file);
    // An acknowledged write sent again to the restarted service is a replay, not applied twice.
    if (!acked.empty()) {
      const Acked& again = acked[rng() % acked.size()];
      auto replayed = reader->PostSigned(again.path, again.message);
      ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
      EXPECT_FALSE(replayed->ok())
          << "cycle " << cycle << ": entry " << again.seqno << " was accepted again";
    }

    // 64 clients write (consent switches, each on its member's dataset) until the kill.
    std::string collaboration = *reader->CollaborationId();
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    std::vector<std::thread> writers;
    writers.reserve(kClients);
    for (int w = 0; w < kClients; ++w) {
      writers.emplace_back([&, w] {
        auto c = ConnectTo(server, members[w % kMembers]);
        if (c == nullptr) return;
        std::string name = "d" + std::to_string(w % kMembers);
        for (int k = 0; !stop; ++k) {
          auto msg = c->Sign(k % 2 ? "dataset.enable" : "dataset.disable",
                             {{"collaboration", collaboration}, {"dataset", name}});
          if (!msg.ok()) return;
          auto r = c->PostSigned("/v1/datasets/" + name + "/consent", *msg);
          if (!r.ok()) return;  // the service is gone: the outcome of this write is unknown
          if (r->ok()) {
            std::lock_guard<std::mutex> lock(acked_mu);
            acked.push_back(
                {r->body["seqno"].get<uint64_t>(), *msg, "/v1/datasets/" + name + "/consent"});
            ++written;
          }
        }
      });
    }
    // Kill at a random moment once writes flow from several clients (connection set-up of 64
    // clients is slow on a loaded machine).
    for (int waited = 0; written < kClients / 4 && waited < 3000; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    server.Kill();
    stop = true;
    for (auto& t : writers) t.join();
    EXPECT_GT(written.load(), 0) << "cycle " << cycle << ": no write was acknowledged";
  }
  EXPECT_GT(acked.size(), static_cast<size_t>(kCycles * 10));

  // Flipped bytes: detected by start-up (the service refuses to start) and by audit verify.
  std::string segment = data + "/ledger/ledger-00000001.seg";
  std::string copy = dir.path() + "/flipped.seg";
  auto size = std::filesystem::file_size(segment);
  int flips = 0;
  for (uint64_t offset = 0; offset < size; offset += size / 24 + 1, ++flips) {
    std::filesystem::copy_file(segment, copy, std::filesystem::copy_options::overwrite_existing);
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x01));
    f.close();
    std::string verify_output;
    EXPECT_NE(RunCleanroom({"audit", "verify", "--ledger", segment}, &verify_output), 0)
        << "audit verify missed a flip at offset " << offset;
    ServiceOptions options;
    options.data_dir = data;
    auto opened = Service::Open(options);
    EXPECT_FALSE(opened.ok()) << "start-up missed a flip at offset " << offset;
    opened = Status::Internal("closed");  // release the ledger lock before restoring
    std::filesystem::copy_file(copy, segment, std::filesystem::copy_options::overwrite_existing);
  }
  EXPECT_GE(flips, 20);
}

}  // namespace
}  // namespace cleanroom::governance::testing
