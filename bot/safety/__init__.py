"""Safety rules that must hold even when the model, actions or database are unavailable."""
