#include "models/torch_pickle.h"

#include <caffe2/serialize/inline_container.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <vector>

#include "util/error.h"

namespace clasp {

namespace {

// Values live in the reader's arena and point at each other with plain
// pointers: a pickle may build cycles (a list holding itself), which
// reference counting would leak.
struct Value;
using V = Value*;

struct Value {
  enum Kind { None, Bool, Int, Float, Str, Tensor, List, Tuple, Dict, Object, Global, Mark } kind = None;
  int64_t i = 0;
  double f = 0;
  std::string s;  // Str; Global and Object: "module.Class"
  torch::Tensor t;
  std::vector<V> items;                 // List, Tuple
  std::vector<std::pair<V, V>> entries; // Dict, in order
  V state = nullptr;                    // Object: its pickled state (BUILD), shared, never copied
};

// kUndefined for a storage class this reader does not know.
c10::ScalarType storage_dtype(const std::string& cls) {
  static const std::map<std::string, c10::ScalarType> m = {
      {"torch.FloatStorage", torch::kFloat32}, {"torch.DoubleStorage", torch::kFloat64},
      {"torch.HalfStorage", torch::kFloat16},  {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kInt64},    {"torch.IntStorage", torch::kInt32},
      {"torch.ShortStorage", torch::kInt16},   {"torch.CharStorage", torch::kInt8},
      {"torch.ByteStorage", torch::kUInt8},    {"torch.BoolStorage", torch::kBool}};
  auto it = m.find(cls);
  return it == m.end() ? c10::ScalarType::Undefined : it->second;
}

struct ZipEntry {
  uint64_t size = 0;  // uncompressed
  bool compressed = false;
};

// name (without the archive's top folder) -> size and method, from the zip's central directory, so a record's
// size is known before libtorch's reader inflates it. Empty when the directory cannot be read (libtorch then
// refuses the file itself).
std::map<std::string, ZipEntry> zip_directory(const std::string& path) {
  std::map<std::string, ZipEntry> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  in.seekg(0, std::ios::end);
  const uint64_t file = static_cast<uint64_t>(in.tellg());
  const uint64_t tail = std::min<uint64_t>(file, 65557);
  std::string t(tail, '\0');
  in.seekg(static_cast<std::streamoff>(file - tail));
  in.read(t.data(), static_cast<std::streamsize>(tail));
  auto u16 = [](const char* p) { return uint64_t(uint8_t(p[0])) | uint64_t(uint8_t(p[1])) << 8; };
  auto u32 = [&](const char* p) { return u16(p) | u16(p + 2) << 16; };
  auto u64 = [&](const char* p) { return u32(p) | u32(p + 4) << 32; };
  size_t eocd = std::string::npos;
  for (size_t k = tail >= 22 ? tail - 22 + 1 : 0; k-- > 0;)
    if (t.compare(k, 4, "PK\x05\x06") == 0) {
      eocd = k;
      break;
    }
  if (eocd == std::string::npos) return out;
  uint64_t count = u16(&t[eocd + 10]), cd_size = u32(&t[eocd + 12]), cd_off = u32(&t[eocd + 16]);
  if ((count == 0xFFFF || cd_off == 0xFFFFFFFF) && eocd >= 20 && t.compare(eocd - 20, 4, "PK\x06\x07") == 0) {
    std::string z(56, '\0');  // ZIP64 end of central directory record
    in.seekg(static_cast<std::streamoff>(u64(&t[eocd - 20 + 8])));
    if (!in.read(z.data(), 56) || z.compare(0, 4, "PK\x06\x06") != 0) return out;
    count = u64(&z[32]);
    cd_size = u64(&z[40]);
    cd_off = u64(&z[48]);
  }
  if (cd_off + cd_size > file || cd_size > (256u << 20)) return out;
  std::string cd(cd_size, '\0');
  in.seekg(static_cast<std::streamoff>(cd_off));
  if (!in.read(cd.data(), static_cast<std::streamsize>(cd_size))) return out;
  for (size_t p = 0, n = 0; n < count && p + 46 <= cd.size() && cd.compare(p, 4, "PK\x01\x02") == 0; ++n) {
    const uint64_t method = u16(&cd[p + 10]), name_len = u16(&cd[p + 28]), extra_len = u16(&cd[p + 30]),
                   comment_len = u16(&cd[p + 32]);
    if (p + 46 + name_len + extra_len > cd.size()) break;
    ZipEntry e{u32(&cd[p + 24]), method != 0};
    if (e.size == 0xFFFFFFFF)  // the real size is in the ZIP64 extra field
      for (size_t x = p + 46 + name_len; x + 4 <= p + 46 + name_len + extra_len;) {
        const uint64_t id = u16(&cd[x]), len = u16(&cd[x + 2]);
        if (id == 1 && len >= 8 && x + 12 <= cd.size()) e.size = u64(&cd[x + 4]);
        x += 4 + len;
      }
    std::string name = cd.substr(p + 46, name_len);
    const size_t slash = name.find('/');
    out[slash == std::string::npos ? name : name.substr(slash + 1)] = e;
    p += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

class Reader {
 public:
  Reader(const std::string& path)
      : path_(path), zip_(path), dir_(zip_directory(path)), file_(std::filesystem::file_size(path)) {}

  V run() {
    check_record("data.pkl", 0, kMaxPickleBytes);
    auto [data, size] = zip_.getRecord("data.pkl");
    p_ = static_cast<const uint8_t*>(data.get());
    end_ = p_ + size;
    keep_ = std::move(data);
    for (;;) {
      const uint8_t op = byte();
      switch (op) {
        case 0x80: byte(); break;  // PROTO
        case 0x95: take(8); break; // FRAME
        case '.': {                // STOP
          if (stack_.size() != 1) fail("the pickle ends with " + std::to_string(stack_.size()) + " values on its stack");
          return stack_.back();
        }
        case 'c': {  // GLOBAL module\nname\n
          auto g = make(Value::Global);
          g->s = line();
          g->s += "." + line();
          push(g);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop(), mod = pop();
          auto g = make(Value::Global);
          g->s = str(mod) + "." + str(name);
          push(g);
          break;
        }
        case 'q': memo(byte()); break;
        case 'r': memo(u32()); break;
        case 0x94: memo(memo_.size()); break;  // MEMOIZE
        case 'h': push(get(byte())); break;
        case 'j': push(get(u32())); break;
        case '(': push(make(Value::Mark)); break;
        case ')': push(make(Value::Tuple)); break;
        case ']': push(make(Value::List)); break;
        case '}': push(make(Value::Dict)); break;
        case 't': { auto t = make(Value::Tuple); t->items = since_mark(); push(t); break; }
        case 0x85: case 0x86: case 0x87: {  // TUPLE1-3
          auto t = make(Value::Tuple);
          t->items.resize(op - 0x84);
          for (size_t k = t->items.size(); k-- > 0;) t->items[k] = pop();
          push(t);
          break;
        }
        case 'a': { auto x = pop(); list(top())->items.push_back(x); break; }
        case 'e': { auto xs = since_mark(); auto& l = list(top())->items; l.insert(l.end(), xs.begin(), xs.end()); break; }
        case 's': { auto v = pop(), k = pop(); dict(top())->entries.emplace_back(k, v); break; }
        case 'u': {
          auto xs = since_mark();
          if (xs.size() % 2) fail("SETITEMS with an odd number of values");
          for (size_t k = 0; k < xs.size(); k += 2) dict(top())->entries.emplace_back(xs[k], xs[k + 1]);
          break;
        }
        case 'X': push(string(u32())); break;
        case 0x8c: push(string(byte())); break;  // SHORT_BINUNICODE
        case 'T': push(string(u32())); break;    // BINSTRING
        case 'U': push(string(byte())); break;   // SHORT_BINSTRING
        case 'J': { int32_t x; std::memcpy(&x, take(4), 4); push(integer(x)); break; }
        case 'K': push(integer(byte())); break;
        case 'M': { uint16_t x; std::memcpy(&x, take(2), 2); push(integer(x)); break; }
        case 0x8a: {  // LONG1: little-endian two's complement
          const size_t n = byte();
          if (n > 8) fail("an integer wider than 64 bits");
          const uint8_t* b = take(n);
          uint64_t x = 0;
          for (size_t k = 0; k < n; ++k) x |= uint64_t(b[k]) << (8 * k);
          if (n && n < 8 && (b[n - 1] & 0x80)) x |= ~uint64_t(0) << (8 * n);
          push(integer(static_cast<int64_t>(x)));
          break;
        }
        case 'G': {  // BINFLOAT, big-endian
          const uint8_t* b = take(8);
          uint64_t x = 0;
          for (int k = 0; k < 8; ++k) x = x << 8 | b[k];
          auto v = make(Value::Float);
          std::memcpy(&v->f, &x, 8);
          push(v);
          break;
        }
        case 'N': push(make(Value::None)); break;
        case 0x88: case 0x89: { auto v = make(Value::Bool); v->i = op == 0x88; push(v); break; }
        case 'Q': push(storage(pop())); break;  // BINPERSID
        case 'R': { auto args = pop(), fn = pop(); push(reduce(fn, args)); break; }
        case 0x81: case 0x92: {  // NEWOBJ cls args, NEWOBJ_EX cls args kwargs: an object of a class never imported
          if (op == 0x92) pop();
          pop();
          auto o = make(Value::Object);
          o->s = pop()->s;
          push(o);
          break;
        }
        case 'b': {  // BUILD: an object's state; a dict's or a tensor's extra state is dropped
          auto st = pop();
          auto& obj = top();
          if (obj->kind == Value::Object) obj->state = st;
          break;
        }
        case 0x8f: push(make(Value::List)); break;  // EMPTY_SET: kept as a list
        case 0x90: {                                  // ADDITEMS
          auto xs = since_mark();
          auto& l = list(top())->items;
          charge(xs.size());
          l.insert(l.end(), xs.begin(), xs.end());
          break;
        }
        case 0x91: { auto l = make(Value::List); l->items = since_mark(); push(l); break; }  // FROZENSET
        case 'B': push(string(u32())); break;                                                  // BINBYTES
        case 'C': push(string(byte())); break;                                                 // SHORT_BINBYTES
        case 0x8d: case 0x8e: {                                                                // BINUNICODE8, BINBYTES8
          uint64_t n;
          std::memcpy(&n, take(8), 8);
          if (n > static_cast<uint64_t>(end_ - p_)) fail("the pickle is cut short");
          push(string(static_cast<size_t>(n)));
          break;
        }
        case '0': pop(); break;
        default: fail("pickle opcode 0x" + hex(op) + " is not one a state dict or module uses");
      }
    }
  }

  // Parameters and persistent buffers of a pickled nn.Module, as state_dict() names them (a submodule shared
  // under two names appears under both, as there).
  void collect(const V& module, const std::string& prefix, std::map<std::string, torch::Tensor>& out,
               int depth = 0) {
    if (depth > 100) fail("modules nested more than 100 deep (or a module that contains itself)");
    // A tree whose modules repeat each other could otherwise be walked 2^depth times; real models have
    // thousands of modules at most.
    if (++modules_ > kMaxModules) fail("more than " + std::to_string(kMaxModules) + " modules in the tree");
    std::vector<std::string> transient;  // _non_persistent_buffers_set: not in state_dict()
    if (auto set = attr(module, "_non_persistent_buffers_set"); set && set->kind == Value::List)
      for (auto x : set->items)
        if (x->kind == Value::Str) transient.push_back(x->s);
    for (const char* part : {"_parameters", "_buffers"}) {
      auto d = attr(module, part);
      if (!d || d->kind != Value::Dict) continue;
      for (auto& [k, v] : d->entries) {
        const std::string& name = str(k);
        if (v->kind == Value::None) continue;
        if (part[1] == 'b' && std::find(transient.begin(), transient.end(), name) != transient.end()) continue;
        if (v->kind != Value::Tensor)
          fail(prefix + name + " is a " + (v->kind == Value::Object ? v->s : std::string("value")) +
               ", not a tensor this reader rebuilds");
        charge(1);
        out[prefix + name] = v->t;
      }
    }
    if (auto d = attr(module, "_modules"); d && d->kind == Value::Dict)
      for (auto& [k, v] : d->entries)
        if (v->kind == Value::Object) collect(v, prefix + str(k) + ".", out, depth + 1);
  }

  [[noreturn]] void fail(const std::string& why) const { throw Error(path_ + ": " + why); }

 private:
  // Work a file can cause beyond its own size (values made, entries copied, modules walked) is counted here.
  void charge(size_t n) {
    budget_ += n;
    if (budget_ > kMaxValues) fail("more than " + std::to_string(kMaxValues) + " values in the pickle");
  }
  // A record's size, from the zip directory, before it is inflated.
  void check_record(const std::string& name, uint64_t at_least, uint64_t at_most) {
    auto it = dir_.find(name);
    if (it == dir_.end()) return;  // libtorch's reader decides
    // A stored record cannot be larger than the file; an inflated one is held to what its tensors need.
    if (it->second.size < at_least || it->second.size > at_most || (!it->second.compressed && it->second.size > file_))
      fail("record " + name + " holds " + std::to_string(it->second.size) + " bytes; expected " +
           (at_least == at_most ? std::to_string(at_least) : "at most " + std::to_string(at_most)));
  }
  V make(Value::Kind k) {
    charge(1);
    arena_.push_back(std::make_unique<Value>());
    arena_.back()->kind = k;
    return arena_.back().get();
  }
  static std::string hex(unsigned x) {
    char b[8];
    std::snprintf(b, sizeof b, "%02x", x);
    return b;
  }
  const uint8_t* take(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) fail("the pickle is cut short");
    const uint8_t* b = p_;
    p_ += n;
    return b;
  }
  uint8_t byte() { return *take(1); }
  uint32_t u32() { uint32_t x; std::memcpy(&x, take(4), 4); return x; }
  std::string line() {
    const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(p_, '\n', end_ - p_));
    if (!nl) fail("the pickle is cut short");
    std::string s(reinterpret_cast<const char*>(p_), nl - p_);
    p_ = nl + 1;
    return s;
  }
  V string(size_t n) { auto v = make(Value::Str); v->s.assign(reinterpret_cast<const char*>(take(n)), n); return v; }
  V integer(int64_t x) { auto v = make(Value::Int); v->i = x; return v; }
  void push(V v) { stack_.push_back(v); }
  V pop() {
    if (stack_.empty() || stack_.back()->kind == Value::Mark) fail("the pickle pops an empty stack");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  V& top() {
    if (stack_.empty()) fail("the pickle reads an empty stack");
    return stack_.back();
  }
  std::vector<V> since_mark() {
    size_t m = stack_.size();
    while (m > 0 && stack_[m - 1]->kind != Value::Mark) --m;
    if (m == 0) fail("the pickle has no MARK where one is needed");
    std::vector<V> xs(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m - 1);
    return xs;
  }
  void memo(size_t k) {
    // Picklers number memo entries in order; a far index would make the table huge.
    if (k > memo_.size() + 16) fail("memo index " + std::to_string(k) + " out of order");
    if (memo_.size() <= k) memo_.resize(k + 1);
    memo_[k] = top();
  }
  V get(size_t k) {
    if (k >= memo_.size() || !memo_[k]) fail("the pickle refers to memo entry " + std::to_string(k) + ", never stored");
    return memo_[k];
  }
  V& list(V& v) { if (v->kind != Value::List) fail("APPEND to something not a list"); return v; }
  V& dict(V& v) {
    if (v->kind == Value::Dict) return v;
    fail("SETITEM on something not a dict");
  }
  const std::string& str(const V& v) const {
    if (v->kind != Value::Str) fail("expected a string in the pickle");
    return v->s;
  }
  int64_t num(const V& v) const {
    if (v->kind != Value::Int) fail("expected an integer in the pickle");
    return v->i;
  }
  std::vector<int64_t> ints(const V& v) const {
    if (v->kind != Value::Tuple && v->kind != Value::List) fail("expected a tuple of integers in the pickle");
    std::vector<int64_t> out;
    for (const auto& x : v->items) out.push_back(num(x));
    return out;
  }
  // An attribute of a pickled object (its state dict's entry), any kind; nullptr if absent.
  static V attr(const V& obj, const std::string& name) {
    if (obj->kind != Value::Object || !obj->state || obj->state->kind != Value::Dict) return nullptr;
    for (auto& [k, v] : obj->state->entries)
      if (k->kind == Value::Str && k->s == name) return v;
    return nullptr;
  }

  // ('storage', torch.FloatStorage, key, location, numel) -> a flat tensor over data/<key>.
  V storage(const V& pid) {
    if (pid->kind != Value::Tuple || pid->items.size() < 5 || str(pid->items[0]) != "storage" ||
        pid->items[1]->kind != Value::Global)
      fail("a persistent id that is not a tensor storage");
    const std::string key = str(pid->items[2]);
    auto it = storages_.find(key);
    if (it == storages_.end()) {
      const auto dtype = storage_dtype(pid->items[1]->s);
      if (dtype == c10::ScalarType::Undefined) fail("storage type " + pid->items[1]->s + " is not supported");
      const int64_t numel = num(pid->items[4]);
      if (!zip_.hasRecord("data/" + key)) fail("storage " + key + " is missing from the archive");
      auto [data, size] = zip_.getRecord("data/" + key);
      const size_t el = c10::elementSize(dtype);
      if (numel < 0 || static_cast<uint64_t>(numel) > size / el)
        fail("storage " + key + " holds " + std::to_string(size) + " bytes, too few for " + std::to_string(numel) +
             " elements");
      const size_t need = static_cast<size_t>(numel) * el;
      // torch.save stores each storage as it is; a larger or compressed record is not read into memory.
      check_record("data/" + key, need, dir_.count("data/" + key) && dir_.at("data/" + key).compressed
                                            ? std::max<uint64_t>(need, 1) : need + 64);
      auto t = torch::empty({numel}, dtype);
      if (need) std::memcpy(t.data_ptr(), data.get(), need);  // an empty storage has no data pointer
      it = storages_.emplace(key, t).first;
    }
    auto v = make(Value::Tensor);
    v->t = it->second;
    return v;
  }

  V reduce(const V& fn, const V& args) {
    if (fn->kind != Value::Global) fail("REDUCE of something that is not a class or function");
    if (args->kind != Value::Tuple) fail("REDUCE with arguments that are not a tuple");
    const auto& a = args->items;
    const std::string& name = fn->s;
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      if (a.size() < 4 || a[0]->kind != Value::Tensor) fail(name + " with unexpected arguments");
      const auto& st = a[0]->t;
      const int64_t offset = num(a[1]);
      auto size = ints(a[2]), stride = ints(a[3]);
      if (size.size() != stride.size()) fail("a tensor whose size and stride differ in length");
      int64_t last = offset;  // the furthest element the view reaches must lie inside its storage
      bool empty = false;
      for (size_t d = 0; d < size.size(); ++d) {
        if (size[d] < 0 || stride[d] < 0) fail("a tensor with a negative size or stride");
        int64_t reach = 0;
        if (size[d] == 0) empty = true;
        else if (__builtin_mul_overflow(size[d] - 1, stride[d], &reach) || __builtin_add_overflow(last, reach, &last))
          fail("a tensor reaching outside its storage");
      }
      if (offset < 0 || (!empty && last >= st.numel())) fail("a tensor reaching outside its storage");
      int64_t elements = 1;
      for (int64_t d : size)
        if (__builtin_mul_overflow(elements, d, &elements) || elements > std::max<int64_t>(st.numel(), 1))
          fail("a tensor of more elements than its storage holds (a broadcast view: save it contiguous)");
      auto v = make(Value::Tensor);
      v->t = st.as_strided(size, stride, offset);
      return v;
    }
    if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != Value::Tensor) fail(name + " with unexpected arguments");
      return a[0];
    }
    if (name == "collections.OrderedDict" || name == "builtins.dict") {
      auto d = make(Value::Dict);
      if (!a.empty() && a[0]->kind == Value::List) {
        charge(a[0]->items.size());
        for (const auto& kv : a[0]->items)
          if (kv->kind == Value::Tuple && kv->items.size() == 2) d->entries.emplace_back(kv->items[0], kv->items[1]);
      }
      return d;
    }
    if (name == "builtins.set" || name == "builtins.frozenset") {  // protocol 2 pickles a set as set([...])
      auto l = make(Value::List);
      if (!a.empty() && a[0]->kind == Value::List) {
        charge(a[0]->items.size());
        l->items = a[0]->items;
      }
      return l;
    }
    auto o = make(Value::Object);  // anything else: kept by name, never called
    o->s = name;
    o->state = args;
    return o;
  }

  std::string path_;
  caffe2::serialize::PyTorchStreamReader zip_;
  std::map<std::string, ZipEntry> dir_;
  uint64_t file_ = 0;
  at::DataPtr keep_;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  static constexpr size_t kMaxValues = 5'000'000;  // far above a state dict's or module's few thousand
  static constexpr uint64_t kMaxPickleBytes = 256u << 20;  // a state dict's pickle is kilobytes to a few MB
  static constexpr size_t kMaxModules = 100'000;
  size_t budget_ = 0, modules_ = 0;
  std::vector<std::unique_ptr<Value>> arena_;
  std::vector<V> stack_, memo_;
  std::map<std::string, torch::Tensor> storages_;
};

}  // namespace

std::map<std::string, torch::Tensor> read_torch_save(const std::string& path) {
  std::unique_ptr<Reader> r;
  V root;
  try {
    r = std::make_unique<Reader>(path);
    root = r->run();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {  // the zip reader's own errors
    throw Error(path + ": cannot read PyTorch checkpoint: " + std::string(e.what()).substr(0, 300));
  }
  std::map<std::string, torch::Tensor> out;
  if (root->kind == Value::Dict) {
    for (auto& [k, v] : root->entries) {
      if (k->kind != Value::Str || v->kind != Value::Tensor) r->fail("state dict entries must be name -> tensor");
      out[k->s] = v->t;
    }
  } else if (root->kind == Value::Object) {
    r->collect(root, "", out);
    if (out.empty()) r->fail("a pickled " + root->s + " with no parameters or buffers");
  } else {
    r->fail("expected a state dict (name -> tensor) or a pickled module");
  }
  return out;
}

}  // namespace clasp
