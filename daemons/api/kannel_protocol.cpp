#include "api/kannel_protocol.h"

#include <iconv.h>

#include <cctype>
#include <charconv>

#include "api/batch_request.h"

namespace smsgw::api {
namespace {

constexpr int64_t kMaxValidityMinutes = kMaxValiditySeconds / 60;
constexpr int kMaxDlrMask = 63;  // Kannel's five report kinds and intermediate notifications

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte. A '%' not followed
// by two hex digits is kept as it is, as browsers and Kannel's own decoder do.
std::string FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void AddForm(std::string_view form, KannelParams* out) {
  while (!form.empty()) {
    const size_t amp = form.find('&');
    const std::string_view pair = form.substr(0, amp);
    form = amp == std::string_view::npos ? std::string_view() : form.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    out->values.emplace_back(FormDecode(pair.substr(0, eq)),
                             eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1)));
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// The media type and charset parameter of a Content-Type value, lower-cased.
std::pair<std::string, std::string> MediaType(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  std::string media = Lower(Trim(content_type.substr(0, semi)));
  std::string charset;
  if (semi != std::string_view::npos) {
    std::string_view params = content_type.substr(semi + 1);
    const size_t at = Lower(params).find("charset=");
    if (at != std::string::npos) {
      std::string_view v = params.substr(at + 8);
      v = v.substr(0, v.find(';'));
      charset = Trim(v);
      if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
        charset = charset.substr(1, charset.size() - 2);
      }
    }
  }
  return {media, charset};
}

// Kannel's POST form: X-Kannel-<Name> headers carry the parameters.
void AddKannelHeaders(const HttpRequest& request, KannelParams* out) {
  static constexpr std::pair<std::string_view, std::string_view> kHeaders[] = {
      {"X-Kannel-Username", "username"}, {"X-Kannel-Password", "password"}, {"X-Kannel-To", "to"},
      {"X-Kannel-From", "from"},         {"X-Kannel-SMSC", "smsc"},         {"X-Kannel-UDH", "udh"},
      {"X-Kannel-DLR-URL", "dlr-url"},   {"X-Kannel-DLR-Mask", "dlr-mask"}, {"X-Kannel-Coding", "coding"},
      {"X-Kannel-Validity", "validity"},
  };
  for (const auto& [header, name] : kHeaders) {
    if (auto v = request.Get(header)) out->values.emplace_back(std::string(name), Trim(*v));
  }
}

// An integer parameter: nullopt when absent or -1 (Kannel's "undefined"); Error when not an
// integer or outside [min, max].
Result<std::optional<int64_t>> IntParam(const KannelParams& p, std::string_view name, std::string_view alias,
                                        int64_t min, int64_t max, const char* misformed) {
  std::optional<std::string> v = p.Get(name, alias);
  if (!v || v->empty()) return std::optional<int64_t>();
  int64_t n = 0;
  const std::string s = Trim(*v);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return Status::InvalidArgument(misformed);
  if (n == -1) return std::optional<int64_t>();
  if (n < min || n > max) return Status::InvalidArgument(misformed);
  return std::optional<int64_t>(n);
}

// `bytes` in `charset`, as UTF-8 (glibc's iconv; UTF-8 in is checked the same way). InvalidArgument
// on an unknown charset or bytes that are not of it.
Result<std::string> ToUtf8(const std::string& bytes, const std::string& charset) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return Status::InvalidArgument("unknown charset");
  std::string out(bytes.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* o = out.data();
  size_t out_left = out.size();
  const size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1) || in_left != 0) return Status::InvalidArgument("not in that charset");
  out.resize(out.size() - out_left);
  return out;
}

}  // namespace

std::optional<std::string> KannelParams::Get(std::string_view name, std::string_view alias) const {
  for (const auto& [k, v] : values) {
    if (k == name || (!alias.empty() && k == alias)) return v;
  }
  return std::nullopt;
}

Result<KannelParams> ReadKannelParams(const HttpRequest& request) {
  KannelParams out;
  const std::string_view target = request.target;
  const size_t q = target.find('?');
  if (q != std::string_view::npos) AddForm(target.substr(q + 1), &out);
  if (request.method != "POST") return out;
  const auto [media, charset] = MediaType(request.Get("Content-Type").value_or(""));
  if (media == "application/x-www-form-urlencoded") {
    AddForm(request.body, &out);
  } else if (media == "text/plain") {
    AddKannelHeaders(request, &out);
    out.values.emplace_back("text", request.body);
    if (!charset.empty()) out.values.emplace_back("charset", charset);
  } else {
    return Status::InvalidArgument("Invalid content-type");
  }
  return out;
}

std::optional<std::string> KannelApiKey(const KannelParams& params) {
  std::optional<std::string> user = params.Get("username", "user");
  std::optional<std::string> pass = params.Get("password", "pass");
  if (!user || !pass || user->empty() || pass->empty()) return std::nullopt;
  return *user + "." + *pass;
}

Result<KannelSend> ParseKannelSend(const KannelParams& p, const std::vector<std::string>& operators) {
  KannelSend out;
  std::optional<std::string> to = p.Get("to");
  if (!to) return Status::InvalidArgument("Missing receiver number, rejected");
  size_t at = 0;
  while (at < to->size()) {
    const size_t start = to->find_first_not_of(" \t\r\n", at);
    if (start == std::string::npos) break;
    const size_t end = to->find_first_of(" \t\r\n", start);
    out.to.push_back(to->substr(start, end == std::string::npos ? std::string::npos : end - start));
    at = end == std::string::npos ? to->size() : end;
  }
  if (out.to.empty()) return Status::InvalidArgument("Empty receiver number not allowed, rejected");
  if (out.to.size() > kMaxBatchItems) {
    return Status::InvalidArgument("Too many receivers (at most " + std::to_string(kMaxBatchItems) + "), rejected");
  }
  if (std::optional<std::string> udh = p.Get("udh"); udh && !udh->empty()) {
    return Status::InvalidArgument("UDH field not supported, rejected");
  }

  Result<std::optional<int64_t>> coding = IntParam(p, "coding", {}, 0, 2, "Coding field misformed, rejected");
  if (!coding.ok()) return coding.status();
  if (*coding == 1) return Status::InvalidArgument("Coding 1 (8 bits) not supported, rejected");
  if (*coding) out.coding = **coding == 2 ? sms::Encoding::kUcs2 : sms::Encoding::kGsm7;
  std::string charset = p.Get("charset").value_or("");
  if (charset.empty()) charset = out.coding == sms::Encoding::kUcs2 ? "UTF-16BE" : "UTF-8";
  Result<std::string> text = ToUtf8(p.Get("text").value_or(""), charset);
  if (!text.ok()) return Status::InvalidArgument("Charset or body misformed, rejected");
  out.message.text = std::move(text).value();

  out.message.from = p.Get("from").value_or("");
  Result<std::optional<int64_t>> validity =
      IntParam(p, "validity", {}, 1, kMaxValidityMinutes, "Validity field misformed, rejected");
  if (!validity.ok()) return validity.status();
  if (*validity) out.message.validity_s = **validity * 60;

  Result<std::optional<int64_t>> mask =
      IntParam(p, "dlr-mask", "dlrmask", 0, kMaxDlrMask, "DLR-Mask field misformed, rejected");
  if (!mask.ok()) return mask.status();
  out.message.dlr_mask = static_cast<int32_t>(mask->value_or(0));
  out.message.dlr_url = p.Get("dlr-url", "dlrurl").value_or("");
  if (!out.message.dlr_url.empty()) {
    const std::string scheme = Lower(out.message.dlr_url.substr(0, 8));
    const bool http = scheme.rfind("http://", 0) == 0 || scheme == "https://";
    if (!http || out.message.dlr_url.size() < 8 || out.message.dlr_url.size() > kMaxCallbackUrl) {
      return Status::InvalidArgument("DLR-URL field misformed, rejected");
    }
  }

  if (std::optional<std::string> smsc = p.Get("smsc"); smsc && !smsc->empty()) {
    bool known = false;
    for (const std::string& name : operators) known = known || name == *smsc;
    if (!known) return Status::InvalidArgument("Unknown smsc, rejected");
  }
  return out;
}

HttpResponse KannelReply(int status, std::string text) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "text/html"});
  r.body = std::move(text);
  if (status == 503) r.Set("Retry-After", "1");
  return r;
}

HttpResponse KannelProblem(const ProblemKind& kind, std::string detail) {
  switch (kind.http_status) {
    case 401:
    case 403:
      return KannelReply(403, "Authorization failed for sendsms");
    case 402:
      return KannelReply(402, "Insufficient funds, rejected");
    case 429:
      return KannelReply(429, "Too many requests, try again later.");
    case 503:
      return KannelReply(503, "Temporal failure, try again later.");
    default:
      break;
  }
  if (kind.http_status >= 500) return KannelReply(kind.http_status, "Sending failed.");
  return KannelReply(kind.http_status, std::move(detail));
}

}  // namespace smsgw::api
