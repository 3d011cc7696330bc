#include "crypto/cose.h"

#include "crypto/random.h"

namespace cleanroom::crypto::cose {
namespace {

cbor::DecodeOptions OptionsFor(DecodeMode mode) {
  cbor::DecodeOptions options;
  options.strict = mode == DecodeMode::kStrict;
  return options;
}

// Decodes a protected header bucket: a bstr holding a map, or empty for "no headers".
Status DecodeProtected(const cbor::Value& bucket, DecodeMode mode, std::string_view where,
                       Bytes& bytes_out, cbor::Value& map_out) {
  if (!bucket.is_bytes()) {
    return Status::InvalidArgument(std::string(where) + ": protected header is not a byte string");
  }
  bytes_out = bucket.bytes();
  if (bytes_out.empty()) {
    map_out = cbor::Value::MakeMap({});
    return Status::OK();
  }
  auto decoded = cbor::Decode(bytes_out, OptionsFor(mode));
  if (!decoded.ok()) {
    return decoded.status().WithContext(std::string(where) + ": protected header");
  }
  if (!decoded->is_map()) {
    return Status::InvalidArgument(std::string(where) + ": protected header is not a map");
  }
  if (decoded->map().empty()) {
    // RFC 9052 section 3: an empty map sent as h'A0' stands for a zero-length protected bucket,
    // and Sig_structure uses the zero-length form. Our own messages never do this.
    if (mode == DecodeMode::kStrict) {
      return Status::InvalidArgument(std::string(where) +
                                     ": protected header is an encoded empty map (must be empty)");
    }
    bytes_out.clear();
  }
  map_out = std::move(decoded).value();
  return Status::OK();
}

Status ParseHeaders(const cbor::Value& prot, const cbor::Value& unprot, DecodeMode mode,
                    std::string_view where, Headers& h) {
  if (!unprot.is_map()) {
    return Status::InvalidArgument(std::string(where) + ": unprotected header is not a map");
  }
  // RFC 9052 section 3: a label must not occur in both buckets.
  for (const auto& [key, value] : prot.map()) {
    if (unprot.Find(key) != nullptr) {
      return Status::InvalidArgument(std::string(where) +
                                     ": a header label occurs in both protected and unprotected");
    }
  }
  auto fail = [&](std::string_view what) {
    return Status::InvalidArgument(std::string(where) + ": " + std::string(what));
  };
  const cbor::Value* alg = prot.Find(kHeaderAlg);
  h.alg_protected = alg != nullptr;
  if (alg == nullptr) alg = unprot.Find(kHeaderAlg);
  if (alg != nullptr) {
    if (!alg->AsInt64()) return fail("alg header is not an integer algorithm id");
    h.alg = *alg->AsInt64();
  }
  const cbor::Value* kid = prot.Find(kHeaderKid);
  if (kid == nullptr) kid = unprot.Find(kHeaderKid);
  if (kid != nullptr) {
    if (!kid->is_bytes()) return fail("kid header is not a byte string");
    h.kid = kid->bytes();
  }
  const cbor::Value* ctype = prot.Find(kHeaderContentType);
  if (ctype == nullptr) ctype = unprot.Find(kHeaderContentType);
  if (ctype != nullptr) {
    if (ctype->is_text()) {
      h.content_type = std::string(ctype->text());
    } else if (ctype->type() == cbor::Value::Type::kUnsigned) {
      h.content_type = "#" + std::to_string(ctype->int_argument());
    } else {
      return fail("content type header is neither text nor an unsigned integer");
    }
  }
  // The project's headers count only when protected: unprotected ones are not signed.
  for (std::string_view label : {kHeaderMsgType, kHeaderCreatedAt, kHeaderNonce}) {
    if (unprot.Find(label) != nullptr) {
      return fail(std::string(label) + " must be in the protected header");
    }
  }
  if (const cbor::Value* v = prot.Find(kHeaderMsgType)) {
    if (!v->is_text()) return fail("cleanroom.msg_type is not a text string");
    h.msg_type = std::string(v->text());
  }
  if (const cbor::Value* v = prot.Find(kHeaderCreatedAt)) {
    if (v->type() != cbor::Value::Type::kUnsigned || !v->AsInt64()) {
      return fail("cleanroom.created_at is not an unsigned integer of seconds");
    }
    h.created_at = *v->AsInt64();
  }
  if (const cbor::Value* v = prot.Find(kHeaderNonce)) {
    if (!v->is_bytes() || v->bytes().size() != kNonceSize) {
      return fail("cleanroom.nonce is not a 16-byte byte string");
    }
    h.nonce = v->bytes();
  }
  if (mode == DecodeMode::kStrict && !h.alg_protected) {
    return fail("alg must be in the protected header");
  }
  return Status::OK();
}

// Unwraps an optional tag; any tag other than `expected` is refused.
Result<const cbor::Value*> Untag(const cbor::Value& top, uint64_t expected, std::string_view what,
                                 bool& tagged) {
  tagged = top.is_tag();
  if (!tagged) return &top;
  if (top.tag() != expected) {
    return Status::InvalidArgument(std::string(what) + ": CBOR tag " + std::to_string(top.tag()) +
                                   " where " + std::to_string(expected) + " is expected");
  }
  return &top.tag_content();
}

Status PayloadOf(const cbor::Value& v, std::string_view where, std::optional<Bytes>& out) {
  if (v.is_null()) {
    out.reset();
  } else if (v.is_bytes()) {
    out = v.bytes();
  } else {
    return Status::InvalidArgument(std::string(where) +
                                   ": payload is neither a byte string nor nil");
  }
  return Status::OK();
}

Bytes EncodeOrDie(const cbor::Value& v) {
  // Values built here from bstr/tstr/int never hold duplicate keys, so encoding cannot fail.
  auto r = cbor::Encode(v);
  return r.ok() ? std::move(r).value() : Bytes{};
}

Status VerifyWith(const Headers& headers, const PublicKey& key, ByteSpan to_be_signed,
                  ByteSpan signature, std::string_view where) {
  if (!headers.alg) return Status::InvalidArgument(std::string(where) + ": no alg header");
  auto algorithm = AlgorithmFromCoseId(*headers.alg);
  if (!algorithm.ok()) return algorithm.status().WithContext(where);
  Status s = key.Verify(*algorithm, to_be_signed, signature);
  if (!s.ok()) return s.WithContext(where);
  return Status::OK();
}

}  // namespace

Result<SignatureAlgorithm> AlgorithmFromCoseId(int64_t id) {
  switch (id) {
    case kAlgEs256:
      return SignatureAlgorithm::kEs256;
    case kAlgEs384:
      return SignatureAlgorithm::kEs384;
    case kAlgEs512:
      return SignatureAlgorithm::kEs512;
    case kAlgEdDsa:
      return SignatureAlgorithm::kEdDsa;
    default:
      break;
  }
  return Status::InvalidArgument("unsupported COSE algorithm " + std::to_string(id));
}

int64_t CoseIdOf(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kEs256:
      return kAlgEs256;
    case SignatureAlgorithm::kEs384:
      return kAlgEs384;
    case SignatureAlgorithm::kEs512:
      return kAlgEs512;
    case SignatureAlgorithm::kEdDsa:
      return kAlgEdDsa;
  }
  return 0;
}

Bytes Sign1ToBeSigned(ByteSpan protected_bytes, ByteSpan external_aad, ByteSpan payload) {
  return EncodeOrDie(
      cbor::Value::MakeArray({cbor::Value::Text("Signature1"), cbor::Value::Bytes(protected_bytes),
                              cbor::Value::Bytes(external_aad), cbor::Value::Bytes(payload)}));
}

Result<Bytes> CreateSign1(const PrivateKey& key, ByteSpan payload, const Sign1Options& options) {
  CR_ASSIGN_OR_RETURN(SignatureAlgorithm algorithm, DefaultSignatureAlgorithm(key.type()));
  cbor::MapEntries prot;
  prot.emplace_back(cbor::Value::Int(kHeaderAlg), cbor::Value::Int(CoseIdOf(algorithm)));
  if (options.content_type) {
    prot.emplace_back(cbor::Value::Int(kHeaderContentType),
                      cbor::Value::Text(*options.content_type));
  }
  if (options.kid)
    prot.emplace_back(cbor::Value::Int(kHeaderKid), cbor::Value::Bytes(*options.kid));
  if (options.msg_type) {
    prot.emplace_back(cbor::Value::Text(kHeaderMsgType), cbor::Value::Text(*options.msg_type));
  }
  if (options.created_at) {
    if (*options.created_at < 0)
      return Status::InvalidArgument("COSE_Sign1: created_at is negative");
    prot.emplace_back(cbor::Value::Text(kHeaderCreatedAt), cbor::Value::Int(*options.created_at));
  }
  Bytes nonce;
  if (options.nonce) {
    if (options.nonce->size() != kNonceSize) {
      return Status::InvalidArgument("COSE_Sign1: nonce must be 16 bytes");
    }
    nonce = *options.nonce;
  } else if (options.generate_nonce) {
    CR_ASSIGN_OR_RETURN(nonce, RandomBytes(kNonceSize));
  }
  if (!nonce.empty()) prot.emplace_back(cbor::Value::Text(kHeaderNonce), cbor::Value::Bytes(nonce));
  CR_ASSIGN_OR_RETURN(Bytes protected_bytes, cbor::Encode(cbor::Value::MakeMap(std::move(prot))));
  Bytes to_be_signed = Sign1ToBeSigned(protected_bytes, options.external_aad, payload);
  CR_ASSIGN_OR_RETURN(Bytes signature, key.Sign(algorithm, to_be_signed));
  cbor::Value message = cbor::Value::MakeArray(
      {cbor::Value::Bytes(std::move(protected_bytes)), cbor::Value::MakeMap({}),
       cbor::Value::Bytes(payload), cbor::Value::Bytes(std::move(signature))});
  if (options.tagged) message = cbor::Value::Tag(kTagSign1, std::move(message));
  return cbor::Encode(message);
}

Result<Sign1Message> DecodeSign1(ByteSpan message, DecodeMode mode) {
  auto top = cbor::Decode(message, OptionsFor(mode));
  if (!top.ok()) return top.status().WithContext("COSE_Sign1");
  Sign1Message out;
  CR_ASSIGN_OR_RETURN(const cbor::Value* body, Untag(*top, kTagSign1, "COSE_Sign1", out.tagged));
  if (!body->is_array() || body->array().size() != 4) {
    return Status::InvalidArgument("COSE_Sign1: not an array of 4 elements");
  }
  const cbor::Array& a = body->array();
  CR_RETURN_IF_ERROR(
      DecodeProtected(a[0], mode, "COSE_Sign1", out.protected_bytes, out.protected_map));
  out.unprotected_map = a[1];
  CR_RETURN_IF_ERROR(PayloadOf(a[2], "COSE_Sign1", out.payload));
  if (!a[3].is_bytes())
    return Status::InvalidArgument("COSE_Sign1: signature is not a byte string");
  out.signature = a[3].bytes();
  CR_RETURN_IF_ERROR(
      ParseHeaders(out.protected_map, out.unprotected_map, mode, "COSE_Sign1", out.headers));
  return out;
}

Status VerifySign1(const Sign1Message& message, const PublicKey& key, ByteSpan external_aad,
                   std::optional<ByteSpan> detached_payload) {
  ByteSpan payload;
  if (message.payload) {
    payload = *message.payload;
  } else if (detached_payload) {
    payload = *detached_payload;
  } else {
    return Status::InvalidArgument("COSE_Sign1: detached payload not supplied");
  }
  Bytes to_be_signed = Sign1ToBeSigned(message.protected_bytes, external_aad, payload);
  return VerifyWith(message.headers, key, to_be_signed, message.signature, "COSE_Sign1");
}

Result<Sign1Message> VerifySign1Strict(ByteSpan message, const PublicKey& key,
                                       ByteSpan external_aad) {
  CR_ASSIGN_OR_RETURN(Sign1Message decoded, DecodeSign1(message, DecodeMode::kStrict));
  if (!decoded.payload) return Status::InvalidArgument("COSE_Sign1: payload is detached");
  CR_RETURN_IF_ERROR(VerifySign1(decoded, key, external_aad));
  return decoded;
}

Result<SignMessage> DecodeSign(ByteSpan message, DecodeMode mode) {
  auto top = cbor::Decode(message, OptionsFor(mode));
  if (!top.ok()) return top.status().WithContext("COSE_Sign");
  SignMessage out;
  CR_ASSIGN_OR_RETURN(const cbor::Value* body, Untag(*top, kTagSign, "COSE_Sign", out.tagged));
  if (!body->is_array() || body->array().size() != 4) {
    return Status::InvalidArgument("COSE_Sign: not an array of 4 elements");
  }
  const cbor::Array& a = body->array();
  CR_RETURN_IF_ERROR(
      DecodeProtected(a[0], mode, "COSE_Sign", out.protected_bytes, out.protected_map));
  out.unprotected_map = a[1];
  if (!out.unprotected_map.is_map()) {
    return Status::InvalidArgument("COSE_Sign: unprotected header is not a map");
  }
  CR_RETURN_IF_ERROR(PayloadOf(a[2], "COSE_Sign", out.payload));
  if (!a[3].is_array() || a[3].array().empty()) {
    return Status::InvalidArgument("COSE_Sign: signatures is not a non-empty array");
  }
  for (size_t i = 0; i < a[3].array().size(); ++i) {
    const cbor::Value& s = a[3].array()[i];
    std::string where = "COSE_Sign signature " + std::to_string(i);
    if (!s.is_array() || s.array().size() != 3) {
      return Status::InvalidArgument(where + ": not an array of 3 elements");
    }
    SignatureEntry entry;
    CR_RETURN_IF_ERROR(
        DecodeProtected(s.array()[0], mode, where, entry.protected_bytes, entry.protected_map));
    entry.unprotected_map = s.array()[1];
    if (!s.array()[2].is_bytes())
      return Status::InvalidArgument(where + ": signature is not bytes");
    entry.signature = s.array()[2].bytes();
    CR_RETURN_IF_ERROR(
        ParseHeaders(entry.protected_map, entry.unprotected_map, mode, where, entry.headers));
    out.signatures.push_back(std::move(entry));
  }
  return out;
}

Status VerifySignSigner(const SignMessage& message, size_t index, const PublicKey& key,
                        ByteSpan external_aad) {
  if (index >= message.signatures.size()) {
    return Status::InvalidArgument("COSE_Sign: no signer " + std::to_string(index));
  }
  if (!message.payload) return Status::InvalidArgument("COSE_Sign: detached payload");
  const SignatureEntry& entry = message.signatures[index];
  Bytes to_be_signed = EncodeOrDie(cbor::Value::MakeArray(
      {cbor::Value::Text("Signature"), cbor::Value::Bytes(message.protected_bytes),
       cbor::Value::Bytes(entry.protected_bytes), cbor::Value::Bytes(external_aad),
       cbor::Value::Bytes(*message.payload)}));
  return VerifyWith(entry.headers, key, to_be_signed, entry.signature,
                    "COSE_Sign signature " + std::to_string(index));
}

}  // namespace cleanroom::crypto::cose
