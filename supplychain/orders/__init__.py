"""订单生成 merchant ordering: orders and their lines, the delivery calendar (cutoffs,
delivery weekdays, holidays), idempotent submit, credit control, carts, standing
orders (周期送) and order import."""
