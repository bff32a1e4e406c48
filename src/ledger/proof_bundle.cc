#include "ledger/proof_bundle.h"

#include <boost/json.hpp>

#include "ledger/checkpoint.h"

namespace sluice {

namespace json = boost::json;

namespace {

Status Bad(std::string detail) { return CommandError("proof bundle: " + std::move(detail)); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Every key known, every known key present: a typo must not silently drop a field.
Status CheckKeys(const json::object& o, std::initializer_list<std::string_view> keys, const std::string& where) {
  for (const auto& kv : o) {
    bool known = false;
    for (std::string_view k : keys) known = known || kv.key() == k;
    if (!known) return Bad(where + "unknown key '" + std::string(kv.key()) + "'");
  }
  for (std::string_view k : keys)
    if (!o.contains(k)) return Bad(where + "missing key '" + std::string(k) + "'");
  return Status::Ok();
}

Result<uint64_t> GetUint(const json::object& o, std::string_view key, const std::string& where) {
  const json::value& v = o.at(key);
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<uint64_t>(v.get_int64());
  return Bad(where + "'" + std::string(key) + "' must be a non-negative integer");
}

Result<InclusionBundleEntry> ParseEntry(const json::value& v, size_t i) {
  std::string where = "entries[" + std::to_string(i) + "]: ";
  if (!v.is_object()) return Bad(where + "must be an object");
  const json::object& o = v.get_object();
  if (Status s = CheckKeys(o, {"leaf_index", "record", "proof"}, where); !s.ok()) return s;
  InclusionBundleEntry e;
  auto index = GetUint(o, "leaf_index", where);
  if (!index) return index.status();
  e.leaf_index = *index;
  if (!o.at("record").is_string()) return Bad(where + "'record' must be a string");
  e.record_base64 = std::string(o.at("record").get_string());
  if (!o.at("proof").is_array()) return Bad(where + "'proof' must be an array");
  for (const json::value& h : o.at("proof").get_array()) {
    auto hash = h.is_string() ? HashFromHex(h.get_string()) : Result<Hash>(Bad("not a string"));
    if (!hash) return Bad(where + "'proof' must hold 64-digit hex hashes");
    e.proof.push_back(*hash);
  }
  return e;
}

}  // namespace

std::string HashToHex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : hash) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

Result<Hash> HashFromHex(std::string_view hex) {
  Hash h{};
  if (hex.size() != 2 * h.size()) return Bad("hash '" + std::string(hex) + "' is not 64 hex digits");
  for (size_t i = 0; i < h.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Bad("hash '" + std::string(hex) + "' is not 64 hex digits");
    h[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return h;
}

std::string ProofBundleToJson(const ProofBundle& bundle) {
  json::array entries;
  for (const InclusionBundleEntry& e : bundle.entries) {
    json::array proof;
    for (const Hash& h : e.proof) proof.emplace_back(HashToHex(h));
    entries.emplace_back(json::object{{"leaf_index", e.leaf_index}, {"record", e.record_base64}, {"proof", std::move(proof)}});
  }
  json::object doc{{"checkpoint", bundle.checkpoint_note}, {"tree_size", bundle.tree_size}, {"entries", std::move(entries)}};
  return json::serialize(doc);
}

Result<ProofBundle> ProofBundleFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return Bad("not JSON: " + ec.message());
  if (!doc.is_object()) return Bad("must be a JSON object");
  const json::object& o = doc.get_object();
  if (Status s = CheckKeys(o, {"checkpoint", "tree_size", "entries"}, ""); !s.ok()) return s;
  ProofBundle bundle;
  if (!o.at("checkpoint").is_string()) return Bad("'checkpoint' must be a string");
  bundle.checkpoint_note = std::string(o.at("checkpoint").get_string());
  auto size = GetUint(o, "tree_size", "");
  if (!size) return size.status();
  bundle.tree_size = *size;
  if (!o.at("entries").is_array()) return Bad("'entries' must be an array");
  const json::array& entries = o.at("entries").get_array();
  for (size_t i = 0; i < entries.size(); ++i) {
    auto e = ParseEntry(entries[i], i);
    if (!e) return e.status();
    bundle.entries.push_back(std::move(*e));
  }
  return bundle;
}

Status CheckProofBundle(const ProofBundle& bundle, std::string_view verifier_key) {
  auto checkpoint = VerifyCheckpoint(bundle.checkpoint_note, verifier_key);
  if (!checkpoint) return Bad(checkpoint.status().message());
  if (checkpoint->size != bundle.tree_size)
    return Bad("tree_size " + std::to_string(bundle.tree_size) + " differs from the checkpoint's size " +
               std::to_string(checkpoint->size));
  for (size_t i = 0; i < bundle.entries.size(); ++i) {
    const InclusionBundleEntry& e = bundle.entries[i];
    std::string where = "entries[" + std::to_string(i) + "] (leaf " + std::to_string(e.leaf_index) + "): ";
    auto record = Base64Decode(e.record_base64);
    if (!record) return Bad(where + "record is not base64");
    if (e.leaf_index >= checkpoint->size)
      return Bad(where + "leaf index is outside the tree of " + std::to_string(checkpoint->size) + " leaves");
    if (!VerifyInclusion(LeafHash(*record), e.leaf_index, checkpoint->size, e.proof, checkpoint->root))
      return Bad(where + "inclusion proof does not lead to the checkpoint's root");
  }
  return Status::Ok();
}

}  // namespace sluice
