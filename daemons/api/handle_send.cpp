// POST /v1/messages and POST /v1/messages/batch: check and price on the I/O thread, then hand
// the messages to SendBatcher, which debits and enqueues them with other requests' and answers.
#include <memory>

#include "api/batch_request.h"
#include "api/dependency_monitor.h"
#include "api/handlers.h"
#include "api/problem.h"
#include "api/send.h"
#include "api/send_metrics.h"
#include "api/views.h"

namespace smsgw::api {
namespace {

// The body as a JSON object, or the problem to answer (counted as one refused message).
Result<nlohmann::json> ReadJsonBody(const Call& call, HttpResponse* problem) {
  if (!IsJsonContentType(call.request.Get("Content-Type"))) {
    SendMetrics::Get().Refused(kUnsupportedMediaType.code);
    *problem = ProblemResponse(kUnsupportedMediaType, "Content-Type must be application/json");
    return Status::InvalidArgument("content type");
  }
  Result<nlohmann::json> body = ParseJsonObject(call.request.body);
  if (!body.ok()) {
    SendMetrics::Get().Refused(kInvalidJson.code);
    *problem = ProblemResponse(kInvalidJson, body.status().message());
  }
  return body;
}

// A message refused before it reached the ledger: counted, then answered.
void RespondRefused(const Status& why, Respond& respond) {
  SendMetrics::Get().Refused(why);
  respond(ProblemResponse(why));
}

// The message id of an accepted answer (its Location's last segment).
std::string IdOf(const HttpResponse& accepted) {
  const std::string_view location = accepted.Get("Location").value_or("");
  return std::string(location.substr(location.rfind('/') + 1));
}

// A 503 after the messages reached the ledger: whether they were queued after all is for an
// Idempotency-Key retry to find out from their holds (idempotency_gate.h).
std::shared_ptr<const UnsettledSend> Unsettled(std::vector<std::string> ids, HttpResponse if_queued) {
  return std::make_shared<const UnsettledSend>(UnsettledSend{std::move(ids), std::move(if_queued)});
}

// The ledger does not know the account: while Redis is being reloaded (no ledger:ready) that
// says nothing about the key, so the answer is 503, not 401 (review M12, contract 3).
Status WhileReloading(const ApiDeps& deps, Status s) {
  if (s.code() != ErrorCode::kUnauthenticated || deps.monitor == nullptr || deps.monitor->Last().loaded) return s;
  return Status::Unavailable("the ledger does not know the account while Redis is reloaded: " + s.message());
}

// The ledger knows better than our cache: make the next request look the key up again.
void ForgetKeyIfRefused(const ApiDeps& deps, const Account& account, const Status& s) {
  if (s.code() == ErrorCode::kPermissionDenied || s.code() == ErrorCode::kUnauthenticated) {
    deps.auth->Forget(account.key_hash);
  }
}

}  // namespace

void HandleSendMessage(const ApiDeps& deps, const Call& call, Respond respond) {
  HttpResponse problem;
  Result<nlohmann::json> body = ReadJsonBody(call, &problem);
  if (!body.ok()) return respond(std::move(problem));
  Result<SendRequest> req = ParseSendRequest(*body);
  if (!req.ok()) return RespondRefused(req.status(), respond);
  if (Status s = CheckCallbackTargets(*req, deps.callback_allow_private); !s.ok()) return RespondRefused(s, respond);
  Result<v1::Envelope> envelope = PrepareMessage(*req, *call.account, deps.config->default_region, call.new_id(),
                                                 deps.now_ms());
  if (!envelope.ok()) return RespondRefused(envelope.status(), respond);

  HttpResponse accepted = JsonResponse(202, AcceptedJson(*envelope));
  accepted.Set("Location", "/v1/messages/" + envelope->id());
  std::vector<v1::Envelope> one;
  one.push_back(std::move(envelope).value());
  deps.sender->Submit(std::move(one), [&deps, account = *call.account, accepted = std::move(accepted),
                                       respond = std::move(respond)](std::vector<Status> result) mutable {
    const Status s = WhileReloading(deps, std::move(result.at(0)));
    if (s.ok()) return respond(std::move(accepted));
    ForgetKeyIfRefused(deps, account, s);
    HttpResponse problem = ProblemResponse(s);
    if (s.code() == ErrorCode::kUnavailable) problem.unsettled = Unsettled({IdOf(accepted)}, accepted);
    respond(std::move(problem));
  });
}

void HandleSendBatch(const ApiDeps& deps, const Call& call, Respond respond) {
  HttpResponse problem;
  Result<nlohmann::json> body = ReadJsonBody(call, &problem);
  if (!body.ok()) return respond(std::move(problem));
  Result<BatchRequest> batch = ParseBatchRequest(*body);
  if (!batch.ok()) return RespondRefused(batch.status(), respond);
  if (batch->too_many) {
    SendMetrics::Get().Refused(kPayloadTooLarge.code);
    return respond(ProblemResponse(kPayloadTooLarge,
                                   "messages: at most " + std::to_string(kMaxBatchItems) + " items per batch"));
  }
  SendMetrics::Get().BatchItems(batch->items.size());

  // Per item: its answer if it is refused here, else its accepted view (until the ledger says).
  auto results = std::make_shared<std::vector<nlohmann::json>>();
  auto statuses = std::make_shared<std::vector<Status>>(batch->items.size());
  std::vector<size_t> submitted;  // item index of each envelope
  std::vector<v1::Envelope> envelopes;
  const int64_t now = deps.now_ms();
  for (size_t i = 0; i < batch->items.size(); ++i) {
    const Result<SendRequest>& item = batch->items[i];
    const Status target = item.ok() ? CheckCallbackTargets(*item, deps.callback_allow_private) : item.status();
    Result<v1::Envelope> envelope =
        target.ok() ? PrepareMessage(*item, *call.account, deps.config->default_region, call.new_id(), now)
                    : Result<v1::Envelope>(target);
    if (!envelope.ok()) {
      SendMetrics::Get().Refused(envelope.status());
      (*statuses)[i] = envelope.status();
      results->push_back(nullptr);
      continue;
    }
    results->push_back(AcceptedJson(*envelope));
    submitted.push_back(i);
    envelopes.push_back(std::move(envelope).value());
  }

  auto answer = [results, statuses](Respond& respond) {
    respond(JsonResponse(200, BatchResultJson(*results, *statuses)));
  };
  if (envelopes.empty()) return answer(respond);
  deps.sender->Submit(std::move(envelopes), [&deps, account = *call.account, results, statuses, answer,
                                             submitted = std::move(submitted),
                                             respond = std::move(respond)](std::vector<Status> result) mutable {
    // The ledger or Redis failed (Unavailable): nothing of this batch was accepted. Had the
    // debited messages been queued after all, they would have been accepted (the rest keep their
    // own answers), which is what an Idempotency-Key retry replays if their holds say so.
    std::vector<std::string> unsettled_ids;
    const Status* failure = nullptr;
    for (size_t k = 0; k < result.size(); ++k) {
      result[k] = WhileReloading(deps, std::move(result[k]));
      if (result[k].code() == ErrorCode::kUnavailable) {
        unsettled_ids.push_back((*results)[submitted[k]].at("id").get<std::string>());
        if (failure == nullptr) failure = &result[k];
      } else {
        (*statuses)[submitted[k]] = result[k];
      }
    }
    if (failure != nullptr) {
      HttpResponse problem = ProblemResponse(*failure);
      problem.unsettled = Unsettled(std::move(unsettled_ids), JsonResponse(200, BatchResultJson(*results, *statuses)));
      return respond(std::move(problem));
    }
    for (const Status& s : *statuses) ForgetKeyIfRefused(deps, account, s);
    answer(respond);
  });
}

}  // namespace smsgw::api
