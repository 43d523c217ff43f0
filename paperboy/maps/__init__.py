"""Topic maps of a period: papers placed in 2D from their embeddings, clustered,
labelled with distinctive terms, and the clusters that grew against the previous period
(docs/maps.md)."""
