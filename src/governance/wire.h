#pragma once

#include "govwire/api_error.h"
#include "govwire/json_reader.h"

// The parts of the wire contract (src/govwire) the service uses throughout, by their short names.
namespace cleanroom::governance {

using govwire::ApiError;
using govwire::ApiErrorFromStatus;
using govwire::CanonicalJson;
using govwire::DocumentHash;
using govwire::Json;
using govwire::JsonReader;
using govwire::kBadSignature;
using govwire::kMalformedRequest;
using govwire::kMaxJsonDepth;
using govwire::kMaxJsonValues;
using govwire::kMessageExpired;
using govwire::kMessageFromFuture;
using govwire::kMessageTypeMismatch;
using govwire::kNonceReplayed;
using govwire::kUnauthenticatedRead;
using govwire::kUnknownSigner;
using govwire::NormalizeSha256Hex;
using govwire::ParseApiError;
using govwire::ParseJson;

}  // namespace cleanroom::governance
