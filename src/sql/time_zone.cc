#include "sql/time_zone.h"

#include <cctype>
#include <cstdlib>

#include "sql/emitter/duckdb_emitter.h"

namespace cleanroom::sql {
namespace {

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int Number(std::string_view s) { return std::atoi(std::string(s).c_str()); }

// Java's ZoneOffset.of: +h, +hh, +hh:mm, +hhmm, +hh:mm:ss, +hhmmss; at most 18 hours.
Result<int32_t> ParseOffset(std::string_view text) {
  if (text.empty() || (text[0] != '+' && text[0] != '-')) {
    return Status::InvalidArgument("a zone offset starts with + or -");
  }
  int sign = text[0] == '-' ? -1 : 1;
  std::string_view rest = text.substr(1);
  int hours = 0, minutes = 0, seconds = 0;
  bool ok = false;
  if (rest.size() <= 2) {
    ok = IsDigits(rest);
    if (ok) hours = Number(rest);
  } else if (rest.size() == 4 && IsDigits(rest)) {
    ok = true;
    hours = Number(rest.substr(0, 2));
    minutes = Number(rest.substr(2, 2));
  } else if (rest.size() == 5 && rest[2] == ':' && IsDigits(rest.substr(0, 2)) &&
             IsDigits(rest.substr(3, 2))) {
    ok = true;
    hours = Number(rest.substr(0, 2));
    minutes = Number(rest.substr(3, 2));
  } else if (rest.size() == 6 && IsDigits(rest)) {
    ok = true;
    hours = Number(rest.substr(0, 2));
    minutes = Number(rest.substr(2, 2));
    seconds = Number(rest.substr(4, 2));
  } else if (rest.size() == 8 && rest[2] == ':' && rest[5] == ':' && IsDigits(rest.substr(0, 2)) &&
             IsDigits(rest.substr(3, 2)) && IsDigits(rest.substr(6, 2))) {
    ok = true;
    hours = Number(rest.substr(0, 2));
    minutes = Number(rest.substr(3, 2));
    seconds = Number(rest.substr(6, 2));
  }
  if (!ok) return Status::InvalidArgument("a zone offset is +h, +hh, +hh:mm, +hhmm or +hh:mm:ss");
  if (minutes > 59 || seconds > 59) {
    return Status::InvalidArgument("a zone offset's minutes and seconds are below 60");
  }
  int32_t total = hours * 3600 + minutes * 60 + seconds;
  if (total > 18 * 3600) return Status::InvalidArgument("a zone offset is at most 18 hours");
  return sign * total;
}

std::string TwoDigits(int value) {
  return std::string(1, static_cast<char>('0' + value / 10)) + static_cast<char>('0' + value % 10);
}

}  // namespace

std::string ZoneId::Id() const {
  if (!fixed) return region;
  if (offset_seconds == 0) return "UTC";
  int32_t abs = std::abs(offset_seconds);
  std::string id = std::string(offset_seconds < 0 ? "-" : "+") + TwoDigits(abs / 3600) + ":" +
                   TwoDigits(abs / 60 % 60);
  if (abs % 60 != 0) id += ":" + TwoDigits(abs % 60);
  return id;
}

Result<ZoneId> ParseZoneId(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("an empty time zone id");
  if (text.size() > 64) return Status::InvalidArgument("a time zone id of over 64 characters");
  ZoneId zone;
  if (text == "Z" || text == "UTC" || text == "GMT" || text == "UT") return zone;
  if (text[0] == '+' || text[0] == '-') {
    CR_ASSIGN_OR_RETURN(zone.offset_seconds, ParseOffset(text));
    return zone;
  }
  for (std::string_view prefix : {"UTC", "GMT", "UT"}) {
    if (text.size() > prefix.size() && text.substr(0, prefix.size()) == prefix &&
        (text[prefix.size()] == '+' || text[prefix.size()] == '-')) {
      CR_ASSIGN_OR_RETURN(zone.offset_seconds, ParseOffset(text.substr(prefix.size())));
      return zone;
    }
  }
  // A region id: [A-Za-z][A-Za-z0-9~/._+-]+ (java.time.ZoneRegion).
  if (text.size() < 2 || !std::isalpha(static_cast<unsigned char>(text[0]))) {
    return Status::InvalidArgument("not a time zone id");
  }
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '~' && c != '/' && c != '.' &&
        c != '_' && c != '+' && c != '-') {
      return Status::InvalidArgument("not a time zone id");
    }
  }
  zone.fixed = false;
  zone.region = std::string(text);
  return zone;
}

std::string WallToInstantSql(const ZoneId& zone, const std::string& wall) {
  if (!zone.fixed) return "timezone(" + QuoteString(zone.region) + ", " + wall + ")";
  if (zone.offset_seconds == 0) return "timezone('UTC', " + wall + ")";
  return "timezone('UTC', " + wall + " - to_seconds(" + std::to_string(zone.offset_seconds) + "))";
}

std::string InstantToWallSql(const ZoneId& zone, const std::string& instant) {
  if (!zone.fixed) return "timezone(" + QuoteString(zone.region) + ", " + instant + ")";
  if (zone.offset_seconds == 0) return "timezone('UTC', " + instant + ")";
  return "(timezone('UTC', " + instant + ") + to_seconds(" + std::to_string(zone.offset_seconds) +
         "))";
}

std::string OffsetSecondsSql(const ZoneId& zone, const std::string& wall) {
  if (zone.fixed) return "CAST(" + std::to_string(zone.offset_seconds) + " AS BIGINT)";
  return "((epoch_us(" + wall + ") - epoch_us(" + WallToInstantSql(zone, wall) + ")) // 1000000)";
}

}  // namespace cleanroom::sql
