"""The node's search index, kept in step with the change log: ``node`` (the node's engine and this process's
indexer thread) and ``indexer`` (the one writer of the index, tailing the log)."""
