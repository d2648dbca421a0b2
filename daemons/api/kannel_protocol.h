#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "api/problem.h"
#include "api/send_request.h"
#include "common/status.h"
#include "sms/encoding.h"

// Kannel's /cgi-bin/sendsms, read and answered as Kannel 1.4's smsbox does (its user guide,
// "SMS Push (send-sms) CGI Variables", and gw/smsbox.c), so scripts written for Kannel work
// unchanged. Pure functions; handle_kannel.cpp does the sending.
//
// A request's parameters come from the query string (GET), from an
// application/x-www-form-urlencoded body, or, for Kannel's own POST form, from X-Kannel-*
// headers with the text as a text/plain body. Names are Kannel's: username (or user), password
// (or pass), to (several, separated by spaces), text, from, coding, charset, udh, validity
// (minutes), dlr-mask (or dlrmask), dlr-url (or dlrurl), smsc. Other parameters are ignored, as
// Kannel ignores those it does not know.
namespace smsgw::api {

struct KannelParams {
  std::vector<std::pair<std::string, std::string>> values;  // decoded, in order

  // The first value of `name` (or of `alias`), or nullopt. Kannel reads the first one too.
  std::optional<std::string> Get(std::string_view name, std::string_view alias = {}) const;
};

// The parameters of a sendsms request. InvalidArgument "Invalid content-type" (Kannel's text)
// for a POST body that is neither form-encoded nor text/plain.
Result<KannelParams> ReadKannelParams(const HttpRequest& request);

// The API key that `username` and `password` stand for ("<key id>.<secret>"), or nullopt when
// either is missing or empty.
std::optional<std::string> KannelApiKey(const KannelParams& params);

// One sendsms request, checked. `message` holds what every receiver shares (text already
// converted to UTF-8, from, validity, dlr-url, dlr-mask); `to` the receivers as written.
struct KannelSend {
  std::vector<std::string> to;
  SendRequest message;
  std::optional<sms::Encoding> coding;  // coding=0 or 2 asks for one; absent: whichever fits
};

// Reads and checks the parameters. Errors are InvalidArgument with Kannel's answer text
// ("Missing receiver number, rejected", "Empty receiver number not allowed, rejected",
// "DLR-Mask field misformed, rejected", "Charset or body misformed, rejected", ...).
// `operators` are the configured operator names, which `smsc` must be one of.
Result<KannelSend> ParseKannelSend(const KannelParams& params, const std::vector<std::string>& operators);

// `text` (Content-Type text/html, as Kannel sends it) with `status`; 503 carries Retry-After.
HttpResponse KannelReply(int status, std::string text);

// The Kannel answer for a problem of the REST API's kind (401/403 "Authorization failed for
// sendsms", 503 "Temporal failure, try again later.", 400 with the detail, ...).
HttpResponse KannelProblem(const ProblemKind& kind, std::string detail);

inline constexpr const char* kKannelAccepted = "0: Accepted for delivery";

}  // namespace smsgw::api
