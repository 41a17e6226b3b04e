"""Scale-out on Ray: batch embedding with Ray Data (imported lazily; needs the `ray` extra)."""
