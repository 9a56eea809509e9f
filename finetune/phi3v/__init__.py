"""Native Phi-3-Vision on current transformers: config, image processor, processor, model."""
