"""打包配送 packing and delivery: vehicles, routes, manifests and proof of delivery."""
