// POST /v1/activations with hostile content: the input's first line is the
// X-Homeport-Signature header (a detached JWS), the rest is the JSON body. Exercises the body
// parser, the JWS header decoding and verification against the enrolled device key (seeds
// carry valid signatures of the fixed fuzz device, so the commit path runs too).
#include "crypto/jws.h"
#include "fuzz/fuzz_checks.h"
#include "fuzz/fuzz_region_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* service = new homeport::fuzzing::RegionService();
  static const homeport::crypto::PublicKey device_key = homeport::fuzzing::FuzzDeviceKey().Public();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view signature = input.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? "" : input.substr(newline + 1);

  (void)homeport::crypto::PeekHeader(signature);
  (void)homeport::crypto::VerifyDetached(signature, body, device_key);

  homeport::HttpRequest request;
  request.method = "POST";
  request.target = "/v1/activations";
  request.headers = {{"content-type", "application/json"},
                     {"x-homeport-signature", std::string(signature)}};
  request.body = std::string(body);
  homeport::fuzzing::CheckResponse(service->Call(request));
  return 0;
}
