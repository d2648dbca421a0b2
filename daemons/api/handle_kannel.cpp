// GET and POST /cgi-bin/sendsms: Kannel's send interface (kannel_protocol.h), on the same path
// as POST /v1/messages/batch: every receiver is one message, priced and debited together.
#include <memory>

#include "api/handlers.h"
#include "api/kannel_protocol.h"
#include "api/send.h"
#include "api/send_metrics.h"
#include "sms/phone.h"

namespace smsgw::api {
namespace {

constexpr const char* kAllDenied = "Number(s) has/have been denied by white- and/or black-lists.";

// Kannel passes numbers on as written; scripts often write international numbers without '+'
// ("989121234567"). A number that is not valid in the default region but is as international
// digits is read that way.
Result<std::string> KannelNumber(const std::string& to, const std::string& region) {
  Result<std::string> n = sms::NormalizeNumber(to, region);
  if (n.ok() || to.empty() || to.find_first_not_of("0123456789") != std::string::npos) return n;
  return sms::NormalizeNumber("+" + to, region);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += " " + s;
  return out;
}

}  // namespace

void HandleKannelSend(const ApiDeps& deps, const Call& call, Respond respond) {
  // Refusals here are Kannel's plain 400s; they are counted under the problem code the REST
  // routes would use.
  SendMetrics& metrics = SendMetrics::Get();
  Result<KannelParams> params = ReadKannelParams(call.request);
  if (!params.ok()) {
    metrics.Refused(params.status());
    return respond(KannelReply(400, params.status().message()));
  }
  Result<KannelSend> send = ParseKannelSend(*params, deps.operator_names);
  if (!send.ok()) {
    metrics.Refused(send.status());
    return respond(KannelReply(400, send.status().message()));
  }
  if (Status target = CheckCallbackTargets(send->message, deps.callback_allow_private); !target.ok()) {
    metrics.Refused(target);
    return respond(KannelReply(400, "DLR-URL target not allowed, rejected"));
  }

  std::vector<std::string> denied;
  auto receivers = std::make_shared<std::vector<std::string>>();  // as written, per envelope
  std::vector<v1::Envelope> envelopes;
  const int64_t now = deps.now_ms();
  for (const std::string& to : send->to) {
    Result<std::string> number = KannelNumber(to, deps.config->default_region);
    if (!number.ok()) {
      metrics.Refused(number.status());
      denied.push_back(to);
      continue;
    }
    SendRequest one = send->message;
    one.to = *number;
    one.encoding = send->coding;
    Result<v1::Envelope> e = PrepareMessage(one, *call.account, deps.config->default_region, call.new_id(), now);
    if (!e.ok()) {  // text or from: the same for all
      metrics.Refused(KindFor(e.status().code()).code, send->to.size() - denied.size());
      return respond(KannelReply(400, e.status().message()));
    }
    receivers->push_back(to);
    envelopes.push_back(std::move(e).value());
  }
  if (envelopes.empty()) return respond(KannelReply(400, kAllDenied));

  std::string accepted = kKannelAccepted;
  if (!denied.empty()) accepted += "; denied receivers are:" + Join(denied);
  auto ids = std::make_shared<std::vector<std::string>>();
  for (const v1::Envelope& e : envelopes) ids->push_back(e.id());
  deps.sender->Submit(std::move(envelopes), [&deps, account = *call.account, receivers, ids, accepted,
                                             respond = std::move(respond)](std::vector<Status> result) mutable {
    std::vector<std::string> failed;
    std::vector<std::string> unsettled_ids;
    const Status* first_failure = nullptr;
    for (size_t i = 0; i < result.size(); ++i) {
      if (result[i].ok()) continue;
      if (result[i].code() == ErrorCode::kUnavailable) {
        unsettled_ids.push_back((*ids)[i]);
        continue;
      }
      failed.push_back((*receivers)[i]);
      if (first_failure == nullptr) first_failure = &result[i];
    }
    if (!failed.empty()) accepted += "; failed receivers are:" + Join(failed);
    if (!unsettled_ids.empty()) {
      // The ledger or Redis failed: nothing of this request was accepted. Whether its debited
      // messages were queued after all is for an Idempotency-Key retry to find out.
      HttpResponse r = KannelProblem(KindFor(ErrorCode::kUnavailable), "");
      r.log_detail = "send: the ledger or Redis failed";
      r.unsettled =
          std::make_shared<const UnsettledSend>(UnsettledSend{std::move(unsettled_ids), KannelReply(202, accepted)});
      return respond(std::move(r));
    }
    if (failed.size() == result.size()) {
      if (first_failure->code() == ErrorCode::kPermissionDenied ||
          first_failure->code() == ErrorCode::kUnauthenticated) {
        deps.auth->Forget(account.key_hash);
      }
      return respond(KannelProblem(KindFor(first_failure->code()), first_failure->message()));
    }
    respond(KannelReply(202, accepted));
  });
}

}  // namespace smsgw::api
