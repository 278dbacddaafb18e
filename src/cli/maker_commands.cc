// Maker tooling: `keys new|rotate`, `manifest sign|verify`, `factory batch`.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "command.h"
#include "common/host_pattern.h"
#include "common/terminal_text.h"
#include "common/time_format.h"
#include "crypto/ed25519.h"
#include "factory/factory_batch.h"
#include "privacy/identifier_kind.h"
#include "provisioning/region_manifest.h"
#include "provisioning/root_rotation.h"

namespace homeport::cli {
namespace {

std::vector<std::string> SplitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    size_t start = 0;
    for (;;) {
      size_t comma = v.find(',', start);
      std::string item = v.substr(start, comma - start);
      if (!item.empty()) out.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

// The base URL the manifest holds: trailing slashes and a trailing `endpoint` path (an endpoint
// given in full) are cut off, with a note saying so.
std::string BaseUrl(std::string url, std::string_view endpoint, const char* flag) {
  std::string given = url;
  while (url.ends_with('/')) url.pop_back();
  if (!endpoint.empty() && url.ends_with(endpoint)) url.resize(url.size() - endpoint.size());
  while (url.ends_with('/')) url.pop_back();
  if (url != given) {
    std::printf("note: %s %s is taken as the base URL %s; devices add %s\n", flag,
                TerminalSafe(given).c_str(), TerminalSafe(url).c_str(),
                endpoint.empty() ? "their paths" : std::string(endpoint).c_str());
  }
  return url;
}

std::string IdentifierKindNames() {
  std::string names;
  for (privacy::IdentifierKind k : privacy::kAllIdentifierKinds) {
    names += (names.empty() ? "" : ", ") + std::string(privacy::NameOf(k));
  }
  return names;
}

void AddOnce(std::vector<std::string>& list, std::string item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(std::move(item));
}

struct DeclarationFlags {
  std::vector<std::string> hosts, countries, identifiers;
  bool cleartext = false;
  bool Given() const {
    return cleartext || !hosts.empty() || !countries.empty() || !identifiers.empty();
  }
};

// The data-flow declaration the flags make, each value checked and named in the refusal; the
// endpoints' hosts are added where no declared host covers them, so the signed list is every
// host the device may reach. Nothing when no declaration flag was given.
Result<std::optional<DataFlowDeclaration>> Declaration(const DeclarationFlags& f,
                                                       const RegionManifest& m) {
  if (!f.Given()) return std::optional<DataFlowDeclaration>();
  DataFlowDeclaration d;
  d.allow_cleartext = f.cleartext;
  for (const auto& h : SplitList(f.hosts)) {
    if (Status st = CheckHostPattern(h); !st.ok()) {
      return Status::InvalidArgument("--allow-host: " + st.message());
    }
    const std::string host = NormalizeHostName(h);
    if (host == "*") {
      return Status::InvalidArgument(
          "--allow-host \"*\": a manifest names the hosts its devices may reach; use "
          "\"*.example.com\" for every name below a domain");
    }
    AddOnce(d.allow_hosts, host);
  }
  for (const auto& given : SplitList(f.countries)) {
    std::string c = given;
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (!IsCountryCode(c)) {
      return Status::InvalidArgument("--data-country \"" + given +
                                     "\" is not an ISO 3166-1 alpha-2 country code such as SG");
    }
    AddOnce(d.allow_countries, c);
  }
  for (const auto& k : SplitList(f.identifiers)) {
    if (!privacy::KindFromName(k)) {
      return Status::InvalidArgument("--allow-identifier \"" + k +
                                     "\" is not an identifier kind; the kinds are " +
                                     IdentifierKindNames());
    }
    AddOnce(d.allow_identifiers, k);
  }
  for (const auto& [url, flag] :
       {std::pair{&m.activation_url, "--activation-url"}, std::pair{&m.uxp_url, "--uxp-url"}}) {
    if (!d.allow_cleartext && url->starts_with("http://")) {
      return Status::InvalidArgument(std::string(flag) + " " + *url +
                                     " is cleartext (http://): declare it with --allow-cleartext, "
                                     "or use https://");
    }
    auto host = EndpointHost(*url);
    if (!host.ok()) {
      return Status::InvalidArgument(std::string(flag) + ": " + host.status().message());
    }
    if (std::none_of(d.allow_hosts.begin(), d.allow_hosts.end(),
                     [&](const std::string& p) { return HostPatternMatches(p, *host); })) {
      d.allow_hosts.push_back(*host);
    }
  }
  return std::optional<DataFlowDeclaration>(std::move(d));
}

std::string Listed(const std::vector<std::string>& items, const char* none) {
  if (items.empty()) return none;
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// True when `a` and `b` name the same existing file.
bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

// `keys rotate`: the old root key's statement naming its successor (docs/lifecycle.md).
void AddKeysRotateCommand(CLI::App* keys, Commands& commands) {
  struct RotateArgs {
    std::string old_key, new_key, out;
  };
  auto a = std::make_shared<RotateArgs>();
  auto* rotate = keys->add_subcommand(
      "rotate", "sign, with the old root key, the statement that moves devices to a new one");
  rotate->add_option("--old", a->old_key, "the root secret key devices trust now (JWK)")
      ->required();
  rotate
      ->add_option("--new", a->new_key,
                   "the new root key: its public JWK (FILE.pub) or its secret one")
      ->required();
  rotate->add_option("--out", a->out, "rotation statement file to write")->required();
  rotate->callback([&commands, a] {
    commands.run = [a] {
      Env* env = Env::Default();
      if (SameFile(a->out, a->old_key) || SameFile(a->out, a->new_key)) {
        return Fail("--out " + a->out + " is one of the keys; refusing to overwrite a key");
      }
      auto old_root = crypto::ReadSecretKey(env, a->old_key);
      if (!old_root.ok()) return Fail(old_root.status());
      auto new_root = crypto::ReadPublicKey(env, a->new_key);
      if (!new_root.ok()) return Fail(new_root.status());
      const std::string issued_at = FormatRfc3339(env->Now());
      auto jws = SignRootRotation(*old_root, *new_root, issued_at);
      if (!jws.ok()) return Fail(jws.status());
      if (Status st = env->WriteFileAtomic(a->out, *jws + "\n"); !st.ok()) return Fail(st);
      std::printf("wrote %s: root key %s hands over to %s (issued %s)\n", a->out.c_str(),
                  old_root->Public().Thumbprint().c_str(), new_root->Thumbprint().c_str(),
                  issued_at.c_str());
      std::printf(
          "ship it with the update whose manifests the new key signs; devices take it "
          "with --rotation %s\n",
          a->out.c_str());
      return 0;
    };
  });
}

}  // namespace

void AddKeysCommands(CLI::App& app, Commands& commands) {
  auto* keys = app.add_subcommand("keys", "Ed25519 key pairs (JWK files)");
  keys->require_subcommand(1);
  auto* make = keys->add_subcommand("new", "make a key pair: FILE (secret, 0600) and FILE.pub");
  auto out = std::make_shared<std::string>();
  make->add_option("--out", *out, "secret key file; the public key goes to FILE.pub")->required();
  make->callback([&commands, out] {
    commands.run = [out] {
      Env* env = Env::Default();
      if (env->FileExists(*out)) return Fail(*out + " exists; refusing to overwrite a key");
      auto key = crypto::SecretKey::Generate();
      if (Status st = crypto::WriteKeyPair(env, *out, key); !st.ok()) return Fail(st);
      std::printf("wrote %s (secret) and %s.pub\nkid %s\n", out->c_str(), out->c_str(),
                  key.Public().Thumbprint().c_str());
      return 0;
    };
  });
  AddKeysRotateCommand(keys, commands);
}

void AddManifestCommands(CLI::App& app, Commands& commands) {
  auto* manifest = app.add_subcommand("manifest", "signed region manifests (JWS, EdDSA)");
  manifest->require_subcommand(1);

  struct SignArgs {
    std::string root_key, out;
    RegionManifest m;
    std::vector<std::string> variants, pins;
    DeclarationFlags declared;
  };
  auto a = std::make_shared<SignArgs>();
  auto* sign = manifest->add_subcommand("sign", "sign a region manifest with the maker root key");
  sign->add_option("--root-key", a->root_key, "maker root secret key (JWK)")->required();
  sign->add_option("--region", a->m.region, "region code, e.g. sg")->required();
  sign->add_option("--variant", a->variants, "variant(s) served, comma-separated")->required();
  sign->add_option("--activation-url", a->m.activation_url, "activation service base URL")->required();
  sign->add_option("--uxp-url", a->m.uxp_url, "UX-program ingestion base URL")->required();
  // 2^53 - 1: the largest version every JSON reader holds exactly.
  sign->add_option("--version", a->m.version, "manifest version (1, 2, …)")
      ->required()
      ->check(WholeNumberIn(1, 9'007'199'254'740'991));
  sign->add_option("--tls-pin", a->pins,
                   "sha256//BASE64 public-key pin(s) for the endpoints (SHA-256 of the "
                   "SubjectPublicKeyInfo, 44 Base64 characters)");
  sign->add_option("--allow-host", a->declared.hosts,
                   "declares another host the firmware may contact (updates, time, push); "
                   "\"*.example.com\" for every name below example.com; repeatable");
  sign->add_option("--data-country", a->declared.countries,
                   "declares a country its data may go to (ISO 3166-1 alpha-2, e.g. SG); "
                   "repeatable");
  sign->add_option("--allow-identifier", a->declared.identifiers,
                   "declares an identifier kind it may send (" + IdentifierKindNames() +
                       "); normally none; repeatable");
  sign->add_flag("--allow-cleartext", a->declared.cleartext,
                 "declares that it may send data unencrypted (needed for http:// endpoints)");
  sign->add_flag("--rollback", a->m.rollback,
                 "signs an explicit rollback: devices that accepted a higher version take this "
                 "one (they refuse a lower version without it)");
  sign->add_option("--out", a->out, "manifest file to write")->required();
  sign->callback([&commands, a] {
    commands.run = [a] {
      Env* env = Env::Default();
      auto root = crypto::ReadSecretKey(env, a->root_key);
      if (!root.ok()) return Fail(root.status());
      a->m.activation_url = BaseUrl(a->m.activation_url, kActivationPath, "--activation-url");
      a->m.uxp_url = BaseUrl(a->m.uxp_url, "", "--uxp-url");
      a->m.variants = SplitList(a->variants);
      a->m.tls_pins = SplitList(a->pins);
      a->m.issued_at = FormatRfc3339(env->Now());
      auto declaration = Declaration(a->declared, a->m);
      if (!declaration.ok()) return Fail(declaration.status());
      a->m.data_flow = std::move(*declaration);
      auto jws = SignManifest(a->m, *root);
      if (!jws.ok()) return Fail(jws.status());
      if (Status st = env->WriteFileAtomic(a->out, *jws + "\n"); !st.ok()) return Fail(st);
      std::printf("wrote %s: region %s, version %lld\n", a->out.c_str(), a->m.region.c_str(),
                  static_cast<long long>(a->m.version));
      if (a->m.rollback) {
        std::printf("rollback: devices that accepted a higher version take this one\n");
      }
      if (const auto& d = a->m.data_flow) {
        std::printf("declared: hosts %s; countries %s; identifiers %s; cleartext %s\n",
                    TerminalSafe(Listed(d->allow_hosts, "none")).c_str(),
                    Listed(d->allow_countries, "not declared").c_str(),
                    Listed(d->allow_identifiers, "none").c_str(),
                    d->allow_cleartext ? "allowed" : "not allowed");
      }
      return 0;
    };
  });

  auto root_pub = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto* verify = manifest->add_subcommand("verify", "verify a manifest and print its contents");
  verify->add_option("--root-pub", *root_pub, "maker root public key (JWK)")->required();
  verify->add_option("MANIFEST", *file, "manifest file")->required();
  verify->callback([&commands, root_pub, file] {
    commands.run = [root_pub, file] {
      Env* env = Env::Default();
      auto root = crypto::ReadPublicKey(env, *root_pub);
      if (!root.ok()) return Fail(root.status());
      auto jws = env->ReadFile(*file);
      if (!jws.ok()) return Fail(jws.status());
      auto m = VerifyManifest(*jws, *root);
      if (!m.ok()) return Fail(*file + ": " + m.status().message());
      nlohmann::json j = {{"valid", true},           {"region", m->region},
                          {"variants", m->variants}, {"activation_url", m->activation_url},
                          {"uxp_url", m->uxp_url},   {"tls_pins", m->tls_pins},
                          {"version", m->version},   {"issued_at", m->issued_at},
                          {"rollback", m->rollback}, {"kid", root->Thumbprint()}};
      // The declaration as signed (allow_countries only when countries are declared); null for
      // a manifest without one (its endpoints as written, no identifiers, no countries
      // declared: docs/maker-guide.md).
      j["data_flow"] = nullptr;
      if (const auto& d = m->data_flow) {
        j["data_flow"] = {{"allow_hosts", d->allow_hosts},
                          {"allow_identifiers", d->allow_identifiers},
                          {"allow_cleartext", d->allow_cleartext}};
        if (!d->allow_countries.empty()) j["data_flow"]["allow_countries"] = d->allow_countries;
      }
      std::printf("%s\n", TerminalSafeJson(j).c_str());
      return 0;
    };
  });
}

void AddFactoryCommands(CLI::App& app, Commands& commands) {
  auto* factory = app.add_subcommand("factory", "factory batches of device identities");
  factory->require_subcommand(1);
  struct BatchArgs {
    std::string root_pub, root_key, log_pub;
    FactoryBatchOptions o;
  };
  auto a = std::make_shared<BatchArgs>();
  auto* batch = factory->add_subcommand("batch", "make N device identities and enrollment.csv");
  auto* pub = batch->add_option("--root-pub", a->root_pub,
                                "maker root public key (JWK): what profiles carry; the secret "
                                "key can stay offline");
  auto* secret = batch->add_option("--root-key", a->root_key,
                                   "maker root secret key instead (only its public half is used)");
  pub->excludes(secret);
  secret->excludes(pub);
  batch->add_option("--count", a->o.count, "devices in the batch")
      ->required()
      ->check(WholeNumberIn(1, 1'000'000));
  batch->add_option("--model", a->o.model, "model")->required();
  batch->add_option("--sku", a->o.sku, "SKU")->required();
  batch->add_option("--variant", a->o.variant, "firmware variant")->required();
  batch->add_option("--region", a->o.region, "factory region")->required();
  batch->add_option("--batch", a->o.batch, "batch id (serials are BATCH-NNNNNN)")->required();
  batch->add_option("--client-version", a->o.client_version, "activation client version")
      ->capture_default_str();
  batch->add_option("--out", a->o.out_dir, "output directory")->required();
  batch->add_option("--log-pub", a->log_pub,
                    "the region's transparency-log public key (JWK): devices check log proofs "
                    "with it (manifests, erasure receipts)");
  batch->add_flag("--require-log-proof", a->o.require_log_proof,
                  "devices accept a manifest only with its inclusion proof in the region's log "
                  "(needs --log-pub)");
  batch->callback([&commands, a] {
    commands.run = [a] {
      Env* env = Env::Default();
      if (!a->log_pub.empty()) {
        auto log_key = crypto::ReadPublicKey(env, a->log_pub);
        if (!log_key.ok()) return Fail(log_key.status().WithContext("--log-pub"));
        a->o.log_public_jwk = crypto::ToJwk(*log_key).dump();
      }
      if (Status st = ValidateFactoryBatchOptions(a->o); !st.ok()) return Fail(st);
      if (a->root_pub.empty() == a->root_key.empty()) {
        return Fail("factory batch needs the maker root public key: --root-pub FILE.pub");
      }
      Result<crypto::PublicKey> root = Status::Internal("unset");
      if (!a->root_pub.empty()) {
        root = crypto::ReadPublicKey(env, a->root_pub);
      } else if (auto secret = crypto::ReadSecretKey(env, a->root_key); secret.ok()) {
        root = secret->Public();
      } else {
        root = secret.status();
      }
      if (!root.ok()) return Fail(root.status());
      auto profiles = MakeFactoryBatch(a->o, *root, env);
      if (!profiles.ok()) return Fail(profiles.status());
      std::printf("wrote %zu device profiles to %s/devices and %s/enrollment.csv\n",
                  profiles->size(), a->o.out_dir.c_str(), a->o.out_dir.c_str());
      return 0;
    };
  });
}

}  // namespace homeport::cli
