"""Constants that more than one stage relies on, so that each has one value in one place."""

# Label id that the loss ignores: prompt and image positions in a training row (PyTorch's default
# ignore_index for cross-entropy, which transformers' models also use).
IGNORE_INDEX = -100
