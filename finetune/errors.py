"""The one error type `finetune` raises for problems a user can fix (bad data, bad model, no memory).

The CLI turns it into `Error: ...`; anything else is a bug and keeps its traceback.
"""


class FinetuneError(ValueError):
    """A problem with the user's input or machine, with a message that says what to do."""
