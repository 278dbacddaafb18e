// The ingest log's record encoding: a kind byte, then each field as [length u32][bytes].
#include "ingest/ingest_record.h"

#include <zlib.h>

#include <algorithm>
#include <array>

#include "tlog/erasure_commitment.h"

namespace homeport {
namespace {

enum Kind : char { kDocument = 'D', kErasure = 'E' };

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

void PutField(std::string& out, std::string_view field) {
  PutU32(out, static_cast<uint32_t>(field.size()));
  out.append(field);
}

bool TakeField(std::string_view& in, std::string& field) {
  if (in.size() < 4) return false;
  uint32_t n = GetU32(in);
  if (in.size() - 4 < n) return false;
  field.assign(in.substr(4, n));
  in.remove_prefix(4 + n);
  return true;
}

uint32_t Crc(std::string_view bytes) {
  return static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0),
                                     reinterpret_cast<const Bytef*>(bytes.data()),
                                     static_cast<uInt>(bytes.size())));
}

// "kind=n;kind=n": kinds are short lower-case names, counts positive.
std::string EncodeScrubbed(const std::vector<std::pair<std::string, int64_t>>& scrubbed) {
  std::string out;
  for (const auto& [kind, n] : scrubbed) {
    if (!out.empty()) out += ';';
    out += kind + '=' + std::to_string(n);
  }
  return out;
}

bool DecodeScrubbed(std::string_view text, std::vector<std::pair<std::string, int64_t>>& out) {
  while (!text.empty()) {
    std::string_view item = text.substr(0, text.find(';'));
    text.remove_prefix(std::min(text.size(), item.size() + 1));
    size_t eq = item.find('=');
    if (eq == 0 || eq == std::string_view::npos || eq + 1 == item.size()) return false;
    int64_t n = 0;
    for (char c : item.substr(eq + 1)) {
      if (c < '0' || c > '9' || n > 1'000'000'000) return false;
      n = n * 10 + (c - '0');
    }
    out.emplace_back(std::string(item.substr(0, eq)), n);
  }
  return true;
}

}  // namespace

void AppendFrame(const IngestRecord& record, std::string& out) {
  const size_t header = out.size();
  out.append(kFrameHeaderBytes, '\0');
  if (const auto* d = std::get_if<UxpDocument>(&record)) {
    out.push_back(kDocument);
    for (const std::string* f : {&d->doc_id, &d->app_id, &d->doc_type, &d->client_id,
                                 &d->received_day, &d->expires_day, &d->payload}) {
      PutField(out, *f);
    }
    if (!d->scrubbed.empty()) PutField(out, EncodeScrubbed(d->scrubbed));
  } else {
    const auto& e = std::get<ClientErasure>(record);
    out.push_back(kErasure);
    PutField(out, e.client_id);
    PutField(out, e.expires_day);
    if (!e.commitment.empty()) PutField(out, e.commitment);
  }
  std::string_view payload = std::string_view(out).substr(header + kFrameHeaderBytes);
  std::string head;
  PutU32(head, static_cast<uint32_t>(payload.size()));
  PutU32(head, Crc(payload));
  out.replace(header, kFrameHeaderBytes, head);
}

size_t DeclaredFrameSize(std::string_view input) { return kFrameHeaderBytes + GetU32(input); }

DecodedFrame DecodeFrame(std::string_view input) {
  DecodedFrame out;
  if (input.size() < kFrameHeaderBytes) return out;  // kIncomplete
  const uint32_t length = GetU32(input);
  if (length == 0 || length > kMaxFramePayloadBytes) {
    out.outcome = DecodedFrame::kCorrupt;
    return out;
  }
  if (input.size() - kFrameHeaderBytes < length) return out;  // kIncomplete
  std::string_view payload = input.substr(kFrameHeaderBytes, length);
  out.outcome = DecodedFrame::kCorrupt;
  if (Crc(payload) != GetU32(input.substr(4))) return out;
  const char kind = payload[0];
  payload.remove_prefix(1);
  if (kind == kDocument) {
    UxpDocument d;
    for (std::string* f : {&d.doc_id, &d.app_id, &d.doc_type, &d.client_id, &d.received_day,
                           &d.expires_day, &d.payload}) {
      if (!TakeField(payload, *f)) return out;
    }
    // Records written before the scrubbed counts were kept end here.
    if (!payload.empty()) {
      std::string scrubbed;
      if (!TakeField(payload, scrubbed) || !DecodeScrubbed(scrubbed, d.scrubbed)) return out;
    }
    out.record = std::move(d);
  } else if (kind == kErasure) {
    ClientErasure e;
    if (!TakeField(payload, e.client_id) || !TakeField(payload, e.expires_day)) return out;
    // Records written before erasures carried a commitment end here.
    if (!payload.empty() &&
        (!TakeField(payload, e.commitment) || !IsErasureCommitment(e.commitment))) {
      return out;
    }
    out.record = std::move(e);
  } else {
    return out;
  }
  if (!payload.empty()) return out;
  out.outcome = DecodedFrame::kRecord;
  out.size = kFrameHeaderBytes + length;
  return out;
}

size_t RecordBytes(const IngestRecord& record) {
  const auto* d = std::get_if<UxpDocument>(&record);
  return d ? d->payload.size() + 256 : 128;
}

}  // namespace homeport
