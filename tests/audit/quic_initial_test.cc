// QUIC client Initial packets read for their ClientHello: the RFC 9001 and RFC 9369 example
// packets, packets built here for every version and shape (coalesced, split, out of order,
// after a Retry or version negotiation), damaged and hostile input, and real captures.
#include "audit/capture/quic_initial.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "audit/capture/packet_decoder.h"
#include "audit/capture/pcap_source.h"
#include "pcap_writer.h"
#include "quic_packet_writer.h"

namespace homeport::audit::capture {
namespace {

using namespace homeport::testing;
using Outcome = QuicInitialReader::Outcome;

std::string Unhex(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

std::string Hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

const std::string kRfcDcid = Unhex("8394c8f03e515708");

// RFC 9001 §A.2 (and RFC 9369 §A.2): the CRYPTO frame with the client's ClientHello for
// "example.com", ALPN "alpn"; PADDING fills the payload to 1162 bytes.
std::string RfcClientInitialFrames() {
  std::string frames = Unhex(
      "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
      "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
      "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
      "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
      "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
      "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
      "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
      "75300901100f088394c8f03e51570806048000ffff");
  frames.resize(1162, '\0');
  return frames;
}

// RFC 9001 §A.2: the protected client Initial, 1200 bytes.
const std::string kRfc9001ClientInitial = Unhex(
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934");

// RFC 9369 §A.2: the same ClientHello in a QUIC version 2 Initial.
const std::string kRfc9369ClientInitial = Unhex(
    "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
    "dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
    "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
    "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
    "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
    "cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
    "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
    "12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
    "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
    "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
    "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
    "636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
    "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
    "16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
    "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
    "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
    "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
    "14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
    "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
    "abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
    "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
    "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
    "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
    "c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
    "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
    "f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
    "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
    "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
    "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
    "8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
    "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
    "e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
    "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
    "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
    "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
    "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
    "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
    "a18b2faa745b6fe189cf772a9f84cbfc");

// The bare handshake message of a ClientHello for `name`, `padding` bytes bigger.
std::string HelloMessage(const std::string& name, size_t padding = 0) {
  return TlsClientHello(name, padding).substr(5);
}

QuicInitialReader ReadAll(const std::vector<std::string>& datagrams) {
  QuicInitialReader reader;
  for (const auto& d : datagrams) reader.Add(d);
  return reader;
}

TEST(QuicInitialKeys, EqualRfc9001AndRfc9369Appendix) {
  auto v1 = DeriveClientInitialKeys(kQuicV1, kRfcDcid);
  ASSERT_TRUE(v1.has_value());
  EXPECT_EQ(Hex(v1->key.data(), 16), "1f369613dd76d5467730efcbe3b1a22d");
  EXPECT_EQ(Hex(v1->iv.data(), 12), "fa044b2f42a3fd3b46fb255c");
  EXPECT_EQ(Hex(v1->hp.data(), 16), "9f50449e04a0e810283a1e9933adedd2");
  auto v2 = DeriveClientInitialKeys(kQuicV2, kRfcDcid);
  ASSERT_TRUE(v2.has_value());
  EXPECT_EQ(Hex(v2->key.data(), 16), "8b1a0bc121284290a29e0971b5cd045d");
  EXPECT_EQ(Hex(v2->iv.data(), 12), "91f73e2351d8fa91660e909f");
  EXPECT_EQ(Hex(v2->hp.data(), 16), "45b95e15235d6f45a6b19cbcb0294ba9");
  EXPECT_FALSE(DeriveClientInitialKeys(0x12345678, kRfcDcid).has_value());
  EXPECT_FALSE(DeriveClientInitialKeys(0, kRfcDcid).has_value());  // version negotiation
}

TEST(QuicInitialReader, ReadsTheRfc9001ClientInitial) {
  ASSERT_EQ(kRfc9001ClientInitial.size(), 1200u);
  EXPECT_TRUE(StartsWithQuicInitial(kRfc9001ClientInitial));
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(kRfc9001ClientInitial), Outcome::kComplete) << reader.failure();
  EXPECT_EQ(reader.hello().server_name, "example.com");
  EXPECT_EQ(reader.hello().application_protocols, std::vector<std::string>{"alpn"});
  EXPECT_EQ(reader.version(), kQuicV1);
  EXPECT_EQ(reader.bytes_held(), 0u);
}

TEST(QuicInitialReader, ReadsTheRfc9369Version2ClientInitial) {
  ASSERT_EQ(kRfc9369ClientInitial.size(), 1200u);
  EXPECT_TRUE(StartsWithQuicInitial(kRfc9369ClientInitial));
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(kRfc9369ClientInitial), Outcome::kComplete) << reader.failure();
  EXPECT_EQ(reader.hello().server_name, "example.com");
  EXPECT_EQ(reader.version(), kQuicV2);
}

// The test's packet builder is checked against the RFCs before the tests below rely on it.
TEST(QuicInitialReader, TestPacketBuilderReproducesTheRfcPackets) {
  QuicInitialSpec spec;
  spec.dcid = kRfcDcid;
  spec.packet_number = 2;
  EXPECT_EQ(ProtectedQuicInitial(spec, RfcClientInitialFrames()), kRfc9001ClientInitial);
  spec.version = kQuicV2;
  EXPECT_EQ(ProtectedQuicInitial(spec, RfcClientInitialFrames()), kRfc9369ClientInitial);
}

TEST(QuicInitialReader, ReadsEveryVersionWithKnownKeys) {
  const std::string hello = HelloMessage("api.sg.example.com", 900);
  for (uint32_t version : {kQuicV1, kQuicV2, 0xff000016u, 0xff000017u, 0xff00001cu, 0xff00001du,
                           0xff000020u, 0xff000021u, 0xff000022u, 0xfaceb001u, 0xfaceb002u,
                           0xfaceb00eu}) {
    QuicInitialSpec spec;
    spec.version = version;
    spec.scid = "\x01\x02\x03\x04";
    spec.token = "a retry token";
    QuicInitialReader reader;
    EXPECT_EQ(reader.Add(ProtectedQuicInitial(spec, CryptoFrame(0, hello))), Outcome::kComplete)
        << std::hex << version << " " << reader.failure();
    EXPECT_EQ(reader.hello().server_name, "api.sg.example.com") << std::hex << version;
    EXPECT_EQ(reader.version(), version);
  }
}

TEST(QuicInitialReader, ReadsCoalescedPackets) {
  const std::string hello = HelloMessage("coalesced.example.com", 600);
  QuicInitialSpec first, second;
  second.packet_number = 1;
  second.packet_number_length = 1;
  const std::string datagram =
      // ACK, PING and PADDING first, the ClientHello's two halves in two packets, then a
      // 0-RTT packet and 1-RTT bytes that are not read.
      ProtectedQuicInitial(first, std::string("\x02\x00\x00\x00\x00\x01", 6) +
                                      std::string(20, '\0') +
                                      CryptoFrame(0, hello.substr(0, 300))) +
      ProtectedQuicInitial(second, CryptoFrame(300, hello.substr(300))) +
      OpaqueLongHeaderPacket(kQuicV1, 1, first.dcid, std::string(80, 'z')) +
      std::string("\x40short header bytes", 19);
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(datagram), Outcome::kComplete) << reader.failure();
  EXPECT_EQ(reader.hello().server_name, "coalesced.example.com");
}

TEST(QuicInitialReader, PutsCryptoFramesBackTogetherOutOfOrderAndOverlapping) {
  // A ClientHello bigger than one packet (as Chrome's with post-quantum key shares), sent in
  // overlapping pieces, out of order, across three datagrams and within each packet.
  const std::string hello = HelloMessage("split.example.com", 2600);
  ASSERT_GT(hello.size(), 2500u);
  const size_t end = hello.size();
  QuicInitialSpec spec;
  auto packet = [&](std::string frames) {
    std::string p = ProtectedQuicInitial(spec, std::move(frames));
    ++spec.packet_number;
    return p;
  };
  const std::string d1 = packet(CryptoFrame(1500, hello.substr(1500, 700)) +
                                CryptoFrame(1000, hello.substr(1000, 600)));
  const std::string d2 = packet(CryptoFrame(2100, hello.substr(2100)) + "\x01" +
                                CryptoFrame(600, hello.substr(600, 500)));
  const std::string d3 =
      packet(CryptoFrame(300, hello.substr(300, 400)) + CryptoFrame(0, hello.substr(0, 350)));
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(d1), Outcome::kNeedMore);
  EXPECT_EQ(reader.Add(d2), Outcome::kNeedMore);
  EXPECT_GE(reader.bytes_held(), end);
  EXPECT_EQ(reader.Add(d3), Outcome::kComplete) << reader.failure();
  EXPECT_EQ(reader.hello().server_name, "split.example.com");
  EXPECT_EQ(reader.bytes_held(), 0u);
}

TEST(QuicInitialReader, OneByteFramesInReverseOrderAcrossDatagrams) {
  // Thousands of one-byte CRYPTO frames, last byte first: each costs its own length, so this
  // is as quick as one frame would be.
  const std::string hello = HelloMessage("bytes.example.com", 3000);
  QuicInitialSpec spec;
  std::vector<std::string> datagrams;
  std::string frames;
  for (size_t i = hello.size(); i-- > 0;) {
    frames += CryptoFrame(i, hello.substr(i, 1));
    if (frames.size() > 1100 || i == 0) {
      datagrams.push_back(ProtectedQuicInitial(spec, frames));
      ++spec.packet_number;
      frames.clear();
    }
  }
  ASSERT_LE(datagrams.size(), static_cast<size_t>(QuicInitialReader::kMaxDatagrams));
  QuicInitialReader reader = ReadAll(datagrams);
  EXPECT_EQ(reader.outcome(), Outcome::kComplete) << reader.failure();
  EXPECT_EQ(reader.hello().server_name, "bytes.example.com");
}

TEST(QuicInitialReader, FollowsARetryToItsNewConnectionId) {
  const std::string hello = HelloMessage("retry.example.com", 1500);
  QuicInitialSpec before, after;
  after.dcid = "\x11\x22\x33\x44\x55\x66\x77\x88\x99";
  after.token = "token from the Retry";
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(before, CryptoFrame(0, hello.substr(0, 1000)))),
            Outcome::kNeedMore);
  // After the Retry the client sends its ClientHello again, protected for the new ID.
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(after, CryptoFrame(0, hello.substr(0, 1000)))),
            Outcome::kNeedMore);
  after.packet_number = 1;
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(after, CryptoFrame(1000, hello.substr(1000)))),
            Outcome::kComplete);
  EXPECT_EQ(reader.hello().server_name, "retry.example.com");
}

TEST(QuicInitialReader, KeepsItsKeysWhenTheClientMovesToTheServersId) {
  // After the server's first Initial the client addresses the ID the server chose, but its
  // Initials stay protected with the keys of its first destination ID.
  const std::string hello = HelloMessage("moved.example.com", 1500);
  QuicInitialSpec first, moved;
  moved.dcid = std::string(20, '\x42');
  moved.key_dcid = first.dcid;
  moved.packet_number = 1;
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(first, CryptoFrame(0, hello.substr(0, 1000)))),
            Outcome::kNeedMore);
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(moved, CryptoFrame(1000, hello.substr(1000)))),
            Outcome::kComplete)
      << reader.failure();
  EXPECT_EQ(reader.hello().server_name, "moved.example.com");
}

TEST(QuicInitialReader, ReadsGoogleT05xFrames) {
  // Google's T050/T051 carry gQUIC frames: CRYPTO is 0x08, PING 0x07, PADDING ends a packet.
  const std::string hello = HelloMessage("www.google.com", 300);
  QuicInitialSpec spec;
  spec.version = 0x54303531;
  std::string frames = "\x07\x08" + QuicVarint(0) + QuicVarint(hello.size()) + hello;
  frames += std::string(8, '\0') + "\x99 not read";
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(spec, frames)), Outcome::kComplete) << reader.failure();
  EXPECT_EQ(reader.hello().server_name, "www.google.com");
}

TEST(QuicInitialReader, StartsOverWhenTheClientChangesVersion) {
  // Version negotiation: the first Initial's ClientHello is dropped half-read, the next
  // version's is the one that counts.
  const std::string old_hello = HelloMessage("old.example.com", 1500);
  const std::string new_hello = HelloMessage("new.example.com", 1500);
  QuicInitialSpec v1, v2;
  v2.version = kQuicV2;
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(v1, CryptoFrame(0, old_hello.substr(0, 900)))),
            Outcome::kNeedMore);
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(v2, CryptoFrame(0, new_hello))), Outcome::kComplete);
  EXPECT_EQ(reader.hello().server_name, "new.example.com");
  EXPECT_EQ(reader.version(), kQuicV2);
}

TEST(QuicInitialReader, TruncatedOrDamagedPacketsAreUnreadable) {
  for (size_t cut : {0u, 1u, 6u, 20u, 600u, 1199u}) {
    QuicInitialReader reader;
    EXPECT_EQ(reader.Add(kRfc9001ClientInitial.substr(0, cut)), Outcome::kUnreadable) << cut;
    EXPECT_FALSE(reader.failure().empty());
  }
  for (size_t at : {30u, 600u, 1199u}) {  // a flipped bit in the ciphertext or the tag
    std::string damaged = kRfc9001ClientInitial;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    QuicInitialReader reader;
    EXPECT_EQ(reader.Add(damaged), Outcome::kUnreadable) << at;
    EXPECT_EQ(reader.failure(), "the Initial packet does not decrypt");
  }
  QuicInitialReader garbage;
  EXPECT_EQ(garbage.Add(std::string(1200, '\xc0')), Outcome::kUnreadable);
  QuicInitialReader text;
  EXPECT_EQ(text.Add("GET / HTTP/1.1\r\n\r\n"), Outcome::kUnreadable);
  EXPECT_EQ(text.Add(kRfc9001ClientInitial), Outcome::kUnreadable);  // stays unreadable
}

TEST(QuicInitialReader, AWrongOrUnknownVersionIsUnreadable) {
  // The same bytes labelled draft-29: the header parses, the keys differ.
  std::string relabelled = kRfc9001ClientInitial;
  relabelled[4] = '\x1d';
  relabelled[1] = '\xff';
  QuicInitialReader draft;
  EXPECT_EQ(draft.Add(relabelled), Outcome::kUnreadable);
  EXPECT_EQ(draft.failure(), "the Initial packet does not decrypt");
  // Unknown, reserved (0x?a?a?a?a) and version negotiation: no keys to try.
  for (uint32_t version : {0x12345678u, 0x0a0a0a0au, 0u, 0xff000015u, 0x51303530u}) {
    std::string p = kRfc9001ClientInitial;
    for (int i = 0; i < 4; ++i) p[1 + i] = static_cast<char>(version >> (24 - 8 * i));
    EXPECT_FALSE(StartsWithQuicInitial(p)) << std::hex << version;
    QuicInitialReader reader;
    EXPECT_EQ(reader.Add(p), Outcome::kUnreadable) << std::hex << version;
  }
  // Version 2 type bits on a version 1 packet: 0b01 is 0-RTT there, not Initial.
  std::string v2_bits = kRfc9001ClientInitial;
  v2_bits[0] = static_cast<char>(0xd0 | (v2_bits[0] & 0x0f));
  EXPECT_FALSE(StartsWithQuicInitial(v2_bits));
}

TEST(QuicInitialReader, HoldsAtMost64KiBOfCryptoData) {
  QuicInitialSpec spec;
  const std::string hello = HelloMessage("far.example.com");
  {
    // A frame ending exactly at the bound is kept; the hello never completes.
    QuicInitialReader reader;
    EXPECT_EQ(reader.Add(ProtectedQuicInitial(
                  spec, CryptoFrame(0, hello.substr(0, 2)) +
                            CryptoFrame(QuicInitialReader::kMaxCryptoBytes - 100,
                                        std::string(100, 'x')))),
              Outcome::kNeedMore);
    EXPECT_LE(reader.bytes_held(),
              QuicInitialReader::kMaxCryptoBytes + QuicInitialReader::kMaxCryptoBytes / 8);
  }
  {
    QuicInitialReader reader;
    EXPECT_EQ(reader.Add(ProtectedQuicInitial(
                  spec, CryptoFrame(QuicInitialReader::kMaxCryptoBytes, "x"))),
              Outcome::kUnreadable);
    EXPECT_EQ(reader.failure(), "CRYPTO data past 64 KiB");
    EXPECT_EQ(reader.bytes_held(), 0u);
  }
  {
    // An offset near 2^62 does not wrap the bound.
    QuicInitialReader reader;
    EXPECT_EQ(reader.Add(ProtectedQuicInitial(spec, CryptoFrame((uint64_t{1} << 62) - 1, "x"))),
              Outcome::kUnreadable);
  }
  {
    // A ClientHello that says it is bigger than the bound is not waited for.
    std::string huge = hello;
    huge[1] = '\x01';  // 24-bit length: 64 KiB more
    QuicInitialReader reader;
    EXPECT_EQ(reader.Add(ProtectedQuicInitial(spec, CryptoFrame(0, huge))), Outcome::kUnreadable);
  }
}

TEST(QuicInitialReader, GivesUpAfterTheFirstDatagrams) {
  QuicInitialSpec spec;
  const std::string hello = HelloMessage("late.example.com");
  QuicInitialReader reader;
  for (int i = 0; i < QuicInitialReader::kMaxDatagrams; ++i) {
    EXPECT_EQ(reader.Add(ProtectedQuicInitial(spec, "\x01")), Outcome::kNeedMore);
    ++spec.packet_number;
  }
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(spec, CryptoFrame(0, hello))), Outcome::kUnreadable);
}

TEST(QuicInitialReader, GivesUpAfterTheFirstInitialPackets) {
  // Many tiny coalesced Initials, each with another destination ID (so each would cost a key
  // derivation): the reader stops counting at kMaxInitialPackets.
  QuicInitialReader reader;
  std::string datagram;
  for (int i = 0; i <= QuicInitialReader::kMaxInitialPackets; ++i) {
    QuicInitialSpec spec;
    spec.dcid = "id" + std::to_string(i);
    spec.packet_number = static_cast<uint64_t>(i);
    datagram += ProtectedQuicInitial(spec, "\x01");
  }
  EXPECT_EQ(reader.Add(datagram), Outcome::kUnreadable);
  EXPECT_EQ(reader.failure(), "no whole ClientHello in the client's first 64 Initials");
}

TEST(QuicInitialReader, StopsAtAFrameAnInitialMayNotCarry) {
  QuicInitialSpec spec;
  const std::string hello = HelloMessage("stream.example.com");
  // A STREAM frame (0x08) before the CRYPTO frame: the rest of the packet is not read.
  QuicInitialReader reader;
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(
                spec, std::string("\x08\x00\x01x", 4) + CryptoFrame(0, hello))),
            Outcome::kNeedMore);
  ++spec.packet_number;
  EXPECT_EQ(reader.Add(ProtectedQuicInitial(spec, CryptoFrame(0, hello))), Outcome::kComplete);
  // CRYPTO data that is not a ClientHello.
  QuicInitialReader not_hello;
  EXPECT_EQ(not_hello.Add(ProtectedQuicInitial(
                spec, CryptoFrame(0, std::string("\x02\x00\x00\x01z", 5)))),
            Outcome::kUnreadable);
}

TEST(TlsClientHelloMessage, ReadsABareHandshakeMessageLikeARecord) {
  const std::string record = TlsClientHello("bare.example.com", 100);
  const std::string message = record.substr(5);
  const ClientHello bare = ParseClientHelloMessage(message);
  EXPECT_EQ(bare.outcome, ClientHello::Outcome::kComplete);
  EXPECT_EQ(bare.server_name, "bare.example.com");
  EXPECT_EQ(ParseClientHello(record).server_name, bare.server_name);
  for (size_t cut : {size_t{0}, size_t{3}, size_t{4}, size_t{50}, message.size() - 1}) {
    EXPECT_EQ(ParseClientHelloMessage(message.substr(0, cut)).outcome,
              ClientHello::Outcome::kNeedMore)
        << cut;
  }
  EXPECT_EQ(ParseClientHelloMessage(std::string("\x02\x00\x00\x00", 4)).outcome,
            ClientHello::Outcome::kMalformed);
  EXPECT_EQ(ParseClientHelloMessage(std::string("\x01\x01\x00\x00", 4)).outcome,
            ClientHello::Outcome::kMalformed);  // 64 KiB: larger than any hello read
}

// Real captures (tests/data/quic, from nDPI's test suite): each client's datagrams through a
// reader; the names are the ones tshark shows (tls.handshake.extensions_server_name).
struct CaptureNames {
  std::set<std::string> names;
  size_t complete = 0, unreadable = 0;
};

CaptureNames ReadCapture(const std::string& file) {
  CaptureNames out;
  auto source = PcapSource::Open(std::string(HOMEPORT_SOURCE_DIR) + "/tests/data/quic/" + file);
  EXPECT_TRUE(source.ok()) << file;
  if (!source.ok()) return out;
  using FlowKey = std::tuple<std::string, uint16_t, std::string, uint16_t>;
  std::map<FlowKey, QuicInitialReader> readers;
  std::set<FlowKey> servers;
  while (auto frame = source->Next()) {
    const IpDatagram ip = DecodeNetwork(source->link_type(), frame->data);
    if (!ip.ok || ip.fragment) continue;
    const Segment udp = DecodeTransport(ip.protocol, ip.payload);
    if (!udp.ok || udp.protocol != IpProtocol::kUdp) continue;
    const FlowKey key{ip.src.ToString(), udp.src_port, ip.dst.ToString(), udp.dst_port};
    const FlowKey reverse{ip.dst.ToString(), udp.dst_port, ip.src.ToString(), udp.src_port};
    if (readers.count(reverse) != 0) continue;  // the server's side
    auto it = readers.find(key);
    if (it == readers.end()) {
      if (!StartsWithQuicInitial(udp.payload)) continue;
      it = readers.try_emplace(key).first;
    }
    it->second.Add(udp.payload);
  }
  for (const auto& [key, reader] : readers) {
    if (reader.outcome() == Outcome::kComplete) {
      ++out.complete;
      if (!reader.hello().server_name.empty()) out.names.insert(reader.hello().server_name);
    } else if (reader.outcome() == Outcome::kUnreadable) {
      ++out.unreadable;
      ADD_FAILURE() << file << ": " << std::get<0>(key) << ":" << std::get<1>(key) << " "
                    << reader.failure();
    }
  }
  return out;
}

TEST(QuicInitialReader, ReadsRealCapturesOfEachVersion) {
  using Names = std::set<std::string>;
  EXPECT_EQ(ReadCapture("quic-v2.pcapng").names, Names{"test"});
  EXPECT_EQ(ReadCapture("quic-29.pcap").names, Names{"localhost"});
  EXPECT_EQ(ReadCapture("quic_t51.pcap").names, Names{"www.google.com"});
  EXPECT_EQ(ReadCapture("quic-mvfst-27.pcapng").names, Names{"graph.facebook.com"});
  EXPECT_EQ(ReadCapture("quic_frags_different_dcid.pcapng").names,
            Names{"cdnjs.cloudflare.com"});
  // A ClientHello in two datagrams, without a server name.
  const CaptureNames two = ReadCapture("quic_frags_ch_in_multiple_packets.pcapng");
  EXPECT_EQ(two.complete, 1u);
  EXPECT_TRUE(two.names.empty());
}

TEST(QuicInitialReader, ReadsChromesOutOfOrderCryptoFrames) {
  // Chrome (draft-29) mixing CRYPTO, PING and PADDING frames out of order in each Initial.
  const CaptureNames chrome = ReadCapture("quic_chrome_ch_out_of_order.pcapng");
  EXPECT_EQ(chrome.unreadable, 0u);
  EXPECT_EQ(chrome.names.size(), 48u);
  EXPECT_TRUE(chrome.names.count("www.youtube.com"));
  EXPECT_TRUE(chrome.names.count("r1---sn-hju7enel.googlevideo.com"));
}

}  // namespace
}  // namespace homeport::audit::capture
