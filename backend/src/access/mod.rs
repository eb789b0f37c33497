//! Access methods: heap and B-tree pages through the shared buffer cache.
