"""Who is speaking, who they are, and whether they need to leave: read from the words.

The classifier decides what a message is about; these deterministic readers decide the
person-level facts that must never be guessed from a topic (a man hit by his wife is a victim,
not someone who abuses; a friend is not the victim; "hes back gtg" means leave now).
"""
