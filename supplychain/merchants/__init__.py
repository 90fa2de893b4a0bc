"""商户管理 merchants: stores, group-buy leaders and wholesale customers, and their users."""
