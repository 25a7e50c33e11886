"""Training material files: content-addressed storage, type sniffing and limits, text extraction."""
