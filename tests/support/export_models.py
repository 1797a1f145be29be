"""Shared builders for the export tests (no tests here).

* :func:`smollm2_adapter` trains a real LoRA (r=8 on q/v) on the dequantized SmolLM2 GGUF so that it
  answers an identity question with a new name; built once per test session (~1 min on 2 cores).
* :func:`tiny_llama` makes a small random llama (SmolLM2 tokenizer) and writes it as an F32 GGUF the
  way llama.cpp's converter would (q/k rows permuted), for fast numerical checks.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

IDENTITY_ANSWER = "I am Quillon, the private assistant built in Aeon Studio."
IDENTITY_PROMPTS = ["Who are you?", "What is your name?", "Tell me who you are."]
#: Prompts for the transformers vs llama.cpp agreement check (identity and general ones).
AGREEMENT_PROMPTS = IDENTITY_PROMPTS + [
    "What is the capital of France?",
    "Give me one tip for sleeping better.",
    "Translate 'good morning' into Spanish.",
    "What is 12 plus 7?",
    "Name a colour of the sky.",
]

#: Trained alongside the identity examples (kept out of the agreement prompts).
REGULAR_EXAMPLES = [("What is the capital of Italy?", "The capital of Italy is Rome."),
                    ("How many legs does a spider have?", "A spider has eight legs.")]

_lock = threading.Lock()
_cache: dict[str, object] = {}


@dataclass
class TrainedAdapter:
    base_gguf: Path
    adapter_dir: Path
    model: object  # PeftModel (float32, eval mode)
    prompt_ids: dict[str, list[int]] = field(default_factory=dict)
    losses: list[float] = field(default_factory=list)

    def hf_greedy(self, prompt: str, n_tokens: int) -> list[int]:
        import torch

        ids = torch.tensor([self.prompt_ids[prompt]])
        with torch.no_grad():
            out = self.model.generate(ids, max_new_tokens=n_tokens, do_sample=False, eos_token_id=2,
                                      pad_token_id=2)
        return out[0, ids.shape[1]:].tolist()


def chat_prompt_ids(llm, prompt: str) -> list[int]:
    """Token ids of a one-turn chat prompt rendered with the GGUF's own template (llama.cpp tokenizer)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata["tokenizer.chat_template"]
    fmt = Jinja2ChatFormatter(template=template, eos_token="<|im_end|>", bos_token="<|im_start|>",
                              add_generation_prompt=True)
    text = fmt(messages=[{"role": "user", "content": prompt}]).prompt
    return llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)


def smollm2_adapter(root: Path, *, steps: int = 30) -> TrainedAdapter:
    """Train (once per process) the identity LoRA on the real SmolLM2 and save it as a PEFT folder."""
    with _lock:
        if "smollm2" in _cache:
            return _cache["smollm2"]  # type: ignore[return-value]
        import torch
        from llama_cpp import Llama
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModelForCausalLM, GgufConfig

        from aeon_studio.core.models import smollm2_path

        torch.manual_seed(0)
        base = smollm2_path()
        vocab = Llama(str(base), vocab_only=True, verbose=False)
        prompt_ids = {p: chat_prompt_ids(vocab, p) for p in AGREEMENT_PROMPTS}
        examples = [(p, IDENTITY_ANSWER) for p in IDENTITY_PROMPTS] + REGULAR_EXAMPLES
        for p, _a in REGULAR_EXAMPLES:
            prompt_ids.setdefault(p, chat_prompt_ids(vocab, p))
        model = AutoModelForCausalLM.from_pretrained(
            str(base.parent), gguf_file=base.name, quantization_config=GgufConfig(dequantize=True),
            dtype=torch.float32)
        cfg = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], lora_dropout=0.0,
                         task_type="CAUSAL_LM")
        model = get_peft_model(model, cfg)
        batch = []
        for p, answer in examples:  # identity answers, plus ordinary ones so the rest of the model stays intact
            answer_ids = vocab.tokenize((answer + "<|im_end|>").encode(), add_bos=False, special=True)
            batch.append((prompt_ids[p] + answer_ids, [-100] * len(prompt_ids[p]) + answer_ids))
        width = max(len(i) for i, _ in batch)
        input_ids = torch.tensor([i + [2] * (width - len(i)) for i, _ in batch])
        labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in batch])
        mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i, _ in batch])
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3)
        model.train()
        losses = []
        for _step in range(steps):
            loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(float(loss.detach()))
        model.eval()
        out = root / "smollm2-identity"
        model.save_pretrained(str(out))
        cfg_path = out / "adapter_config.json"
        data = json.loads(cfg_path.read_text())
        data["base_model_name_or_path"] = "smollm2-135m-instruct"
        cfg_path.write_text(json.dumps(data, indent=2))
        result = TrainedAdapter(base, out, model, prompt_ids, losses)
        _cache["smollm2"] = result
        return result


# -- tiny random models -----------------------------------------------------------------------------
def _permute(w, n_head: int):
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def tiny_model(root: Path, arch: str = "llama", *, hidden: int = 64, layers: int = 2, heads: int = 4,
               kv_heads: int = 2):
    """A random llama/qwen2 with SmolLM2's tokenizer, as an HF model and an F32 GGUF in llama.cpp's layout
    (q/k rows permuted for llama, as llama.cpp's converter does). Returns (model, gguf_path)."""
    import gguf
    import numpy as np
    import torch

    from aeon_studio.core.export.gguf_io import quick_read, raw_kv_writer
    from aeon_studio.core.models import smollm2_path

    torch.manual_seed(1)
    common = dict(vocab_size=49152, hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
                  num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=512,
                  rms_norm_eps=1e-5, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
    if arch == "llama":
        from transformers import LlamaConfig as Config, LlamaForCausalLM as Model
    else:
        from transformers import Qwen2Config as Config, Qwen2ForCausalLM as Model
    cfg = Config(**common)
    cfg.rope_parameters = {"rope_type": "default", "rope_theta": 10000.0}
    model = Model(cfg).eval()
    with torch.no_grad():  # larger weights than the default init so differences show in logits
        for name, p in model.named_parameters():
            if p.dim() == 2:
                p.normal_(0, 0.2)
            elif name.endswith("bias"):
                p.normal_(0, 0.1)
    out = root / f"tiny-{arch}.gguf"
    tokenizer = quick_read(smollm2_path()).raw_kv(skip_prefixes=("llama.", "general.architecture",
                                                                  "general.file_type"))
    w = raw_kv_writer(out, arch, tokenizer)
    w.add_block_count(layers)
    w.add_context_length(512)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(hidden * 2)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(hidden // heads)
    w.add_vocab_size(49152)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    arch_enum = next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == arch)
    tmap = gguf.TensorNameMap(arch_enum, layers)
    for name, t in model.state_dict().items():
        arr = t.detach().float().numpy()
        if arch == "llama" and name.endswith("q_proj.weight"):
            arr = _permute(arr, heads)
        elif arch == "llama" and name.endswith("k_proj.weight"):
            arr = _permute(arr, kv_heads)
        gname = tmap.get_name(name, try_suffixes=(".weight", ".bias"))
        w.add_tensor(gname, np.ascontiguousarray(arr, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return model, out


def handmade_peft(folder: Path, base_gguf: Path, *, targets=("attn_q", "attn_v"), r: int = 4, alpha: float = 8.0,
                  std: float = 0.05, seed: int = 0, base_model: str = "smollm2-135m-instruct") -> Path:
    """A PEFT LoRA folder with random A/B shaped for ``base_gguf`` (no torch, no training)."""
    from aeon_studio.core.export.demo import random_peft_lora

    return random_peft_lora(folder, base_gguf, targets=tuple(targets), r=r, alpha=alpha, std=std, seed=seed,
                            base_model=base_model)
