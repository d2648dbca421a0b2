#include "api/idempotency_record.h"

#include <nlohmann/json.hpp>

#include "auth/api_key.h"

namespace smsgw::api {
namespace {

constexpr const char* kStateNames[] = {"pending", "done", "unsettled"};

// SHA-256 hex of `text`: HashApiKey is exactly that (a key's hash is its SHA-256).
std::string Sha256Hex(std::string_view text) { return auth::HashApiKey(text); }

char HexDigit(unsigned v) { return "0123456789abcdef"[v & 0xF]; }

unsigned HexValue(char c) { return c <= '9' ? static_cast<unsigned>(c - '0') : static_cast<unsigned>(c - 'a' + 10); }

}  // namespace

Status CheckIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKey) {
    return Status::InvalidArgument("Idempotency-Key: must be 1 to " + std::to_string(kMaxIdempotencyKey) +
                                   " characters");
  }
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return Status::InvalidArgument("Idempotency-Key: control characters are not allowed");
  }
  return Status::Ok();
}

std::string RequestFingerprint(const HttpRequest& request) {
  std::string all = request.method;
  all += '\n';
  all += request.target;
  all += '\n';
  all += request.Get("Content-Type").value_or("");
  all += '\n';
  all += request.body;
  return Sha256Hex(all);
}

std::string EncodeRecord(const IdempotencyRecord& r) {
  nlohmann::json j = {
      {"s", kStateNames[static_cast<int>(r.state)]},
      {"fp", r.fingerprint},
      {"at", r.claimed_ms},
      {"tok", r.token},
  };
  if (r.state != IdempotencyRecord::State::kPending) {
    nlohmann::json headers = nlohmann::json::array();
    for (const Header& h : r.headers) headers.push_back({h.name, h.value});
    j["st"] = r.status;
    j["h"] = std::move(headers);
    j["b"] = r.body;
  }
  if (!r.message_ids.empty()) j["ids"] = r.message_ids;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<IdempotencyRecord> DecodeRecord(std::string_view text) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    IdempotencyRecord r;
    const std::string state = j.at("s").get<std::string>();
    bool known = false;
    for (int i = 0; i < 3; ++i) {
      if (state == kStateNames[i]) {
        r.state = static_cast<IdempotencyRecord::State>(i);
        known = true;
      }
    }
    if (!known) return Status::Internal("idempotency record: unknown state \"" + state + "\"");
    r.fingerprint = j.at("fp").get<std::string>();
    r.claimed_ms = j.at("at").get<int64_t>();
    r.token = j.at("tok").get<std::string>();
    if (r.state != IdempotencyRecord::State::kPending) {
      r.status = j.at("st").get<int>();
      for (const auto& h : j.at("h")) r.headers.push_back({h.at(0).get<std::string>(), h.at(1).get<std::string>()});
      r.body = j.at("b").get<std::string>();
    }
    if (j.contains("ids")) r.message_ids = j.at("ids").get<std::vector<std::string>>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(std::string("idempotency record: ") + e.what());
  }
}

std::string SeededMessageId(const std::string& key_hash, int64_t account_id, int64_t claimed_ms, uint32_t n) {
  const std::string h =
      Sha256Hex(key_hash + ':' + std::to_string(account_id) + ':' + std::to_string(claimed_ms) + ':' +
                std::to_string(n));
  // RFC 9562 5.7: 48-bit milliseconds, version 7, 12 bits, variant 10, 62 bits.
  std::string hex;
  const auto ts = static_cast<uint64_t>(claimed_ms) & 0xFFFFFFFFFFFFULL;
  for (int i = 11; i >= 0; --i) hex.push_back(HexDigit(static_cast<unsigned>(ts >> (4 * i))));
  hex.push_back('7');
  hex.append(h, 0, 3);
  hex.push_back(HexDigit(0x8 | (HexValue(h[3]) & 0x3)));
  hex.append(h, 4, 15);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
         hex.substr(20, 12);
}

Settlement Settle(const std::vector<std::optional<Hold>>& holds) {
  size_t charged = 0;
  for (const std::optional<Hold>& h : holds) {
    if (!h) continue;
    if (h->state == HoldState::kHeld) return Settlement::kUndecided;
    if (h->state == HoldState::kCharged) ++charged;
  }
  if (charged == 0) return Settlement::kNothingQueued;
  return charged == holds.size() ? Settlement::kQueued : Settlement::kMixed;
}

}  // namespace smsgw::api
