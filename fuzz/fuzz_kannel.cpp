// Kannel's /cgi-bin/sendsms as scripts written for Kannel call it: any query string, form body
// or text/plain body with X-Kannel-* headers gives a send or Kannel's refusal text, never an
// exception; what is accepted is what the REST path would accept (receivers without blanks,
// text in UTF-8, a dlr-mask within Kannel's six bits, a dlr-url that is http(s)).
//
// Input layout: byte 0 picks the request's shape (GET; POST form; POST text/plain with a
// charset and X-Kannel headers); then the query string up to the first '\n'; the rest is the
// body (for text/plain, header lines "name: value" up to an empty line, then the body).
#include <string>
#include <string_view>

#include "api/batch_request.h"
#include "api/kannel_protocol.h"
#include "fuzz_target.h"
#include "sms/utf8.h"

using namespace smsgw::api;

namespace {

HttpRequest RequestFrom(std::string_view input) {
  HttpRequest request;
  const uint8_t shape = input.empty() ? 0 : static_cast<uint8_t>(input[0]) % 4;
  if (!input.empty()) input.remove_prefix(1);
  const size_t nl = input.find('\n');
  request.target = "/cgi-bin/sendsms?" + std::string(input.substr(0, nl));
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  request.method = shape == 0 ? "GET" : "POST";
  if (shape == 1) request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  if (shape == 3) request.headers.push_back({"Content-Type", "application/octet-stream"});
  if (shape == 2) {
    request.headers.push_back({"Content-Type", "text/plain; charset=UTF-16BE"});
    while (!rest.empty()) {
      const size_t end = rest.find('\n');
      const std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (line.empty()) break;
      const size_t colon = line.find(':');
      request.headers.push_back({std::string(line.substr(0, colon)),
                                 colon == std::string_view::npos ? "" : std::string(line.substr(colon + 1))});
    }
  }
  request.body = std::string(rest);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const HttpRequest request = RequestFrom(std::string_view(reinterpret_cast<const char*>(data), size));
  smsgw::Result<KannelParams> params = ReadKannelParams(request);
  if (!params.ok()) {
    SMSGW_FUZZ_CHECK(params.status().code() == smsgw::ErrorCode::kInvalidArgument);
    return 0;
  }
  if (std::optional<std::string> key = KannelApiKey(*params)) SMSGW_FUZZ_CHECK(key->find('.') != std::string::npos);
  smsgw::Result<KannelSend> send = ParseKannelSend(*params, {"op1"});
  if (!send.ok()) {
    SMSGW_FUZZ_CHECK(send.status().code() == smsgw::ErrorCode::kInvalidArgument);
    SMSGW_FUZZ_CHECK(!send.status().message().empty());
    return 0;
  }
  SMSGW_FUZZ_CHECK(!send->to.empty() && send->to.size() <= kMaxBatchItems);
  for (const std::string& to : send->to) {
    SMSGW_FUZZ_CHECK(!to.empty() && to.find_first_of(" \t\r\n") == std::string::npos);
  }
  SMSGW_FUZZ_CHECK(!smsgw::sms::FindInvalidUtf8(send->message.text).has_value());
  SMSGW_FUZZ_CHECK(send->message.dlr_mask >= 0 && send->message.dlr_mask <= 63);
  const std::string& url = send->message.dlr_url;
  SMSGW_FUZZ_CHECK(url.empty() || url.size() <= kMaxCallbackUrl);
  return 0;
}
