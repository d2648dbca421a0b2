// The OpenAPI document (daemons/api/openapi.json, served at GET /v1/openapi.json) against the
// running implementation: every route the API serves is described and every described route
// is served; every answer the tests below provoke (each route, each status, each problem code)
// is one its operation describes, with the headers and required fields it promises. Whether the
// document is valid OpenAPI 3.1 is `redocly lint`'s job (scripts/test).
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "api/app.h"
#include "api/problem.h"
#include "keys/keys.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

// Routes described ahead of their handlers (smsgw-report's list, export and stats): served once
// those land.
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Contract {
 public:
  explicit Contract(nlohmann::json doc) : doc_(std::move(doc)) {}

  const nlohmann::json& Resolve(const nlohmann::json& node) const {
    if (!node.is_object() || !node.contains("$ref")) return node;
    std::string ref = node.at("$ref").get<std::string>();  // "#/components/schemas/Name"
    const nlohmann::json* at = &doc_;
    size_t pos = 2;
    while (pos < ref.size()) {
      const size_t slash = ref.find('/', pos);
      at = &at->at(ref.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
      pos = slash == std::string::npos ? ref.size() : slash + 1;
    }
    return Resolve(*at);
  }

  // The properties a schema requires, through allOf.
  std::set<std::string> Required(const nlohmann::json& schema_ref) const {
    const nlohmann::json& schema = Resolve(schema_ref);
    std::set<std::string> out;
    if (schema.contains("required")) {
      for (const auto& r : schema.at("required")) out.insert(r.get<std::string>());
    }
    if (schema.contains("allOf")) {
      for (const auto& part : schema.at("allOf")) {
        std::set<std::string> more = Required(part);
        out.insert(more.begin(), more.end());
      }
    }
    return out;
  }

  // Checks one answer against the operation's description.
  void Check(const std::string& method, const std::string& pattern, const HttpResponse& r) {
    SCOPED_TRACE(method + " " + pattern + " -> " + std::to_string(r.status) + " " + r.body.substr(0, 200));
    seen_.insert({Lower(method), pattern});
    ASSERT_TRUE(doc_.at("paths").contains(pattern));
    const nlohmann::json& op = doc_.at("paths").at(pattern).at(Lower(method));
    const std::string status = std::to_string(r.status);
    ASSERT_TRUE(op.at("responses").contains(status)) << "status not described";
    const nlohmann::json& response = Resolve(op.at("responses").at(status));
    // Headers every such answer carries must be described, and be there.
    const nlohmann::json headers = response.value("headers", nlohmann::json::object());
    std::vector<std::string> always = {"X-Request-ID"};
    if (r.status == 503 || r.status == 429) always.push_back("Retry-After");
    if (r.status == 401) always.push_back("WWW-Authenticate");
    if (r.Header("idempotent-replayed") == "true") always.push_back("Idempotent-Replayed");
    for (const std::string& name : always) {
      EXPECT_TRUE(headers.contains(name)) << name << " sent but not described";
      EXPECT_FALSE(r.Header(Lower(name)).empty()) << name << " missing";
    }
    if (!response.contains("content")) return;
    const std::string type = r.Header("content-type");
    ASSERT_TRUE(response.at("content").contains(type)) << "content type " << type << " not described";
    // JSON documents only: JSON Lines (an export) is a stream of them.
    if (type.find("json") == std::string::npos || type.find("ndjson") != std::string::npos) return;
    const nlohmann::json body = r.Json();
    const nlohmann::json& schema = response.at("content").at(type).at("schema");
    for (const std::string& field : Required(schema)) EXPECT_TRUE(body.contains(field)) << "missing " << field;
    if (type == "application/problem+json") {
      const nlohmann::json& codes = Resolve(schema).at("properties").at("code").at("enum");
      EXPECT_NE(std::find(codes.begin(), codes.end(), body.at("code")), codes.end())
          << "problem code " << body.at("code") << " not described for this answer";
    }
  }

  const nlohmann::json& doc() const { return doc_; }
  const std::set<std::pair<std::string, std::string>>& seen() const { return seen_; }

 private:
  nlohmann::json doc_;
  std::set<std::pair<std::string, std::string>> seen_;
};

TEST(ApiOpenApiTest, TheDocumentDescribesEveryRouteAndAnswer) {
  Stack::Options options;
  options.sched = false;
  options.api_toml = "max_body_bytes = 65536\nmax_header_bytes = 4096\n";
  Stack stack(options);
  ASSERT_TRUE(stack.redis().Run({"SET", keys::kLedgerReady, "1"}).ok());
  HttpResponse served = stack.Api("GET", "/v1/openapi.json");
  ASSERT_EQ(served.status, 200);
  Contract c(served.Json());
  EXPECT_EQ(c.doc().at("openapi"), "3.1.0");
  c.Check("GET", "/v1/openapi.json", served);

  // Both ways: what is served is described, what is described is served.
  std::set<std::pair<std::string, std::string>> served_routes;
  for (const auto& [method, pattern] : api::App(api::ApiDeps{}).Routes()) {
    served_routes.insert({Lower(method), pattern});
    EXPECT_TRUE(c.doc().at("paths").contains(pattern) && c.doc().at("paths").at(pattern).contains(Lower(method)))
        << method << " " << pattern << " is served but not described";
  }
  for (const auto& [path, item] : c.doc().at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      EXPECT_TRUE(served_routes.count({method, path})) << method << " " << path << " is described but not served";
    }
  }
  // Every problem code the API can answer is in the document's list.
  std::set<std::string> codes;
  for (ErrorCode e : {ErrorCode::kInvalidArgument, ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied,
                      ErrorCode::kInsufficientFunds, ErrorCode::kNotFound, ErrorCode::kConflict, ErrorCode::kUnavailable,
                      ErrorCode::kInternal}) {
    codes.insert(std::string(api::KindFor(e).code));
  }
  for (const api::ProblemKind& k : api::kHttpProblemKinds) codes.insert(std::string(k.code));
  const nlohmann::json& listed = c.doc().at("components").at("schemas").at("Problem").at("properties").at("code").at("enum");
  for (const std::string& code : codes) {
    if (code == "conflict") continue;  // ErrorCode::kConflict never reaches HTTP: 409s have their own codes
    EXPECT_NE(std::find(listed.begin(), listed.end(), code), listed.end()) << code << " not in Problem.code";
  }

  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("contract", 10, 1000);
  int64_t poor = 0;
  std::string poor_key;
  std::tie(poor, poor_key) = stack.CreateFundedAccount("contract-poor", 10, 5);
  int64_t off = 0;
  std::string off_key;
  std::tie(off, off_key) = stack.CreateFundedAccount("contract-off", 10, 100);
  ASSERT_TRUE(stack.redis().Run({"HSET", keys::Account(off), "status", "disabled"}).ok());
  int64_t slow = 0;
  std::string slow_key;
  std::tie(slow, slow_key) = stack.CreateFundedAccount("contract-slow", 10, 100);
  ASSERT_TRUE(stack.redis().Run({"HSET", keys::Account(slow), "rate_rps", "1", "rate_burst", "1"}).ok());
  const std::string msg = R"({"to":"+989121234567","text":"contract"})";
  const std::string kannel = "username=" + key.substr(0, key.find('.')) + "&password=" + key.substr(key.find('.') + 1);

  HttpResponse sent = stack.Api("POST", "/v1/messages", msg, key, {{"Idempotency-Key", "c-1"}});
  c.Check("POST", "/v1/messages", sent);
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", msg, key, {{"Idempotency-Key", "c-1"}}));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", "{", key));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", R"({"to":"x","text":"y"})", key));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", msg));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", msg, poor_key, {}));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", msg, poor_key, {}));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", msg, off_key));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", "{}", key, {{"Idempotency-Key", "c-1"}}));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", std::string(70000, ' '), key));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", "to=1", key, {{"Content-Type", "text/plain"}}));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", msg, key, {{"X-Pad", std::string(5000, 'p')}}));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", msg, slow_key));
  c.Check("POST", "/v1/messages", stack.Api("POST", "/v1/messages", msg, slow_key));

  std::string many = R"({"to":[)";
  for (int i = 0; i < 1001; ++i) many += std::string(i ? "," : "") + "\"1\"";
  c.Check("POST", "/v1/messages/batch", stack.Api("POST", "/v1/messages/batch", R"({"to":["+989121234567","1"],"text":"b"})", key));
  c.Check("POST", "/v1/messages/batch", stack.Api("POST", "/v1/messages/batch", many + R"(],"text":"b"})", key));
  c.Check("POST", "/v1/messages/batch", stack.Api("POST", "/v1/messages/batch", R"({"messages":7})", key));

  c.Check("GET", "/v1/messages/{id}", stack.Api("GET", "/v1/messages/" + sent.Json().at("id").get<std::string>(), "", key));
  c.Check("GET", "/v1/messages/{id}", stack.Api("GET", "/v1/messages/919108f7-52d1-4320-9bac-f847db4148a8", "", key));
  c.Check("GET", "/v1/balance", stack.Api("GET", "/v1/balance", "", key));
  c.Check("GET", "/v1/messages", stack.Api("GET", "/v1/messages?limit=2&status=accepted,submitted", "", key));
  c.Check("GET", "/v1/messages", stack.Api("GET", "/v1/messages?limit=5000", "", key));
  c.Check("GET", "/v1/messages", stack.Api("GET", "/v1/messages?cursor=%21%21", "", key));
  c.Check("GET", "/v1/messages", stack.Api("GET", "/v1/messages"));
  c.Check("GET", "/v1/messages/export", stack.Api("GET", "/v1/messages/export?format=jsonl&since=2026-01-01", "", key));
  c.Check("GET", "/v1/messages/export", stack.Api("GET", "/v1/messages/export?format=xml", "", key));
  c.Check("GET", "/v1/stats", stack.Api("GET", "/v1/stats?days=3", "", key));
  c.Check("GET", "/v1/stats", stack.Api("GET", "/v1/stats?days=0", "", key));
  c.Check("GET", "/v1/balance", stack.Api("GET", "/v1/balance", "", "garbage"));
  c.Check("GET", "/healthz", stack.Api("GET", "/healthz"));
  EXPECT_TRUE(WaitUntil([&] { return stack.Api("GET", "/readyz").status == 200; }));
  c.Check("GET", "/readyz", stack.Api("GET", "/readyz"));

  c.Check("GET", "/cgi-bin/sendsms", stack.Api("GET", "/cgi-bin/sendsms?" + kannel + "&to=989121234567&text=hi"));
  c.Check("GET", "/cgi-bin/sendsms", stack.Api("GET", "/cgi-bin/sendsms?" + kannel + "&text=hi"));
  c.Check("GET", "/cgi-bin/sendsms", stack.Api("GET", "/cgi-bin/sendsms?username=x&password=y&to=989121234567&text=hi"));
  c.Check("POST", "/cgi-bin/sendsms",
          stack.Api("POST", "/cgi-bin/sendsms", kannel + "&to=989121234567&text=hi", "",
                    {{"Content-Type", "application/x-www-form-urlencoded"}, {"Idempotency-Key", "k-1"}}));
  c.Check("POST", "/cgi-bin/sendsms",
          stack.Api("POST", "/cgi-bin/sendsms", kannel + "&to=989121234568&text=hi", "",
                    {{"Content-Type", "application/x-www-form-urlencoded"}, {"Idempotency-Key", "k-1"}}));

  // Dependencies: Redis not loaded (readyz), and a queue past its depth (sends). The ledger is
  // stopped first: running, it reloads Redis and sets the marker again at once.
  stack.process("smsgw-ledger")->Stop();
  ASSERT_TRUE(stack.redis().Run({"DEL", keys::kLedgerReady}).ok());
  EXPECT_TRUE(WaitUntil([&] { return stack.Api("GET", "/readyz").status == 503; }));
  c.Check("GET", "/readyz", stack.Api("GET", "/readyz"));
  c.Check("GET", "/v1/balance", stack.Api("GET", "/v1/balance", "", "0123456789abcdef.0123456789abcdef0123456789abcdef"));

  for (const auto& [method, path] : served_routes) {
    EXPECT_TRUE(c.seen().count({method, path})) << method << " " << path << " was not exercised";
  }
}

}  // namespace
}  // namespace smsgw::testing
