#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/seed-*).

Every seed is generated here (sox and msgfmt for the audio files and the .mo
catalogs, the rest by hand) or taken from tests/fixtures; nothing is fetched.
Regression inputs found by fuzzing (fuzz/corpus/<target>/regress-*) are not
touched. Run from anywhere: python3 fuzz/make_corpus.py
"""
import json
import os
import struct
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def manifest():
    lines = {
        "minimal": {"id": "ca01.0001", "text": "The jury said it did find that.", "lang": "en"},
        "full": {"id": "ca01.0003.es", "text": "El jurado dijo que sí.", "lang": "es", "category": "news",
                 "split": "train", "doc": "ca01", "source_id": "ca01.0003", "tokens": 7,
                 "audio": "audio/ca01.0003.es.wav", "duration": 2.345, "voice": "espeak:es+f2",
                 "engine": "espeak", "phonemes": "el xuɾˈaðo ðˈixo ke sˈi", "error": ""},
        "nulls": {"id": "x", "text": "ü", "lang": "de", "category": None, "tokens": None, "duration": 0},
        "failed": {"id": "cb02.0007.it", "text": "Ciao", "lang": "it", "split": "test",
                   "error": "espeak-ng: no voice for it"},
    }
    for name, obj in lines.items():
        put("manifest", name, json.dumps(obj, ensure_ascii=False))
    put("manifest", "file", "\n".join(json.dumps(o, ensure_ascii=False) for o in lines.values()) + "\n\n  \n")
    put("manifest", "escapes", '{"id":"a\\u00e9","text":"tab\\tquote\\"\\ud83d\\ude00","lang":"fr","tokens":3}')


def audio():
    tmp = tempfile.mkdtemp()
    # (name, sox output options, synth options): a few milliseconds each, every container libsndfile reads.
    specs = [
        ("s16-8k-mono.wav", ["-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"], "0.02"),
        ("f32-44k-stereo.wav", ["-r", "44100", "-c", "2", "-b", "32", "-e", "floating-point"], "0.005"),
        ("u8-22k-mono.wav", ["-r", "22050", "-c", "1", "-b", "8", "-e", "unsigned-integer"], "0.02"),
        ("ulaw-8k.wav", ["-r", "8000", "-c", "1", "-e", "u-law"], "0.02"),
        ("s24-48k-3ch.wav", ["-r", "48000", "-c", "3", "-b", "24", "-e", "signed-integer"], "0.005"),
        ("ima-adpcm-16k.wav", ["-r", "16000", "-c", "1", "-e", "ima-adpcm"], "0.03"),
        ("s16-16k.flac", ["-r", "16000", "-c", "1", "-b", "16"], "0.05"),
        ("s16-16k.aiff", ["-r", "16000", "-c", "1", "-b", "16"], "0.01"),
        ("s16-16k.au", ["-r", "16000", "-c", "1", "-b", "16"], "0.01"),
        ("s16-16k.caf", ["-r", "16000", "-c", "1", "-b", "16"], "0.01"),
        ("s16-16k.w64", ["-r", "16000", "-c", "1", "-b", "16"], "0.01"),
        ("16k.ogg", ["-r", "16000", "-c", "1", "-C", "-1"], "0.05"),
    ]
    for name, opts, secs in specs:
        out = os.path.join(tmp, name)
        subprocess.run(["sox", "-n"] + opts + [out, "synth", secs, "sine", "440", "vol", "0.5"], check=True,
                       stderr=subprocess.DEVNULL)
        with open(out, "rb") as f:
            put("audio", name, f.read())
    # A streamed WAV: data chunk size 0xFFFFFFFF (accepted on purpose by read_audio).
    with open(os.path.join(tmp, "s16-8k-mono.wav"), "rb") as f:
        wav = bytearray(f.read())
    i = wav.find(b"data")
    wav[i + 4:i + 8] = b"\xff\xff\xff\xff"
    put("audio", "streamed.wav", bytes(wav))


def mo_catalog():
    tmp = tempfile.mkdtemp()
    po = os.path.join(tmp, "x.po")
    with open(po, "w", encoding="utf-8") as f:
        f.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                'msgid "Open file"\nmsgstr "Abrir archivo"\n\n'
                'msgctxt "menu"\nmsgid "Quit"\nmsgstr "Salir"\n\n'
                'msgid "%d file"\nmsgid_plural "%d files"\nmsgstr[0] "%d archivo"\nmsgstr[1] "%d archivos"\n')
    for name, opts in (("le.mo", ["--endianness=little"]), ("be.mo", ["--endianness=big"])):
        out = os.path.join(tmp, name)
        subprocess.run(["msgfmt"] + opts + ["-o", out, po], check=True)
        with open(out, "rb") as f:
            put("mo_catalog", name, f.read())
    # By hand: no entries; one entry with a Latin-1 header.
    put("mo_catalog", "empty.mo", struct.pack("<7I", 0x950412de, 0, 0, 28, 28, 0, 28))
    ids, strs = [b"", b"hola"], [b"Content-Type: text/plain; charset=ISO-8859-1\n", b"hello"]
    n = len(ids)
    table_o, table_t = 28, 28 + 8 * n
    data_at = table_t + 8 * n
    blob, o_tab, t_tab = b"", b"", b""
    for s in ids:
        o_tab += struct.pack("<2I", len(s), data_at + len(blob))
        blob += s + b"\0"
    for s in strs:
        t_tab += struct.pack("<2I", len(s), data_at + len(blob))
        blob += s + b"\0"
    put("mo_catalog", "latin1.mo", struct.pack("<7I", 0x950412de, 0, n, table_o, table_t, 0, data_at)
        + o_tab + t_tab + blob)


def phone_posteriors():
    def blob(top, classes, frames):
        ids = bytes((f + k) % classes for f in range(frames) for k in range(top))
        logp = b"".join(struct.pack("<H", (f * 37 + k * 911) % 65536) for f in range(frames) for k in range(top))
        return b"CPOS" + struct.pack("<BBHI", 1, top, classes, frames) + ids + logp
    put("phone_posteriors", "blob-16of67.bin", blob(16, 67, 3))
    put("phone_posteriors", "blob-1of1.bin", blob(1, 1, 2))
    put("phone_posteriors", "blob-empty.bin", blob(4, 10, 0))
    put("phone_posteriors", "ipa-en.txt", "ðə dʒˈʌɹi sˈɛd\nɪt dˈɪd fˈaɪnd ðˈæt\n")
    put("phone_posteriors", "ipa-es.txt", "el xuɾˈaðo ðˈixo_ke sˈi\nˈabɾe el aɾtʃˈiβo\n")
    put("phone_posteriors", "ipa-boundaries.txt", "a|b  c\t\td\n\nˌʃ ʒ̃ ɜː\n")


def word_lexicon():
    put("word_lexicon", "small.json", json.dumps({
        "format": "clasp-lexicon-1", "target": "en",
        "languages": {"es": {"número": "number", "contraseña": "password", "el": "the"},
                      "ca": {"col·legi": "school", "l'aigua": "water"}},
        "from_english": {"es": {"number": ["número", "cifra"], "the": "el"}}}, ensure_ascii=False))
    put("word_lexicon", "alternatives.json", json.dumps({
        "format": "clasp-lexicon-1", "target": "en",
        "languages": {"fr": {"été": ["summer", "been", "was"], "Été": "summer"}, "it": {}}}, ensure_ascii=False))
    put("word_lexicon", "no-from-english.json", '{"format":"clasp-lexicon-1","target":"en","languages":{}}')
    put("word_lexicon", "text.txt", "«¿Dónde está la estación?» —dijo. CAFÉ, naïve, l·l, 東京, Привет!")


def wordpiece():
    with open(os.path.join(ROOT, "tests", "fixtures", "hf", "bert-tiny", "expected.json"), encoding="utf-8") as f:
        sentences = json.load(f)["sentences"]
    for i, s in enumerate(sentences):
        put("wordpiece", "sentence-%02d.txt" % i, s)
    put("wordpiece", "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##s\nworld\n,\n!\nd\n##o\n##n\n")
    put("wordpiece", "vocab-crlf.txt", "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\ncafé\r\n##é\r\n")


def search_json():
    put("search_json", "text.txt", "where is the station?\0es\0/data/audio/clip.wav\0en\0hello")
    put("search_json", "latin1-path.bin", b"hola\x00es\x01/data/caf\xe9.wav\x00" + bytes(range(64)))
    put("search_json", "utf8.txt", "¿Dónde está? 東京\nqlang=es\n/data/ñ.flac  ʃ ʒ ɜː " * 3)


def http_request():
    put("http_request", "search.txt", "q=where%20is%20the%20station&k=5&lang=en&rerank=50&approx=1\nbytes=0-99")
    put("http_request", "ranges.txt", "k=100&rerank=1000\nbytes=0-0, 2-3, -500, 900-")
    put("http_request", "bad.txt", "k=5abc&rerank=-1&k=1e9&lang=%FF%FE\nbytes=500-100")
    put("http_request", "many.txt", "q=a&q=b&&=&k=\nbytes=" + ",".join("%d-%d" % (i, i + 10) for i in range(0, 70, 7)))


def torch_save():
    # The pickles (data.pkl) of the torch.save fixtures: a state dict (OrderedDict with _metadata), a whole pickled
    # module, views and dtypes, a HubertForCTC checkpoint, the CLASP authors' structures.
    import zipfile
    for rel in ["torch/state_dict.pt", "torch/whole_module.pt", "torch/mixed.pt", "hf/hubert-ctc-tiny/pytorch_model.bin",
                "clasp-reference/concat-whole-module.pt", "clasp-reference/gating-state-dict.pt"]:
        with zipfile.ZipFile(os.path.join(ROOT, "tests", "fixtures", rel)) as z:
            pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            put("torch_save", rel.replace("/", "-") + ".pkl", z.read(pkl))


def safetensors():
    import struct

    def file(header, data=b""):
        h = json.dumps(header).encode()
        return struct.pack("<Q", len(h)) + h + data
    put("safetensors", "two-tensors.safetensors", file(
        {"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
         "b": {"dtype": "F16", "shape": [3], "data_offsets": [16, 22]}}, bytes(range(22))))
    put("safetensors", "empty-and-int.safetensors", file(
        {"e": {"dtype": "F32", "shape": [0, 4], "data_offsets": [0, 0]},
         "i": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}, b"\x07" + bytes(7)))
    put("safetensors", "bf16-bool.safetensors", file(
        {"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]},
         "y": {"dtype": "BOOL", "shape": [2], "data_offsets": [4, 6]}}, bytes([0, 63, 128, 191, 1, 0])))


if __name__ == "__main__":
    manifest()
    audio()
    mo_catalog()
    phone_posteriors()
    word_lexicon()
    wordpiece()
    search_json()
    http_request()
    torch_save()
    safetensors()
