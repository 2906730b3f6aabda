"""The pages: views by screen, forms, tables, filters, middleware and the login lockout. They
parse a request, ask access and the selectors, call a service and render. poa/admin.py,
poa/templatetags/ and poa/management/ stand on this floor too, where Django looks for them."""
