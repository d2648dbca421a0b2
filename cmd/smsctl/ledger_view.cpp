#include "ledger_view.h"

#include <ctime>

namespace smsgw::smsctl {
namespace {

// 0 means "the API's default" for the rate limit: shown as null (json) or empty.
nlohmann::json RateOrNull(int32_t v) { return v == 0 ? nlohmann::json() : nlohmann::json(v); }

}  // namespace

Result<std::unique_ptr<rpc::LedgerClient>> ConnectLedger(const Context& ctx) {
  Result<config::Config> config = ctx.LoadConfig();
  if (!config.ok()) return config.status();
  return std::make_unique<rpc::LedgerClient>(config->api.ledger_address);
}

std::string UtcTime(int64_t ms) {
  if (ms == 0) return "";
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Listing AccountListing() {
  return {{"id", "name", "status", "price", "price_express", "weight", "rate_rps", "rate_burst", "balance", "held",
           "keys", "created"},
          {}};
}

std::vector<nlohmann::json> AccountRow(const v1::AccountRecord& a) {
  return {a.id(),
          a.name(),
          a.active() ? "active" : "disabled",
          a.price_normal(),
          a.price_express(),
          a.weight(),
          RateOrNull(a.rate_limit_rps()),
          RateOrNull(a.rate_limit_burst()),
          a.balance(),
          a.held(),
          a.active_keys(),
          UtcTime(a.created_at_ms())};
}

nlohmann::json AccountJson(const v1::AccountRecord& a) {
  const Listing columns = AccountListing();
  const std::vector<nlohmann::json> row = AccountRow(a);
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < columns.columns.size(); ++i) out[columns.columns[i]] = row[i];
  out["charged"] = a.charged();
  out["refunded"] = a.refunded();
  return out;
}

std::string AccountText(const v1::AccountRecord& a) {
  const std::string rate = a.rate_limit_rps() == 0 ? "the API's default"
                                                   : std::to_string(a.rate_limit_rps()) + "/s, burst " +
                                                         std::to_string(a.rate_limit_burst());
  return "account " + std::to_string(a.id()) + " (" + a.name() + "), " + (a.active() ? "active" : "disabled") +
         "\nprice per segment: " + std::to_string(a.price_normal()) + " normal, " + std::to_string(a.price_express()) +
         " express\nweight: " + std::to_string(a.weight()) + "\nrate limit: " + rate +
         "\nbalance: " + std::to_string(a.balance()) + ", held " + std::to_string(a.held()) + ", charged " +
         std::to_string(a.charged()) + ", refunded " + std::to_string(a.refunded()) +
         "\nAPI keys in use: " + std::to_string(a.active_keys()) + "\ncreated: " + UtcTime(a.created_at_ms());
}

}  // namespace smsgw::smsctl
