#include "audit/capture/destination.h"

namespace homeport::audit {

const char* NameOf(Protection p) {
  switch (p) {
    case Protection::kEncrypted:
      return "encrypted";
    case Protection::kCleartext:
      return "cleartext";
    case Protection::kDns:
      return "dns";
    case Protection::kUnidentified:
      return "unidentified";
  }
  return "unidentified";
}

std::string DescribeNameSources(uint8_t sources) {
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {kNameDns, "dns"}, {kNameSni, "sni"}, {kNameHttpHost, "http-host"},
      {kNameDnsQuery, "dns-query"}};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((sources & bit) != 0) out += (out.empty() ? "" : "+") + std::string(name);
  }
  return out;
}

uint64_t Destination::flow_count() const {
  uint64_t n = 0;
  for (uint64_t count : flows) n += count;
  return n;
}

bool Destination::encrypted_only() const {
  for (size_t p = 0; p < kProtections; ++p) {
    if (p != static_cast<size_t>(Protection::kEncrypted) && flows[p] > 0) return false;
  }
  return true;
}

std::vector<std::string> Destination::ProtocolNames() const {
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {kProtoDns, "dns"}, {kProtoHttp, "http"}, {kProtoQuic, "quic"},
      {kProtoTcp, "tcp"}, {kProtoTls, "tls"},   {kProtoUdp, "udp"}};
  std::vector<std::string> out;
  for (const auto& [bit, name] : kNames) {
    if ((protocols & bit) != 0) out.emplace_back(name);
  }
  return out;
}

}  // namespace homeport::audit
