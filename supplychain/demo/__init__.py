"""演示数据 demo distributor: deterministic data for a health-products wholesaler."""
