#include "cli/show_support.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "govwire/cli_support.h"

namespace cleanroom::cli {

std::string UtcTime(int64_t time_us) {
  time_t seconds = static_cast<time_t>(time_us / 1000000);
  struct tm utc {};
  if (gmtime_r(&seconds, &utc) == nullptr) return "(time out of range)";
  char text[40];
  strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

MemberNames MemberNames::Fetch(govwire::GovernanceClient& client) {
  auto reply = client.Get("/v1/collab");
  if (!reply.ok() || !reply->ok()) return MemberNames();
  return FromCollab(reply->body);
}

MemberNames MemberNames::FromCollab(const govwire::Json& collab) {
  MemberNames names;
  const govwire::Json* versions = collab.contains("versions") ? &collab["versions"] : nullptr;
  if (versions == nullptr || !versions->is_array() || versions->empty()) return names;
  size_t index = versions->size() - 1;
  if (collab.contains("activeVersion") && collab["activeVersion"].is_number_integer()) {
    int64_t active = collab["activeVersion"].get<int64_t>();
    if (active >= 1 && static_cast<size_t>(active) <= versions->size()) index = active - 1;
  }
  for (const auto& member : (*versions)[index].value("members", govwire::Json::array())) {
    if (member.contains("id") && member["id"].is_string() && member.contains("displayName") &&
        member["displayName"].is_string()) {
      names.names_[member["id"].get<std::string>()] = member["displayName"].get<std::string>();
    }
  }
  return names;
}

std::string MemberNames::Of(const std::string& member_id) const {
  auto it = names_.find(member_id);
  std::string short_id = govwire::ShortId(member_id);
  return it == names_.end() ? short_id : it->second + " (" + short_id + ")";
}

std::string MemberNames::List(const govwire::Json& ids) const {
  std::string out;
  if (!ids.is_array()) return "none";
  for (const auto& id : ids) {
    if (!id.is_string()) continue;
    out += (out.empty() ? "" : ", ") + Of(id.get<std::string>());
  }
  return out.empty() ? "none" : out;
}

govwire::Json InNumericOrder(const govwire::Json& list) {
  std::vector<govwire::Json> items(list.begin(), list.end());
  auto number = [](const govwire::Json& item) {
    std::string id = item.is_object() ? item.value("id", "") : "";
    size_t digits = id.find_first_of("0123456789");
    return digits == std::string::npos ? 0ull : std::strtoull(id.c_str() + digits, nullptr, 10);
  };
  std::stable_sort(items.begin(), items.end(), [&](const govwire::Json& a, const govwire::Json& b) {
    return number(a) < number(b);
  });
  return govwire::Json(items);
}

Status ShowWithNames(const govwire::ClientFlags& flags, const std::string& path,
                     const std::function<void(const govwire::Json&, const MemberNames&)>& human) {
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(flags));
  MemberNames names = flags.json ? MemberNames() : MemberNames::Fetch(*client);
  return govwire::PrintReply(client->Get(path), flags.json,
                             [&](const govwire::Json& body) { human(body, names); });
}

}  // namespace cleanroom::cli
