#pragma once

#include "ledger/ledger.h"
#include "proto/smsgw.grpc.pb.h"

namespace smsgw::ledger {

// The gRPC face of Ledger: converts Status to gRPC status and nothing else.
class LedgerService final : public v1::Ledger::Service {
 public:
  explicit LedgerService(Ledger& ledger) : ledger_(ledger) {}

  grpc::Status CreateAccount(grpc::ServerContext*, const v1::CreateAccountRequest* req,
                             v1::CreateAccountReply* reply) override;
  grpc::Status TopUp(grpc::ServerContext*, const v1::TopUpRequest* req, v1::TopUpReply* reply) override;
  grpc::Status GetBalance(grpc::ServerContext*, const v1::GetBalanceRequest* req, v1::BalanceReply* reply) override;
  grpc::Status Debit(grpc::ServerContext*, const v1::DebitRequest* req, v1::DebitReply* reply) override;
  grpc::Status Capture(grpc::ServerContext*, const v1::CaptureRequest* req, v1::CaptureReply* reply) override;
  grpc::Status Refund(grpc::ServerContext*, const v1::RefundRequest* req, v1::RefundReply* reply) override;
  grpc::Status DebitBatch(grpc::ServerContext*, const v1::DebitBatchRequest* req, v1::DebitBatchReply* reply) override;
  grpc::Status CaptureBatch(grpc::ServerContext*, const v1::CaptureBatchRequest* req,
                            v1::CaptureBatchReply* reply) override;
  grpc::Status RefundBatch(grpc::ServerContext*, const v1::RefundBatchRequest* req,
                           v1::RefundBatchReply* reply) override;

 private:
  Ledger& ledger_;
};

}  // namespace smsgw::ledger
