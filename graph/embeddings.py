"""The semantic layer's two parts: an :class:`Embedder` and a :class:`VectorIndex`.

The embedder loads whatever sentence-transformers model the ``model`` setting
names (by default multilingual-e5-small built offline by
:mod:`graph.offline_model`) and turns texts into L2-normalised float32 vectors, so
a dot product is the cosine.  When no model can be loaded, :func:`load_embedder`
returns ``None`` with a :class:`SemanticStatus` that says why, and callers keep
matching lexically.

The vector index holds one row per (kind, id, text) — a node may have several
texts (its name, aliases, English name) and scores as its best one.  It is kept
beside the graph as ``vectors.json`` + ``vectors-<digest>.npy``; re-syncing embeds
only texts whose hash it has not seen with the same model.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graph import offline_model

INDEX_FILE = "vectors.json"
INDEX_VERSION = 1
MIN_SCRIPT_ROWS = 30  # fewer texts of one script than this say too little about its spread: judge all together


class EmbedderUnavailable(RuntimeError):
    """The configured model cannot be loaded; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class SemanticStatus:
    """Whether the semantic layer is on, for health output and explanations."""

    enabled: bool
    model: str  # the setting as given
    message: str
    path: str = ""  # the folder loaded, when local

    def as_dict(self) -> dict[str, str | bool]:
        return {"enabled": self.enabled, "model": self.model, "path": self.path, "message": self.message}


class Embedder:
    """Normalised sentence embeddings with the model's own query / passage prompts."""

    def __init__(self, model, name: str, *, query_prompt: str = "", passage_prompt: str = "", batch_size: int = 64):
        self.model = model
        self.name = name
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.batch_size = batch_size
        self.dim = _dimension(model)
        self.fingerprint = _fingerprint(name, self.dim)

    @classmethod
    def load(cls, model: str, data_dir: Path | str, *, build: bool = False) -> Embedder:
        """Load ``model`` (the setting's value); raises :class:`EmbedderUnavailable`.

        ``build=True`` builds the default offline model first when it is missing.
        """
        target, local = _resolve(model, data_dir, build=build)
        if local:
            # A local folder needs no hub; say so before sentence-transformers is
            # imported, since huggingface_hub reads this once at import.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise EmbedderUnavailable(
                f"sentence-transformers is not installed ({exc}); install the `semantic` extra (see README)"
            ) from exc
        hf_logging.disable_progress_bar()
        try:
            st = SentenceTransformer(target, device="cpu", local_files_only=local)
        except Exception as exc:  # noqa: BLE001 — any failure means "no model", reported with its cause
            raise EmbedderUnavailable(f"cannot load the model {model!r} from {target}: {exc}") from exc
        prompts = dict(getattr(st, "prompts", None) or {})
        query_prompt, passage_prompt = prompts.get("query", ""), prompts.get("passage", "")
        if not query_prompt and "e5" in Path(target).name.lower():  # e5 models trained with these prefixes
            query_prompt, passage_prompt = offline_model.QUERY_PROMPT, offline_model.PASSAGE_PROMPT
        return cls(st, target, query_prompt=query_prompt, passage_prompt=passage_prompt)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for what users type (topics), shape ``(len(texts), dim)``."""
        return self._encode(texts, self.query_prompt)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for what is searched (node names, scope lines, specialties)."""
        return self._encode(texts, self.passage_prompt)

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not one string")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            [" ".join(t.split()) for t in texts],  # whitespace never carries meaning here
            prompt=prompt or None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


def load_embedder(settings, *, build: bool = False) -> tuple[Embedder | None, SemanticStatus]:
    """The embedder the settings name, or ``None`` and the reason matching is lexical only."""
    name = settings.model.strip()
    if not name:
        return None, SemanticStatus(False, "", "语义层已关闭（YRDQ_MODEL 为空），仅词法匹配 / semantic layer off: lexical matching only")
    try:
        emb = Embedder.load(name, settings.data_dir, build=build)
    except EmbedderUnavailable as exc:
        return None, SemanticStatus(False, name, f"语义模型不可用，仅词法匹配 / semantic model unavailable, lexical matching only: {exc}")
    return emb, SemanticStatus(True, name, f"语义层已启用 / semantic layer on: {emb.name} ({emb.dim} dims)", emb.name)


def _resolve(model: str, data_dir: Path | str, *, build: bool) -> tuple[str, bool]:
    """(what to pass to SentenceTransformer, whether it is a local folder)."""
    if model == offline_model.OFFLINE_E5:
        folder = offline_model.default_dir(data_dir)
        if not offline_model.is_built(folder):
            if not build:
                raise EmbedderUnavailable(
                    f"the offline model is not built yet at {folder}; run `python -m graph.offline_model`"
                )
            try:
                offline_model.build(folder)
            except offline_model.OfflineModelError as exc:
                raise EmbedderUnavailable(str(exc)) from exc
        return str(folder), True
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path), True
    if path.is_absolute() or model.startswith((".", "~")):
        raise EmbedderUnavailable(f"no model folder at {path}")
    return model, False


def _dimension(model) -> int:
    get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension  # before v6
    return int(get())


def _fingerprint(name: str, dim: int) -> str:
    """Identifies the model's vectors: a different model means re-embedding everything."""
    h = hashlib.sha256()
    folder = Path(name)
    if not folder.is_dir():
        h.update(name.encode())
    else:  # its config files and weight sizes pin a local build wherever the folder lives
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                rel = str(p.relative_to(folder)).encode()
                h.update(rel + (p.read_bytes() if p.suffix == ".json" else str(p.stat().st_size).encode()))
    h.update(str(dim).encode())
    return h.hexdigest()[:16]


# -- the index ----------------------------------------------------------------------


def text_hash(text: str) -> str:
    """Key of a text's vector.

    >>> text_hash("充电宝") == text_hash("充电宝"), len(text_hash("x"))
    (True, 16)
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Entry:
    """One text of one node to embed."""

    kind: str
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class VectorHit:
    kind: str
    id: str
    score: float  # cosine of the node's best-matching text
    text: str  # that text


@dataclass(frozen=True, slots=True)
class _KindSlice:
    start: int  # rows [start, end) of the matrix hold this kind
    end: int
    starts: np.ndarray  # offset in the slice where each node's rows begin
    ids: list[str]  # the node of each group
    latin: np.ndarray  # bool per row: the text is written in Latin script (an English name)


@dataclass(frozen=True, slots=True)
class NodeScores:
    ids: list[str]
    cos: np.ndarray  # float32, one per node: the cosine of its best text
    rows: np.ndarray  # the index row of that text
    entries: list[Entry]
    z: np.ndarray  # how far that cosine stands out among the kind's texts of the same script (z-score)
    delta: np.ndarray  # that cosine minus their mean

    def text(self, i: int) -> str:
        """The text of node ``i`` that scored best."""
        return self.entries[int(self.rows[i])].text


@dataclass(slots=True)
class SyncStats:
    embedded: int = 0  # texts sent to the model
    reused: int = 0  # rows whose vector was already known
    removed: int = 0  # rows dropped because their node or text is gone


@dataclass
class VectorIndex:
    """Rows of (kind, id, text) with one normalised vector each.

    >>> ix = VectorIndex(dim=2, model="toy")
    >>> ix.add([Entry("Product", "P1", "a"), Entry("Product", "P2", "b")], np.array([[1, 0], [0, 1]], np.float32))
    >>> [(h.id, round(h.score, 2)) for h in ix.search(np.array([0.6, 0.8], np.float32), k=2)]
    [('P2', 0.8), ('P1', 0.6)]
    """

    dim: int
    model: str  # the embedder fingerprint the vectors come from
    entries: list[Entry] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    matrix: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.matrix is None:
            self.matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._reindex()

    def _reindex(self) -> None:
        # Rows are kept sorted by (kind, id) so that a kind is one slice of the
        # matrix and a node's texts are adjacent rows: a search is then one matrix
        # product and one ``maximum.reduceat``, with no per-row Python.
        n = len(self.entries)
        order = sorted(range(n), key=lambda i: (self.entries[i].kind, self.entries[i].id, self.entries[i].text))
        if order != list(range(n)):
            self.entries = [self.entries[i] for i in order]
            self.hashes = [self.hashes[i] for i in order]
            self.matrix = np.ascontiguousarray(self.matrix[order])
        self._kinds: dict[str, _KindSlice] = {}
        i = 0
        while i < n:
            kind, start, starts, ids = self.entries[i].kind, i, [], []
            while i < n and self.entries[i].kind == kind:
                if not ids or self.entries[i].id != ids[-1]:
                    starts.append(i - start)
                    ids.append(self.entries[i].id)
                i += 1
            latin = np.array([self.entries[r].text.isascii() for r in range(start, i)], dtype=bool)
            self._kinds[kind] = _KindSlice(start, i, np.array(starts, dtype=np.intp), ids, latin)

    def __len__(self) -> int:
        return len(self.entries)

    def kinds(self) -> list[str]:
        return list(self._kinds)

    def add(self, entries: Sequence[Entry], vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(entries), self.dim)
        self.entries.extend(entries)
        self.hashes.extend(text_hash(e.text) for e in entries)
        self.matrix = np.vstack([self.matrix, vectors])
        self._reindex()

    # -- keeping it in step with the graph ----------------------------------------
    def sync(self, embedder: Embedder, entries: Iterable[Entry]) -> SyncStats:
        """Make the rows exactly ``entries``, embedding only texts not seen before.

        Duplicate entries are kept once and blank texts are left out.  A different embedder than the one the
        vectors came from makes every vector stale.
        """
        wanted = list(dict.fromkeys(e for e in entries if e.text.strip()))
        stats = SyncStats()
        known: dict[str, np.ndarray] = {}
        if embedder.fingerprint == self.model and embedder.dim == self.dim:
            known = {h: self.matrix[i] for i, h in enumerate(self.hashes)}
        new_texts = list(dict.fromkeys(e.text for e in wanted if text_hash(e.text) not in known))
        fresh = set(new_texts)
        if new_texts:
            for text, vec in zip(new_texts, embedder.encode_passages(new_texts), strict=True):
                known[text_hash(text)] = vec
        stats.embedded = len(new_texts)
        old_keys = set(zip(self.entries, self.hashes))
        new_keys = {(e, text_hash(e.text)) for e in wanted}
        stats.removed = len(old_keys - new_keys)
        stats.reused = sum(1 for e in wanted if e.text not in fresh)
        self.dim, self.model = embedder.dim, embedder.fingerprint
        self.entries = wanted
        self.hashes = [text_hash(e.text) for e in wanted]
        self.matrix = (
            np.stack([known[h] for h in self.hashes]).astype(np.float32)
            if wanted
            else np.zeros((0, self.dim), dtype=np.float32)
        )
        self._reindex()
        return stats

    # -- searching --------------------------------------------------------------
    def _best(self, query: np.ndarray, kind: str) -> tuple[_KindSlice, np.ndarray, np.ndarray] | None:
        """(slice, cosine of each node's best text, within-kind row of that text)."""
        ks = self._kinds.get(kind)
        if ks is None:
            return None
        sims = self.matrix[ks.start : ks.end] @ np.asarray(query, dtype=np.float32)
        best = np.maximum.reduceat(sims, ks.starts)
        if len(best) == len(sims):  # one text per node: nothing to pick
            return ks, best, np.arange(len(sims))
        group = np.repeat(np.arange(len(best)), np.diff(np.append(ks.starts, len(sims))))
        is_best = sims >= best[group]
        first = np.flatnonzero(is_best)  # the first best row of each group
        rows = first[np.unique(group[first], return_index=True)[1]]
        return ks, best, rows

    def node_scores(self, query: np.ndarray, kind: str) -> NodeScores | None:
        """Every node of ``kind`` scored by its best text, as arrays, for callers that work in numpy.

        A text is judged against the texts of its own script: an English query is
        closer to any English name than to most Chinese ones, so without this the few
        nodes that have an English name would stand out for every English topic.
        """
        ks = self._kinds.get(kind)
        if ks is None:
            return None
        sims = self.matrix[ks.start : ks.end] @ np.asarray(query, dtype=np.float32)
        z, delta = np.zeros_like(sims), np.zeros_like(sims)
        split = min(ks.latin.sum(), (~ks.latin).sum()) >= MIN_SCRIPT_ROWS
        for group in (ks.latin, ~ks.latin) if split else (np.ones_like(ks.latin),):
            if group.any():
                g = sims[group]
                delta[group] = g - g.mean()
                z[group] = delta[group] / (float(g.std()) or 1.0)
        best_z = np.maximum.reduceat(z, ks.starts)
        group_of = np.repeat(np.arange(len(best_z)), np.diff(np.append(ks.starts, len(sims))))
        first = np.flatnonzero(z >= best_z[group_of])
        rows = first[np.unique(group_of[first], return_index=True)[1]]
        return NodeScores(ks.ids, sims[rows], rows + ks.start, self.entries, best_z, delta[rows])

    def scores(self, query: np.ndarray, kind: str) -> dict[str, tuple[float, str]]:
        """Every node of ``kind`` → (cosine of its best text, that text)."""
        found = self._best(query, kind)
        if found is None:
            return {}
        ks, best, rows = found
        return {
            id: (score, self.entries[ks.start + r].text)
            for id, score, r in zip(ks.ids, best.tolist(), rows.tolist(), strict=True)
        }

    def search(self, query: np.ndarray, kinds: Iterable[str] | None = None, k: int = 10) -> list[VectorHit]:
        """The ``k`` nodes (of ``kinds``, default all) nearest to ``query``, best first."""
        hits: list[VectorHit] = []
        for kind in list(kinds) if kinds is not None else self.kinds():
            found = self._best(query, kind)
            if found is None:
                continue
            ks, best, rows = found
            top = np.argpartition(-best, k - 1)[:k] if len(best) > k else np.arange(len(best))
            hits += [VectorHit(kind, ks.ids[g], float(best[g]), self.entries[ks.start + rows[g]].text) for g in top]
        hits.sort(key=lambda h: (-h.score, h.kind, h.id))
        return hits[:k]

    # -- persistence --------------------------------------------------------------
    def save(self, folder: Path | str) -> None:
        """Write ``vectors-<digest>.npy`` then ``vectors.json`` naming it, each atomically.

        The JSON file is replaced last and names the matrix by its content digest,
        so a process killed at any point leaves the previous pair or the new one.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        matrix = np.ascontiguousarray(self.matrix, dtype=np.float32)
        digest = hashlib.sha256(matrix.tobytes()).hexdigest()[:16]
        npy_name = f"vectors-{digest}.npy"
        if not (folder / npy_name).exists():
            _atomic_write(folder / npy_name, lambda f: np.save(f, matrix, allow_pickle=False))
        doc = {
            "version": INDEX_VERSION,
            "model": self.model,
            "dim": self.dim,
            "matrix": npy_name,
            "rows": [[e.kind, e.id, e.text, h] for e, h in zip(self.entries, self.hashes, strict=True)],
        }
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        _atomic_write(folder / INDEX_FILE, lambda f: f.write(data))
        for old in folder.glob("vectors-*.npy"):  # only after the new pair is in place
            if old.name != npy_name:
                old.unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: Path | str) -> VectorIndex | None:
        """The saved index, or ``None`` when there is none or it is unreadable (re-embed then)."""
        folder = Path(folder)
        try:
            doc = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
            if doc.get("version") != INDEX_VERSION:
                return None
            matrix = np.load(folder / doc["matrix"], allow_pickle=False)
            rows = doc["rows"]
            if matrix.shape != (len(rows), doc["dim"]):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        entries = [Entry(k, i, t) for k, i, t, _ in rows]
        return cls(doc["dim"], doc["model"], entries, [h for *_, h in rows], matrix.astype(np.float32))


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
