#include "api/send_metrics.h"

#include <string>

#include "api/problem.h"

namespace smsgw::api {
namespace {

// Every way a message can be refused on the send path, made at start.
std::vector<std::string_view> SendRefusalCodes() {
  std::vector<std::string_view> codes = {kInvalidJson.code, kUnsupportedMediaType.code, kPayloadTooLarge.code};
  for (ErrorCode c : {ErrorCode::kInvalidArgument, ErrorCode::kUnauthenticated, ErrorCode::kInsufficientFunds,
                      ErrorCode::kPermissionDenied, ErrorCode::kUnavailable, ErrorCode::kInternal}) {
    codes.push_back(KindFor(c).code);
  }
  return codes;
}

}  // namespace

SendMetrics& SendMetrics::Get() {
  static SendMetrics* instance = new SendMetrics(metrics::Default());  // never destroyed, like Default()
  return *instance;
}

SendMetrics::SendMetrics(metrics::Registry& registry)
    : accepted_(registry.AddCounter("smsgw_api_messages_accepted_total", "Messages debited and queued, by priority.",
                                    {"priority"})),
      accepted_normal_(accepted_.Labels({"normal"})),
      accepted_express_(accepted_.Labels({"express"})),
      refused_(registry.AddCounter("smsgw_api_messages_refused_total",
                                   "Messages of send requests not accepted, by problem code.", {"code"})),
      batch_items_(registry
                       .AddHistogram("smsgw_api_batch_items", "Items per POST /v1/messages/batch.", {},
                                     metrics::SizeBuckets())
                       .Get()),
      send_batch_size_(registry
                           .AddHistogram("smsgw_api_send_batch_size",
                                         "Messages per group-commit batch (one DebitBatch and one Redis pipeline).",
                                         {}, metrics::SizeBuckets())
                           .Get()) {
  for (std::string_view code : SendRefusalCodes()) {
    refused_by_code_.emplace_back(code, &refused_.Labels({std::string(code)}));
  }
}

void SendMetrics::Refused(std::string_view code, uint64_t n) {
  for (const auto& [known, counter] : refused_by_code_) {
    if (known == code) return counter->Inc(n);
  }
  refused_.Labels({std::string(code)}).Inc(n);
}

void SendMetrics::Refused(const Status& status) { Refused(KindFor(status.code()).code); }

}  // namespace smsgw::api
