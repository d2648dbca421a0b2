#include "auth/api_key.h"
#include "auth/secret_compare.h"

#include <gtest/gtest.h>

#include <set>

namespace smsgw::auth {
namespace {

TEST(ApiKeyTest, HashIsLowercaseHexSha256) {
  EXPECT_EQ(HashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashApiKey(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ApiKeyTest, GeneratedKeysAreIdDotSecretAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    NewKey k = GenerateApiKey();
    ASSERT_EQ(k.key.size(), 16u + 1 + 32u) << k.key;
    EXPECT_EQ(k.key.substr(0, 16), k.key_id);
    EXPECT_EQ(k.key[16], '.');
    EXPECT_EQ(k.key.find_first_not_of("0123456789abcdef."), std::string::npos);
    EXPECT_EQ(k.hash, HashApiKey(k.key));
    EXPECT_TRUE(seen.insert(k.key).second);
  }
}

TEST(ApiKeyTest, WebhookSecretsAre256RandomBitsInHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string s = GenerateWebhookSecret();
    ASSERT_EQ(s.size(), 64u);
    EXPECT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_TRUE(seen.insert(s).second);
  }
}

// The SMPP bind password is compared in constant time (docs/security.md); equal means equal,
// byte for byte, whatever the length and wherever they differ.
TEST(SecretCompareTest, EqualOnlyWhenEveryByteIs) {
  EXPECT_TRUE(SecretsEqual("Sm9Pq4Zx", "Sm9Pq4Zx"));
  EXPECT_TRUE(SecretsEqual("", ""));
  EXPECT_FALSE(SecretsEqual("Sm9Pq4Zy", "Sm9Pq4Zx"));  // the last byte
  EXPECT_FALSE(SecretsEqual("tm9Pq4Zx", "Sm9Pq4Zx"));  // the first
  EXPECT_FALSE(SecretsEqual("Sm9Pq4Z", "Sm9Pq4Zx"));   // a prefix
  EXPECT_FALSE(SecretsEqual("Sm9Pq4Zxx", "Sm9Pq4Zx"));
  EXPECT_FALSE(SecretsEqual(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace smsgw::auth
