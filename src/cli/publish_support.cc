#include "cli/publish_support.h"

#include <cstdio>

#include "base/file.h"

namespace cleanroom::cli {

Status RegisterPublished(govwire::GovernanceClient& client, runtime::Storage& storage,
                         const runtime::PublishedDataset& published, const std::string& file,
                         const std::string& save_key, bool json, const std::string& route,
                         const std::string& type, const std::string& noun, bool* registered) {
  if (!save_key.empty()) {
    std::string text = published.key.Serialize();
    Status saved = WriteFileAtomic(save_key, text, 0600);
    SecureWipe(text.data(), text.size());
    if (!saved.ok()) {
      (void)storage.Remove(published.storage_key);
      return saved;
    }
  }
  if (!json) {
    std::printf("encrypted %s: %llu bytes in %llu chunks -> %s/%s\n", file.c_str(),
                static_cast<unsigned long long>(published.summary.plaintext_size),
                static_cast<unsigned long long>(published.summary.chunk_count),
                storage.url().c_str(), published.storage_key.c_str());
  }
  auto registered_reply = client.Write(route, type, {{noun, published.document}});
  Status st = govwire::PrintReply(registered_reply, json, govwire::PrintWriteResult);
  if (!st.ok()) {
    // An unregistered ciphertext is useless: do not leave it behind.
    (void)storage.Remove(published.storage_key);
    return st;
  }
  *registered = true;
  std::string name = registered_reply->body["result"][noun];
  int64_t version = registered_reply->body["result"]["version"];
  // A model's key is stored as a dataset's (docs/ml.md: one namespace, one secret route).
  return govwire::PrintReply(
      govwire::StoreDatasetKey(client, name, version, published.document["keyId"],
                               published.key.bytes()),
      json, [](const govwire::Json& body) {
        std::printf("key stored with governance, sealed at rest: ");
        govwire::PrintWriteResult(body);
      });
}

}  // namespace cleanroom::cli
