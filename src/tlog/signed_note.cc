// Signed notes: splitting and joining the format, Ed25519 note signatures and timestamped
// witness cosignatures.
#include "tlog/signed_note.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/big_endian.h"
#include "crypto/base64.h"
#include "tlog/checkpoint.h"
#include "tlog/sha256.h"

namespace homeport::tlog {
namespace {

// "— ": U+2014 EM DASH and a space open every signature line.
constexpr std::string_view kLinePrefix = "\xE2\x80\x94 ";
constexpr size_t kEd25519SignatureBytes = 64;
constexpr size_t kTimestampBytes = 8;

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

std::string KeyLabel(const NoteVerifierKey& k) { return k.name + "+" + Hex8(k.id()); }

void AppendBe32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

void AppendBe64(std::string& out, uint64_t v) {
  AppendBe32(out, static_cast<uint32_t>(v >> 32));
  AppendBe32(out, static_cast<uint32_t>(v));
}

// Standard base64 that is exactly what an encoder writes: padded, no stray bits. A note then has
// one text for one set of signatures.
Result<std::string> DecodeCanonicalBase64(std::string_view text) {
  auto raw = crypto::Base64Decode(text);
  if (!raw.ok() || crypto::Base64Encode(*raw) != text) {
    return Status::InvalidArgument("not canonical standard base64");
  }
  return raw;
}

// What a cosignature signs (c2sp.org/tlog-cosignature, "Ed25519 signed message").
std::string CosignedMessage(std::string_view text, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(text);
}

Status CheckKeyName(std::string_view name) {
  if (IsValidNoteKeyName(name)) return Status::Ok();
  return Status::InvalidArgument(
      "a note key name must be non-empty UTF-8 without spaces, '+' or control characters");
}

Result<NoteSignatureLine> ParseSignatureLine(std::string_view line) {
  if (line.substr(0, kLinePrefix.size()) != kLinePrefix) {
    return Status::InvalidArgument("note signature line does not start with \"— \"");
  }
  line.remove_prefix(kLinePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return Status::InvalidArgument("note signature line has no signature after the key name");
  }
  NoteSignatureLine out;
  out.key_name = std::string(line.substr(0, space));
  HOMEPORT_RETURN_IF_ERROR(CheckKeyName(out.key_name));
  auto raw = DecodeCanonicalBase64(line.substr(space + 1));
  if (!raw.ok() || raw->size() < 5) {
    return Status::InvalidArgument(
        "note signature is not canonical base64 of a key id and a signature");
  }
  out.key_id = LoadBe32(*raw, 0);
  out.signature = raw->substr(4);
  return out;
}

std::string SignatureLineText(const NoteSignatureLine& line) {
  std::string raw;
  AppendBe32(raw, line.key_id);
  raw += line.signature;
  return std::string(kLinePrefix) + line.key_name + " " + crypto::Base64Encode(raw) + "\n";
}

Status CheckNoteText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("note text does not end with a newline");
  }
  return CheckNoteCharacters(text, "note text");
}

// `note` with `line` in place of any line of the same key name and id, within the limits.
Result<std::string> WithSignature(SplitNote note, NoteSignatureLine line) {
  std::erase_if(note.signatures, [&](const NoteSignatureLine& l) {
    return l.key_name == line.key_name && l.key_id == line.key_id;
  });
  note.signatures.push_back(std::move(line));
  if (note.signatures.size() > kMaxNoteSignatures) {
    return Status::ResourceExhausted("a note carries at most " +
                                     std::to_string(kMaxNoteSignatures) + " signatures");
  }
  std::string out = JoinSignedNote(note);
  if (out.size() > kMaxNoteBytes) {
    return Status::ResourceExhausted("signed note would be " + std::to_string(out.size()) +
                                     " bytes; at most " + std::to_string(kMaxNoteBytes));
  }
  return out;
}

NoteSignatureLine Ed25519Line(std::string_view text, std::string_view key_name,
                              const crypto::SecretKey& key) {
  return {std::string(key_name), NoteKeyId(key_name, NoteSignatureType::kEd25519, key.Public()),
          key.Sign(text)};
}

// Verifies one line of a known key; returns the cosignature's timestamp (0 for a note signature).
Result<int64_t> VerifyLine(const NoteVerifierKey& key, std::string_view text,
                           std::string_view signature) {
  int64_t timestamp = 0;
  std::string cosigned;
  std::string_view message = text;
  if (key.type == NoteSignatureType::kCosignatureV1) {
    if (signature.size() != kTimestampBytes + kEd25519SignatureBytes) {
      return Status::Corruption("cosignature by key " + KeyLabel(key) + " is " +
                                std::to_string(signature.size()) + " bytes, not 72");
    }
    const uint64_t t = (uint64_t{LoadBe32(signature, 0)} << 32) | LoadBe32(signature, 4);
    if (t > static_cast<uint64_t>(INT64_MAX)) {
      return Status::Corruption("cosignature by key " + KeyLabel(key) +
                                " has a timestamp beyond 2^63 - 1");
    }
    timestamp = static_cast<int64_t>(t);
    cosigned = CosignedMessage(text, t);
    message = cosigned;
    signature.remove_prefix(kTimestampBytes);
  } else if (signature.size() != kEd25519SignatureBytes) {
    return Status::Corruption("signature by key " + KeyLabel(key) + " is " +
                              std::to_string(signature.size()) + " bytes, not 64");
  }
  if (!crypto::Verify(key.key, message, signature)) {
    return Status::Corruption("signature by key " + KeyLabel(key) + " does not verify");
  }
  return timestamp;
}

// Refuses two different known keys under one name and key id: a line could not say which of
// them signed it.
Status CheckUnambiguous(std::span<const NoteVerifierKey> keys) {
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size(); ++j) {
      if (keys[i] != keys[j] && keys[i].name == keys[j].name && keys[i].id() == keys[j].id()) {
        return Status::InvalidArgument("two known keys share the name and key id " +
                                       KeyLabel(keys[i]));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

uint32_t NoteKeyId(std::string_view name, NoteSignatureType type, const crypto::PublicKey& key) {
  const char type_byte = static_cast<char>(type);
  const Hash digest = Sha256({name,
                              "\n",
                              {&type_byte, 1},
                              {reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()}});
  return LoadBe32(HashBytes(digest), 0);
}

Result<NoteVerifierKey> NoteVerifierKey::Make(std::string_view name, NoteSignatureType type,
                                              const crypto::PublicKey& key) {
  HOMEPORT_RETURN_IF_ERROR(CheckKeyName(name));
  return NoteVerifierKey{std::string(name), type, key};
}

Result<NoteVerifierKey> NoteVerifierKey::Parse(std::string_view text) {
  // The base64 part may itself hold '+', so only the first two split.
  const size_t plus1 = text.find('+');
  const size_t plus2 = plus1 == std::string_view::npos ? plus1 : text.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) {
    return Status::InvalidArgument("a verifier key is <name>+<key id>+<base64 key>");
  }
  const std::string_view name = text.substr(0, plus1);
  const std::string_view hex = text.substr(plus1 + 1, plus2 - plus1 - 1);
  HOMEPORT_RETURN_IF_ERROR(CheckKeyName(name));
  if (hex.size() != 8 ||
      hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    return Status::InvalidArgument("verifier key id is not 8 hexadecimal digits");
  }
  const auto stated_id = static_cast<uint32_t>(std::strtoul(std::string(hex).c_str(), nullptr, 16));
  auto raw = DecodeCanonicalBase64(text.substr(plus2 + 1));
  if (!raw.ok() || raw->size() != 33) {
    return Status::InvalidArgument(
        "verifier key is not base64 of a type byte and a 32-byte Ed25519 public key");
  }
  const auto type = static_cast<NoteSignatureType>(static_cast<unsigned char>((*raw)[0]));
  if (type != NoteSignatureType::kEd25519 && type != NoteSignatureType::kCosignatureV1) {
    return Status::InvalidArgument("verifier key type " + std::to_string(static_cast<int>(type)) +
                                   " is neither Ed25519 (1) nor an Ed25519 cosignature (4)");
  }
  NoteVerifierKey key{std::string(name), type, {}};
  std::copy(raw->begin() + 1, raw->end(), key.key.bytes.begin());
  if (key.id() != stated_id) {
    return Status::InvalidArgument("verifier key id " + std::string(hex) + " is not the id " +
                                   Hex8(key.id()) + " of its name and key");
  }
  return key;
}

std::string NoteVerifierKey::ToString() const {
  std::string raw(1, static_cast<char>(type));
  raw.append(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
  return name + "+" + Hex8(id()) + "+" + crypto::Base64Encode(raw);
}

Result<SplitNote> SplitSignedNote(std::string_view note) {
  if (note.size() > kMaxNoteBytes) {
    return Status::ResourceExhausted("signed note is " + std::to_string(note.size()) +
                                     " bytes; at most " + std::to_string(kMaxNoteBytes));
  }
  HOMEPORT_RETURN_IF_ERROR(CheckNoteCharacters(note, "signed note"));
  const size_t blank = note.rfind("\n\n");
  if (blank == std::string_view::npos) {
    return Status::InvalidArgument("signed note has no blank line before its signatures");
  }
  SplitNote out;
  out.text = std::string(note.substr(0, blank + 1));
  std::string_view lines = note.substr(blank + 2);
  if (lines.empty() || lines.back() != '\n') {
    return Status::InvalidArgument("signed note does not end with a newline-terminated signature");
  }
  while (!lines.empty()) {
    if (out.signatures.size() == kMaxNoteSignatures) {
      return Status::ResourceExhausted("signed note has more than " +
                                       std::to_string(kMaxNoteSignatures) + " signatures");
    }
    const size_t eol = lines.find('\n');
    HOMEPORT_ASSIGN_OR_RETURN(NoteSignatureLine line, ParseSignatureLine(lines.substr(0, eol)));
    out.signatures.push_back(std::move(line));
    lines.remove_prefix(eol + 1);
  }
  return out;
}

std::string JoinSignedNote(const SplitNote& note) {
  std::string out = note.text + "\n";
  for (const NoteSignatureLine& line : note.signatures) out += SignatureLineText(line);
  return out;
}

Result<std::string> SignNote(std::string_view text, std::string_view key_name,
                             const crypto::SecretKey& key) {
  HOMEPORT_RETURN_IF_ERROR(CheckNoteText(text));
  HOMEPORT_RETURN_IF_ERROR(CheckKeyName(key_name));
  return WithSignature({std::string(text), {}}, Ed25519Line(text, key_name, key));
}

Result<std::string> AddNoteSignature(std::string_view signed_note, std::string_view key_name,
                                     const crypto::SecretKey& key) {
  HOMEPORT_RETURN_IF_ERROR(CheckKeyName(key_name));
  HOMEPORT_ASSIGN_OR_RETURN(SplitNote note, SplitSignedNote(signed_note));
  NoteSignatureLine line = Ed25519Line(note.text, key_name, key);
  return WithSignature(std::move(note), std::move(line));
}

Result<std::string> AddCosignature(std::string_view signed_checkpoint,
                                   std::string_view witness_name, const crypto::SecretKey& key,
                                   int64_t timestamp) {
  HOMEPORT_RETURN_IF_ERROR(CheckKeyName(witness_name));
  if (timestamp < 0) {
    return Status::InvalidArgument("cosignature timestamp " + std::to_string(timestamp) +
                                   " is before 1970");
  }
  HOMEPORT_ASSIGN_OR_RETURN(SplitNote note, SplitSignedNote(signed_checkpoint));
  HOMEPORT_RETURN_IF_ERROR(ParseCheckpoint(note.text).status().WithContext("cannot cosign"));
  NoteSignatureLine line;
  line.key_name = std::string(witness_name);
  line.key_id = NoteKeyId(witness_name, NoteSignatureType::kCosignatureV1, key.Public());
  AppendBe64(line.signature, static_cast<uint64_t>(timestamp));
  line.signature += key.Sign(CosignedMessage(note.text, static_cast<uint64_t>(timestamp)));
  return WithSignature(std::move(note), std::move(line));
}

Result<OpenedNote> OpenNote(std::string_view note, const NoteVerifierKey& required,
                            std::span<const NoteVerifierKey> also_known) {
  std::vector<NoteVerifierKey> known{required};
  known.insert(known.end(), also_known.begin(), also_known.end());
  HOMEPORT_RETURN_IF_ERROR(CheckUnambiguous(known));
  HOMEPORT_ASSIGN_OR_RETURN(SplitNote split, SplitSignedNote(note));
  std::vector<uint32_t> ids;
  for (const NoteVerifierKey& k : known) ids.push_back(k.id());
  OpenedNote out;
  for (const NoteSignatureLine& line : split.signatures) {
    size_t i = 0;
    while (i < known.size() && (known[i].name != line.key_name || ids[i] != line.key_id)) ++i;
    if (i == known.size()) continue;  // an unknown key: the spec says to ignore it
    const NoteVerifierKey* key = &known[i];
    HOMEPORT_ASSIGN_OR_RETURN(int64_t timestamp, VerifyLine(*key, split.text, line.signature));
    const bool seen = std::any_of(out.verified.begin(), out.verified.end(),
                                  [&](const VerifiedNoteSignature& v) { return v.key == *key; });
    if (!seen) out.verified.push_back({*key, timestamp});
  }
  const bool required_signed =
      std::any_of(out.verified.begin(), out.verified.end(),
                  [&](const VerifiedNoteSignature& v) { return v.key == required; });
  if (!required_signed) {
    return Status::Corruption("note carries no signature by key " + KeyLabel(required));
  }
  out.text = std::move(split.text);
  return out;
}

}  // namespace homeport::tlog
