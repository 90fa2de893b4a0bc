"""订单生成 ordering pages and API."""
