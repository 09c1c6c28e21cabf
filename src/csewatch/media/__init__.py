"""Known-media matching: hash images (PDQ perceptual hash, MD5, SHA-256), keep hash banks (hashes
only, never images), index PDQ hashes for radius search, and fetch media bytes from a media store.
Media bytes are never logged."""
