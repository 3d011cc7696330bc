#pragma once

#include <cstddef>
#include <string_view>

namespace cleanroom::governance {

// The forms of the ids a request path may name. The service makes run ids ("r" and a decimal
// number) and query ids ("q" and a number); dataset names follow IsValidDatasetName. A path that
// names anything else is refused before any lookup, so no made-up or oversized id reaches the
// state, the ledger or an error message.
inline constexpr size_t kMaxPathBytes = 512;
// Request bodies are limited to 4 MiB: Service::Handle refuses a longer one, and the HTTPS layer
// refuses a longer Content-Length before reading the body.
inline constexpr size_t kMaxRequestBodyBytes = 4u << 20;

// "r1" .. "r" followed by at most 18 digits, no leading zero.
bool IsRunId(std::string_view id);
// "q1" .. "q" followed by at most 18 digits, no leading zero.
bool IsQueryId(std::string_view id);

}  // namespace cleanroom::governance
