// smsgw-api: the two shapes of a POST /v1/messages/batch body, and what each refuses.
#include <gtest/gtest.h>

#include "api/batch_request.h"
#include "api/send_request.h"

namespace smsgw::api {
namespace {

Result<BatchRequest> Parse(const char* text) { return ParseBatchRequest(nlohmann::json::parse(text)); }

TEST(ApiBatchRequestTest, MessagesShapeParsesEachItemAlone) {
  Result<BatchRequest> b = Parse(R"({"messages":[{"to":"+989121234567","text":"a"},
                                                 {"text":"no number"},
                                                 {"to":"+989121234568","text":"b","priority":"express"},
                                                 7]})");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->items.size(), 4u);
  ASSERT_TRUE(b->items[0].ok());
  EXPECT_EQ(b->items[0]->to, "+989121234567");
  ASSERT_FALSE(b->items[1].ok());
  EXPECT_EQ(b->items[1].status().message(), "to: required");
  ASSERT_TRUE(b->items[2].ok());
  EXPECT_EQ(b->items[2]->priority, v1::PRIORITY_EXPRESS);
  ASSERT_FALSE(b->items[3].ok());
  EXPECT_EQ(b->items[3].status().message(), "body: must be a JSON object");
}

TEST(ApiBatchRequestTest, ToShapeSharesTheOtherFields) {
  Result<BatchRequest> b = Parse(R"({"to":["+989121234567", 5, ""], "text":"hi", "client_ref":"r", "validity_s":60})");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->items.size(), 3u);
  ASSERT_TRUE(b->items[0].ok());
  EXPECT_EQ(b->items[0]->to, "+989121234567");
  EXPECT_EQ(b->items[0]->text, "hi");
  EXPECT_EQ(b->items[0]->client_ref, "r");
  EXPECT_EQ(b->items[0]->validity_s, 60);
  EXPECT_EQ(b->items[1].status().message(), "to: must be a string");
  EXPECT_EQ(b->items[2].status().message(), "to: required");
}

TEST(ApiBatchRequestTest, ASharedFaultRefusesTheWholeBody) {
  EXPECT_EQ(Parse(R"({"to":["+989121234567"]})").status().message(), "text: required");
  EXPECT_EQ(Parse(R"({"to":["+989121234567"],"text":"x","colour":1})").status().message(), "colour: unknown field");
}

TEST(ApiBatchRequestTest, NotAListIsRefused) {
  EXPECT_EQ(Parse(R"({"messages":{"to":"1"}})").status().message(), "messages: must be a list");
  EXPECT_EQ(Parse(R"({"messages":[]})").status().message(), "messages: must not be empty");
  EXPECT_EQ(Parse(R"({"to":"+989121234567","text":"x"})").status().message(), "to: must be a list");
  EXPECT_EQ(Parse(R"({"messages":[], "to":[]})").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Parse(R"({})").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Parse(R"({"messages":[{}],"extra":1})").status().message(), "extra: unknown field");
}

TEST(ApiBatchRequestTest, OverTheLimitIsTooManyWithoutParsing) {
  nlohmann::json body = {{"to", nlohmann::json::array()}, {"text", "x"}};
  for (size_t i = 0; i < kMaxBatchItems; ++i) body["to"].push_back("+989121234567");
  Result<BatchRequest> at_limit = ParseBatchRequest(body);
  ASSERT_TRUE(at_limit.ok());
  EXPECT_FALSE(at_limit->too_many);
  EXPECT_EQ(at_limit->items.size(), kMaxBatchItems);
  body["to"].push_back("+989121234567");
  Result<BatchRequest> over = ParseBatchRequest(body);
  ASSERT_TRUE(over.ok());
  EXPECT_TRUE(over->too_many);
  EXPECT_TRUE(over->items.empty());
}

TEST(ApiBatchRequestTest, HugeNumbersAreBadJsonNotACrash) {
  // Review F1: a number beyond a double's range used to escape as an exception (HTTP 500).
  Result<nlohmann::json> j = ParseJsonObject(R"({"to":"+989121234567","text":"x","validity_s":1e400})");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace smsgw::api
