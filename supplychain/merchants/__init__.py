"""商户管理 merchants: stores, group-buy leaders, wholesale customers and their users."""
