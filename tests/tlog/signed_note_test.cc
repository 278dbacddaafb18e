// Signed notes (c2sp.org/signed-note) and witness cosignatures (c2sp.org/tlog-cosignature): the
// example of Go's note package, signing and opening, unknown and bad signatures, verifier keys,
// and the strict format with its limits.
#include "tlog/signed_note.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/big_endian.h"
#include "crypto/base64.h"
#include "tlog/checkpoint.h"
#include "tlog/tlog_test_support.h"

namespace homeport::tlog {
namespace {

// The example of Go's golang.org/x/mod/sumdb/note documentation.
constexpr std::string_view kGoSignerSeed =
    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";  // 0x01||seed
constexpr std::string_view kGoVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoSignature =
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kGoSecondSignature =
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

crypto::SecretKey KeyFromSeed(std::string_view seed) {
  auto key = crypto::SecretKeyFromJwk(
      {{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", crypto::Base64UrlEncode(seed)}});
  EXPECT_TRUE(key.ok());
  return *key;
}

crypto::SecretKey KeyFromByte(char b) { return KeyFromSeed(std::string(32, b)); }

NoteVerifierKey Verifier(std::string_view name, const crypto::SecretKey& key,
                         NoteSignatureType type = NoteSignatureType::kEd25519) {
  auto v = NoteVerifierKey::Make(name, type, key.Public());
  EXPECT_TRUE(v.ok());
  return *v;
}

std::string Hex8(uint32_t v) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", v);
  return hex;
}

// The last signature line of a signed note.
std::string SignatureLineOf(std::string_view note) {
  return std::string(note.substr(note.rfind("\n\n") + 2));
}

std::string GoNote() { return std::string(kGoText) + "\n" + std::string(kGoSignature); }

std::string Checkpoint17() {
  return *FormatCheckpoint({"homeport.example/log/sg", 17, LeafHash("x"), {}});
}

TEST(SignedNote, OpensGoNotesExampleAndSignsItByteForByte) {
  auto verifier = NoteVerifierKey::Parse(kGoVerifierKey);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_EQ(verifier->name, "PeterNeumann");
  EXPECT_EQ(verifier->id(), 0xc74f20a3u);
  EXPECT_EQ(verifier->ToString(), kGoVerifierKey);

  auto opened = OpenNote(GoNote(), *verifier);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->text, kGoText);
  ASSERT_EQ(opened->verified.size(), 1u);
  EXPECT_EQ(opened->verified[0].key, *verifier);

  const crypto::SecretKey key = KeyFromSeed(crypto::Base64Decode(kGoSignerSeed)->substr(1));
  EXPECT_EQ(key.Public(), verifier->key);
  auto signed_note = SignNote(kGoText, "PeterNeumann", key);
  ASSERT_TRUE(signed_note.ok());
  EXPECT_EQ(*signed_note, GoNote());  // Ed25519 is deterministic
}

TEST(SignedNote, SkipsSignaturesOfUnknownKeys) {
  const std::string note = GoNote() + std::string(kGoSecondSignature);
  auto opened = OpenNote(note, *NoteVerifierKey::Parse(kGoVerifierKey));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->verified.size(), 1u);
  // A key of the same name but another id is another key: its line is not ours to check.
  const NoteVerifierKey other = Verifier("PeterNeumann", KeyFromByte(7));
  auto with_other = OpenNote(note, *NoteVerifierKey::Parse(kGoVerifierKey), {&other, 1});
  ASSERT_TRUE(with_other.ok());
  EXPECT_EQ(with_other->verified.size(), 1u);
}

TEST(SignedNote, AKnownKeyWhoseSignatureFailsIsAnErrorNamingIt) {
  std::string note = GoNote();
  note[3] = 'X';  // "If yXu think..."
  auto opened = OpenNote(note, *NoteVerifierKey::Parse(kGoVerifierKey));
  EXPECT_TRUE(opened.status().IsCorruption());
  EXPECT_EQ(opened.status().message(), "signature by key PeterNeumann+c74f20a3 does not verify");

  // The same when the failing key is not the required one.
  const crypto::SecretKey log = KeyFromByte(1);
  const crypto::SecretKey witness = KeyFromByte(2);
  const NoteVerifierKey witness_key = Verifier("witness", witness);
  SplitNote split =
      *SplitSignedNote(*AddNoteSignature(*SignNote("text\n", "log", log), "witness", witness));
  split.signatures[1].signature[0] ^= 1;
  auto bad = OpenNote(JoinSignedNote(split), Verifier("log", log), {&witness_key, 1});
  EXPECT_TRUE(bad.status().IsCorruption());
  EXPECT_EQ(bad.status().message(),
            "signature by key witness+" + Hex8(witness_key.id()) + " does not verify");
}

TEST(SignedNote, RequiresASignatureByTheRequiredKey) {
  const crypto::SecretKey log = KeyFromByte(1);
  const crypto::SecretKey witness = KeyFromByte(2);
  const NoteVerifierKey log_key = Verifier("log", log);
  const NoteVerifierKey witness_key = Verifier("witness", witness);
  const std::string by_witness = *SignNote("text\n", "witness", witness);
  auto opened = OpenNote(by_witness, log_key, {&witness_key, 1});
  EXPECT_TRUE(opened.status().IsCorruption());
  EXPECT_EQ(opened.status().message(),
            "note carries no signature by key log+" + Hex8(log_key.id()));
  // With the log's signature added, both verify, in the note's order.
  auto both = OpenNote(*AddNoteSignature(by_witness, "log", log), log_key, {&witness_key, 1});
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  ASSERT_EQ(both->verified.size(), 2u);
  EXPECT_EQ(both->verified[0].key, witness_key);
  EXPECT_EQ(both->verified[1].key, log_key);
}

TEST(SignedNote, AddingASignatureAgainReplacesTheOldLine) {
  const crypto::SecretKey log = KeyFromByte(1);
  const std::string once = *SignNote("text\n", "log", log);
  const std::string twice = *AddNoteSignature(once, "log", log);
  EXPECT_EQ(twice, once);
  const std::string other = *AddNoteSignature(once, "mirror", KeyFromByte(5));
  EXPECT_EQ(SplitSignedNote(other)->signatures.size(), 2u);
}

TEST(Cosignature, WitnessCosignsACheckpointAndBothVerify) {
  const crypto::SecretKey log = KeyFromByte(1);
  const crypto::SecretKey witness = KeyFromByte(2);
  const NoteVerifierKey log_key = Verifier("homeport.example/log/sg", log);
  const NoteVerifierKey witness_key =
      Verifier("witness.example/w1", witness, NoteSignatureType::kCosignatureV1);
  const std::string signed_checkpoint = *SignNote(Checkpoint17(), log_key.name, log);
  auto cosigned = AddCosignature(signed_checkpoint, witness_key.name, witness, 1679315147);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status().ToString();

  // The line: key id with type 0x04, then the big-endian timestamp, then the signature over
  // "cosignature/v1\ntime <t>\n" + the checkpoint.
  const SplitNote split = *SplitSignedNote(*cosigned);
  ASSERT_EQ(split.signatures.size(), 2u);
  const NoteSignatureLine& line = split.signatures[1];
  EXPECT_EQ(line.key_id,
            NoteKeyId(witness_key.name, NoteSignatureType::kCosignatureV1, witness.Public()));
  EXPECT_NE(line.key_id,
            NoteKeyId(witness_key.name, NoteSignatureType::kEd25519, witness.Public()));
  ASSERT_EQ(line.signature.size(), 72u);
  EXPECT_EQ(LoadBe32(line.signature, 0), 0u);
  EXPECT_EQ(LoadBe32(line.signature, 4), 1679315147u);
  EXPECT_TRUE(crypto::Verify(witness.Public(), "cosignature/v1\ntime 1679315147\n" + Checkpoint17(),
                             line.signature.substr(8)));

  auto opened = OpenNote(*cosigned, log_key, {&witness_key, 1});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ(opened->verified.size(), 2u);
  EXPECT_EQ(opened->verified[0].key, log_key);
  EXPECT_EQ(opened->verified[0].timestamp, 0);
  EXPECT_EQ(opened->verified[1].key, witness_key);
  EXPECT_EQ(opened->verified[1].timestamp, 1679315147);
  // Without the witness known, its line is skipped.
  EXPECT_EQ(OpenNote(*cosigned, log_key)->verified.size(), 1u);

  // A later cosignature replaces the earlier one.
  auto again = AddCosignature(*cosigned, witness_key.name, witness, 1700000000);
  ASSERT_TRUE(again.ok());
  auto reopened = OpenNote(*again, log_key, {&witness_key, 1});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->verified.size(), 2u);
  EXPECT_EQ(reopened->verified[1].timestamp, 1700000000);
}

TEST(Cosignature, AChangedTimestampDoesNotVerify) {
  const crypto::SecretKey log = KeyFromByte(1);
  const crypto::SecretKey witness = KeyFromByte(2);
  const NoteVerifierKey log_key = Verifier("log", log);
  const NoteVerifierKey witness_key = Verifier("w", witness, NoteSignatureType::kCosignatureV1);
  SplitNote split =
      *SplitSignedNote(*AddCosignature(*SignNote(Checkpoint17(), "log", log), "w", witness, 100));
  split.signatures[1].signature[7] = 101;
  auto opened = OpenNote(JoinSignedNote(split), log_key, {&witness_key, 1});
  EXPECT_TRUE(opened.status().IsCorruption());
  EXPECT_NE(opened.status().message().find("key w+"), std::string::npos);
  // A timestamp past 2^63 - 1 is refused as such.
  split.signatures[1].signature[0] = static_cast<char>(0x80);
  opened = OpenNote(JoinSignedNote(split), log_key, {&witness_key, 1});
  EXPECT_TRUE(opened.status().IsCorruption());
  EXPECT_NE(opened.status().message().find("beyond 2^63 - 1"), std::string::npos);
}

TEST(Cosignature, OnlyCheckpointsAreCosigned) {
  const crypto::SecretKey key = KeyFromByte(1);
  const std::string not_a_checkpoint = *SignNote("hello\n", "log", key);
  auto st = AddCosignature(not_a_checkpoint, "w", key, 1).status();
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("cannot cosign"), std::string::npos);
  EXPECT_TRUE(AddCosignature(*SignNote(Checkpoint17(), "log", key), "w", key, -1)
                  .status()
                  .IsInvalidArgument());
}

TEST(Cosignature, TheSpecExampleLineCarriesItsTimestamp) {
  // c2sp.org/tlog-cosignature's example checkpoint with a witness line made at 1679315147.
  const std::string note =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
      "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
      "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
      "— witness.example.com/w1 "
      "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2o"
      "yin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
  auto split = SplitSignedNote(note);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  ASSERT_EQ(split->signatures.size(), 2u);
  const NoteSignatureLine& w = split->signatures[1];
  EXPECT_EQ(w.key_name, "witness.example.com/w1");
  ASSERT_EQ(w.signature.size(), 72u);
  EXPECT_EQ((uint64_t{LoadBe32(w.signature, 0)} << 32) | LoadBe32(w.signature, 4), 1679315147u);
  EXPECT_EQ(JoinSignedNote(*split), note);
  EXPECT_TRUE(ParseCheckpoint(split->text).ok());
}

TEST(NoteVerifierKey, RoundTripsBothTypes) {
  const crypto::SecretKey key = KeyFromByte(9);
  for (auto type : {NoteSignatureType::kEd25519, NoteSignatureType::kCosignatureV1}) {
    const NoteVerifierKey v = Verifier("witness.example/w1", key, type);
    const std::string text = v.ToString();
    auto back = NoteVerifierKey::Parse(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    EXPECT_EQ(*back, v);
  }
}

TEST(NoteVerifierKey, RefusesMalformedKeys) {
  const std::string good(kGoVerifierKey);
  const std::string key64 = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  for (const std::string& bad : {
           std::string(""), std::string("PeterNeumann"), std::string("PeterNeumann+c74f20a3"),
           "+c74f20a3+" + key64,                            // no name
           "Peter Neumann+c74f20a3+" + key64,               // space in the name
           "PeterNeumann+c74f20a+" + key64,                 // 7 hex digits
           "PeterNeumann+c74f20a3f+" + key64,               // 9
           "PeterNeumann+c74f20ag+" + key64,                // not hex
           "PeterNeumann+c74f20a4+" + key64,                // another id
           "PeterNeumann+c74f20a3+" + key64.substr(0, 40),  // short key
           "PeterNeumann+c74f20a3+" + key64 + "AAAA",       // long key
           "PeterNeumann+c74f20a3+" + key64 + "=",          // not canonical
       }) {
    EXPECT_TRUE(NoteVerifierKey::Parse(bad).status().IsInvalidArgument()) << bad;
  }
  // Upper-case hex is read (Go reads it too); the text form is written lower-case.
  auto upper = NoteVerifierKey::Parse("PeterNeumann+C74F20A3+" + key64);
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->ToString(), good);
  // Type 2 (ECDSA) is not one this verifier knows.
  std::string raw = *crypto::Base64Decode(key64);
  raw[0] = 2;
  auto ecdsa = NoteVerifierKey::Parse("PeterNeumann+c74f20a3+" + crypto::Base64Encode(raw));
  EXPECT_EQ(ecdsa.status().message(),
            "verifier key type 2 is neither Ed25519 (1) nor an Ed25519 cosignature (4)");
}

TEST(NoteKeyName, FollowsTheSpec) {
  for (std::string_view ok : {"example.com/log", "PeterNeumann", "日本語", "a", "oid/1.3.6.1"}) {
    EXPECT_TRUE(IsValidNoteKeyName(ok)) << ok;
  }
  for (std::string_view bad : {"", "a b", "a+b", "a\tb", "a\nb", "a\x7f", "a\xc2\xa0z",
                               "a\xe3\x80\x80z", "a\xc2\x85z", "\xff", "a\xe2\x80\xa8z"}) {
    EXPECT_FALSE(IsValidNoteKeyName(bad)) << bad;
  }
  EXPECT_TRUE(SignNote("t\n", "a b", KeyFromByte(1)).status().IsInvalidArgument());
  EXPECT_TRUE(NoteVerifierKey::Make("a+b", NoteSignatureType::kEd25519, KeyFromByte(1).Public())
                  .status()
                  .IsInvalidArgument());
}

TEST(SignedNote, RefusesMalformedNotes) {
  const std::string sig(kGoSignature);
  const std::string sig_body = sig.substr(std::string_view("— PeterNeumann ").size());
  for (const std::string& bad : {
           std::string(""),
           std::string(kGoText),                                         // no signatures
           std::string(kGoText) + sig,                                   // no blank line
           std::string(kGoText) + "\n",                                  // blank line, no signature
           std::string(kGoText) + "\n" + sig.substr(0, sig.size() - 1),  // unterminated
           std::string(kGoText) + "\n" + sig + "trailing",
           std::string(kGoText) + "\n" + "- PeterNeumann " + sig_body,  // hyphen, not em dash
           std::string(kGoText) + "\n" + "—PeterNeumann " + sig_body,   // no space
           std::string(kGoText) + "\n" + "—  " + sig_body,              // empty name
           std::string(kGoText) + "\n" + "— Peter+Neumann " + sig_body,
           std::string(kGoText) + "\n" + "— PeterNeumann\n",
           std::string(kGoText) + "\n" + "— PeterNeumann \n",
           std::string(kGoText) + "\n" + "— PeterNeumann  " + sig_body,
           std::string(kGoText) + "\n" + "— PeterNeumann " +
               sig_body.substr(0, sig_body.size() - 2) + "\n",         // unpadded
           std::string(kGoText) + "\n" + "— PeterNeumann AAAAAA==\n",  // 4 bytes: id only
           std::string(kGoText) + "\n" + "— PeterNeumann !!!!\n",
           "If you\r\n" + std::string(kGoText) + "\n" + sig,  // CR
           "bell\a\n\n" + sig,
           "\xc3\x28\n\n" + sig,      // invalid UTF-8
           "\xed\xa0\x80\n\n" + sig,  // a surrogate
       }) {
    auto split = SplitSignedNote(bad);
    EXPECT_TRUE(split.status().IsInvalidArgument()) << bad << " -> " << split.status().ToString();
    EXPECT_FALSE(OpenNote(bad, *NoteVerifierKey::Parse(kGoVerifierKey)).ok()) << bad;
  }
  EXPECT_TRUE(SignNote("no newline", "log", KeyFromByte(1)).status().IsInvalidArgument());
  EXPECT_TRUE(SignNote("", "log", KeyFromByte(1)).status().IsInvalidArgument());
  EXPECT_TRUE(SignNote("tab\t\n", "log", KeyFromByte(1)).status().IsInvalidArgument());
}

TEST(SignedNote, TheLastBlankLineSeparatesTextAndSignatures) {
  const crypto::SecretKey key = KeyFromByte(1);
  const NoteVerifierKey v = Verifier("log", key);
  for (std::string_view text : {"\n", "a\n\nb\n", "ends in a blank line\n\n", "\n\n\n"}) {
    auto note = SignNote(text, "log", key);
    ASSERT_TRUE(note.ok()) << text;
    auto opened = OpenNote(*note, v);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->text, text);
    EXPECT_EQ(JoinSignedNote(*SplitSignedNote(*note)), *note);
  }
}

TEST(SignedNote, LimitsSizeAndSignatureCount) {
  const crypto::SecretKey key = KeyFromByte(1);
  const NoteVerifierKey v = Verifier("log", key);
  std::string note = *SignNote("text\n", "log", key);
  for (int i = 1; i < static_cast<int>(kMaxNoteSignatures); ++i) {
    auto more = AddNoteSignature(note, "k" + std::to_string(i), KeyFromByte(static_cast<char>(i)));
    ASSERT_TRUE(more.ok()) << i;
    note = *more;
  }
  EXPECT_EQ(SplitSignedNote(note)->signatures.size(), kMaxNoteSignatures);
  EXPECT_TRUE(OpenNote(note, v).ok());
  EXPECT_TRUE(AddNoteSignature(note, "one-too-many", key).status().IsResourceExhausted());
  const std::string extra_line = SignatureLineOf(*SignNote("x\n", "extra", key));
  EXPECT_TRUE(SplitSignedNote(note + extra_line).status().IsResourceExhausted());

  // A text that fills the size limit cannot be signed; one a line shorter can.
  const size_t line_size = SignatureLineOf(*SignNote("x\n", "log", key)).size();
  const std::string fits(kMaxNoteBytes - 1 - line_size - 1, 'a');
  auto big = SignNote(fits + "\n", "log", key);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->size(), kMaxNoteBytes);
  EXPECT_TRUE(OpenNote(*big, v).ok());
  EXPECT_TRUE(SignNote("a" + fits + "\n", "log", key).status().IsResourceExhausted());
  EXPECT_TRUE(OpenNote("a" + *big, v).status().IsResourceExhausted());
}

TEST(SignedNote, RefusesAmbiguousKnownKeys) {
  // Two public keys whose ids under one name collide (a birthday search over 32-bit ids; the
  // key bytes need not be valid Ed25519 points to have an id).
  std::unordered_map<uint32_t, crypto::PublicKey> seen;
  crypto::PublicKey a, b;
  for (uint64_t i = 0;; ++i) {
    crypto::PublicKey k;
    for (int j = 0; j < 8; ++j) k.bytes[j] = static_cast<unsigned char>(i >> (8 * j));
    const uint32_t id = NoteKeyId("log", NoteSignatureType::kEd25519, k);
    auto [it, fresh] = seen.emplace(id, k);
    if (!fresh) {
      a = it->second;
      b = k;
      break;
    }
  }
  const NoteVerifierKey ka = *NoteVerifierKey::Make("log", NoteSignatureType::kEd25519, a);
  const NoteVerifierKey kb = *NoteVerifierKey::Make("log", NoteSignatureType::kEd25519, b);
  ASSERT_EQ(ka.id(), kb.id());
  const std::string note = *SignNote("text\n", "log", KeyFromByte(1));
  auto opened = OpenNote(note, ka, {&kb, 1});
  EXPECT_TRUE(opened.status().IsInvalidArgument());
  EXPECT_EQ(opened.status().message(),
            "two known keys share the name and key id log+" + Hex8(ka.id()));
  EXPECT_FALSE(OpenNote(note, ka, {&ka, 1}).status().IsInvalidArgument());  // one key twice is fine
}

}  // namespace
}  // namespace homeport::tlog
