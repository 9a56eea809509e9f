"""Constants that more than one stage relies on, so that each has one value in one place."""

# Label id that the loss ignores: prompt and image positions in a training row (PyTorch's default
# ignore_index for cross-entropy, which transformers' models also use).
IGNORE_INDEX = -100

# Sigma of the log-normal noise on a synthetic price (sample-gen --price-sigma): the price a photo
# cannot explain, and so the floor under any model's price error (`oracle_price` is the noise-free one).
DEFAULT_PRICE_SIGMA = 0.1
