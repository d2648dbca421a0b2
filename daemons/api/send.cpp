#include "api/send.h"

#include <spdlog/spdlog.h>

#include <unordered_set>

#include "keys/keys.h"
#include "sms/phone.h"
#include "sms/pricing.h"

namespace smsgw::api {
namespace {

v1::Encoding ToProto(sms::Encoding e) { return e == sms::Encoding::kUcs2 ? v1::ENCODING_UCS2 : v1::ENCODING_GSM7; }

// Undoes debits whose messages could not be queued, or whose debit reply was lost. A failed
// refund is only logged: the holds then expire after hold_ttl_s and the sweeper refunds them
// (and Capture of an expired hold fails, so nothing is sent unpaid).
void RefundQuietly(const SendDeps& deps, const std::vector<const v1::Envelope*>& envelopes, const Status& why) {
  if (envelopes.empty()) return;
  v1::RefundBatchRequest req;
  for (const v1::Envelope* e : envelopes) {
    v1::RefundRequest* item = req.add_items();
    item->set_account_id(e->account_id());
    item->set_message_id(e->id());
    item->set_reason(why.message());
  }
  Result<v1::RefundBatchReply> r = deps.refund(req);
  if (!r.ok()) {
    spdlog::error("{} messages (first {}): {}; refund failed ({}); the holds will expire", envelopes.size(),
                  envelopes.front()->id(), why.ToString(), r.status().ToString());
  } else {
    spdlog::warn("{} messages (first {}): {}; refunded", envelopes.size(), envelopes.front()->id(), why.ToString());
  }
}

Status CheckDebit(const v1::DebitReply& reply, int64_t cost, int64_t account_id) {
  switch (reply.result()) {
    case v1::LEDGER_OK:
      return Status::Ok();
    case v1::LEDGER_INSUFFICIENT_FUNDS:
      return Status::InsufficientFunds("insufficient funds: cost " + std::to_string(cost) + ", balance " +
                                       std::to_string(reply.balance()));
    case v1::LEDGER_ACCOUNT_DISABLED:
      return Status::PermissionDenied("account " + std::to_string(account_id) + " is disabled");
    case v1::LEDGER_ACCOUNT_UNKNOWN:
      return Status::Unauthenticated("unknown account");
    default:
      return Status::Internal("ledger Debit: unexpected result " + v1::LedgerResult_Name(reply.result()));
  }
}

}  // namespace

Result<PricedMessage> PriceMessage(const SendRequest& req, const Account& account, const std::string& default_region) {
  PricedMessage out;
  Result<std::string> to = sms::NormalizeNumber(req.to, default_region);
  if (!to.ok()) return to.status();
  out.to = std::move(to).value();
  Result<std::string> from = sms::ValidateSender(req.from);
  if (!from.ok()) return from.status();
  out.from = std::move(from).value();
  Result<sms::TextInfo> text = sms::Analyze(req.text);
  if (!text.ok()) return text.status();
  out.text = *text;
  if (req.encoding && *req.encoding != out.text.encoding) {
    // Asked for explicitly (Kannel's coding): GSM-7 only if every character has a GSM-7 form;
    // UCS-2 for any text, sized as it will be split.
    if (*req.encoding == sms::Encoding::kGsm7) {
      return Status::InvalidArgument("text: has characters outside the GSM 03.38 alphabet (coding=0); use coding=2");
    }
    Result<std::vector<std::string>> parts = sms::EncodeParts(req.text, sms::Encoding::kUcs2);
    if (!parts.ok()) return parts.status();
    if (parts->size() > static_cast<size_t>(sms::kMaxSegments)) {
      return Status::InvalidArgument("text: longer than " + std::to_string(sms::kMaxSegments) + " UCS-2 segments");
    }
    out.text.encoding = sms::Encoding::kUcs2;
    out.text.segments = static_cast<int>(parts->size());
  }
  const int64_t per_segment = req.priority == v1::PRIORITY_EXPRESS ? account.price_express : account.price_normal;
  Result<int64_t> cost = sms::Price(out.text.segments, per_segment);
  if (!cost.ok()) {
    return Status::Internal("account " + std::to_string(account.id) + ": " + cost.status().message());
  }
  out.cost = *cost;
  return out;
}

v1::Envelope MakeEnvelope(const Account& account, const SendRequest& req, const PricedMessage& priced,
                          const std::string& id, int64_t now_ms) {
  v1::Envelope e;
  e.set_id(id);
  e.set_account_id(account.id);
  e.set_to(priced.to);
  e.set_from(priced.from);
  e.set_text(req.text);
  e.set_encoding(ToProto(priced.text.encoding));
  e.set_segments(priced.text.segments);
  e.set_cost(priced.cost);
  e.set_priority(req.priority);
  e.set_accepted_at_ms(now_ms);
  e.set_attempts(0);
  e.set_client_ref(req.client_ref);
  e.set_expires_at_ms(req.validity_s > 0 ? now_ms + req.validity_s * 1000 : 0);
  e.set_callback_url(req.callback_url);
  e.set_dlr_url(req.dlr_url);
  e.set_dlr_mask(req.dlr_mask);
  return e;
}

v1::StatusEvent AcceptedEvent(const v1::Envelope& envelope) {
  v1::StatusEvent ev;
  ev.set_message_id(envelope.id());
  ev.set_account_id(envelope.account_id());
  ev.set_status(v1::STATUS_ACCEPTED);
  ev.set_at_ms(envelope.accepted_at_ms());
  ev.set_to(envelope.to());
  ev.set_from(envelope.from());
  ev.set_encoding(envelope.encoding());
  ev.set_segments(envelope.segments());
  ev.set_cost(envelope.cost());
  ev.set_priority(envelope.priority());
  ev.set_client_ref(envelope.client_ref());
  ev.set_callback_url(envelope.callback_url());
  ev.set_dlr_url(envelope.dlr_url());
  ev.set_dlr_mask(envelope.dlr_mask());
  return ev;
}

std::vector<redis::Command> EnqueueCommands(const std::vector<const v1::Envelope*>& envelopes) {
  std::vector<redis::Command> cmds;
  cmds.reserve(2 * envelopes.size() + 1);
  redis::Command active = {"SADD", keys::kActiveAccounts};
  std::unordered_set<int64_t> marked;
  for (const v1::Envelope* e : envelopes) {
    const std::string payload = e->SerializeAsString();
    if (e->priority() == v1::PRIORITY_EXPRESS) {
      cmds.push_back({"XADD", keys::kExpressQueue, "*", keys::kPayloadField, payload});
    } else {
      cmds.push_back({"XADD", keys::AccountQueue(e->account_id()), "*", keys::kPayloadField, payload});
      if (marked.insert(e->account_id()).second) active.push_back(std::to_string(e->account_id()));
    }
    cmds.push_back({"XADD", keys::kReportEvents, "*", keys::kPayloadField, AcceptedEvent(*e).SerializeAsString()});
  }
  if (!marked.empty()) cmds.push_back(std::move(active));
  return cmds;
}

Result<v1::Envelope> PrepareMessage(const SendRequest& req, const Account& account, const std::string& default_region,
                                    const std::string& id, int64_t now_ms) {
  Result<PricedMessage> priced = PriceMessage(req, account, default_region);
  if (!priced.ok()) return priced.status();
  return MakeEnvelope(account, req, *priced, id, now_ms);
}

std::vector<Status> DebitAndEnqueue(const SendDeps& deps, const std::vector<v1::Envelope>& envelopes) {
  std::vector<Status> out(envelopes.size());
  if (envelopes.empty()) return out;
  v1::DebitBatchRequest debit;
  for (const v1::Envelope& e : envelopes) {
    v1::DebitRequest* item = debit.add_items();
    item->set_account_id(e.account_id());
    item->set_message_id(e.id());
    item->set_cost(e.cost());
    item->set_ttl_s(deps.hold_ttl_s);
  }
  Result<v1::DebitBatchReply> debited = deps.debit(debit);
  std::vector<const v1::Envelope*> all;
  for (const v1::Envelope& e : envelopes) all.push_back(&e);
  // Any failure of the call itself is the ledger's, not the customer's: 503, retry. The debits
  // may have landed before the reply was lost (a timeout): refund them now rather than leave
  // the customer's money held until the holds expire.
  if (!debited.ok() || debited->items_size() != debit.items_size()) {
    const Status why = debited.ok() ? Status::Internal("ledger DebitBatch: reply of another length")
                                    : Status::Unavailable("ledger: " + debited.status().message());
    RefundQuietly(deps, all, why);
    for (Status& s : out) s = Status::Unavailable(why.message());
    return out;
  }

  std::vector<const v1::Envelope*> queued;
  for (size_t i = 0; i < envelopes.size(); ++i) {
    const v1::Envelope& e = envelopes[i];
    out[i] = CheckDebit(debited->items(static_cast<int>(i)), e.cost(), e.account_id());
    if (!out[i].ok()) continue;
    queued.push_back(&e);
  }
  if (queued.empty()) return out;
  const std::vector<redis::Command> cmds = EnqueueCommands(queued);

  Result<std::vector<redis::Reply>> replies = deps.pipeline(cmds);
  const Status enqueue = replies.ok() ? redis::PipelineStatus(cmds, *replies) : replies.status();
  if (!enqueue.ok()) {
    // Whatever part of the pipeline ran, the refund makes the holds uncapturable, so a queued
    // envelope is dropped by the scheduler instead of being sent unpaid.
    RefundQuietly(deps, queued, enqueue);
    for (Status& s : out) {
      if (s.ok()) s = Status::Unavailable("enqueue: " + enqueue.message());
    }
  }
  return out;
}

}  // namespace smsgw::api
