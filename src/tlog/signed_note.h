// Signed notes (c2sp.org/signed-note), the envelope of the log's checkpoints: a text ending in a
// newline, a blank line, then one line per signature,
//
//   — <key name> <base64(4-byte key id || signature)>
//
// with Ed25519 note signatures (type 0x01, the format of Go's golang.org/x/mod/sumdb/note, the
// Go checksum database and Sigsum) and witness cosignatures (type 0x04, c2sp.org/tlog-cosignature:
// a timestamp and an Ed25519 signature over "cosignature/v1\ntime <t>\n" + the checkpoint).
// A key id is the first four bytes of SHA-256(key name || "\n" || type || public key).
//
// Opening is strict and bounded (kMaxNoteBytes, kMaxNoteSignatures): notes come from the network.
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "homeport/status.h"
#include "tlog/note_text.h"  // IsValidNoteKeyName

namespace homeport::tlog {

inline constexpr size_t kMaxNoteBytes = size_t{1} << 20;
inline constexpr size_t kMaxNoteSignatures = 100;

// The signature type byte that goes into key ids and verifier keys.
enum class NoteSignatureType : uint8_t {
  kEd25519 = 0x01,        // a log's signature over the note text
  kCosignatureV1 = 0x04,  // a witness's timestamped cosignature of a checkpoint
};

// SHA-256(name || "\n" || type || key)[:4], read big-endian.
uint32_t NoteKeyId(std::string_view name, NoteSignatureType type, const crypto::PublicKey& key);

// A public key that verifies note signatures of one type under one name. Its text form, the
// "verifier key" that operators publish and configure, is Go's note.NewVerifier format:
//   <name>+<key id, 8 lower-case hex digits>+<base64(type || 32-byte public key)>
struct NoteVerifierKey {
  std::string name;
  NoteSignatureType type = NoteSignatureType::kEd25519;
  crypto::PublicKey key;

  // InvalidArgument for a name IsValidNoteKeyName refuses.
  static Result<NoteVerifierKey> Make(std::string_view name, NoteSignatureType type,
                                      const crypto::PublicKey& key);
  // Reads the text form. InvalidArgument when malformed, of an unknown type, or when the key id
  // is not the one the name and key give.
  static Result<NoteVerifierKey> Parse(std::string_view text);

  uint32_t id() const { return NoteKeyId(name, type, key); }
  std::string ToString() const;
  bool operator==(const NoteVerifierKey&) const = default;
};

// One signature line, undecoded beyond the key id.
struct NoteSignatureLine {
  std::string key_name;
  uint32_t key_id = 0;
  std::string signature;  // the bytes after the key id (at least one)
};

struct SplitNote {
  std::string text;  // ends in a newline
  std::vector<NoteSignatureLine> signatures;
};

// Separates a signed note into its text and signature lines, checking the format only (no
// signature is verified): the size limits (ResourceExhausted), UTF-8 without control characters
// but newlines, the blank line before the signatures (the last one in the note), each line's
// "— ", key name and canonical base64 (InvalidArgument).
Result<SplitNote> SplitSignedNote(std::string_view note);
// The inverse of SplitSignedNote.
std::string JoinSignedNote(const SplitNote& note);

// Signs `text` (ending in a newline) with an Ed25519 note signature: text + "\n" + the line.
Result<std::string> SignNote(std::string_view text, std::string_view key_name,
                             const crypto::SecretKey& key);

// Adds an Ed25519 note signature by `key_name` to a signed note, in place of any signature it
// already carries by the same name and key id.
Result<std::string> AddNoteSignature(std::string_view signed_note, std::string_view key_name,
                                     const crypto::SecretKey& key);

// Adds a witness cosignature made at `timestamp` (UNIX seconds, >= 0) to a signed checkpoint, in
// place of any the witness made before. The note text must parse as a checkpoint; checking the
// log's signature and consistency with what the witness saw before is the caller's part.
Result<std::string> AddCosignature(std::string_view signed_checkpoint,
                                   std::string_view witness_name, const crypto::SecretKey& key,
                                   int64_t timestamp);

struct VerifiedNoteSignature {
  NoteVerifierKey key;
  int64_t timestamp = 0;  // for a cosignature, when the witness made it; 0 otherwise
};

struct OpenedNote {
  std::string text;
  // Each known key whose signature verified, once, in the order of the note's lines.
  std::vector<VerifiedNoteSignature> verified;
};

// Opens a signed note: SplitSignedNote, then every signature line whose name and key id are
// those of `required` or of a key in `also_known` (e.g. the witnesses) must verify — if one does
// not, Corruption naming its key. Lines of unknown keys are skipped, as the spec demands. Fails
// with Corruption unless `required` signed. InvalidArgument when two known keys share a name and
// key id.
Result<OpenedNote> OpenNote(std::string_view note, const NoteVerifierKey& required,
                            std::span<const NoteVerifierKey> also_known = {});

}  // namespace homeport::tlog
