#include "ledger/ledger_service.h"

#include <spdlog/spdlog.h>

#include "rpc/status.h"

namespace smsgw::ledger {
namespace {

template <typename Reply>
grpc::Status Answer(const char* what, Result<Reply> result, Reply* out) {
  if (!result.ok()) {
    if (result.status().code() == ErrorCode::kInternal || result.status().code() == ErrorCode::kUnavailable) {
      spdlog::error("{}: {}", what, result.status().ToString());
    }
    return rpc::ToGrpc(result.status());
  }
  *out = std::move(result).value();
  return grpc::Status::OK;
}

}  // namespace

grpc::Status LedgerService::CreateAccount(grpc::ServerContext*, const v1::CreateAccountRequest* req,
                                          v1::CreateAccountReply* reply) {
  return Answer("CreateAccount", ledger_.CreateAccount(*req), reply);
}

grpc::Status LedgerService::TopUp(grpc::ServerContext*, const v1::TopUpRequest* req, v1::TopUpReply* reply) {
  return Answer("TopUp", ledger_.TopUp(*req), reply);
}

grpc::Status LedgerService::GetBalance(grpc::ServerContext*, const v1::GetBalanceRequest* req,
                                       v1::BalanceReply* reply) {
  return Answer("GetBalance", ledger_.GetBalance(req->account_id()), reply);
}

grpc::Status LedgerService::Debit(grpc::ServerContext*, const v1::DebitRequest* req, v1::DebitReply* reply) {
  return Answer("Debit", ledger_.Debit(*req), reply);
}

grpc::Status LedgerService::Capture(grpc::ServerContext*, const v1::CaptureRequest* req, v1::CaptureReply* reply) {
  return Answer("Capture", ledger_.Capture(*req), reply);
}

grpc::Status LedgerService::Refund(grpc::ServerContext*, const v1::RefundRequest* req, v1::RefundReply* reply) {
  return Answer("Refund", ledger_.Refund(*req), reply);
}

grpc::Status LedgerService::DebitBatch(grpc::ServerContext*, const v1::DebitBatchRequest* req,
                                       v1::DebitBatchReply* reply) {
  return Answer("DebitBatch", ledger_.DebitBatch(*req), reply);
}

grpc::Status LedgerService::CaptureBatch(grpc::ServerContext*, const v1::CaptureBatchRequest* req,
                                         v1::CaptureBatchReply* reply) {
  return Answer("CaptureBatch", ledger_.CaptureBatch(*req), reply);
}

grpc::Status LedgerService::RefundBatch(grpc::ServerContext*, const v1::RefundBatchRequest* req,
                                        v1::RefundBatchReply* reply) {
  return Answer("RefundBatch", ledger_.RefundBatch(*req), reply);
}

}  // namespace smsgw::ledger
