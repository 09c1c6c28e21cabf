"""Independent synthetic training-data authors: each package writes a labelled stream in the native
format from its own vocabulary (data files under its vocab/), briefed from a family list, not from
the policy pack or from each other. The learned model is trained on their union and evaluated
leave-one-author-out and leave-one-family-out."""
