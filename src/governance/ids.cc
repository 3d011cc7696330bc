#include "governance/ids.h"

namespace cleanroom::governance {
namespace {

bool IsNumberedId(std::string_view id, char prefix) {
  if (id.size() < 2 || id.size() > 19 || id[0] != prefix || id[1] == '0') return false;
  for (size_t i = 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
  }
  return true;
}

}  // namespace

bool IsRunId(std::string_view id) { return IsNumberedId(id, 'r'); }
bool IsQueryId(std::string_view id) { return IsNumberedId(id, 'q'); }

}  // namespace cleanroom::governance
